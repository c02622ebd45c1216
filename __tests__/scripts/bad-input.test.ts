/**
 * Bad environment input through every command that reads environments: a clear error naming the environment (or the
 * folder), exit 1, no stack trace, nothing written. Each command runs as a process, as npm runs it.
 */
import { spawnSync } from 'node:child_process';
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

function run(args: readonly string[], environmentsDir: string, work: string) {
  return spawnSync(process.execPath, ['scripts/ts-run.cjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PLATFORM_ENVIRONMENTS_DIR: environmentsDir, CDKTF_OUTDIR: join(work, 'out'), PLATFORM_WORK_DIR: join(work, 'local'), AWS_EC2_METADATA_DISABLED: 'true' },
  });
}

describe('every command that reads environments', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'bad-input-'));
    mkdirSync(join(work, 'environments'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** Malformed files and what each command must say about them. */
  const MALFORMED: readonly (readonly [string, string, string])[] = [
    ['a key given twice', '{\n  "name": "qa",\n  "name": "qa2"\n}\n', 'name: got the key "name" a second time (line 3, column 3; first on line 2)'],
    ['a syntax error', '{\n  "name": "qa"\n  "account": {}\n}\n', 'invalid JSON in'],
    ['an empty file', '', 'got an empty file'],
    ['not an object', '[1, 2]', '(root): got [1,2]'],
  ];

  test.each(COMMANDS.map((args) => [args[0]!, args]))('%s: every malformed file is refused with its place, exit 1, no stack trace, nothing written', (_name, args) => {
    for (const [, text, message] of MALFORMED) {
      writeFileSync(join(work, 'environments', 'qa.json'), text);
      const result = run(args, join(work, 'environments'), work);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('environment "qa" is not valid');
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(readdirSync(work).sort()).toEqual(['environments']);
    }
  });

  test.each(COMMANDS.map((args) => [args[0]!, args]))('%s: a missing environments folder is named, exit 1, no stack trace', (_name, args) => {
    const missing = join(work, 'nowhere');
    const result = run(args, missing, work);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`PLATFORM_ENVIRONMENTS_DIR=${missing}: no such folder`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(work, 'out'))).toBe(false);
  });
});

describe('usage errors', () => {
  const commands = ['main.ts', ...['validate', 'verify', 'bootstrap', 'plan', 'drift', 'apply', 'destroy', 'iam-audit', 'start', 'pr-comment', 'reviewed-plan', 'drift-issue', 'smoke', 'outputs', 'edge', 'unlock', 'stop'].map((c) => `scripts/${c}.ts`)];
  test.each(commands)('%s: an unknown flag exits 64 (EX_USAGE), the code every command uses, and names the valid flags', (command) => {
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', command, '--no-such-flag'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('error: unknown flag --no-such-flag; valid flags: --all');
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack frame (the help may say "at most")
  });
});

describe('npm run synth', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'bad-input-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('synthesizes only the environments named on the command line', () => {
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'main.ts', 'dev'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: join(work, 'out') } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readdirSync(join(work, 'out', 'stacks')).sort()).toEqual(['bootstrap-dev', 'dev']);
  });

  test('fails on an empty selection instead of synthesizing nothing: exit 64', () => {
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'main.ts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: join(work, 'out'), PLATFORM_ENVIRONMENTS: ' , ' } });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('error: PLATFORM_ENVIRONMENTS is set but names no environment');
    expect(existsSync(join(work, 'out'))).toBe(false);
  });

  test('fails on an unknown flag or environment instead of ignoring it: exit 64 (as every command), what is valid, nothing written', () => {
    for (const args of [['--env', 'dev'], ['qa']]) {
      const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'main.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: join(work, 'out') } });
      expect(result.status).toBe(64);
      expect(result.stderr).toMatch(/^error: unknown (flag --env|environment "qa"); valid/);
      expect(existsSync(join(work, 'out'))).toBe(false);
    }
  });
});
