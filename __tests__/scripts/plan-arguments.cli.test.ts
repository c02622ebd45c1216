/** The plan-like commands' argument handling: errors name what is valid, and every failure exits 1 (2 means "changes"). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../../scripts/lib/args';
import { main as apply } from '../../scripts/apply';
import { main as drift } from '../../scripts/drift';
import { main as plan } from '../../scripts/plan';

const ROOT = join(__dirname, '..', '..');

describe('npm run plan / drift / apply arguments', () => {
  test('fails when no environment or more than one is named', async () => {
    await expect(plan([])).rejects.toThrow(UsageError);
    await expect(plan(['dev', 'prod'])).rejects.toThrow(/exactly one environment; got dev, prod/);
    await expect(drift(['--all'])).rejects.toThrow(/exactly one environment/);
  });

  test('fails when the environment is unknown, naming the valid ones', async () => {
    await expect(plan(['qa'])).rejects.toThrow(/unknown environment "qa"; valid environments: local, dev, staging, prod/);
  });

  test('fails when --endpoint is given for an environment that deploys to AWS', async () => {
    await expect(plan(['prod', '--endpoint', 'http://127.0.0.1:4566'])).rejects.toThrow(/--endpoint is only for an emulator environment .* "prod" deploys to account 333333333333/);
  });

  test('fails when apply to a real account has no reviewed plan, or a malformed fingerprint', async () => {
    await expect(apply(['prod'])).rejects.toThrow(/--reviewed is required for "prod"/);
    await expect(apply(['prod', '--reviewed', 'sha256:abc'])).rejects.toThrow(/not a fingerprint/);
  });

  test('GIVEN a usage error WHEN a plan-like command exits THEN its exit code is 64 (EX_USAGE, as every command), never 2 ("changes")', () => {
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'scripts/plan-compare.ts', 'only-one-argument'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('error: give the reviewed plan and the current plan');
    expect(result.stderr).toContain('usage: npm run plan-compare');
  });
});
