/**
 * GitHub Actions' roles: who may assume them (exact OIDC subjects), and what each may do,
 * evaluated by an IAM policy evaluator (the plan role reads and locks; the apply role manages
 * the platform but not the CI trust, other roles, instances or other environments' state).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  LOG_KEY_TAG,
  GithubOidc,
  applyRolePolicy,
  applySubjects,
  githubTrustPolicy,
  planRolePolicy,
  planSubjects,
  type GithubOidcProps,
  type PolicyDocument,
} from '@private-api-platform/constructs/github-oidc';
import { stateKeyPolicy } from '@private-api-platform/constructs/state-backend';
import { logEncryptionKeyPolicy } from '@private-api-platform/constructs/log-encryption';

const ACCOUNT = '111111111111';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666`;
const BUCKET = 'platform-tfstate-111111111111';
const PROPS: GithubOidcProps = {
  repository: 'my-org/private-api-platform',
  environment: 'dev',
  namePrefix: 'platform-dev',
  accountId: ACCOUNT,
  stateBucket: BUCKET,
  stateKmsKeyArn: KEY,
};

function synth(props: Partial<GithubOidcProps> = {}): Record<string, any> {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new GithubOidc(stack, 'github-oidc', { ...PROPS, ...props });
  return JSON.parse(Testing.synth(stack, true));
}

async function decide(policy: PolicyDocument, action: string, resource: string, context: Record<string, string> = {}, keyPolicy?: object): Promise<string> {
  const result = await runSimulation(
    {
      request: { principal: `arn:aws:iam::${ACCOUNT}:role/ci`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [{ name: 'role', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // KMS needs a key policy too: the state key's (the account, then IAM policies, decide).
      resourcePolicy: keyPolicy ?? (resource === KEY ? stateKeyPolicy(ACCOUNT) : undefined),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulation of ${action} failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const plan = planRolePolicy(PROPS);
const apply = applyRolePolicy(PROPS);
const state = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;

describe('the synthesized construct', () => {
  test('GIVEN the props WHEN synthesized THEN the provider and two roles exist, each with its inline policy', () => {
    const json = synth();
    const provider = Object.values<any>(json.resource.aws_iam_openid_connect_provider)[0];
    expect(provider).toMatchObject({ url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] });
    const roles = Object.values<any>(json.resource.aws_iam_role);
    expect(roles.map((r) => r.name).sort()).toEqual(['platform-dev-github-apply', 'platform-dev-github-plan']);
    const trust = (name: string) => JSON.parse(roles.find((r) => r.name === name).assume_role_policy);
    expect(trust('platform-dev-github-plan').Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual([
      'repo:my-org/private-api-platform:pull_request',
      'repo:my-org/private-api-platform:ref:refs/heads/main',
    ]);
    expect(trust('platform-dev-github-apply').Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual(['repo:my-org/private-api-platform:environment:dev']);
    expect(Object.values<any>(json.resource.aws_iam_role_policy).map((p) => p.name).sort()).toEqual(['apply', 'plan']);
  });

  test('GIVEN an existing provider WHEN synthesized THEN none is created and the roles trust that one', () => {
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const json = synth({ existingProviderArn: arn });
    expect(json.resource.aws_iam_openid_connect_provider).toBeUndefined();
    for (const role of Object.values<any>(json.resource.aws_iam_role)) expect(JSON.parse(role.assume_role_policy).Statement[0].Principal.Federated).toBe(arn);
  });

  test('fails when the repository is not owner/name', () => {
    expect(() => synth({ repository: 'private-api-platform' })).toThrow(/repository "private-api-platform" is not owner\/name/);
  });
});

describe('trust', () => {
  test('GIVEN the trust policies THEN the audience is STS and the subjects are exact (no wildcards)', () => {
    const trust = githubTrustPolicy('arn:provider', planSubjects(PROPS.repository));
    expect(trust.Statement[0]!.Condition!.StringEquals!['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    expect(trust.Statement[0]!.Condition!.StringLike).toBeUndefined();
    for (const subject of [...planSubjects(PROPS.repository), ...applySubjects(PROPS.repository, 'prod')]) expect(subject).not.toContain('*');
  });

  test('fails when the apply trust would admit pull requests or the branch: only the GitHub environment may apply', () => {
    expect(applySubjects(PROPS.repository, 'prod')).toEqual(['repo:my-org/private-api-platform:environment:prod']);
    expect(applySubjects(PROPS.repository, 'prod')).not.toContain('repo:my-org/private-api-platform:pull_request');
  });
});

describe('plan role, evaluated', () => {
  test.each([
    ['ec2:DescribeVpcs', '*'],
    ['apigateway:GET', 'arn:aws:apigateway:eu-west-1::/restapis/abc'],
    ['cognito-idp:DescribeUserPoolClient', `arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_abc`],
    ['s3:GetObject', state('dev/platform.tfstate')],
    ['s3:PutObject', state('dev/platform.tfstate.tflock')],
    ['s3:DeleteObject', state('dev/platform.tfstate.tflock')],
    ['kms:Decrypt', KEY],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:platform-dev/edge/origin-verify-header-AbCdEf`],
    ['s3:ListBucket', `arn:aws:s3:::platform-dev-alb-logs-${ACCOUNT}`],
  ])('allows %s (refresh, state read, lock)', async (action, resource) => {
    expect(await decide(plan, action, resource)).toBe('Allowed');
  });

  test.each([
    ['ec2:CreateVpc', '*'],
    ['apigateway:POST', 'arn:aws:apigateway:eu-west-1::/restapis'],
    ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/platform-dev-x`],
    ['s3:PutObject', state('dev/platform.tfstate')],
    ['s3:GetObject', state('prod/platform.tfstate')],
    ['s3:GetObject', 'arn:aws:s3:::someone-elses-bucket/data.csv'],
    ['logs:GetLogEvents', `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:x:log-stream:y`],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod-database-AbCdEf`],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:platform-prod/edge/origin-verify-header-AbCdEf`],
    ['s3:GetObject', `arn:aws:s3:::platform-dev-alb-logs-${ACCOUNT}/AWSLogs/x.log.gz`],
    ['s3:ListBucket', `arn:aws:s3:::platform-prod-alb-logs-${ACCOUNT}`],
  ])('fails when the plan role would be allowed %s (it writes nothing but the lock, reads no data)', async (action, resource) => {
    expect(await decide(plan, action, resource)).not.toBe('Allowed');
  });
});

describe('apply role, evaluated', () => {
  test.each([
    ['apigateway:POST', 'arn:aws:apigateway:eu-west-1::/restapis'],
    ['ec2:CreateVpc', '*'],
    ['ec2:AuthorizeSecurityGroupIngress', `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-1`],
    ['wafv2:CreateWebACL', '*'],
    ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/platform-dev-api-gateway-logs`],
    ['s3:PutObject', state('dev/platform.tfstate')],
    ['kms:GenerateDataKey', KEY],
  ])('allows %s', async (action, resource) => {
    expect(await decide(apply, action, resource)).toBe('Allowed');
  });

  test('allows passing its own roles to API Gateway and VPC flow logs only', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/platform-dev-vpc-flow-logs`;
    expect(await decide(apply, 'iam:PassRole', role, { 'iam:PassedToService': 'apigateway.amazonaws.com' })).toBe('Allowed');
    expect(await decide(apply, 'iam:PassRole', role, { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' })).toBe('Allowed');
    expect(await decide(apply, 'iam:PassRole', role, { 'iam:PassedToService': 'ec2.amazonaws.com' })).not.toBe('Allowed');
  });

  test('adds only API Gateway\'s permission to invoke a function, in its own account', async () => {
    const fn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:orders-update`;
    expect(await decide(apply, 'lambda:AddPermission', fn, { 'lambda:Principal': 'apigateway.amazonaws.com' })).toBe('Allowed');
    expect(await decide(apply, 'lambda:AddPermission', fn, { 'lambda:Principal': '*' })).not.toBe('Allowed');
    expect(await decide(apply, 'lambda:AddPermission', 'arn:aws:lambda:eu-west-1:999999999999:function:x', { 'lambda:Principal': 'apigateway.amazonaws.com' })).not.toBe('Allowed');
    expect(await decide(apply, 'lambda:UpdateFunctionCode', fn)).not.toBe('Allowed');
  });

  test('creates service-linked roles only for the services that use one', async () => {
    const slr = (service: string) => `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${service}/x`;
    expect(await decide(apply, 'iam:CreateServiceLinkedRole', slr('vpcorigin.cloudfront.amazonaws.com'), { 'iam:AWSServiceName': 'vpcorigin.cloudfront.amazonaws.com' })).toBe('Allowed');
    expect(await decide(apply, 'iam:CreateServiceLinkedRole', slr('ec2.amazonaws.com'), { 'iam:AWSServiceName': 'ec2.amazonaws.com' })).not.toBe('Allowed');
  });

  test('manages its own access log bucket, not another environment\'s', async () => {
    expect(await decide(apply, 's3:PutBucketPolicy', `arn:aws:s3:::platform-dev-alb-logs-${ACCOUNT}`)).toBe('Allowed');
    expect(await decide(apply, 's3:PutBucketPolicy', `arn:aws:s3:::platform-prod-alb-logs-${ACCOUNT}`)).not.toBe('Allowed');
    expect(await decide(apply, 's3:PutBucketPolicy', `arn:aws:s3:::${BUCKET}`)).not.toBe('Allowed');
  });

  test('manages only the log KMS keys tagged with its environment: never the state key, nor another environment\'s', async () => {
    const logKey = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111aaaa-2222-3333-4444-555566667777`;
    expect(await decide(apply, 'kms:CreateKey', '*', { [`aws:RequestTag/${LOG_KEY_TAG}`]: 'platform-dev' })).toBe('Allowed');
    expect(await decide(apply, 'kms:CreateKey', '*', { [`aws:RequestTag/${LOG_KEY_TAG}`]: 'platform-prod' })).not.toBe('Allowed');
    // a log key's own policy lets the account's IAM policies decide (packages/constructs/src/log-encryption)
    const logKeyPolicy = logEncryptionKeyPolicy(ACCOUNT, 'eu-west-1');
    expect(await decide(apply, 'kms:EnableKeyRotation', logKey, { [`aws:ResourceTag/${LOG_KEY_TAG}`]: 'platform-dev' }, logKeyPolicy)).toBe('Allowed');
    expect(await decide(apply, 'kms:ScheduleKeyDeletion', KEY)).not.toBe('Allowed');
    expect(await decide(apply, 'kms:PutKeyPolicy', logKey, { [`aws:ResourceTag/${LOG_KEY_TAG}`]: 'platform-prod' }, logKeyPolicy)).not.toBe('Allowed');
    expect(await decide(apply, 'ec2:CreateFlowLogs', `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/vpc-1`)).toBe('Allowed');
  });

  test.each([
    ['ec2:RunInstances', '*'],
    ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/x`],
    ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/admin`],
    ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/platform-prod-anything`],
    ['s3:PutObject', state('prod/platform.tfstate')],
    ['s3:GetObject', 'arn:aws:s3:::someone-elses-bucket/data.csv'],
    // Other features of the platform's services: users of the pool, log events, the account's API Gateway settings.
    ['cognito-idp:AdminCreateUser', `arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_abc`],
    ['cognito-idp:AdminSetUserPassword', `arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_abc`],
    ['logs:GetLogEvents', `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:x:log-stream:y`],
    ['apigateway:PATCH', 'arn:aws:apigateway:eu-west-1::/account'],
    ['apigateway:POST', 'arn:aws:apigateway:eu-west-1::/apikeys'],
    ['wafv2:GetDecryptedAPIKey', '*'],
  ])('fails when the apply role would be allowed %s (other services, other roles, other environments)', async (action, resource) => {
    expect(await decide(apply, action, resource)).not.toBe('Allowed');
  });

  test.each([
    ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/platform-dev-github-apply`],
    ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/platform-dev-github-plan`],
    ['iam:DeleteOpenIDConnectProvider', `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`],
  ])('fails when the apply role could change the CI trust: %s is explicitly denied', async (action, resource) => {
    expect(await decide(apply, action, resource)).toBe('ExplicitlyDenied');
  });
});
