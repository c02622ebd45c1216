/**
 * AWS's documented limits on names, descriptions and comments, checked before
 * anything is synthesized (packages/constructs/src/aws-limits.ts): every environment's stacks
 * fit them; each row of the table refuses a value AWS would refuse, and
 * accepts one it takes; a value AWS would refuse at apply time stops `npm run
 * synth` with the environment, the resource, the value and the AWS page (main.cli.test.ts, as a process).
 */
import { Testing, TerraformResource, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AWS_LIMITS } from '@private-api-platform/constructs/aws-limits';
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
