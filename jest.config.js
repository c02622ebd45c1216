// Four tiers by file name, so a developer gets the fast one while editing (`npm run test:unit`). npm test runs them
// in this order (package.json), and the bench times each (bench/run.ts reads the list from here):
//   unit      - synth and pure logic, in the jest process: no child process, no Terraform, no emulator
//   cli       - *.cli.test.ts: the project's commands run as people run them (node scripts/ts-run.cjs ...), each a
//               process that loads Node, the loader and cdktf (about 0.5 s before it reads its arguments)
//   terraform - *.tf.test.ts: terraform init/validate/plan offline, no emulator
//   emulator  - *.emulator.test.ts: real Terraform applies against the local AWS emulator (moto on 127.0.0.1)
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
// The constructs package (packages/constructs) is imported by name; its exports' "source" condition is its TypeScript,
// so tests run the sources, as the scripts do (scripts/ts-run.cjs) and tsc checks them (tsconfig.json customConditions).
const testEnvironmentOptions = { customExportConditions: ['source', 'node', 'node-addons'] };
const common = { testEnvironment: 'node', testEnvironmentOptions, transform, moduleFileExtensions: ['ts', 'js', 'json'], roots: ['<rootDir>/__tests__'] };

module.exports = {
  // Two workers for every tier: the files of a tier share nothing (each emulator file starts its own emulator on a free
  // port, with its own work directory). What two emulator files at once had shown, and the mends: answers the AWS
  // provider's client lost between the headers and the body (the emulator writes each in one piece, emulator/server.py),
  // and npm start ending on an EPIPE when a child exited before its input was written (scripts/lib/terraform.ts run()).
  maxWorkers: 2,
  // The emulator tier's longest files first (a fresh clone has no durations for jest to order by).
  testSequencer: '<rootDir>/__tests__/helpers/longest-first.js',
  // One temporary directory per run, removed at its end (cdktf's Testing helpers leave one per synth otherwise).
  globalSetup: '<rootDir>/__tests__/helpers/temporary-directory.js',
  globalTeardown: '<rootDir>/__tests__/helpers/temporary-directory-teardown.js',
  // testTimeout is a global option (a project's own is ignored: the default 5 s applied): tests that spawn the CLI
  // (node + cdktf) or load AWS's authorization data take seconds on a loaded 2-core machine.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.(cli|tf|emulator)\\.test\\.ts$'] },
    { ...common, displayName: 'cli', testMatch: ['**/*.cli.test.ts'] },
    { ...common, displayName: 'terraform', testMatch: ['**/*.tf.test.ts'] },
    { ...common, displayName: 'emulator', testMatch: ['**/*.emulator.test.ts'] },
  ],
};
