// Three tiers, so a developer gets the fast one while editing (`npm run test:unit`):
//   unit      - synth and pure logic: no Terraform, no emulator
//   terraform - terraform init/validate/plan offline, no emulator
//   emulator  - real Terraform applies against the local AWS emulator (moto on 127.0.0.1)
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'], roots: ['<rootDir>/__tests__'] };

module.exports = {
  // One worker unless a tier's npm script says otherwise (package.json: test:unit and test:terraform take two; their
  // files share nothing). The emulator tier keeps one: with 3, npm test took 8 min instead of 17, but the deploy cycle
  // flaked (a WAF create the SDK retried against an emulator slowed by the contention answered "duplicate").
  maxWorkers: 1,
  // testTimeout is a global option (a project's own is ignored: the default 5 s applied): tests that spawn the CLI
  // (node + cdktf) or load AWS's authorization data take seconds on a loaded 2-core machine.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.tf\\.test\\.ts$', '\\.emulator\\.test\\.ts$'] },
    { ...common, displayName: 'terraform', testMatch: ['**/*.tf.test.ts'] },
    { ...common, displayName: 'emulator', testMatch: ['**/*.emulator.test.ts'] },
  ],
};
