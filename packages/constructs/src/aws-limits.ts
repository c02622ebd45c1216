/**
 * AWS's documented limits on the names, descriptions and comments the stacks
 * set: one table, one row per attribute, each naming the AWS page it copies.
 * `stacks/aws-limits-check.ts` checks every stack against it before anything is
 * synthesized (a value AWS would refuse at apply time is refused there, with the
 * environment, the resource, the value and what AWS accepts); the environment
 * schema uses the same constants where it checks a value itself. Data only: no
 * imports, so the schema can read it cheaply.
 */
export interface AwsLimit {
  /** Terraform resource type. */
  readonly type: string;
  /** Attribute path; nested blocks by their names (`rule.visibility_config.metric_name`). */
  readonly attribute: string;
  readonly min?: number;
  readonly max: number;
  /** What the value must match as a whole. */
  readonly pattern?: RegExp;
  /** What AWS accepts, in words (the message's "expected ..."). */
  readonly allowed: string;
  /** The AWS page the limit comes from. */
  readonly page: string;
}

export const API = {
  elb: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html',
  targetGroup: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html',
  listenerRule: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html',
  securityGroup: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html',
  ipRange: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html',
  wafAcl: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html',
  wafMetric: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html',
  logGroup: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
  deliverySource: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html',
  deliveryDestination: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliveryDestination.html',
  iamRole: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html',
  iamRolePolicy: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html',
  userPool: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html',
  userPoolClient: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html',
  resourceServer: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html',
  scope: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerScopeType.html',
  domain: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html',
  bucket: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
  kmsAlias: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html',
  kmsKey: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html',
  secret: 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html',
  stage: 'https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html',
  distribution: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html',
  headersPolicy: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html',
  zone: 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZoneConfig.html',
  lambdaPermission: 'https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html',
  acm: 'https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html',
} as const;

/** Load balancer and target group names: at most 32 characters (CreateLoadBalancer, CreateTargetGroup). */
export const ELB_NAME_MAX_LENGTH = 32;

/** Letters, digits and hyphens, not starting or ending with a hyphen (ELB names). */
const ELB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** EC2 security group names and descriptions: a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* */
const EC2_TEXT = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
const IAM_NAME = /^[\w+=,.@-]+$/;
/** Printable ASCII and Latin-1 (no other Unicode). */
const IAM_DESCRIPTION = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/;
const COGNITO_NAME = /^[\w\s+=,.@-]+$/;

export const AWS_LIMITS: readonly AwsLimit[] = [
  { type: 'aws_lb', attribute: 'name', min: 1, max: ELB_NAME_MAX_LENGTH, pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, allowed: 'letters, digits and hyphens, not starting or ending with a hyphen nor with "internal-"', page: API.elb },
  { type: 'aws_lb_target_group', attribute: 'name', min: 1, max: ELB_NAME_MAX_LENGTH, pattern: ELB_NAME, allowed: 'letters, digits and hyphens, not starting or ending with a hyphen', page: API.targetGroup },
  { type: 'aws_lb_listener_rule', attribute: 'condition.path_pattern.values', min: 1, max: 128, allowed: 'a path pattern', page: API.listenerRule },
  { type: 'aws_lb_listener_rule', attribute: 'condition.host_header.values', min: 1, max: 128, pattern: /^[A-Za-z0-9.*?-]+$/, allowed: 'letters, digits, "-", "." and the wildcards * and ?', page: API.listenerRule },
  { type: 'aws_security_group', attribute: 'name', min: 1, max: 255, pattern: /^(?!sg-)[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, allowed: 'a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with "sg-"', page: API.securityGroup },
  { type: 'aws_security_group', attribute: 'description', max: 255, pattern: EC2_TEXT, allowed: 'a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*', page: API.securityGroup },
  { type: 'aws_vpc_security_group_ingress_rule', attribute: 'description', max: 255, pattern: EC2_TEXT, allowed: 'a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*', page: API.ipRange },
  { type: 'aws_vpc_security_group_egress_rule', attribute: 'description', max: 255, pattern: EC2_TEXT, allowed: 'a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*', page: API.ipRange },
  { type: 'aws_wafv2_web_acl', attribute: 'name', min: 1, max: 128, pattern: /^[\w-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.wafAcl },
  { type: 'aws_wafv2_web_acl', attribute: 'description', min: 1, max: 256, pattern: /^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$/, allowed: 'letters, digits, spaces and +=:#@/-,. (no leading or trailing space)', page: API.wafAcl },
  { type: 'aws_wafv2_web_acl', attribute: 'rule.name', min: 1, max: 128, pattern: /^[\w-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.wafAcl },
  { type: 'aws_wafv2_web_acl', attribute: 'visibility_config.metric_name', min: 1, max: 128, pattern: /^[\w-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.wafMetric },
  { type: 'aws_wafv2_web_acl', attribute: 'rule.visibility_config.metric_name', min: 1, max: 128, pattern: /^[\w-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.wafMetric },
  { type: 'aws_cloudwatch_log_group', attribute: 'name', min: 1, max: 512, pattern: /^(?!aws\/)[.\-_/#A-Za-z0-9]+$/, allowed: 'letters, digits and ._-/#, not starting with "aws/"', page: API.logGroup },
  { type: 'aws_cloudwatch_log_delivery_source', attribute: 'name', min: 1, max: 60, pattern: /^[\w-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.deliverySource },
  { type: 'aws_cloudwatch_log_delivery_destination', attribute: 'name', min: 1, max: 60, pattern: /^[\w-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.deliveryDestination },
  { type: 'aws_iam_role', attribute: 'name', min: 1, max: 64, pattern: IAM_NAME, allowed: 'letters, digits and +=,.@_-', page: API.iamRole },
  { type: 'aws_iam_role', attribute: 'description', max: 1000, pattern: IAM_DESCRIPTION, allowed: 'printable ASCII and Latin-1 characters', page: API.iamRole },
  { type: 'aws_iam_role_policy', attribute: 'name', min: 1, max: 128, pattern: IAM_NAME, allowed: 'letters, digits and +=,.@_-', page: API.iamRolePolicy },
  { type: 'aws_cognito_user_pool', attribute: 'name', min: 1, max: 128, pattern: COGNITO_NAME, allowed: 'letters, digits, spaces and +=,.@_-', page: API.userPool },
  { type: 'aws_cognito_user_pool_client', attribute: 'name', min: 1, max: 128, pattern: COGNITO_NAME, allowed: 'letters, digits, spaces and +=,.@_-', page: API.userPoolClient },
  { type: 'aws_cognito_resource_server', attribute: 'name', min: 1, max: 256, pattern: COGNITO_NAME, allowed: 'letters, digits, spaces and +=,.@_-', page: API.resourceServer },
  { type: 'aws_cognito_resource_server', attribute: 'identifier', min: 1, max: 256, pattern: /^[\x21\x23-\x5B\x5D-\x7E]+$/, allowed: 'printable ASCII without spaces, " or \\', page: API.resourceServer },
  { type: 'aws_cognito_resource_server', attribute: 'scope.scope_name', min: 1, max: 256, pattern: /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/, allowed: 'printable ASCII without spaces, ", \\ or /', page: API.scope },
  { type: 'aws_cognito_resource_server', attribute: 'scope.scope_description', min: 1, max: 256, allowed: 'any text', page: API.scope },
  { type: 'aws_s3_bucket', attribute: 'bucket', min: 3, max: 63, pattern: /^(?!xn--|sthree-|amzn-s3-demo-)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]*[a-z0-9](?<!-s3alias|--ol-s3|\.mrap|--x-s3)$/, allowed: 'lower-case letters, digits, "." and "-", starting and ending with a letter or digit, no "..", not an IP address, none of the reserved prefixes and suffixes', page: API.bucket },
  { type: 'aws_kms_alias', attribute: 'name', min: 1, max: 256, pattern: /^alias\/(?!aws\/)[A-Za-z0-9:/_-]+$/, allowed: '"alias/" then letters, digits and :/_-, not "alias/aws/"', page: API.kmsAlias },
  { type: 'aws_kms_key', attribute: 'description', max: 8192, allowed: 'any text', page: API.kmsKey },
  { type: 'aws_secretsmanager_secret', attribute: 'name', min: 1, max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/, allowed: 'letters, digits and /_+=.@-', page: API.secret },
  { type: 'aws_api_gateway_stage', attribute: 'stage_name', min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.stage },
  { type: 'aws_cloudfront_distribution', attribute: 'comment', max: 128, allowed: 'any text', page: API.distribution },
  { type: 'aws_cloudfront_response_headers_policy', attribute: 'comment', max: 128, allowed: 'any text', page: API.headersPolicy },
  { type: 'aws_route53_zone', attribute: 'comment', max: 256, allowed: 'any text', page: API.zone },
  // "The first domain name you enter cannot exceed 64 octets, including periods" (RequestCertificate, DomainName).
  { type: 'aws_acm_certificate', attribute: 'domain_name', min: 1, max: 64, pattern: /^(\*\.)?[a-z0-9.-]+$/, allowed: 'a DNS name (the certificate\'s first name)', page: API.acm },
  { type: 'aws_lambda_permission', attribute: 'statement_id', min: 1, max: 100, pattern: /^[A-Za-z0-9_-]+$/, allowed: 'letters, digits, "_" and "-"', page: API.lambdaPermission },
];

/** The row of `type`'s `attribute` (the schema checks environment values against the same rows the stacks are checked by). */
export function awsLimit(type: string, attribute: string): AwsLimit {
  const limit = AWS_LIMITS.find((l) => l.type === type && l.attribute === attribute);
  if (!limit) throw new Error(`no AWS limit for ${type}.${attribute} in packages/constructs/src/aws-limits.ts`);
  return limit;
}

/** What AWS accepts instead, when `value` breaks `limit` (length in characters, the pattern as a whole); undefined when it is fine. */
export function checkAwsLimit(limit: AwsLimit, value: string): string | undefined {
  const length = [...value].length;
  const tooShort = limit.min !== undefined && length < limit.min;
  if (length > limit.max || tooShort || (limit.pattern && !limit.pattern.test(value))) {
    const size = `${limit.min ?? 0} to ${limit.max} characters`;
    return `${size} of ${limit.allowed}; this one has ${length} (AWS: ${limit.page})`;
  }
  return undefined;
}

/**
 * Tags, as AWS's services accept them in common (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html):
 * at most 50 per resource, keys of up to 128 and values of up to 256 characters of letters, digits, spaces and
 * `_ . : / = + - @` (some services refuse others), and no key starting with `aws:` (reserved for AWS).
 */
export const TAG_LIMITS = {
  perResource: 50,
  keyMax: 128,
  valueMax: 256,
  characters: /^[\p{L}\p{N}\p{Zs}_.:/=+\-@]*$/u,
  reservedPrefix: 'aws:',
  page: 'https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html',
} as const;

/**
 * The Regions of the `aws` partition (the platform's ARNs are `arn:aws:`; GovCloud and China are other partitions), as
 * AWS's endpoint data lists them in 2026-11 (botocore 1.43's endpoints.json) and
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html does. A Region AWS opens later is
 * added here; the schema's message says so.
 */
export const AWS_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1',
  'us-west-2',
];

/** CloudFront's quota of cache behaviours per distribution (adjustable; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html). */
export const MAX_CACHE_BEHAVIORS = 75;

/** Custom response headers policies an account may have (the same CloudFront quotas page). */
export const MAX_RESPONSE_HEADERS_POLICIES = 20;

/** Reserved words AWS refuses in a Cognito prefix domain ("Domain cannot contain reserved word"). */
export const COGNITO_DOMAIN_RESERVED_WORDS = ['aws', 'amazon', 'cognito'] as const;

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** API Gateway quota: resources per REST API (the root `/` counts as one). */
export const MAX_API_GATEWAY_RESOURCES = 300;

/** The HTTP methods an API Gateway REST API method may have (PutMethod's httpMethod; ANY matches every method). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

/** CloudFront's price classes (a distribution's PriceClass). */
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/**
 * API Gateway resources an API needs: the root and every distinct path below it. The API's name is not
 * one of them: the private custom domain's base path mapping (`/<name>`) strips it before the API sees the path.
 */
export function countApiResources(api: { readonly routes: readonly { readonly path: string }[] }): number {
  const paths = new Set<string>();
  for (const route of api.routes) {
    const segments = route.path === '/' ? [] : route.path.slice(1).split('/');
    for (let i = 1; i <= segments.length; i++) paths.add(segments.slice(0, i).join('/'));
  }
  return 1 + paths.size; // and `/`
}
