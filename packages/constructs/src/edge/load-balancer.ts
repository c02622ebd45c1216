/**
 * The origin side of the edge: an internal ALB in the private subnets whose
 * only targets are the private IPs of the execute-api endpoint's network
 * interfaces, its access-log bucket, and the three security group rules that
 * make CloudFront -> ALB -> endpoint the only path.
 */
import { DataAwsEc2ManagedPrefixList } from '@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list';
import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { DataAwsNetworkInterface } from '@cdktf/provider-aws/lib/data-aws-network-interface';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule, type LbListenerRuleCondition } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktf/provider-aws/lib/lb-target-group-attachment';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, TerraformCount, Token } from 'cdktf';
import { Construct } from 'constructs';

/** The AWS-managed prefix list of CloudFront's origin-facing servers (VPC origins included). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/** TLS 1.3 and 1.2 only (AWS's recommended HTTPS listener policy). */
export const ALB_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** The ALB's generated name starts with this (the provider allows at most 6 characters). */
export const ALB_NAME_PREFIX = 'edge-';

/** Prefix of the ALB access logs inside the log bucket. */
export const ALB_LOG_PREFIX = 'alb';

/**
 * Regions that were available before August 2022: their ELB access logs are written by a regional ELB
 * account (`data "aws_elb_service_account"`); newer regions use the `logdelivery.elasticloadbalancing`
 * service principal, which older regions do not accept.
 */
const ELB_ACCOUNT_REGIONS = new Set([
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-northeast-1',
  'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ca-central-1',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-north-1', 'me-south-1', 'sa-east-1',
  'us-gov-west-1', 'us-gov-east-1',
]);

/** What the ALB forwards for one API: `/<api name>` and below, for the origin host name. */
export interface OriginRoute {
  /** The API's name: its base path on the private custom domain and its path prefix on CloudFront. */
  readonly name: string;
}

export interface OriginLoadBalancerProps {
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  /** The execute-api interface endpoint: its network interfaces are the targets. */
  readonly executeApiEndpoint: { readonly networkInterfaceIds: string[] };
  /** The endpoint's security group: it gets the ingress rule from the ALB. */
  readonly executeApiEndpointSecurityGroup: { readonly id: string };
  /** Regional ACM certificate for the origin host name (validated). */
  readonly certificateArn: string;
  /** The host name CloudFront sends (Host): the only one the forwarding rules accept. */
  readonly originDomainName: string;
  readonly routes: readonly OriginRoute[];
  /** When set, every forwarding rule also requires this header value (defence in depth). */
  readonly originVerify?: { readonly headerName: string; readonly value: string };
  readonly deletionProtection: boolean;
  readonly logRetentionDays: number;
  readonly preventDestroy: boolean;
}

export class OriginLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  readonly listener: LbListener;
  readonly targetGroup: LbTargetGroup;
  readonly securityGroup: SecurityGroup;
  readonly logBucket: S3Bucket;
  /** One attachment resource with `count` = number of endpoint network interfaces. */
  readonly targetAttachments: LbTargetGroupAttachment;
  readonly listenerRules: LbListenerRule[];

  constructor(scope: Construct, id: string, props: OriginLoadBalancerProps) {
    super(scope, id);
    const { namePrefix } = props;
    const tags = (suffix: string) => ({ Name: `${namePrefix}-${suffix}` });

    // --- Access logs: SSE-S3 because ALB log delivery does not support SSE-KMS.
    this.logBucket = new S3Bucket(this, 'access-log-bucket', {
      bucket: `${namePrefix}-alb-logs-${props.accountId}`,
      forceDestroy: !props.preventDestroy,
      tags: tags('alb-logs'),
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    new S3BucketOwnershipControls(this, 'access-log-bucket-ownership', {
      bucket: this.logBucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'access-log-bucket-public-access-block', {
      bucket: this.logBucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'access-log-bucket-encryption', {
      bucket: this.logBucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketLifecycleConfiguration(this, 'access-log-bucket-lifecycle', {
      bucket: this.logBucket.id,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: props.logRetentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    const logWriter = ELB_ACCOUNT_REGIONS.has(props.region)
      ? { AWS: new DataAwsElbServiceAccount(this, 'elb-service-account', {}).arn }
      : { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' };
    const bucketPolicy = new S3BucketPolicy(this, 'access-log-bucket-policy', {
      bucket: this.logBucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowElbAccessLogDelivery',
            Effect: 'Allow',
            Principal: logWriter,
            Action: 's3:PutObject',
            Resource: `${this.logBucket.arn}/${ALB_LOG_PREFIX}/AWSLogs/${props.accountId}/*`,
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.logBucket.arn, `${this.logBucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
      // A policy with a public-looking principal is refused while the block is being created.
      dependsOn: [publicAccessBlock],
    });

    // --- Security groups: rules as separate resources, so no inline rule set fights them.
    // A name prefix, not a name: the ALB's group is replaced before the old one is deleted (see the ALB below), and
    // EC2 refuses a second group of the same name in the VPC (InvalidGroup.Duplicate).
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      namePrefix: `${namePrefix}-edge-alb-`,
      description: 'Internal edge ALB: HTTPS from CloudFront (origin-facing prefix list) only, to the execute-api endpoint only',
      vpcId: props.vpcId,
      tags: tags('edge-alb'),
    });
    // Who may reach the ALB: AWS documents two ways for a VPC origin's target, "Allow traffic from the CloudFront managed
    // prefix list" (usable before the VPC origin exists) or from the service-managed group CloudFront-VPCOrigins-Service-SG
    // ("This can be done only after the VPC origin is created"), https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html.
    // The prefix list is used: the service group exists only after the first VPC origin of the VPC, so a rule that names
    // it would read a data source that depends on the VPC origin, unknown (and the rule replaced) on every plan that
    // changes the VPC origin, which is exactly when the ALB must stay reachable. The ALB is internal either way: only
    // CloudFront's VPC origin can open a connection to it from outside the VPC.
    const cloudFront = new DataAwsEc2ManagedPrefixList(this, 'cloudfront-origin-facing', { name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST });
    // This group holds this one rule on purpose: the prefix list weighs ~55 of the default 60 rules per group.
    new VpcSecurityGroupIngressRule(this, 'ingress-from-cloudfront', {
      securityGroupId: this.securityGroup.id,
      description: 'HTTPS from CloudFront origin-facing servers (VPC origin)',
      prefixListId: cloudFront.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
    });
    new VpcSecurityGroupEgressRule(this, 'egress-to-execute-api-endpoint', {
      securityGroupId: this.securityGroup.id,
      description: 'HTTPS to the execute-api endpoint (targets and health checks)',
      referencedSecurityGroupId: props.executeApiEndpointSecurityGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
    });
    new VpcSecurityGroupIngressRule(this, 'endpoint-ingress-from-alb', {
      securityGroupId: props.executeApiEndpointSecurityGroup.id,
      description: 'HTTPS from the edge ALB only',
      referencedSecurityGroupId: this.securityGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
    });

    // --- The load balancer.
    // Replaced before it is destroyed: the VPC origin that points at it is `create_before_destroy`, and Terraform applies
    // that to everything the VPC origin depends on. A fixed name would make every replacement fail, since ELB names are
    // unique per account and region ("already exists") while the old ALB still stands; so the provider generates a
    // unique name from a prefix (at most 6 characters: 32 minus the 26 it appends), and the Name tag says which
    // environment's edge it is.
    this.loadBalancer = new Lb(this, 'load-balancer', {
      namePrefix: ALB_NAME_PREFIX,
      internal: true,
      loadBalancerType: 'application',
      subnets: props.privateSubnetIds,
      securityGroups: [this.securityGroup.id],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection,
      accessLogs: { bucket: this.logBucket.bucket, prefix: ALB_LOG_PREFIX, enabled: true },
      tags: tags('edge'),
      // ELB checks that it may write to the bucket when access logs are turned on.
      dependsOn: [bucketPolicy],
    });

    this.targetGroup = new LbTargetGroup(this, 'execute-api-target-group', {
      name: `${namePrefix}-execute-api`,
      targetType: 'ip',
      protocol: 'HTTPS',
      port: 443,
      vpcId: props.vpcId,
      deregistrationDelay: '30',
      healthCheck: {
        enabled: true,
        protocol: 'HTTPS',
        port: 'traffic-port',
        path: '/',
        // The bare endpoint answers 403 (no API id, no stage): that is a healthy endpoint.
        matcher: '200,403',
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        interval: 30,
        timeout: 5,
      },
      tags: tags('execute-api'),
    });

    // One target per endpoint network interface. The interface ids are unknown until the endpoint exists, so
    // `for_each` over them fails at plan time; their number (one per subnet) is known now, so `count` works.
    const interfaces = TerraformCount.of(props.privateSubnetIds.length);
    const endpointInterface = new DataAwsNetworkInterface(this, 'execute-api-endpoint-interface', {
      count: interfaces,
      id: Fn.element(Fn.sort(Token.asList(props.executeApiEndpoint.networkInterfaceIds)), Token.asNumber(interfaces.index)),
    });
    this.targetAttachments = new LbTargetGroupAttachment(this, 'execute-api-endpoint-target', {
      count: TerraformCount.of(props.privateSubnetIds.length),
      targetGroupArn: this.targetGroup.arn,
      targetId: Token.asString(`\${${endpointInterface.fqn}[count.index].private_ip}`),
      port: 443,
    });

    this.listener = new LbListener(this, 'https-listener', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: ALB_SSL_POLICY,
      certificateArn: props.certificateArn,
      // Anything that is not an API path on the origin host (with the verify header when on) stops here.
      defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', messageBody: 'Not Found', statusCode: '404' } }],
      tags: tags('edge-https'),
    });

    this.listenerRules = props.routes.map((route, i) => {
      const conditions: LbListenerRuleCondition[] = [
        { pathPattern: { values: [`/${route.name}`, `/${route.name}/*`] } },
        // The Host the private custom domain name answers to: the ALB passes it on to the endpoint unchanged.
        { hostHeader: { values: [props.originDomainName] } },
      ];
      if (props.originVerify) {
        conditions.push({ httpHeader: { httpHeaderName: props.originVerify.headerName, values: [props.originVerify.value] } });
      }
      return new LbListenerRule(this, `forward-${route.name}`, {
        listenerArn: this.listener.arn,
        priority: 100 + i,
        condition: conditions,
        action: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
        tags: tags(`edge-${route.name}`),
      });
    });
  }
}
