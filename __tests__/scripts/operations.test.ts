/**
 * The pieces of the operations commands that need no Terraform: reading Terraform's lock error, the work-directory
 * lock, what an apply did, cdktf's failure output without its stack trace, and finding Terraform below cdktf-cli.
 * The emulator test (operations.emulator.test.ts) runs them for real.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { appliedCounts, explainCdktfFailure } from '../../scripts/start';
import { descendants } from '../../scripts/lib/interrupt';
import { run } from '../../scripts/lib/terraform';
import { environmentOfLock, lockMessage, parseLockError } from '../../scripts/lib/state-lock';
import { acquireWorkLock, WorkLockedError } from '../../scripts/lib/work-lock';
import { until } from '../helpers/until';

/** Terraform 1.11's error, as it prints it (with -no-color: the box drawing stays). */
const LOCK_ERROR = `
╷
│ Error: Error acquiring the state lock
│
│ Error message: operation error S3: PutObject, https response error
│ StatusCode: 412, RequestID: x, api error PreconditionFailed: At least one of the pre-conditions you
│ specified did not hold
│ Lock Info:
│   ID:        14800339-4634-5ee9-ed38-b89152528a27
│   Path:      platform-tfstate-dev/dev/platform.tfstate
│   Operation: OperationTypeApply
│   Who:       runner@ci
│   Version:   1.11.4
│   Created:   2026-12-05 22:28:55.75138273 +0000 UTC
│   Info:
│
│ Terraform acquires a state lock to protect the state from being written
╵
`;

describe('the state lock, as people read it', () => {
  test('Terraform\'s lock error gives the id, the path, the operation, the holder and when', () => {
    const lock = parseLockError(LOCK_ERROR)!;
    expect(lock).toMatchObject({ id: '14800339-4634-5ee9-ed38-b89152528a27', path: 'platform-tfstate-dev/dev/platform.tfstate', operation: 'apply', who: 'runner@ci' });
    expect(lock.created.toISOString()).toBe('2026-12-05T22:28:55.751Z');
    expect(environmentOfLock(lock)).toBe('dev');
    const message = lockMessage(lock, new Date('2026-12-05T22:31:10Z'));
    expect(message).toContain('the state of "dev" (s3://platform-tfstate-dev/dev/platform.tfstate) is locked: apply by runner@ci, taken 2026-12-05T22:28:55.751Z (2 min ago)');
    expect(message).toContain('npm run unlock -- dev 14800339-4634-5ee9-ed38-b89152528a27');
  });

  test('with colours, and a console\'s lock (no operation); other errors are not locks', () => {
    const coloured = LOCK_ERROR.replace('Error: Error acquiring', '\x1b[31mError: \x1b[0m\x1b[1mError acquiring').replace('OperationTypeApply', 'OperationTypeInvalid');
    expect(parseLockError(coloured)).toMatchObject({ id: '14800339-4634-5ee9-ed38-b89152528a27', operation: 'another command' });
    expect(parseLockError('Error: creating ELBv2 application Load Balancer: DuplicateLoadBalancerName')).toBeUndefined();
  });
});

describe('one npm start or destroy per checkout', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'work-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a second run is refused while the first runs, naming it; the lock goes with the first', async () => {
    const file = join(dir, 'local-work.lock');
    // another process holds it: a child that sleeps
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    writeFileSync(file, JSON.stringify({ pid: holder.pid, command: 'npm start', startedAt: new Date(Date.now() - 90_000).toISOString(), host: hostname() }));
    try {
      expect(() => acquireWorkLock(file, 'npm run destroy -- local')).toThrow(WorkLockedError);
      expect(() => acquireWorkLock(file, 'npm run destroy -- local')).toThrow(new RegExp(`npm start is already running in this checkout \\(pid ${holder.pid}, started .*, 1 min ago`));
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.on('close', r));
    }
    // its process is gone: the lock is taken over
    const release = acquireWorkLock(file, 'npm run destroy -- local');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, command: 'npm run destroy -- local' });
    release();
    expect(existsSync(file)).toBe(false);
  });
});

describe('npm start reports', () => {
  test('what the apply did, from Terraform\'s last line (cdktf passes it on, prefixed and coloured)', () => {
    expect(appliedCounts('local  \x1b[32mApply complete! Resources: 51 added, 0 changed, 2 destroyed.\x1b[0m')).toEqual({ added: 51, changed: 0, destroyed: 2 });
    expect(appliedCounts('No changes. Your infrastructure matches the configuration.')).toBeUndefined();
  });

  test('a killed Terraform under cdktf-cli: the cause, not cdktf\'s stack trace', () => {
    const output = [
      'local  aws_lb.edge: Still creating... [10s elapsed]',
      'TypeError: Cannot read properties of undefined (reading \'split\')',
      '    at parseOutput (/x/node_modules/cdktf-cli/bundle/bin/cmds/handlers.js:1:2)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      'Node.js v20.20.2',
    ].join('\n');
    const explained = explainCdktfFailure(output);
    expect(explained).toContain('aws_lb.edge: Still creating');
    expect(explained).not.toMatch(/^\s+at /m);
    expect(explained).not.toContain('TypeError');
    expect(explained).toContain('Terraform ended without an error of its own (it was killed, or it crashed)');
    const terraformError = explainCdktfFailure('local  Error: creating ELBv2 Load Balancer: already exists\n    at x (y.js:1:2)');
    expect(terraformError).toContain('Error: creating ELBv2 Load Balancer');
    expect(terraformError).not.toContain('killed');
  });
});

describe('Ctrl-C reaches Terraform below cdktf-cli', () => {
  test('the processes below a child are found by name, grandchildren included', async () => {
    const child = spawn('bash', ['-c', 'sleep 30 & sleep 30 & wait'], { detached: true });
    try {
      const sleeps = () => descendants(child.pid!).filter((p) => p.name === 'sleep');
      await until('both sleeps to start', () => sleeps().length === 2, { timeoutMs: 2_000, intervalMs: 50 });
      expect(sleeps()).toHaveLength(2);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
});

describe('a child that ends without reading its input', () => {
  // Seen under load: the Ctrl-C report's lock probe (a terraform taint) ended before its stdin was written, and the
  // unhandled EPIPE ended npm start with exit 1 and a stack trace instead of 130 and its report.
  test('its exit code is returned; the EPIPE of the write to it does not end this process', async () => {
    const result = await run('sh', ['-c', 'exit 3'], { input: 'x'.repeat(8 << 20) });
    expect(result.code).toBe(3);
  });
});
