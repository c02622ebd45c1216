/**
 * `npx cdktf synth` (the real cdktf-cli) and the fast `npm run synth` path write the same Terraform;
 * the cdktf-cli app (scripts/cdktf-app.cjs) refuses infrastructure code that does not type-check.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { terraformEnv } from '../../scripts/lib/terraform';

const ROOT = resolve(__dirname, '..', '..');

describe('cdktf synth', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'platform-cdktf-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes the same stacks as the fast synth', () => {
    const env = terraformEnv();
    const cli = spawnSync(join(ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', join(work, 'cli')], { cwd: ROOT, env, encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const fast = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'main.ts'], { cwd: ROOT, env: { ...env, CDKTF_OUTDIR: join(work, 'fast') }, encoding: 'utf8' });
    expect(fast.status).toBe(0);
    const stacks = readdirSync(join(work, 'cli', 'stacks')).sort();
    expect(readdirSync(join(work, 'fast', 'stacks')).sort()).toEqual(stacks);
    expect(stacks).toEqual(expect.arrayContaining(['local', 'dev', 'staging', 'prod']));
    for (const stack of stacks) {
      const read = (dir: string) => readFileSync(join(work, dir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
      expect(read('fast')).toEqual(read('cli'));
    }
  }, 120_000);

  it('fails when the infrastructure code does not type-check, and synthesizes nothing', () => {
    // GIVEN a stack file with a misspelt property (transpile-only would drop it without a word); in stacks/, not in
    // the constructs package, whose build the packed-package test may be running beside this one
    const probe = join(ROOT, 'stacks', 'type-error-probe.ts');
    writeFileSync(probe, "export const protection: { deletionProtection: boolean } = { deletionProtecton: true };\n");
    try {
      // WHEN cdktf-cli runs the app  THEN it fails with tsc's error, and writes no stacks
      const out = join(work, 'refused');
      const cli = spawnSync(process.execPath, [join(ROOT, 'scripts/cdktf-app.cjs')], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: out }, encoding: 'utf8' });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain('type-error-probe.ts');
      expect(cli.stderr).toContain("'deletionProtecton' does not exist");
      expect(cli.stderr).toContain('nothing was synthesized');
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(probe, { force: true });
    }
  }, 60_000);
});
