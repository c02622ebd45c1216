/**
 * The network a private API lives in: private subnets in N availability zones
 * (or a VPC and subnets a platform team already owns), and the `execute-api`
 * interface endpoint that is the only way into a PRIVATE REST API.
 *
 * No NAT and no public subnets: nothing in these subnets needs the internet.
 * The internet gateway is attached only because CloudFront VPC origins require
 * the VPC to have one; no route table points at it. VPC flow logs go to
 * CloudWatch Logs.
 */
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsInternetGateway } from '@cdktf/provider-aws/lib/data-aws-internet-gateway';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { carveSubnets } from './cidr';

/** Where the platform's network lives: a VPC this construct creates, or one a platform team already owns. */
export type NetworkConfig =
  | {
      readonly mode: 'create';
      /** The VPC's IPv4 CIDR block. */
      readonly cidrBlock: string;
      /** How many availability zones get a private subnet (the first N the region lists), 1 to 6. */
      readonly azCount: number;
      /**
       * One CIDR block per availability zone, inside `cidrBlock`.
       * @default - `cidrBlock` cut into /20s (or the next size that fits), in order
       */
      readonly privateSubnetCidrBlocks?: readonly string[];
    }
  | {
      readonly mode: 'existing';
      /** The VPC's id (`vpc-...`); it must have DNS support and DNS hostnames on (a private DNS name needs both). */
      readonly vpcId: string;
      /** Private subnets of that VPC, one per availability zone, that host the execute-api endpoint and the ALB. */
      readonly privateSubnetIds: readonly string[];
    };

export interface NetworkProps {
  /** Create a VPC (`mode: "create"`) or use an existing one (`mode: "existing"`). */
  readonly config: NetworkConfig;
  /** Prefix of every `Name` tag and resource name, e.g. `platform-dev`. */
  readonly namePrefix: string;
  /**
   * Restrict the execute-api endpoint (its endpoint policy) to APIs of the account the stack deploys to,
   * so the VPC cannot be used to reach other accounts' private APIs.
   * @default true - only `execute-api:Invoke` on APIs of the current account passes the endpoint
   */
  readonly restrictEndpointToAccount?: boolean;
  /**
   * VPC flow logs (every accepted and rejected connection of the VPC) to a CloudWatch Logs group
   * `/aws/vpc/flow-logs/<namePrefix>`, kept this many days; `false` turns them off.
   * @default 30
   */
  readonly flowLogRetentionDays?: number | false;
  /**
   * KMS key that encrypts the flow log group (a key CloudWatch Logs of this region may use: packages/constructs/src/log-encryption).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKmsKeyArn?: string;
  /**
   * `lifecycle.prevent_destroy` on the flow log group.
   * @default false
   */
  readonly preventDestroy?: boolean;
}

export class Network extends Construct {
  /** The VPC's id: created here, or `config.vpcId` in existing mode. */
  readonly vpcId: string;
  /** One private subnet per availability zone; they host the execute-api endpoint (and the internal ALB). */
  readonly privateSubnetIds: string[];
  /** `com.amazonaws.<region>.execute-api`, Interface, private DNS on, in every private subnet. */
  readonly executeApiEndpoint: VpcEndpoint;
  /**
   * The endpoint's own security group. It has NO ingress rules and no egress: whoever fronts the endpoint
   * (the edge module's ALB) adds `443 from <its security group>` with `aws_vpc_security_group_ingress_rule`.
   */
  readonly executeApiEndpointSecurityGroup: SecurityGroup;
  /** The internet gateway CloudFront VPC origins need; undefined for an existing VPC (its owner attaches one). */
  readonly internetGateway?: InternetGateway;
  /** The VPC's flow log and its log group, unless turned off. */
  readonly flowLog?: FlowLog;
  readonly flowLogGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config, namePrefix } = props;
    const name = (suffix: string) => ({ Name: `${namePrefix}-${suffix}` });

    if (config.mode === 'create') {
      const vpc = new Vpc(this, 'vpc', {
        cidrBlock: config.cidrBlock,
        // Both are required for the interface endpoint's private DNS name.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: name('vpc'),
      });
      // CIS EC2.2: the default security group allows nothing, so nothing lands in it by accident.
      new DefaultSecurityGroup(this, 'default-security-group', { vpcId: vpc.id, tags: name('default-deny-all') });
      this.internetGateway = new InternetGateway(this, 'internet-gateway', { vpcId: vpc.id, tags: name('igw') });

      const zones = new DataAwsAvailabilityZones(this, 'availability-zones', {
        state: 'available',
        // Regular zones only: Local and Wavelength zones do not host every service.
        filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
        lifecycle: {
          postcondition: [
            {
              condition: `\${length(self.names) >= ${config.azCount}}`,
              errorMessage: `the network's azCount is ${config.azCount}, but the region has fewer available availability zones: lower azCount`,
            },
          ],
        },
      });
      const cidrs = config.privateSubnetCidrBlocks ?? carveSubnets(config.cidrBlock, config.azCount);
      // Its own route table with only the local route: private by construction, whatever the main table gets.
      const routeTable = new RouteTable(this, 'private-route-table', { vpcId: vpc.id, tags: name('private') });
      const subnets = cidrs.map((cidrBlock, i) => {
        const subnet = new Subnet(this, `private-subnet-${i}`, {
          vpcId: vpc.id,
          cidrBlock,
          availabilityZone: Token.asString(`\${${zones.fqn}.names[${i}]}`),
          mapPublicIpOnLaunch: false,
          tags: name(`private-${i}`),
        });
        new RouteTableAssociation(this, `private-subnet-${i}-route-table`, { subnetId: subnet.id, routeTableId: routeTable.id });
        return subnet;
      });
      this.vpcId = vpc.id;
      this.privateSubnetIds = subnets.map((s) => s.id);
    } else {
      // Fail the plan, not the apply, when the VPC cannot host a private-DNS endpoint or a subnet is elsewhere.
      new DataAwsVpc(this, 'existing-vpc', {
        id: config.vpcId,
        lifecycle: {
          postcondition: [
            {
              condition: '${self.enable_dns_support && self.enable_dns_hostnames}',
              errorMessage: `the network's vpcId ${config.vpcId} needs enableDnsSupport and enableDnsHostnames turned on for the execute-api endpoint's private DNS`,
            },
          ],
        },
      });
      config.privateSubnetIds.forEach(
        (subnetId, i) =>
          new DataAwsSubnet(this, `existing-subnet-${i}`, {
            id: subnetId,
            lifecycle: {
              postcondition: [
                {
                  condition: `\${self.vpc_id == "${config.vpcId}"}`,
                  errorMessage: `the network's privateSubnetIds[${i}] ${subnetId} is not in its vpcId ${config.vpcId}: list subnets of that VPC`,
                },
              ],
            },
          }),
      );
      // CloudFront VPC origins need an internet gateway attached to the VPC, though no route uses it ("You need to add an
      // internet gateway to the VPC that has your VPC origin resources", Restrict access with VPC origins,
      // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html). Its owner
      // attaches it; the plan fails here when there is none (the data source finds none), not the VPC origin later.
      new DataAwsInternetGateway(this, 'internet-gateway-required-by-cloudfront-vpc-origins', {
        filter: [{ name: 'attachment.vpc-id', values: [config.vpcId] }],
        lifecycle: {
          postcondition: [
            {
              condition: `\${anytrue([for a in self.attachments : a.vpc_id == "${config.vpcId}" && a.state == "available"])}`,
              errorMessage: `the network's vpcId ${config.vpcId} has no internet gateway attached: CloudFront VPC origins need one in the VPC (no route has to use it); attach one, then plan again`,
            },
          ],
        },
      });
      this.vpcId = config.vpcId;
      this.privateSubnetIds = [...config.privateSubnetIds];
    }

    // A name prefix: what depends on this group (the endpoint, the APIs' policies, their create-before-destroy deployments)
    // makes Terraform create its replacement before deleting it, and EC2 refuses two groups of one name in a VPC.
    this.executeApiEndpointSecurityGroup = new SecurityGroup(this, 'execute-api-endpoint-security-group', {
      namePrefix: `${namePrefix}-execute-api-endpoint-`,
      description: 'execute-api interface endpoint: HTTPS from the edge load balancer only (rules added by the edge module)',
      vpcId: this.vpcId,
      // The endpoint only answers connections (security groups are stateful): it needs no egress at all.
      // Ingress is left out on purpose so separate ingress rule resources own it.
      egress: [],
      tags: name('execute-api-endpoint'),
    });

    const region = new DataAwsRegion(this, 'region');
    const partition = new DataAwsPartition(this, 'partition');
    const caller = new DataAwsCallerIdentity(this, 'caller');
    const restrict = props.restrictEndpointToAccount ?? true;
    let policy: string | undefined;
    if (restrict) {
      policy = JSON.stringify(
        executeApiEndpointPolicy({ partition: partition.partition, region: region.name, accountId: caller.accountId }),
      );
    }
    this.executeApiEndpoint = new VpcEndpoint(this, 'execute-api-endpoint', {
      vpcId: this.vpcId,
      serviceName: `com.amazonaws.${region.name}.execute-api`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: this.privateSubnetIds,
      securityGroupIds: [this.executeApiEndpointSecurityGroup.id],
      policy,
      tags: name('execute-api'),
    });

    const retention = props.flowLogRetentionDays ?? 30;
    if (retention !== false) {
      // Every connection the VPC accepts or rejects: what a security review asks for first after an incident
      // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html).
      this.flowLogGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
        name: `/aws/vpc/flow-logs/${namePrefix}`,
        retentionInDays: retention,
        kmsKeyId: props.logKmsKeyArn,
        tags: name('flow-logs'),
        lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
      });
      const role = new IamRole(this, 'flow-log-role', {
        name: `${namePrefix}-vpc-flow-logs`,
        description: `VPC flow logs of ${namePrefix} to CloudWatch Logs`,
        // The documented trust, narrowed to this account's flow logs (confused-deputy guard).
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: {
                StringEquals: { 'aws:SourceAccount': caller.accountId },
                ArnLike: { 'aws:SourceArn': `arn:${partition.partition}:ec2:${region.name}:${caller.accountId}:vpc-flow-log/*` },
              },
            },
          ],
        }),
        tags: name('vpc-flow-logs'),
      });
      new IamRolePolicy(this, 'flow-log-role-policy', {
        name: 'write-flow-logs',
        role: role.name,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'WriteThisVpcsFlowLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
              Resource: [this.flowLogGroup.arn, `${this.flowLogGroup.arn}:*`],
            },
          ],
        }),
      });
      this.flowLog = new FlowLog(this, 'flow-log', {
        vpcId: this.vpcId,
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logDestination: this.flowLogGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: name('flow-log'),
      });
    }
  }
}

/** The endpoint policy: anyone in the VPC may invoke APIs of this account, and only those. */
export function executeApiEndpointPolicy(ids: { partition: string; region: string; accountId: string }) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'InvokeApisOfThisAccountOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: `arn:${ids.partition}:execute-api:${ids.region}:${ids.accountId}:*`,
      },
    ],
  };
}
