#!/usr/bin/env node
// Transpile-only TypeScript runner: `node scripts/ts-run.cjs FILE.ts [args...]`.
// Why not ts-node: type checking costs seconds on every run. Types are checked
// once, by `npm run typecheck` (part of `npm test`); everyday commands (synth,
// plan, start) only strip types with swc.
//
// Two caches make a repeated run start close to plain Node (both under
// node_modules/.cache/ts-run or PLATFORM_TS_RUN_CACHE_DIR, both safe to delete at any time):
// - transpiled TypeScript, keyed by a hash of the source and the swc options,
//   so an unchanged tree never loads swc at all;
// - V8 code caches for every CommonJS file the run loads (the cdktf and
//   provider modules are over 20 MB of JavaScript), keyed by path, content and V8 flags,
//   written at exit, so V8 need not parse and compile them
//   again. PLATFORM_TS_RUN_CACHE=0 turns both off (to measure without them), and the
//   resolutions of installed packages' requires that are remembered with them.
// Two dependencies of cdktf that a synth never calls are loaded on first use (see
// LAZY_DEPENDENCIES); PLATFORM_TS_RUN_LAZY=0 loads them up front as Node would.
// PLATFORM_TS_RUN_STATS=1 prints, at exit, what the caches and the lazy loading did.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const SWC_OPTIONS = {
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
};
const CACHE_ON = process.env.PLATFORM_TS_RUN_CACHE !== '0';
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const CACHE_DIR = process.env.PLATFORM_TS_RUN_CACHE_DIR || path.join(__dirname, '..', 'node_modules', '.cache', 'ts-run');
// Entries are never updated in place (a changed file gets a new key), so old ones pile up: a run that
// writes new entries also removes those it did not use and that were not written for this long.
const CACHE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
// PLATFORM_TS_RUN_STATS=1 prints what the caches did at exit (tests and benchmarks check it).
const stats = { transpiled: 0, transpileHits: 0, compiled: 0, codeCacheHits: 0, codeCacheRejected: 0, resolveHits: 0, lazyLoaded: [] };
// A code cache only fits the V8 that made it, with the same flags: those on the command line and
// those in NODE_OPTIONS (cdktf-cli runs its app with --max-old-space-size=4096; a cache made
// without it is rejected there, and the other way round, so alternating `cdktf diff` and
// `npm run synth` would otherwise recompile and rewrite every cache on every run).
const CACHE_TAG = `${process.version}-${process.arch}-${hash(`${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}\0${JSON.stringify(SWC_OPTIONS)}`)}`;

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
function transpile(source, filename) {
  const name = `ts-${hash(`${CACHE_TAG}\0${filename}\0${source}`)}.js`;
  const cached = CACHE_ON ? readCache(name) : undefined;
  if (cached) {
    stats.transpileHits++;
    return cached.toString('utf8');
  }
  stats.transpiled++;
  swc ??= require('@swc/core');
  const code = swc.transformSync(source, { ...SWC_OPTIONS, filename }).code;
  if (CACHE_ON) writeCache(name, code);
  return code;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};

if (CACHE_ON) {
  // Compiles each CommonJS module as Node does (the same wrapper, the same require), but with a
  // V8 code cache. Caches are made at exit, after the run, so they hold the functions it used.
  const pending = [];
  Module.prototype._compile = function compileWithCodeCache(content, filename) {
    // Installed packages (many MB) are identified by length and both ends (their inline source maps
    // at the end encode the whole file); the project's own files, small and edited, by all of it.
    const identity = filename.includes(NODE_MODULES) ? `${content.length}\0${content.slice(0, 4096)}\0${content.slice(-4096)}` : content;
    const key = `v8-${hash(`${CACHE_TAG}\0${filename}\0${identity}`)}.bin`;
    const cachedData = readCache(key);
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    stats.compiled++;
    if (cachedData && !script.cachedDataRejected) stats.codeCacheHits++;
    else {
      if (cachedData) stats.codeCacheRejected++;
      pending.push({ key, script });
    }
    const compiled = script.runInThisContext({ displayErrors: true });
    const module = this;
    const localRequire = (id) => module.require(id);
    localRequire.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
    localRequire.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
    localRequire.main = process.mainModule;
    localRequire.extensions = Module._extensions;
    localRequire.cache = Module._cache;
    return compiled.call(module.exports, module.exports, localRequire, module, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    for (const { key, script } of pending) writeCache(key, script.createCachedData());
    if (pending.length || stats.transpiled) pruneCache();
  });
}

if (CACHE_ON) {
  // Where installed packages' own requires lead (some 600 per synth, each a series of stat calls
  // through node_modules), remembered from one run to the next. Only npm changes node_modules,
  // and npm rewrites node_modules/.package-lock.json when it does: its size and time are the key.
  const lock = (() => {
    try {
      return fs.statSync(path.join(__dirname, '..', 'node_modules', '.package-lock.json'));
    } catch {
      return undefined;
    }
  })();
  if (lock) {
    const name = `resolve-${hash(`${process.version}\0${path.join(__dirname, '..')}\0${lock.size}\0${lock.mtimeMs}`)}.json`;
    const cached = readCache(name);
    let table = {};
    try {
      if (cached) table = JSON.parse(cached.toString('utf8'));
    } catch {
      // An unreadable entry is rebuilt by this run.
    }
    let added = 0;
    const resolveFilename = Module._resolveFilename;
    Module._resolveFilename = function resolveRemembered(request, parent, isMain, options) {
      const from = parent?.filename;
      if (!from || options || !from.includes(NODE_MODULES)) return resolveFilename.apply(this, arguments);
      const key = `${path.dirname(from)}\0${request}`;
      const known = table[key];
      if (known !== undefined) {
        stats.resolveHits++;
        return known;
      }
      const resolved = resolveFilename.apply(this, arguments);
      if (path.isAbsolute(resolved)) {
        table[key] = resolved; // built-in modules ('fs') are not files: Node finds those at once
        added++;
      }
      return resolved;
    };
    process.once('exit', () => {
      if (added) writeCache(name, JSON.stringify(table));
    });
  }
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
if (process.env.PLATFORM_TS_RUN_LAZY !== '0') {
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
