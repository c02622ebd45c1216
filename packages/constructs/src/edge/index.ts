/**
 * The only door to the private APIs: CloudFront (with WAF) -> VPC origin ->
 * internal ALB (HTTPS) -> the execute-api endpoint's private IPs -> the private
 * custom domain name that CloudFront's Host names -> the API mapped at the
 * path's first segment.
 *
 * Pieces, each in its own file: `certificates.ts` (zone, viewer and origin
 * certificates), `load-balancer.ts` (ALB, target group, security group rules,
 * access-log bucket), `web-acl.ts` (WAF and its logs), `distribution.ts` (VPC
 * origin, distribution, security headers, access logs), `origin-verify.ts`
 * (the optional secret header). See README.md for the request path.
 */
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { PrivateCustomDomain, type CorsPlan, type MappedApi } from '../private-api';
import { CLOUDWATCH_RETENTION_DAYS, ELB_NAME_MAX_LENGTH, MAX_CACHE_BEHAVIORS, type PRICE_CLASSES } from '../aws-limits';
import { EdgeDns, type CertificateConfig, type HostedZoneConfig } from './certificates';
import { ApiDistribution } from './distribution';
import { OriginLoadBalancer } from './load-balancer';
import { OriginVerifySecret } from './origin-verify';
import { EdgeWebAcl, type ManagedRuleOverride } from './web-acl';

export * from './certificates';
export * from './distribution';
export * from './load-balancer';
export * from './origin-verify';
export * from './web-acl';

export type PriceClass = (typeof PRICE_CLASSES)[number];

/** What the edge needs of the network; `Network` has these fields. */
export interface EdgeNetwork {
  readonly vpcId: string;
  /** The private subnets of the ALB; the execute-api endpoint has one network interface in each. */
  readonly privateSubnetIds: string[];
  /** The execute-api interface endpoint: its id (the private custom domain's access association) and its network interfaces (the ALB's targets). */
  readonly executeApiEndpoint: { readonly id: string; readonly networkInterfaceIds: string[] };
  /** The endpoint's security group: the edge adds the ingress rule from the ALB. */
  readonly executeApiEndpointSecurityGroup: { readonly id: string };
}

/** What the edge needs of an API; `PrivateApi` has these fields. */
export interface EdgeApi extends MappedApi {
  /** Who may read the answers cross-origin (CloudFront's response headers policy); absent: nobody. */
  readonly cors?: CorsPlan;
}

export interface EdgeProps {
  /** Prefix of every name (ALB, target group, WAF, buckets, log groups), e.g. `platform-dev`. At most 20 characters. */
  readonly namePrefix: string;
  /** The account the stack deploys to: the ALB log bucket's name and its log-delivery policy use it. */
  readonly accountId: string;
  /** The environment's region (the ALB's): decides who may write ALB access logs. */
  readonly region: string;
  /** Private subnets, the execute-api endpoint and its security group (this module adds its ingress rule). */
  readonly network: EdgeNetwork;
  /** The APIs, each mounted at `/<name>` and `/<name>/*` and mapped at base path `<name>` of the private custom domain; at least one. */
  readonly apis: readonly EdgeApi[];
  /** The provider for us-east-1: WAF (CLOUDFRONT scope), the viewer certificate, CloudFront's log delivery. */
  readonly usEast1Provider: AwsProvider;
  /** The host name viewers use: the distribution's alias. */
  readonly domainName: string;
  /**
   * The host name CloudFront uses towards the ALB (SNI, Host, certificate check) and the private custom domain
   * name of the APIs; it needs no public DNS record.
   */
  readonly originDomainName: string;
  /** Certificate for `domainName`: by ARN (must be in us-east-1) or created and DNS-validated in `hostedZone`. */
  readonly viewerCertificate: CertificateConfig;
  /** Certificate for `originDomainName` (the ALB's listener and the private custom domain): by ARN (in `region`) or created and DNS-validated in `hostedZone`. */
  readonly originCertificate: CertificateConfig;
  /**
   * Route 53 zone for certificate validation and the A/AAAA alias records of `domainName`.
   * @default - no records are managed: both certificates must be given by ARN, DNS is pointed by hand
   */
  readonly hostedZone?: HostedZoneConfig;
  /** WAF rate-based rule: requests one IP may send in a 5-minute window before it is blocked. */
  readonly wafRateLimit: number;
  /**
   * Managed WAF rules that count instead of block (see EdgeWebAclProps.ruleOverrides).
   * @default - none: every managed rule blocks
   */
  readonly wafRuleOverrides?: readonly ManagedRuleOverride[];
  /**
   * CloudFront edge locations to use.
   * @default 'PriceClass_100' - North America and Europe
   */
  readonly priceClass?: PriceClass;
  /**
   * Add a secret header at CloudFront and require it on every ALB forwarding rule (defence in depth only).
   * @default false - no secret header; the internal ALB and its security group are the control
   */
  readonly originVerifyHeader?: boolean;
  /**
   * Retention of the WAF and CloudFront log groups and of the ALB access-log objects; a period CloudWatch accepts.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * KMS key in us-east-1 that encrypts the WAF and CloudFront log groups (both live there).
   * @default - CloudWatch Logs' own encryption
   */
  readonly usEast1LogKmsKeyArn?: string;
  /**
   * Whether `cdktf deploy` waits until CloudFront reports the distribution deployed to its edge locations.
   * @default true - a deploy ends when viewers can use the change; turn it off only where nothing propagates (the emulator)
   */
  readonly waitForDeployment?: boolean;
  /**
   * Deletion protection on the ALB.
   * @default true - turn it off for throwaway environments only
   */
  readonly deletionProtection?: boolean;
  /**
   * `lifecycle.prevent_destroy` on the log bucket, log groups, hosted zone and secret.
   * @default false - they are destroyed with the stack (the log bucket with its objects)
   */
  readonly preventDestroy?: boolean;
}

/** A prop the module cannot work with; the message names the prop, the value and what would be valid. */
export class EdgeConfigError extends Error {
  override readonly name = 'EdgeConfigError';
}

export { MAX_CACHE_BEHAVIORS } from '../aws-limits';
/** Each API takes two behaviours. */
export const MAX_APIS = Math.floor(MAX_CACHE_BEHAVIORS / 2);

/** `-execute-api` is the longest suffix of a 32-character ALB or target group name. */
export const MAX_NAME_PREFIX_LENGTH = ELB_NAME_MAX_LENGTH - '-execute-api'.length;

export class Edge extends Construct {
  readonly distribution: ApiDistribution;
  readonly loadBalancer: OriginLoadBalancer;
  readonly webAcl: EdgeWebAcl;
  readonly dns: EdgeDns;
  /** The private custom domain name (`originDomainName`) that maps each API's base path to its stage. */
  readonly privateDomain: PrivateCustomDomain;
  readonly originVerify?: OriginVerifySecret;

  /** CloudFront distribution id (for invalidations and the console). */
  get distributionId(): string {
    return this.distribution.distribution.id;
  }
  /** `dxxxx.cloudfront.net`: where the alias records of `domainName` point. */
  get distributionDomainName(): string {
    return this.distribution.distribution.domainName;
  }
  get distributionArn(): string {
    return this.distribution.distribution.arn;
  }
  get vpcOriginId(): string {
    return this.distribution.vpcOrigin.id;
  }
  get loadBalancerArn(): string {
    return this.loadBalancer.loadBalancer.arn;
  }
  /** The internal ALB's DNS name (resolves to private IPs; for debugging from inside the VPC). */
  get loadBalancerDnsName(): string {
    return this.loadBalancer.loadBalancer.dnsName;
  }
  get webAclArn(): string {
    return this.webAcl.webAcl.arn;
  }
  get targetGroupArn(): string {
    return this.loadBalancer.targetGroup.arn;
  }

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    validate(props);
    const logRetentionDays = props.logRetentionDays ?? 30;
    const preventDestroy = props.preventDestroy ?? false;
    const { namePrefix } = props;

    this.dns = new EdgeDns(this, 'dns', {
      namePrefix,
      domainName: props.domainName,
      originDomainName: props.originDomainName,
      hostedZone: props.hostedZone,
      viewerCertificate: props.viewerCertificate,
      originCertificate: props.originCertificate,
      usEast1Provider: props.usEast1Provider,
      preventDestroy,
    });

    if (props.originVerifyHeader) this.originVerify = new OriginVerifySecret(this, 'origin-verify', { namePrefix, preventDestroy });
    const originVerify = this.originVerify ? { headerName: this.originVerify.headerName, value: this.originVerify.value } : undefined;

    // API Gateway's side of the origin host name: the endpoint may call it, and each API has its base path.
    this.privateDomain = new PrivateCustomDomain(this, 'private-domain', {
      domainName: props.originDomainName,
      certificateArn: this.dns.originCertificateArn,
      executeApiEndpointId: props.network.executeApiEndpoint.id,
      apis: props.apis,
    });
    const routes = props.apis.map((api) => ({ name: api.name }));

    this.loadBalancer = new OriginLoadBalancer(this, 'origin', {
      namePrefix,
      accountId: props.accountId,
      region: props.region,
      vpcId: props.network.vpcId,
      privateSubnetIds: props.network.privateSubnetIds,
      executeApiEndpoint: props.network.executeApiEndpoint,
      executeApiEndpointSecurityGroup: props.network.executeApiEndpointSecurityGroup,
      certificateArn: this.dns.originCertificateArn,
      originDomainName: props.originDomainName,
      routes,
      originVerify,
      deletionProtection: props.deletionProtection ?? true,
      logRetentionDays,
      preventDestroy,
    });

    this.webAcl = new EdgeWebAcl(this, 'waf', {
      namePrefix,
      provider: props.usEast1Provider,
      rateLimit: props.wafRateLimit,
      ruleOverrides: props.wafRuleOverrides,
      logRetentionDays,
      logKmsKeyArn: props.usEast1LogKmsKeyArn,
      preventDestroy,
    });

    this.distribution = new ApiDistribution(this, 'cloudfront', {
      namePrefix,
      domainName: props.domainName,
      originDomainName: props.originDomainName,
      viewerCertificateArn: this.dns.viewerCertificateArn,
      loadBalancerArn: this.loadBalancer.loadBalancer.arn,
      apis: props.apis.map((api) => ({ name: api.name, ...(api.cors ? { cors: api.cors } : {}) })),
      webAclArn: this.webAcl.webAcl.arn,
      priceClass: props.priceClass ?? 'PriceClass_100',
      waitForDeployment: props.waitForDeployment ?? true,
      originVerify,
      usEast1Provider: props.usEast1Provider,
      logRetentionDays,
      logKmsKeyArn: props.usEast1LogKmsKeyArn,
      preventDestroy,
    });

    // Viewers find the distribution by name. The origin name gets no record on purpose: CloudFront reaches the ALB
    // through the VPC origin, and a public record would only publish the ALB's private addresses.
    if (this.dns.zoneId) {
      for (const type of ['A', 'AAAA']) {
        new Route53Record(this, `alias-${type.toLowerCase()}`, {
          zoneId: this.dns.zoneId,
          name: props.domainName,
          type,
          alias: { name: this.distributionDomainName, zoneId: this.distribution.distribution.hostedZoneId, evaluateTargetHealth: false },
        });
      }
    }
  }
}

function validate(props: EdgeProps): void {
  const fail = (message: string) => {
    throw new EdgeConfigError(`edge: ${message}`);
  };
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(props.namePrefix) || props.namePrefix.length > MAX_NAME_PREFIX_LENGTH) {
    fail(`namePrefix "${props.namePrefix}" is not valid: use at most ${MAX_NAME_PREFIX_LENGTH} lower-case letters, digits and hyphens (ALB and target group names are capped at ${ELB_NAME_MAX_LENGTH})`);
  }
  if (props.apis.length === 0) fail('apis is empty: give at least one PrivateApi (the distribution needs an origin)');
  const names = props.apis.map((a) => a.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) fail(`apis has "${duplicate}" twice: each API is mounted at its own /<name>`);
  // Two cache behaviours per API (`/<name>` and `/<name>/*`); a distribution holds 75 by default (CloudFront quotas,
  // "Cache behaviors per distribution", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html).
  if (props.apis.length > MAX_APIS) {
    fail(`apis has ${props.apis.length} APIs: each needs 2 cache behaviours and a distribution holds at most ${MAX_CACHE_BEHAVIORS}, so at most ${MAX_APIS} APIs`);
  }
  if (props.network.privateSubnetIds.length < 2) {
    fail(`network has ${props.network.privateSubnetIds.length} private subnet(s): an ALB needs subnets in at least 2 availability zones`);
  }
  if (props.domainName === props.originDomainName) {
    fail(`originDomainName "${props.originDomainName}" equals domainName: use a separate name (e.g. origin.${props.domainName}) so viewers never reach the ALB's name`);
  }
  if (!Number.isInteger(props.wafRateLimit) || props.wafRateLimit < 10 || props.wafRateLimit > 2_000_000_000) {
    fail(`wafRateLimit ${props.wafRateLimit} is not valid: an integer from 10 to 2000000000 (requests per IP per 5 minutes)`);
  }
  if (props.logRetentionDays !== undefined && !(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
    fail(`logRetentionDays ${props.logRetentionDays} is not a retention CloudWatch accepts: one of ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`);
  }
  for (const [field, cert, region] of [
    ['viewerCertificate', props.viewerCertificate, 'us-east-1'],
    ['originCertificate', props.originCertificate, props.region],
  ] as const) {
    if (cert.mode === 'arn' && cert.arn.split(':')[3] !== region) {
      fail(`${field}.arn ${cert.arn} is in ${cert.arn.split(':')[3]}: give a certificate in ${region}${field === 'viewerCertificate' ? ' (CloudFront only uses us-east-1)' : ' (the ALB\'s region)'}`);
    }
    if (cert.mode === 'dns-validated' && !props.hostedZone) {
      fail(`${field} is dns-validated but hostedZone is not set: give the zone for the validation records, or the certificate by ARN`);
    }
  }
  if (props.hostedZone?.mode === 'create') {
    const zone = props.hostedZone.name;
    for (const [field, name] of [['domainName', props.domainName], ['originDomainName', props.originDomainName]] as const) {
      if (name !== zone && !name.endsWith(`.${zone}`)) fail(`${field} "${name}" is not in hostedZone.name "${zone}": use a name below the zone, or another zone`);
    }
  }
}

/** Outputs named for what they expose: the distribution, the VPC origin, the ALB, its target group and the WAF. */
export function addEdgeOutputs(scope: Construct, edge: Edge): void {
  const output = (id: string, value: string, description: string) => new TerraformOutput(scope, id, { value, description });
  output('edge_distribution_id', edge.distributionId, 'CloudFront distribution id (invalidations, console)');
  output('edge_distribution_domain_name', edge.distributionDomainName, 'dxxxx.cloudfront.net: the target of the alias records');
  output('edge_distribution_arn', edge.distributionArn, 'CloudFront distribution ARN');
  output('edge_vpc_origin_id', edge.vpcOriginId, 'CloudFront VPC origin in front of the internal ALB');
  output('edge_alb_arn', edge.loadBalancerArn, 'Internal ALB (CloudFront VPC origin endpoint)');
  output('edge_alb_dns_name', edge.loadBalancerDnsName, 'Internal ALB DNS name (private addresses; from inside the VPC only)');
  output('edge_target_group_arn', edge.targetGroupArn, 'Target group of the execute-api endpoint private IPs');
  output('edge_waf_web_acl_arn', edge.webAclArn, 'WAF web ACL (CLOUDFRONT scope, us-east-1) attached to the distribution');
  output('edge_private_domain_name_id', edge.privateDomain.domainName.domainNameId, 'Id of the private custom domain name (the origin host) that maps /<api> to each API');
}
