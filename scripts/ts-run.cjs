#!/usr/bin/env node
// Transpile-only TypeScript runner: `node scripts/ts-run.cjs FILE.ts [args...]`.
// Why not ts-node: type checking costs seconds on every run. Types are checked
// once, by `npm run typecheck` (part of `npm test`); everyday commands (synth,
// plan, start) only strip types with swc.
//
// Two caches make a repeated run start close to plain Node (both under
// node_modules/.cache/ts-run, both safe to delete at any time):
// - transpiled TypeScript, keyed by a hash of the source and the swc options,
//   so an unchanged tree never loads swc at all;
// - V8 code caches for every CommonJS file the run loads (the cdktf and
//   provider modules are over 20 MB of JavaScript), keyed by path and content,
//   written at exit, so V8 need not parse and compile them
//   again. PLATFORM_TS_RUN_CACHE=0 turns both off (to measure without them).
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
const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'ts-run');
// A code cache only fits the V8 that made it, with the same flags.
const CACHE_TAG = `${process.version}-${process.arch}-${hash(process.execArgv.join(' ') + JSON.stringify(SWC_OPTIONS))}`;

function hash(text) {
  return crypto.createHash('sha1').update(text).digest('hex');
}

function readCache(name) {
  try {
    return fs.readFileSync(path.join(CACHE_DIR, name));
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

let swc;
function transpile(source, filename) {
  const name = `ts-${hash(`${CACHE_TAG}\0${filename}\0${source}`)}.js`;
  const cached = CACHE_ON ? readCache(name) : undefined;
  if (cached) return cached.toString('utf8');
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
    const identity = filename.includes(`${path.sep}node_modules${path.sep}`) ? `${content.length}\0${content.slice(0, 4096)}\0${content.slice(-4096)}` : content;
    const key = `v8-${hash(`${CACHE_TAG}\0${filename}\0${identity}`)}.bin`;
    const cachedData = readCache(key);
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (!cachedData || script.cachedDataRejected) pending.push({ key, script });
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
  });
}

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node scripts/ts-run.cjs FILE.ts [args...]\n');
  process.exit(2);
}
process.argv.splice(1, 1); // the entry point sees itself as argv[1], as under plain node
// Load as the main module, so `require.main === module` holds in the entry point.
require('node:module')._load(path.resolve(entry), null, true);
