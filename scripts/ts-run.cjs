#!/usr/bin/env node
// Transpile-only TypeScript runner: `node scripts/ts-run.cjs FILE.ts [args...]`.
// Why not ts-node: type checking costs seconds on every run. Types are checked
// once, by `npm run typecheck` (part of `npm test`); everyday commands (synth,
// plan, start) only strip types with swc, which costs milliseconds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

let swc;
function transpile(source, filename) {
  swc ??= require('@swc/core');
  return swc.transformSync(source, {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  }).code;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node scripts/ts-run.cjs FILE.ts [args...]\n');
  process.exit(2);
}
process.argv.splice(1, 1); // the entry point sees itself as argv[1], as under plain node
// Load as the main module, so `require.main === module` holds in the entry point.
require('node:module')._load(path.resolve(entry), null, true);
