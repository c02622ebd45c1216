#!/usr/bin/env node
// Transpile-only TypeScript runner: `node scripts/ts-run.cjs FILE.ts [args...]`.
// Why not ts-node: type checking costs seconds on every run. Types are checked
// once, by `npm run typecheck` (part of `npm test`); everyday commands (synth,
// plan, start) only strip types with swc.
//
// What it does besides, each measured by `npm run bench -- --only loader` (bench/RESULTS.md) and kept
// because it earns its lines:
// - transpiled TypeScript is cached (node_modules/.cache/ts-run or PLATFORM_TS_RUN_CACHE_DIR, safe to
//   delete at any time), keyed by a hash of the source and the swc options, so an unchanged tree
//   never loads swc at all (about 8 % of a synth); PLATFORM_TS_RUN_CACHE=0 turns it off;
// - two dependencies of cdktf that a synth never calls are loaded on first use (LAZY_DEPENDENCIES,
//   about 8 % of a synth); PLATFORM_TS_RUN_LAZY=0 loads them up front as Node would;
// - the repository's own packages resolve to their TypeScript sources (WORKSPACE_SOURCES).
// Two parts were measured and removed: V8 code caches for every loaded file and remembered
// resolutions of installed packages' requires earned 6 % of a synth together, for some 90 lines
// that re-implemented Node's module compilation and resolution.
// PLATFORM_TS_RUN_STATS=1 prints, at exit, what the cache and the lazy loading did;
// PLATFORM_TS_RUN_DISABLE=part[,part] turns single parts off (transpile-cache, lazy) for the bench.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const SWC_OPTIONS = {
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
};
const DISABLED = new Set((process.env.PLATFORM_TS_RUN_DISABLE ?? '').split(',').map((part) => part.trim()));
const TRANSPILE_CACHE = process.env.PLATFORM_TS_RUN_CACHE !== '0' && !DISABLED.has('transpile-cache');
const LAZY = process.env.PLATFORM_TS_RUN_LAZY !== '0' && !DISABLED.has('lazy');
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const CACHE_DIR = process.env.PLATFORM_TS_RUN_CACHE_DIR || path.join(__dirname, '..', 'node_modules', '.cache', 'ts-run');
// Entries are never updated in place (a changed file gets a new key), so old ones pile up: a run that
// writes new entries also removes those it did not use and that were not written for this long.
const CACHE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
// PLATFORM_TS_RUN_STATS=1 prints what the cache did at exit (tests and benchmarks check it).
const stats = { transpiled: 0, transpileHits: 0, lazyLoaded: [] };
const CACHE_TAG = `${process.version}-${hash(JSON.stringify(SWC_OPTIONS))}`;

function hash(text) {
  return crypto.createHash('sha1').update(text).digest('hex');
}

const usedEntries = new Set();
function readCache(name) {
  try {
    const data = fs.readFileSync(path.join(CACHE_DIR, name));
    usedEntries.add(name);
    return data;
  } catch {
    return undefined;
  }
}

function writeCache(name, data) {
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const file = path.join(CACHE_DIR, name);
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file); // atomic: a concurrent run reads the old entry or the new one, never half
  } catch {
    // A cache that cannot be written only costs time.
  }
}

function pruneCache() {
  const oldest = Date.now() - CACHE_MAX_AGE_MS;
  try {
    for (const name of fs.readdirSync(CACHE_DIR)) {
      if (usedEntries.has(name)) continue;
      const file = path.join(CACHE_DIR, name);
      if (fs.statSync(file).mtimeMs < oldest) fs.rmSync(file, { force: true });
    }
  } catch {
    // Pruning is housekeeping: a run never fails over it.
  }
}

let swc;
/** An entry is the code after a line with its hash: a damaged entry (a truncated file) is transpiled again, never run. */
function transpile(source, filename) {
  const name = `ts-${hash(`${CACHE_TAG}\0${filename}\0${source}`)}.js`;
  const cached = TRANSPILE_CACHE ? readCache(name)?.toString('utf8') : undefined;
  const newline = cached?.indexOf('\n') ?? -1;
  if (cached && newline > 0 && cached.slice(0, newline) === `// ${hash(cached.slice(newline + 1))}`) {
    stats.transpileHits++;
    return cached.slice(newline + 1);
  }
  stats.transpiled++;
  swc ??= require('@swc/core');
  const code = swc.transformSync(source, { ...SWC_OPTIONS, filename }).code;
  if (TRANSPILE_CACHE) writeCache(name, `// ${hash(code)}\n${code}`);
  return code;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};

if (TRANSPILE_CACHE) {
  process.once('exit', () => {
    if (stats.transpiled) pruneCache();
  });
}

// The repository's own packages (packages/*, npm workspaces linked into node_modules) are imported by name, as any
// team imports them. Here their exports resolve to the TypeScript sources, the "source" condition of each export
// (what `node --conditions=source` would pick; tsconfig.json's customConditions and jest's customExportConditions say
// the same), so nothing needs building first. A subpath a package does not export still fails as Node fails it.
const WORKSPACE_SOURCES = new Map();
{
  const packages = path.join(__dirname, '..', 'packages');
  let folders = [];
  try {
    folders = fs.readdirSync(packages);
  } catch {
    // no workspace packages
  }
  for (const folder of folders) {
    let manifest;
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(packages, folder, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (target && typeof target.source === 'string') WORKSPACE_SOURCES.set(`${manifest.name}${subpath.slice(1)}`, path.join(packages, folder, target.source));
    }
  }
}
if (WORKSPACE_SOURCES.size) {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveWorkspaceSource(request) {
    return WORKSPACE_SOURCES.get(request) ?? resolveFilename.apply(this, arguments);
  };
}

// Packages that cdktf requires when it is loaded but that a synth of these stacks never calls:
// loading them costs about 150 ms of every run (archiver alone pulls in some 100 modules).
// They are loaded on first use instead, behind a stand-in that forwards calls and property reads.
const LAZY_DEPENDENCIES = [
  // zips TerraformAsset directories; cdktf does that in a child process of its own (plain node)
  { from: `${NODE_MODULES}cdktf${path.sep}`, request: 'archiver' },
  // compares a binary's version for cdktf's DataResource check; these stacks state required_version
  { from: `${NODE_MODULES}cdktf${path.sep}`, request: 'semver' },
];
if (LAZY) {
  const load = Module._load;
  Module._load = function loadLazily(request, parent, isMain) {
    const filename = parent?.filename;
    if (!filename || !LAZY_DEPENDENCIES.some((lazy) => lazy.request === request && filename.includes(lazy.from))) {
      return load.apply(this, arguments);
    }
    let loaded;
    const real = () => {
      if (loaded === undefined) {
        loaded = load.call(Module, request, parent, isMain);
        stats.lazyLoaded.push(request);
      }
      return loaded;
    };
    // A function target, so the stand-in can be called and constructed as the real export can.
    return new Proxy(function lazyDependency() {}, {
      apply: (_target, self, args) => Reflect.apply(real(), self, args),
      construct: (_target, args) => Reflect.construct(real(), args),
      get: (_target, key) => Reflect.get(real(), key),
      has: (_target, key) => Reflect.has(real(), key),
    });
  };
}

if (process.env.PLATFORM_TS_RUN_STATS === '1') {
  process.once('exit', () => process.stderr.write(`ts-run stats: ${JSON.stringify(stats)}\n`));
}

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node scripts/ts-run.cjs FILE.ts [args...]\n');
  process.exit(2);
}
process.argv.splice(1, 1); // the entry point sees itself as argv[1], as under plain node
// Load as the main module, so `require.main === module` holds in the entry point.
require('node:module')._load(path.resolve(entry), null, true);
