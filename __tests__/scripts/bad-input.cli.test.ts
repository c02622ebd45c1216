/**
 * Bad environment input through every command that reads environments: a clear error naming the environment (or the
 * folder), exit 1, no stack trace, nothing written. Each command runs as a process, as npm runs it.
 *
 * The processes are independent (each its own work directory), so the tests run concurrently (test.concurrent, at
 * most jest's maxConcurrency at once): each process spends half a second starting Node and loading modules, and on
 * two cores one after another they took 50 s.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const FINGERPRINT = `sha256:${'0'.repeat(64)}`;
/** Every command that reads an environment file, with the arguments that make it read `qa`. */
const COMMANDS: readonly (readonly string[])[] = [
  ['main.ts', 'qa'],
  ['scripts/validate.ts', 'qa'],
  ['scripts/verify.ts', 'qa'],
  ['scripts/bootstrap.ts', 'qa'],
  ['scripts/plan.ts', 'qa'],
  ['scripts/drift.ts', 'qa'],
  ['scripts/apply.ts', 'qa', '--reviewed', FINGERPRINT],
  ['scripts/destroy.ts', 'qa'],
  ['scripts/iam-audit.ts', 'qa'],
  ['scripts/smoke.ts', 'qa'],
  ['scripts/outputs.ts', 'qa'],
  ['scripts/edge.ts', 'qa'],
  ['scripts/unlock.ts', 'qa', '14800339-4634-5ee9-ed38-b89152528a27'],
];

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node scripts/ts-run.cjs <args>` in the project, as npm runs a script; resolves when it ends. */
function script(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolvePromise) => {
    // --require-report first: preload the report of heavy packages loaded (__tests__/helpers/report-loaded.cjs).
    const node = args[0] === '--require-report' ? ['--require', join(ROOT, '__tests__', 'helpers', 'report-loaded.cjs'), 'scripts/ts-run.cjs', ...args.slice(1)] : ['scripts/ts-run.cjs', ...args];
    execFile(process.execPath, node, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...env } }, (error, stdout, stderr) =>
      resolvePromise({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** A command reading environments from `environmentsDir`, everything it might write kept under `work`. */
function run(args: readonly string[], environmentsDir: string, work: string): Promise<Result> {
  return script(args, { PLATFORM_ENVIRONMENTS_DIR: environmentsDir, CDKTF_OUTDIR: join(work, 'out'), PLATFORM_WORK_DIR: join(work, 'local') });
}

/** A fresh work directory (with an empty `environments` folder) for `body`, removed after it. */
async function inWork<T>(body: (work: string) => Promise<T>): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), 'bad-input-'));
  try {
    mkdirSync(join(work, 'environments'));
    return await body(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('every command that reads environments', () => {
  /** Malformed files and what each command must say about them. */
  const MALFORMED: readonly (readonly [string, string, string])[] = [
    ['a key given twice', '{\n  "name": "qa",\n  "name": "qa2"\n}\n', 'name: got the key "name" a second time (line 3, column 3; first on line 2)'],
    ['a syntax error', '{\n  "name": "qa"\n  "account": {}\n}\n', 'invalid JSON in'],
    ['an empty file', '', 'got an empty file'],
    ['not an object', '[1, 2]', '(root): got [1,2]'],
  ];

  test.concurrent.each(COMMANDS.map((args) => [args[0]!, args]))('%s: every malformed file is refused with its place, exit 1, no stack trace, nothing written', async (_name, args) => {
    await Promise.all(
      MALFORMED.map(([, text, message]) =>
        inWork(async (work) => {
          writeFileSync(join(work, 'environments', 'qa.json'), text);
          const result = await run(args, join(work, 'environments'), work);
          expect(result.status).toBe(1);
          expect(result.stderr).toContain('environment "qa" is not valid');
          expect(result.stderr).toContain(message);
          expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
          expect(readdirSync(work).sort()).toEqual(['environments']);
        }),
      ),
    );
  });

  test.concurrent.each(COMMANDS.map((args) => [args[0]!, args]))('%s: a missing environments folder is named, exit 1, no stack trace', (_name, args) =>
    inWork(async (work) => {
      const missing = join(work, 'nowhere');
      const result = await run(args, missing, work);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`PLATFORM_ENVIRONMENTS_DIR=${missing}: no such folder`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(work, 'out'))).toBe(false);
    }),
  );
});

describe('usage errors', () => {
  const commands = ['main.ts', ...['validate', 'verify', 'bootstrap', 'plan', 'drift', 'apply', 'destroy', 'iam-audit', 'start', 'pr-comment', 'reviewed-plan', 'drift-issue', 'smoke', 'outputs', 'edge', 'unlock', 'stop'].map((c) => `scripts/${c}.ts`)];
  test.concurrent.each(commands)('%s: an unknown flag exits 64 (EX_USAGE), the code every command uses, and names the valid flags', async (command) => {
    const result = await script([command, '--no-such-flag']);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('error: unknown flag --no-such-flag; valid flags: --all');
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack frame (the help may say "at most")
    // The help printed with it describes exactly the flags the command takes: each in its flags list (a line that
    // starts with the flag), and none it does not take.
    if (command === 'main.ts') return; // npm run synth takes no flag and prints no help
    const accepted = /valid flags: (.*)/.exec(result.stderr)![1]!.split(', ').map((flag) => flag.replace(/ VALUE$/, '')).filter((flag) => flag !== '--all');
    const described = [...result.stderr.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!).filter((flag) => flag !== '--all');
    expect([command, [...new Set(described)].sort()]).toEqual([command, [...accepted].sort()]);
  });
});

describe('thin entry points: a command reads its arguments before it loads cdktf and the stacks', () => {
  const commands = ['main.ts', ...['validate', 'verify', 'bootstrap', 'plan', 'drift', 'apply', 'destroy', 'iam-audit', 'start', 'smoke', 'outputs', 'edge', 'unlock', 'stop'].map((c) => `scripts/${c}.ts`)];
  const withReport = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => script(['--require-report', ...args], env);
  test.concurrent.each(commands)('%s: --help and an unknown flag load neither cdktf nor the AWS provider\'s classes', async (command) => {
    for (const args of command === 'main.ts' ? [['qa']] : [['--help'], ['--no-such-flag']]) {
      const result = await withReport([command, ...args]);
      expect([command, args, result.stderr.match(/heavy packages loaded: .*/)?.[0]]).toEqual([command, args, 'heavy packages loaded: []']);
    }
  });

  test('the report sees cdktf when a command does load it', () =>
    inWork(async (work) => {
      const result = await withReport(['main.ts', 'dev'], { CDKTF_OUTDIR: join(work, 'out') });
      expect(result.stderr).toContain('heavy packages loaded: ["cdktf","@cdktf/provider-aws"]');
    }));
});

describe('npm run synth', () => {
  test.concurrent('synthesizes only the environments named on the command line', () =>
    inWork(async (work) => {
      const result = await script(['main.ts', 'dev'], { CDKTF_OUTDIR: join(work, 'out') });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(readdirSync(join(work, 'out', 'stacks')).sort()).toEqual(['bootstrap-dev', 'dev']);
    }),
  );

  test.concurrent('fails on an empty selection instead of synthesizing nothing: exit 64', () =>
    inWork(async (work) => {
      const result = await script(['main.ts'], { CDKTF_OUTDIR: join(work, 'out'), PLATFORM_ENVIRONMENTS: ' , ' });
      expect(result.status).toBe(64);
      expect(result.stderr).toContain('error: PLATFORM_ENVIRONMENTS is set but names no environment');
      expect(existsSync(join(work, 'out'))).toBe(false);
    }),
  );

  test.concurrent.each([[['--env', 'dev']], [['qa']]])('fails on an unknown flag or environment instead of ignoring it (%j): exit 64 (as every command), what is valid, nothing written', (args) =>
    inWork(async (work) => {
      const result = await script(['main.ts', ...args], { CDKTF_OUTDIR: join(work, 'out') });
      expect(result.status).toBe(64);
      expect(result.stderr).toMatch(/^error: unknown (flag --env|environment "qa"); valid/);
      expect(existsSync(join(work, 'out'))).toBe(false);
    }),
  );
});
