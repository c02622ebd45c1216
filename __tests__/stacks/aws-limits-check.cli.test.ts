/** `npm run synth` stops on a value AWS would refuse at apply time (the limits themselves: aws-limits-check.test.ts). */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

describe('npm run synth refuses what AWS would refuse at apply time', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'platform-limits-'));
    cpSync(join(ROOT, 'environments'), join(work, 'environments'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('fails when the origin name is too long for its certificate and the ALB rule: exit 1, the environment, resource, value and page; nothing written', () => {
    // GIVEN a valid DNS name (the schema takes up to 253 characters) that ACM (64) and ALB host conditions (128) refuse
    const file = join(work, 'environments', 'dev.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${raw.edge.domainName}`;
    raw.edge.originDomainName = long;
    writeFileSync(file, JSON.stringify(raw));
    const outdir = join(work, 'out');
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS_DIR: join(work, 'environments') },
      encoding: 'utf8',
    });
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
