/**
 * AWS's documented limits on names, descriptions and comments, checked before
 * anything is synthesized (modules/aws-limits.ts): every environment's stacks
 * fit them; each row of the table refuses a value AWS would refuse, and
 * accepts one it takes; a value AWS would refuse at apply time stops `npm run
 * synth` with the environment, the resource, the value and the AWS page.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing, TerraformResource, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AWS_LIMITS } from '../../modules/aws-limits';
import { awsLimitProblems } from '../../stacks/aws-limits-check';
import { addEnvironmentStacks } from '../../stacks';
import { ENVIRONMENT_NAMES, environment } from '../helpers/synth';

/** A resource of any type with the given attributes, as the limits check reads them. */
class AnyResource extends TerraformResource {
  constructor(scope: Construct, id: string, type: string, private readonly attributes: Record<string, unknown>) {
    super(scope, id, { terraformResourceType: type, terraformGeneratorMetadata: { providerName: 'aws' } });
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return this.attributes;
  }
}

/** `{ a: { b: value } }` for the path `a.b`. */
const at = (path: string, value: unknown): Record<string, unknown> => path.split('.').reduceRight<any>((inner, key) => ({ [key]: inner }), value);

function problemsFor(type: string, attributes: Record<string, unknown>) {
  const stack = new TerraformStack(Testing.app(), 'limits');
  new AnyResource(stack, 'resource', type, attributes);
  return awsLimitProblems(stack);
}

describe('AWS limits', () => {
  it.each(ENVIRONMENT_NAMES)('%s: every name, description and comment of both stacks fits', (name) => {
    const app = Testing.app();
    // addEnvironmentStacks throws an EnvironmentError on any problem
    const { bootstrap, platform } = addEnvironmentStacks(app, environment(name));
    expect([...awsLimitProblems(bootstrap), ...awsLimitProblems(platform)]).toEqual([]);
  });

  describe.each(AWS_LIMITS.map((l) => [`${l.type} ${l.attribute}`, l] as const))('%s', (_name, limit) => {
    const longest = 'a'.repeat(limit.max);
    it(`fails when the value is longer than ${limit.max} characters, naming the AWS page`, () => {
      const problems = problemsFor(limit.type, at(limit.attribute, `${longest}a`));
      expect(problems).toEqual([expect.objectContaining({ attribute: limit.attribute, message: expect.stringContaining(limit.page) })]);
      expect(problems[0]!.message).toContain(`this one has ${limit.max + 1}`);
    });
    it('accepts a value AWS takes', () => {
      const fitting: Record<string, string> = {
        'aws_s3_bucket bucket': 'platform-tfstate-111111111111',
        'aws_kms_alias name': 'alias/platform-tfstate',
        'aws_acm_certificate domain_name': 'origin.api.example.com',
        'aws_lb_listener_rule condition.path_pattern.values': '/orders/*',
        'aws_lb_listener_rule condition.host_header.values': 'origin.api.example.com',
      };
      expect(problemsFor(limit.type, at(limit.attribute, fitting[`${limit.type} ${limit.attribute}`] ?? 'platform-dev-a'))).toEqual([]);
    });
  });

  it('checks every block of a list (WAF rules), and leaves values only known after apply to Terraform', () => {
    expect(problemsFor('aws_wafv2_web_acl', { rule: [{ name: 'ok' }, { name: 'not ok!' }] })).toEqual([expect.objectContaining({ attribute: 'rule.name', value: 'not ok!' })]);
    const stack = new TerraformStack(Testing.app(), 'tokens');
    const other = new AnyResource(stack, 'other', 'aws_lb', { name: 'x' });
    new AnyResource(stack, 'derived', 'aws_lb', { name: `${'b'.repeat(40)}${other.getStringAttribute('id')}` });
    expect(awsLimitProblems(stack).map((p) => p.resource)).toEqual([]);
  });

  it('fails when an ALB name starts with "internal-", or a log group name with "aws/"', () => {
    expect(problemsFor('aws_lb', { name: 'internal-edge' })).toHaveLength(1);
    expect(problemsFor('aws_cloudwatch_log_group', { name: 'aws/mine' })).toHaveLength(1);
  });

  it('fails when a Cognito prefix domain holds a word AWS reserves; a custom domain (with a certificate) is not a prefix', () => {
    expect(problemsFor('aws_cognito_user_pool_domain', { domain: 'my-cognito-login' })).toEqual([
      expect.objectContaining({ attribute: 'domain', message: expect.stringContaining('reserved word "cognito"') }),
    ]);
    expect(problemsFor('aws_cognito_user_pool_domain', { domain: 'auth.amazon-fans.example.com', certificate_arn: 'arn:aws:acm:us-east-1:111111111111:certificate/x' })).toEqual([]);
  });
});

describe('npm run synth refuses what AWS would refuse at apply time', () => {
  const ROOT = resolve(__dirname, '..', '..');
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
