/** main.ts, run as a process the way `npm run synth` and `cdktf synth` run it. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, ['scripts/ts-run.cjs', 'main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('main.ts', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'platform-main-'));
    cpSync(join(ROOT, 'environments'), join(work, 'environments'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('synthesizes one stack per environment, with a manifest', () => {
    const outdir = join(work, 'out');
    const result = runMain({ CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS_DIR: join(work, 'environments') });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toEqual(expect.arrayContaining(['local', 'dev', 'staging', 'prod']));
    for (const stack of ['local', 'dev', 'staging', 'prod']) {
      const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      expect(json.terraform.backend.s3.key).toBe(`${stack}/platform.tfstate`);
    }
  });

  it('fails when one environment file is bad: exit 1, names environment, field and value, and writes nothing', () => {
    // GIVEN staging with a region that does not exist
    const file = join(work, 'environments', 'staging.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.account.region = 'eu-west-9x';
    writeFileSync(file, JSON.stringify(raw));
    const outdir = join(work, 'out');
    // WHEN main runs over every environment
    const result = runMain({ CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS_DIR: join(work, 'environments') });
    // THEN it exits 1 with a message for people, and no output directory exists
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environment "staging" is not valid');
    expect(result.stderr).toContain('account.region: got "eu-west-9x"; expected an AWS region such as eu-west-1');
    expect(result.stderr).toContain('Nothing was synthesized.');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(outdir)).toBe(false);
  });

  it('fails when asked for an environment that has no file', () => {
    const outdir = join(work, 'out');
    const result = runMain({ CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS_DIR: join(work, 'environments'), PLATFORM_ENVIRONMENTS: 'qa' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/environment "qa" is not valid[\s\S]*one of the environments: local, dev, staging, prod/);
    expect(existsSync(outdir)).toBe(false);
    expect(readdirSync(work)).toEqual(['environments']);
  });

  it('fails when the origin name is too long for its certificate and the ALB rule (AWS would refuse it at apply time): exit 1, the environment, resource, value and page; nothing written', () => {
    // GIVEN a valid DNS name (the schema takes up to 253 characters) that ACM (64) and ALB host conditions (128) refuse
    // (the limits themselves: __tests__/stacks/aws-limits-check.test.ts)
    const file = join(work, 'environments', 'dev.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${raw.edge.domainName}`;
    raw.edge.originDomainName = long;
    writeFileSync(file, JSON.stringify(raw));
    const outdir = join(work, 'out');
    const result = runMain({ CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS_DIR: join(work, 'environments') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environment "dev" is not valid');
    expect(result.stderr).toContain(`(synthesized) aws_acm_certificate edge/dns/origin-certificate: domain_name: got "${long}"; expected 1 to 64 characters`);
    expect(result.stderr).toContain('https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html');
    expect(result.stderr).toMatch(/aws_lb_listener_rule edge\/origin\/forward-orders: condition\.host_header\.values: got ".*"; expected 1 to 128 characters/);
    expect(result.stderr).toContain('Nothing was synthesized.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(outdir)).toBe(false);
  });
});
