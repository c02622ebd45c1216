/**
 * The viewer side of the edge: the CloudFront VPC origin for the internal ALB,
 * the distribution (one origin, two behaviours per API), the response headers
 * policies (security headers on every answer; CORS for each API's allowed
 * origins), and standard access logging (v2) to CloudWatch Logs.
 */
import { CloudfrontDistribution, type CloudfrontDistributionOrderedCacheBehavior, type CloudfrontDistributionOrigin } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import { CloudfrontVpcOrigin } from '@cdktf/provider-aws/lib/cloudfront-vpc-origin';
import { CloudwatchLogDelivery } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery';
import { CloudwatchLogDeliveryDestination } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination';
import { CloudwatchLogDeliverySource } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery-source';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import type { PriceClass } from '.';
import type { CorsPlan } from '../private-api';
import type { OriginRoute } from './load-balancer';
import { MAX_RESPONSE_HEADERS_POLICIES } from '../aws-limits';

/**
 * AWS managed policy ids. They are fixed and documented (CloudFront developer guide, "managed cache policies" and
 * "managed origin request policies"); using them instead of name lookups keeps plans free of CloudFront API reads,
 * which the local emulator does not implement.
 */
export const MANAGED_CACHE_POLICY_CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
/** Forwards every viewer header (Authorization included), cookie and query string; Host becomes the origin's name. */
export const MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

export const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
export const CACHED_METHODS = ['GET', 'HEAD'];
export const VIEWER_TLS_POLICY = 'TLSv1.2_2021';
/** 2 years, the HSTS preload list's minimum is 1 year. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** How long Terraform waits for a VPC origin to be Deployed (the provider's default is 15 minutes, AWS says up to 15). */
export const VPC_ORIGIN_TIMEOUTS = { create: '45m', update: '45m', delete: '45m' } as const;

/** The CloudFront origin id of the private custom domain behind the ALB; every behaviour points at it. */
export const API_ORIGIN_ID = 'private-apis';

/** Custom response headers policies an account may have; APIs that allow the same origins share one policy. */
export { MAX_RESPONSE_HEADERS_POLICIES };

/**
 * The CORS headers CloudFront removes from the origin's answer before it adds its own: so only the
 * policy decides, and a disallowed origin gets none even if a backend (HTTP or Lambda proxy) sends some.
 */
export const CORS_RESPONSE_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Headers',
  'Access-Control-Allow-Methods',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
];

/** What the behaviours of one API need: its path prefix and who may read its answers cross-origin. */
export interface DistributionApi extends OriginRoute {
  /** Absent: no browser origin may read the answers (no CORS headers at all). */
  readonly cors?: CorsPlan;
}

export interface ApiDistributionProps {
  readonly namePrefix: string;
  readonly domainName: string;
  readonly originDomainName: string;
  readonly viewerCertificateArn: string;
  readonly loadBalancerArn: string;
  readonly apis: readonly DistributionApi[];
  readonly webAclArn: string;
  readonly priceClass: PriceClass;
  readonly waitForDeployment: boolean;
  readonly originVerify?: { readonly headerName: string; readonly value: string };
  readonly usEast1Provider: AwsProvider;
  readonly logRetentionDays: number;
  /** KMS key (us-east-1) of the access log group. @default - CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  readonly preventDestroy: boolean;
}

export class ApiDistribution extends Construct {
  readonly vpcOrigin: CloudfrontVpcOrigin;
  readonly distribution: CloudfrontDistribution;
  /** Security headers only: the default behaviour and the APIs that allow no cross-origin caller. */
  readonly responseHeadersPolicy: CloudfrontResponseHeadersPolicy;
  /** Security headers and CORS, one per set of allowed origins (by the origins' key). */
  readonly corsPolicies: Record<string, CloudfrontResponseHeadersPolicy> = {};
  readonly accessLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ApiDistributionProps) {
    super(scope, id);
    const name = `${props.namePrefix}-edge`;

    // The API requires both ports; with https-only CloudFront never uses 80 (the ALB has no listener there).
    const endpointSettings = { name, httpPort: 80, httpsPort: 443, originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] };
    // CloudFront refuses to update a VPC origin a distribution uses (409). So a settings change replaces it instead:
    // the new origin is created, the distribution moved to it, and only then the old one deleted. A new ALB (its ARN)
    // is such a change: the old ALB is deleted only after the old VPC origin that points at it.
    const settingsVersion = new ReplacementTrigger(this, 'vpc-origin-settings', { ...endpointSettings, arn: props.loadBalancerArn });
    this.vpcOrigin = new CloudfrontVpcOrigin(this, 'vpc-origin', {
      vpcOriginEndpointConfig: [
        {
          ...endpointSettings,
          arn: props.loadBalancerArn,
          originSslProtocols: [{ items: endpointSettings.originSslProtocols, quantity: endpointSettings.originSslProtocols.length }],
        },
      ],
      tags: { Name: name },
      // A bare address: Terraform's JSON syntax does not accept "${...}" in replace_triggered_by (cdktf writes that for a construct).
      lifecycle: { createBeforeDestroy: true, replaceTriggeredBy: [`${ReplacementTrigger.tfResourceType}.${settingsVersion.friendlyUniqueId}`] },
      // AWS: "Wait for your VPC origin status to change to Deployed. This can take up to 15 minutes" (Restrict access with
      // VPC origins); the provider waits 15 minutes by default and its own tests take about 21: give it room.
      timeouts: VPC_ORIGIN_TIMEOUTS,
    });

    const securityHeadersConfig = {
      strictTransportSecurity: { accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS, includeSubdomains: true, preload: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: 'DENY', override: true },
      referrerPolicy: { referrerPolicy: 'strict-origin-when-cross-origin', override: true },
      xssProtection: { protection: true, modeBlock: true, override: true },
      // JSON APIs render nothing: no source is needed, and no page may frame a response.
      contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'", override: true },
    };
    // CloudFront applies a response headers policy to the answers it forwards from the origin, whatever their status
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/modifying-response-headers.html): so the
    // integration's 200 and API Gateway's own 401/403/5xx all get the same headers.
    const removeCorsHeaders = { items: CORS_RESPONSE_HEADERS.map((header) => ({ header })) };
    this.responseHeadersPolicy = new CloudfrontResponseHeadersPolicy(this, 'security-headers', {
      name: `${name}-security-headers`,
      comment: 'Security headers on every API response; no CORS',
      securityHeadersConfig,
      // An API that allows no origin answers no CORS header, whatever its backend sends.
      removeHeadersConfig: removeCorsHeaders,
    });

    // CORS on every answer, for the allowed origins only. CloudFront adds Access-Control-Allow-Origin when the request's
    // Origin is one of the listed ones (and Allow-Methods, Allow-Headers, Max-Age to preflights); the origin's own CORS
    // headers are removed first, so a disallowed origin gets none
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html).
    const groups = new Map<string, CorsPlan[]>();
    for (const api of props.apis) {
      if (api.cors) groups.set(corsKey(api.cors), [...(groups.get(corsKey(api.cors)) ?? []), api.cors]);
    }
    if (groups.size + 1 > MAX_RESPONSE_HEADERS_POLICIES) {
      throw new Error(
        `edge: the APIs allow ${groups.size} different sets of CORS origins, which need ${groups.size + 1} response headers policies; ` +
          `an AWS account holds at most ${MAX_RESPONSE_HEADERS_POLICIES}: give APIs the same corsAllowOrigins`,
      );
    }
    for (const [key, plans] of groups) {
      // Named by its origins: adding an API with other origins neither renames nor replaces this policy.
      const suffix = createHash('sha256').update(key).digest('hex').slice(0, 8);
      this.corsPolicies[key] = new CloudfrontResponseHeadersPolicy(this, `cors-${suffix}`, {
        name: `${name}-cors-${suffix}`,
        comment: `Security headers and CORS for ${plans[0]!.allowOrigins.join(' ').slice(0, 90)}`,
        securityHeadersConfig,
        removeHeadersConfig: removeCorsHeaders,
        corsConfig: {
          accessControlAllowOrigins: { items: [...plans[0]!.allowOrigins].sort() },
          // The union of the methods of the APIs that share these origins: allowing a method an API lacks opens nothing
          // (API Gateway answers it 404, and every route still needs its token).
          accessControlAllowMethods: { items: [...new Set(plans.flatMap((p) => p.allowMethods))].sort() },
          accessControlAllowHeaders: { items: [...plans[0]!.allowHeaders] },
          accessControlMaxAgeSec: plans[0]!.maxAgeSeconds,
          // Bearer tokens travel in a header, not in cookies: browsers need no credentials mode.
          accessControlAllowCredentials: false,
          originOverride: true,
        },
        // Other origins are another policy: the distribution must move to the new one before the old is deleted, as
        // CloudFront refuses to delete a policy a cache behavior uses (ResponseHeadersPolicyInUse). Found by the
        // IAM audit's lifecycle, whose change of CORS origins failed without it.
        lifecycle: { createBeforeDestroy: true },
      });
    }
    const headersPolicyOf = (api: DistributionApi) => (api.cors ? this.corsPolicies[corsKey(api.cors)]! : this.responseHeadersPolicy).id;

    // One origin: the ALB forwards `/<api>/...` with CloudFront's Host, the private custom domain picks the API by path.
    const origins: CloudfrontDistributionOrigin[] = [
      {
        originId: API_ORIGIN_ID,
        // Not resolved by CloudFront: a VPC origin is reached by its id. CloudFront sends this name as SNI and as Host
        // (the origin request policy forwards every viewer header except Host), checks the ALB's certificate against
        // it, and API Gateway selects the private custom domain name by it.
        domainName: props.originDomainName,
        vpcOriginConfig: { vpcOriginId: this.vpcOrigin.id, originReadTimeout: 30, originKeepaliveTimeout: 5 },
        customHeader: props.originVerify ? [{ name: props.originVerify.headerName, value: props.originVerify.value }] : undefined,
      },
    ];

    const apiBehaviour = (api: DistributionApi, pathPattern: string): CloudfrontDistributionOrderedCacheBehavior => ({
      pathPattern,
      targetOriginId: API_ORIGIN_ID,
      viewerProtocolPolicy: 'https-only',
      allowedMethods: ALL_METHODS,
      cachedMethods: CACHED_METHODS,
      cachePolicyId: MANAGED_CACHE_POLICY_CACHING_DISABLED,
      originRequestPolicyId: MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicyId: headersPolicyOf(api),
      compress: true,
    });
    // `/<name>/*` does not match `/<name>` itself, which is the API's root resource (route "/").
    const behaviours = props.apis.flatMap((api) => [apiBehaviour(api, `/${api.name}`), apiBehaviour(api, `/${api.name}/*`)]);

    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      enabled: true,
      comment: distributionComment(props.namePrefix, props.apis.map((a) => a.name)),
      aliases: [props.domainName],
      priceClass: props.priceClass,
      waitForDeployment: props.waitForDeployment,
      httpVersion: 'http2and3',
      isIpv6Enabled: true,
      webAclId: props.webAclArn,
      origin: origins,
      orderedCacheBehavior: behaviours,
      // Every path that is not an API's: read-only, uncached, and nothing of the viewer's forwarded. No listener rule
      // of the ALB forwards it: the ALB answers 404.
      defaultCacheBehavior: {
        targetOriginId: API_ORIGIN_ID,
        viewerProtocolPolicy: 'https-only',
        allowedMethods: CACHED_METHODS,
        cachedMethods: CACHED_METHODS,
        cachePolicyId: MANAGED_CACHE_POLICY_CACHING_DISABLED,
        responseHeadersPolicyId: this.responseHeadersPolicy.id,
        compress: true,
      },
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: { acmCertificateArn: props.viewerCertificateArn, sslSupportMethod: 'sni-only', minimumProtocolVersion: VIEWER_TLS_POLICY },
      tags: { Name: name },
      // The VPC origin is in use while a distribution references it: create it first, remove the reference first.
      dependsOn: [this.vpcOrigin],
    });

    // Standard logging v2 (CloudWatch vended logs): no ACL-enabled bucket as legacy logging needs. CloudFront's
    // delivery source exists in us-east-1 only, and so does the group it writes to.
    this.accessLogGroup = new CloudwatchLogGroup(this, 'access-log-group', {
      provider: props.usEast1Provider,
      name: `/aws/cloudfront/${name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    const source = new CloudwatchLogDeliverySource(this, 'access-log-source', {
      provider: props.usEast1Provider,
      name: `${name}-access-logs`,
      logType: 'ACCESS_LOGS',
      resourceArn: this.distribution.arn,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, 'access-log-destination', {
      provider: props.usEast1Provider,
      name: `${name}-access-logs`,
      outputFormat: 'json',
      deliveryDestinationConfiguration: [{ destinationResourceArn: this.accessLogGroup.arn }],
    });
    new CloudwatchLogDelivery(this, 'access-log-delivery', {
      provider: props.usEast1Provider,
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
    });
  }
}

/** Sorted origins: APIs that allow the same origins share one policy. */
function corsKey(cors: CorsPlan): string {
  return JSON.stringify([...cors.allowOrigins].sort());
}

/** CloudFront's distribution comment holds at most 128 characters (CloudFront quotas, "DistributionConfig Comment"). */
export const MAX_DISTRIBUTION_COMMENT = 128;

/** `<prefix>: private APIs (/a, /b)`, shortened to fit CloudFront's 128 characters. */
export function distributionComment(namePrefix: string, apiNames: readonly string[]): string {
  const full = `${namePrefix}: private APIs (${apiNames.map((n) => `/${n}`).join(', ')})`;
  if (full.length <= MAX_DISTRIBUTION_COMMENT) return full;
  const short = `${namePrefix}: ${apiNames.length} private APIs`;
  return short.slice(0, MAX_DISTRIBUTION_COMMENT);
}

/**
 * A `terraform_data` resource that only holds `triggers_replace`: a resource that names it in
 * `replace_triggered_by` is replaced whenever these values change.
 *
 * cdktf's own DataResource does the same, but also adds a synth-time check that runs
 * `terraform version` once per stack (about 60 ms each, on every synth). The stacks state
 * their Terraform version instead (`required_version`, stacks/backend.ts), which Terraform
 * itself enforces where it runs.
 */
class ReplacementTrigger extends TerraformResource {
  static readonly tfResourceType = 'terraform_data';

  constructor(
    scope: Construct,
    id: string,
    private readonly triggersReplace: Record<string, unknown>,
  ) {
    super(scope, id, { terraformResourceType: ReplacementTrigger.tfResourceType, terraformGeneratorMetadata: { providerName: 'terraform' } });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { triggers_replace: this.triggersReplace };
  }
}
