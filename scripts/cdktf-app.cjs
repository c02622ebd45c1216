#!/usr/bin/env node
// The app cdktf-cli runs (cdktf.json): type-check the infrastructure code, then synthesize.
//
// `cdktf synth | diff | deploy` are what change infrastructure, so they refuse code that does
// not type-check, as the CDKTF template's `ts-node main.ts` does: a transpile-only run would
// silently drop a misspelt property (`deletionProtecton: true` synthesizes an unprotected pool).
// The everyday fast path, `npm run synth`, skips this step; `npm test` type-checks everything.
// Checks only what the stacks are built from (tsconfig.app.json), not the tests and scripts.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const check = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.app.json'), '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
if (check.error || check.status !== 0) {
  process.stderr.write(`${check.stdout ?? ''}${check.stderr ?? ''}${check.error ? `${check.error.message}\n` : ''}`);
  process.stderr.write('The infrastructure code does not type-check (tsc -p tsconfig.app.json): nothing was synthesized. Fix the errors above.\n');
  process.exit(1);
}
process.argv.splice(2, 0, path.join(root, 'main.ts'));
require('./ts-run.cjs');
