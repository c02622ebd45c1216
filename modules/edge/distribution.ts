/**
 * The viewer side of the edge: the CloudFront VPC origin for the internal ALB,
 * the distribution (one origin and two behaviours per API), the security
 * response headers, and standard access logging (v2) to CloudWatch Logs.
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
import type { PriceClass } from '.';
import { API_ID_HEADER, type OriginRoute } from './load-balancer';

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

/** The CloudFront origin id of an API; its behaviours point at it. */
export const originIdOf = (apiName: string) => `api-${apiName}`;

export interface ApiDistributionProps {
  readonly namePrefix: string;
  readonly domainName: string;
  readonly originDomainName: string;
  readonly viewerCertificateArn: string;
  readonly loadBalancerArn: string;
  readonly routes: readonly OriginRoute[];
  readonly webAclArn: string;
  readonly priceClass: PriceClass;
  readonly waitForDeployment: boolean;
  readonly originVerify?: { readonly headerName: string; readonly value: string };
  readonly usEast1Provider: AwsProvider;
  readonly logRetentionDays: number;
  readonly preventDestroy: boolean;
}

export class ApiDistribution extends Construct {
  readonly vpcOrigin: CloudfrontVpcOrigin;
  readonly distribution: CloudfrontDistribution;
  readonly responseHeadersPolicy: CloudfrontResponseHeadersPolicy;
  readonly accessLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ApiDistributionProps) {
    super(scope, id);
    const name = `${props.namePrefix}-edge`;

    // The API requires both ports; with https-only CloudFront never uses 80 (the ALB has no listener there).
    const endpointSettings = { name, httpPort: 80, httpsPort: 443, originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] };
    // CloudFront refuses to update a VPC origin a distribution uses (409). So a settings change replaces it instead:
    // the new origin is created, the distribution moved to it, and only then the old one deleted.
    const settingsVersion = new ReplacementTrigger(this, 'vpc-origin-settings', endpointSettings);
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
    });

    this.responseHeadersPolicy = new CloudfrontResponseHeadersPolicy(this, 'security-headers', {
      name: `${name}-security-headers`,
      comment: 'Security headers on every API response',
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS, includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: 'DENY', override: true },
        referrerPolicy: { referrerPolicy: 'strict-origin-when-cross-origin', override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
        // JSON APIs render nothing: no source is needed, and no page may frame a response.
        contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'", override: true },
      },
    });

    const origins: CloudfrontDistributionOrigin[] = props.routes.map((route) => ({
      originId: originIdOf(route.name),
      // Not resolved by CloudFront: a VPC origin is reached by its id. The name is what CloudFront sends as SNI and
      // Host and checks the ALB's certificate against, so it must be covered by the origin certificate.
      domainName: props.originDomainName,
      // API Gateway expects the stage first; the API's resources already start with /<api name>.
      originPath: `/${route.stageName}`,
      vpcOriginConfig: { vpcOriginId: this.vpcOrigin.id, originReadTimeout: 30, originKeepaliveTimeout: 5 },
      // CloudFront replaces a viewer header of the same name, so a viewer cannot pick another API.
      customHeader: [
        { name: API_ID_HEADER, value: route.restApiId },
        ...(props.originVerify ? [{ name: props.originVerify.headerName, value: props.originVerify.value }] : []),
      ],
    }));

    const apiBehaviour = (route: OriginRoute, pathPattern: string): CloudfrontDistributionOrderedCacheBehavior => ({
      pathPattern,
      targetOriginId: originIdOf(route.name),
      viewerProtocolPolicy: 'https-only',
      allowedMethods: ALL_METHODS,
      cachedMethods: CACHED_METHODS,
      cachePolicyId: MANAGED_CACHE_POLICY_CACHING_DISABLED,
      originRequestPolicyId: MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicyId: this.responseHeadersPolicy.id,
      compress: true,
    });
    // `/<name>/*` does not match `/<name>` itself, which is the API's root resource (route "/").
    const behaviours = props.routes.flatMap((route) => [apiBehaviour(route, `/${route.name}`), apiBehaviour(route, `/${route.name}/*`)]);

    const firstRoute = props.routes[0]!;
    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      enabled: true,
      comment: `${props.namePrefix}: private APIs (${props.routes.map((r) => `/${r.name}`).join(', ')})`,
      aliases: [props.domainName],
      priceClass: props.priceClass,
      waitForDeployment: props.waitForDeployment,
      httpVersion: 'http2and3',
      isIpv6Enabled: true,
      webAclId: props.webAclArn,
      origin: origins,
      orderedCacheBehavior: behaviours,
      // Every path that is not an API's: read-only, uncached, and nothing of the viewer's forwarded. It reaches the
      // ALB as /<stage>/<path> with the first API's id, which no listener rule forwards: the ALB answers 404.
      defaultCacheBehavior: {
        targetOriginId: originIdOf(firstRoute.name),
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
