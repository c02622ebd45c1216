/**
 * The test run's own helpers (jest.config.js): the sequencer that starts the emulator tier's longest files first, and
 * the one temporary directory per run that the run removes.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const LongestFirst = require('./helpers/longest-first.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const setup = require('./helpers/temporary-directory.js');

describe('the sequencer: the longest files first', () => {
  // jest's own order without recorded durations (a fresh clone) is by file size, largest first.
  const sizes: Record<string, number> = {
    '/repo/__tests__/emulator/patches.emulator.test.ts': 26_000,
    '/repo/__tests__/scripts/operations.emulator.test.ts': 19_000,
    '/repo/__tests__/modules/network.emulator.test.ts': 4_000,
    '/repo/__tests__/scripts/iam-audit.emulator.test.ts': 7_000,
    '/repo/__tests__/scripts/start-cycle.emulator.test.ts': 8_000,
  };
  const context = { config: { cache: false, cacheDirectory: '/nowhere', id: 'emulator' }, hasteFS: { getSize: (path: string) => sizes[path] } };

  it('starts the named files first, in their order, then keeps jest\'s order (by size here)', () => {
    const tests = Object.keys(sizes).map((path) => ({ path, context }));
    const sorted = new LongestFirst({}).sort(tests).map((t: { path: string }) => t.path.replace('/repo/__tests__/', ''));
    expect(sorted).toEqual(['scripts/operations.emulator.test.ts', 'scripts/iam-audit.emulator.test.ts', 'scripts/start-cycle.emulator.test.ts', 'emulator/patches.emulator.test.ts', 'modules/network.emulator.test.ts']);
  });

  it('names files that exist (a renamed file would silently lose its place)', () => {
    const files = readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).map((f) => f.split('/').pop());
    for (const name of LongestFirst.LONGEST as string[]) expect([name, files.includes(name)]).toEqual([name, true]);
  });
});

describe('one temporary directory per run', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['PLATFORM_TEST_TMPDIR', 'PLATFORM_TEST_TMPDIR_OWNER', 'TMPDIR']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('is made at setup, set as TMPDIR (what os.tmpdir() and every child process read), and removed at teardown with what it holds', async () => {
    delete process.env.PLATFORM_TEST_TMPDIR;
    await setup();
    const dir = process.env.PLATFORM_TEST_TMPDIR!;
    expect(process.env.TMPDIR).toBe(dir);
    writeFileSync(join(dir, 'left-by-a-test'), 'x');
    await setup.teardown();
    expect(existsSync(dir)).toBe(false);
  });

  it('is kept by a jest started inside a run (its setup makes none, its teardown removes none)', async () => {
    delete process.env.PLATFORM_TEST_TMPDIR;
    await setup();
    const dir = process.env.PLATFORM_TEST_TMPDIR!;
    await setup(); // the nested run's setup: the parent's directory stays
    expect(process.env.PLATFORM_TEST_TMPDIR).toBe(dir);
    process.env.PLATFORM_TEST_TMPDIR_OWNER = String(process.pid + 1); // the nested run is another process
    await setup.teardown();
    expect(existsSync(dir)).toBe(true);
    process.env.PLATFORM_TEST_TMPDIR_OWNER = String(process.pid);
    await setup.teardown();
    expect(existsSync(dir)).toBe(false);
  });
});
