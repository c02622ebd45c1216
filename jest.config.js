// Three tiers, so a developer gets the fast one while editing (`npm run test:unit`):
//   unit      - synth and pure logic: no Terraform, no emulator
//   terraform - terraform init/validate/plan offline, no emulator
//   emulator  - real Terraform applies against the local AWS emulator (moto on 127.0.0.1)
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
// testTimeout: tests that spawn the CLI (node + cdktf) take seconds on a loaded 2-core machine; 5 s flakes.
const common = { testEnvironment: 'node', transform, testTimeout: 60_000, moduleFileExtensions: ['ts', 'js', 'json'], roots: ['<rootDir>/__tests__'] };

module.exports = {
  // Emulator files spend most of their time in the AWS provider's fixed polls (30 s here, 55 s there), so they
  // overlap well with each other and with the CPU-bound unit files: 3 workers on 2 cores. `--maxWorkers` overrides.
  maxWorkers: 3,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.tf\\.test\\.ts$', '\\.emulator\\.test\\.ts$'] },
    { ...common, displayName: 'terraform', testMatch: ['**/*.tf.test.ts'] },
    { ...common, displayName: 'emulator', testMatch: ['**/*.emulator.test.ts'] },
  ],
};
