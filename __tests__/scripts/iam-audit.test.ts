/**
 * The IAM audit's mapping of recorded calls to what AWS authorizes them by (scripts/lib/iam-audit/authorization.ts),
 * on calls shaped as the emulator records them. The whole audit, on a real recorded lifecycle, is in
 * iam-audit.emulator.test.ts.
 */
import { authorizeCalls, type CallAuthorization } from '../../scripts/lib/iam-audit/authorization';
import { expandAction } from '../../scripts/lib/iam-audit/audit';
import type { RecordedCall } from '../../scripts/lib/iam-audit/lifecycle';

let seq = 0;
function call(service: string, operation: string | null, params: Record<string, unknown> = {}, extra: Partial<RecordedCall> = {}): RecordedCall {
  return { seq: ++seq, accessKeyId: 'AKIA', service, region: 'eu-west-1', operation, protocol: 'json', method: 'POST', path: '/', params, status: 200, response: {}, ...extra };
}
async function one(c: RecordedCall, others: RecordedCall[] = []): Promise<CallAuthorization> {
  return (await authorizeCalls([...others, c])).at(-1)!;
}
const pairs = (a: CallAuthorization) => a.permissions.map((p) => `${p.action} ${p.resource}`);

describe('an operation and its IAM action', () => {
  test('the action of the same name, on the resource the request names', async () => {
    const a = await one(call('iam', 'PutRolePolicy', { RoleName: 'platform-dev-api-logs', PolicyName: 'x' }));
    expect(pairs(a)).toEqual(['iam:PutRolePolicy arn:aws:iam::123456789012:role/platform-dev-api-logs']);
  });

  test('an ARN parameter of the resource type is the resource (an ALB by its ARN)', async () => {
    const alb = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/platform-dev-edge/50dc6c495c0c9188';
    expect(pairs(await one(call('elasticloadbalancing', 'ModifyLoadBalancerAttributes', { LoadBalancerArn: alb })))).toEqual([`elasticloadbalancing:ModifyLoadBalancerAttributes ${alb}`]);
  });

  test('S3 operations whose action has another name, as AWS documents them', async () => {
    expect(pairs(await one(call('s3', 'HeadBucket', { Bucket: 'b' })))).toEqual(['s3:ListBucket arn:aws:s3:::b']);
    expect(pairs(await one(call('s3', 'ListObjectVersions', { Bucket: 'b' })))).toEqual(['s3:ListBucketVersions arn:aws:s3:::b']);
    expect(pairs(await one(call('s3', 'DeleteObject', { Bucket: 'b', Key: 'k', versionId: 'v' })))).toEqual(['s3:DeleteObjectVersion arn:aws:s3:::b/k']);
    const list = await one(call('s3', 'ListObjectsV2', { Bucket: 'b', prefix: 'dev/' }));
    expect(list.permissions[0]!.context).toEqual({ 's3:prefix': 'dev/' });
  });

  test('API Gateway: the HTTP method on the resource path', async () => {
    const a = await one(call('apigateway', 'PutRestApi', {}, { method: 'PUT', path: '/restapis/abc' }));
    expect(pairs(a)).toEqual(['apigateway:PUT arn:aws:apigateway:eu-west-1::/restapis/abc']);
  });

  test('a resource being created, whose id the request cannot carry, is `*` in its ARN: a name-scoped policy never matches it by accident', async () => {
    const a = await one(call('ec2', 'CreateVpc', { CidrBlock: '10.0.0.0/16' }));
    expect(pairs(a)).toEqual(['ec2:CreateVpc arn:aws:ec2:eu-west-1:123456789012:vpc/*']);
  });

  test('sts:GetCallerIdentity needs no permission', async () => {
    expect((await one(call('sts', 'GetCallerIdentity'))).alwaysAllowed).toMatch(/No permissions are required/);
  });

  test('fails when an operation has no known action: unmapped, never allowed', async () => {
    expect((await one(call('s3', 'MadeUpOperation', { Bucket: 'b' }))).unmapped).toMatch(/no IAM action s3:MadeUpOperation/);
    expect((await one(call('ec2', null))).unmapped).toMatch(/could not name the operation/);
  });
});

describe('permissions beyond the operation', () => {
  test('a role in the request is passed to the service that uses it (iam:PassedToService)', async () => {
    const role = 'arn:aws:iam::123456789012:role/platform-dev-vpc-flow-logs';
    const a = await one(call('ec2', 'CreateFlowLogs', { DeliverLogsPermissionArn: role, 'ResourceId.1': 'vpc-1' }));
    expect(a.permissions.find((p) => p.action === 'iam:PassRole')).toMatchObject({ resource: role, context: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } });
  });

  test('a service-linked role created on first use: only for the named service', async () => {
    const a = await one(call('cloudfront', 'CreateVpcOrigin'));
    expect(a.permissions.find((p) => p.action === 'iam:CreateServiceLinkedRole')).toMatchObject({ context: { 'iam:AWSServiceName': 'vpcorigin.cloudfront.amazonaws.com' } });
    const email = await one(call('cognito-idp', 'CreateUserPool', { EmailConfiguration: { EmailSendingAccount: 'DEVELOPER' } }));
    expect(email.permissions.find((p) => p.action === 'iam:CreateServiceLinkedRole')).toMatchObject({ context: { 'iam:AWSServiceName': 'email.cognito-idp.amazonaws.com' } });
    const cognitoDefault = await one(call('cognito-idp', 'CreateUserPool', { EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' } }));
    expect(cognitoDefault.permissions.map((p) => p.action)).toEqual(['cognito-idp:CreateUserPool']);
  });

  test('a KMS key carries the tags it was created with (aws:ResourceTag), from the record', async () => {
    const created = call('kms', 'CreateKey', { Tags: [{ TagKey: 'platform-log-key', TagValue: 'platform-dev' }] }, { response: { 'KeyMetadata.KeyId': 'k-1' } });
    const a = await one(call('kms', 'EnableKeyRotation', { KeyId: 'k-1' }), [created]);
    expect(a.permissions[0]).toMatchObject({ resource: 'arn:aws:kms:eu-west-1:123456789012:key/k-1', context: { 'aws:ResourceTag/platform-log-key': 'platform-dev' } });
    const createdCall = (await authorizeCalls([created]))[0]!;
    expect(createdCall.permissions[0]!.context).toMatchObject({ 'aws:RequestTag/platform-log-key': 'platform-dev', 'aws:TagKeys': ['platform-log-key'] });
  });

  test('a CloudFront delivery source needs cloudfront:AllowVendedLogDeliveryForResource on the distribution', async () => {
    const distribution = 'arn:aws:cloudfront::123456789012:distribution/E1';
    const a = await one(call('logs', 'PutDeliverySource', { resourceArn: distribution, logType: 'ACCESS_LOGS', name: 'x' }));
    expect(pairs(a)).toContain(`cloudfront:AllowVendedLogDeliveryForResource ${distribution}`);
  });
});

test('an action pattern expands to the actions AWS defines: ec2:*Vpc* holds CreateVpc, not RunInstances', async () => {
  const actions = await expandAction('ec2:*Vpc*');
  expect(actions).toContain('ec2:CreateVpc');
  expect(actions).not.toContain('ec2:RunInstances');
  expect(await expandAction('s3:GetObject')).toEqual(['s3:GetObject']);
});
