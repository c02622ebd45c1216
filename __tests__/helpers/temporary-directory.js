// jest's globalSetup and globalTeardown (jest.config.js): every temporary file of a run, the tests' and their child
// processes' (Terraform, the emulator, the commands), goes under one directory that the run removes at its end.
// cdktf's Testing.app() and Testing.synth() make a directory under the system's temporary directory each time and
// never remove it (node_modules/cdktf/lib/testing): thousands of them piled up in /tmp over a few npm test runs.
// os.tmpdir() reads TMPDIR on every call, and the workers inherit the environment set here.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// The directory, and the jest process that made it: a jest started inside a test uses its parent's and leaves it.
const DIR = 'PLATFORM_TEST_TMPDIR';
const OWNER = 'PLATFORM_TEST_TMPDIR_OWNER';

async function setup() {
  if (process.env[DIR]) return;
  const dir = mkdtempSync(join(tmpdir(), 'platform-test-'));
  process.env[DIR] = dir;
  process.env[OWNER] = String(process.pid);
  process.env.TMPDIR = dir;
}

async function teardown() {
  const dir = process.env[DIR];
  if (dir && process.env[OWNER] === String(process.pid)) rmSync(dir, { recursive: true, force: true });
}

module.exports = setup; // globalSetup
module.exports.teardown = teardown; // globalTeardown, through temporary-directory-teardown.js
