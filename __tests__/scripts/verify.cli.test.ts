/** `npm run verify` as a command: its table, its JSON, its exit codes (the rules themselves: verify.test.ts). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../../stacks';
import { RULES } from '../../review/verify';
import { environment } from '../helpers/synth';

const ROOT = resolve(__dirname, '..', '..');

describe('npm run verify (the command)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['scripts/ts-run.cjs', 'scripts/verify.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

  it('prints a table of the rules per environment and exits 0 when all pass', () => {
    const result = run('prod');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('prod: all rules pass');
    for (const rule of RULES) expect(result.stdout).toMatch(new RegExp(`^${rule.id}\\s+${rule.name}\\s+pass`, 'm'));
  }, 60_000);

  it('prints JSON for machines with --json', () => {
    const result = run('dev', '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toEqual([expect.objectContaining({ environment: 'dev', passed: true })]);
    expect(report[0].rules).toHaveLength(RULES.length);
  }, 60_000);

  it('fails (exit 1) and names the rule and resource when a plan breaks a rule', () => {
    const platform = JSON.parse(Testing.synth(addEnvironmentStacks(Testing.app(), environment('dev')).platform, true));
    const [apiName] = Object.keys(platform.resource.aws_api_gateway_rest_api);
    const dir = mkdtempSync(join(tmpdir(), 'verify-plan-'));
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify({ planned_values: { root_module: { resources: [{ mode: 'managed', type: 'aws_api_gateway_rest_api', name: apiName, values: { endpoint_configuration: [{ types: ['EDGE'] }] } }] } } }));
    try {
      const result = run('dev', '--plan', file);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('dev: 1 rule(s) FAIL');
      expect(result.stdout).toMatch(new RegExp(`^1\\s+api-is-private\\s+FAIL\\s+aws_api_gateway_rest_api\\.${apiName}\\s+.*\\["EDGE"\\]`, 'm'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails when given an unknown environment or flag, naming what is valid (exit 64, as every command)', () => {
    const unknownEnv = run('qa');
    expect(unknownEnv.status).toBe(64);
    expect(unknownEnv.stderr).toContain('unknown environment "qa"; valid environments: local, dev, staging, prod');
    const unknownFlag = run('dev', '--fast');
    expect(unknownFlag.status).toBe(64);
    expect(unknownFlag.stderr).toMatch(/unknown flag --fast; valid flags: --all, --plan VALUE, --json, --endpoint VALUE/);
  }, 60_000);
});
