/**
 * Network module: private subnets in N AZs with an internet gateway and no NAT,
 * or an existing VPC; the execute-api interface endpoint with private DNS in every
 * private subnet, behind its own security group. Per environment, on the
 * synthesized platform stack.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { carveSubnets } from '@private-api-platform/constructs/network/cidr';
import type { NetworkConfig } from '../../environments/schema';
import { Network, executeApiEndpointPolicy, type NetworkProps } from '@private-api-platform/constructs/network';
import { ENVIRONMENT_NAMES, environment, synthPlatform, wrap, type SynthesizedStack } from '../helpers/synth';

const ref = (type: string, logicalId: string, attribute: string) => `\${${type}.${logicalId}.${attribute}}`;
const onlyId = (synth: SynthesizedStack, type: string): string => {
  const ids = Object.keys(synth.resources(type));
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  return ids[0]!;
};

function synthNetwork(config: NetworkConfig, extra: Partial<NetworkProps> = {}): SynthesizedStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'network-only');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new Network(stack, 'network', { config, namePrefix: 'platform-test', ...extra });
  return wrap(JSON.parse(Testing.synth(stack, true)));
}

describe.each(ENVIRONMENT_NAMES)('network in the %s environment', (envName) => {
  const env = environment(envName);
  const synth = synthPlatform(env);
  if (env.network.mode !== 'create') throw new Error(`${envName}: these tests expect network.mode "create"`);
  const network = env.network;

  test('one VPC with DNS support and host names (the endpoint private DNS needs both)', () => {
    // GIVEN the environment's network  WHEN synthesized  THEN
    const vpc = synth.only('aws_vpc');
    expect(vpc.cidr_block).toBe(network.cidrBlock);
    expect(vpc.enable_dns_support).toBe(true);
    expect(vpc.enable_dns_hostnames).toBe(true);
  });

  test('one private subnet per AZ, each in a different AZ of the region, with the configured or carved CIDR', () => {
    const vpcRef = ref('aws_vpc', onlyId(synth, 'aws_vpc'), 'id');
    const subnets = Object.values(synth.resources('aws_subnet'));
    expect(subnets).toHaveLength(network.azCount);
    const zonesId = Object.keys(synth.data('aws_availability_zones'))[0];
    expect(subnets.map((s: any) => s.availability_zone).sort()).toEqual(
      Array.from({ length: network.azCount }, (_, i) => `\${data.aws_availability_zones.${zonesId}.names[${i}]}`),
    );
    expect(subnets.map((s: any) => s.cidr_block).sort()).toEqual([...(network.privateSubnetCidrBlocks ?? carveSubnets(network.cidrBlock, network.azCount))].sort());
    for (const subnet of subnets) {
      expect(subnet.vpc_id).toBe(vpcRef);
      expect(subnet.map_public_ip_on_launch).toBe(false);
    }
  });

  test('an internet gateway is attached (CloudFront VPC origins), but nothing routes to it and there is no NAT', () => {
    const vpcRef = ref('aws_vpc', onlyId(synth, 'aws_vpc'), 'id');
    expect(synth.only('aws_internet_gateway').vpc_id).toBe(vpcRef);
    expect(synth.resources('aws_nat_gateway')).toEqual({});
    expect(synth.resources('aws_route')).toEqual({});
    expect(synth.only('aws_route_table').route).toBeUndefined();
    // every private subnet uses the private route table
    const tableRef = ref('aws_route_table', onlyId(synth, 'aws_route_table'), 'id');
    const associated = Object.values(synth.resources('aws_route_table_association')).map((a: any) => a.subnet_id).sort();
    expect(associated).toEqual(Object.keys(synth.resources('aws_subnet')).map((id) => ref('aws_subnet', id, 'id')).sort());
    for (const association of Object.values(synth.resources('aws_route_table_association'))) expect((association as any).route_table_id).toBe(tableRef);
  });

  test('the execute-api endpoint is an Interface endpoint with private DNS in every private subnet', () => {
    const endpoint = synth.only('aws_vpc_endpoint');
    expect(endpoint.service_name).toMatch(/^com\.amazonaws\.\$\{data\.aws_region\.[^}]+\.name\}\.execute-api$/);
    expect(endpoint.vpc_endpoint_type).toBe('Interface');
    expect(endpoint.private_dns_enabled).toBe(true);
    expect([...endpoint.subnet_ids].sort()).toEqual(Object.keys(synth.resources('aws_subnet')).map((id) => ref('aws_subnet', id, 'id')).sort());
  });

  test('the endpoint has its own security group, with no egress and no ingress of its own', () => {
    const endpoint = synth.only('aws_vpc_endpoint');
    const groups = Object.entries(synth.resources('aws_security_group')).filter(([id]) => endpoint.security_group_ids.includes(ref('aws_security_group', id, 'id')));
    expect(groups).toHaveLength(1);
    expect(endpoint.security_group_ids).toHaveLength(1);
    const [, group] = groups[0]!;
    expect(group.egress).toEqual([]);
    expect(group.ingress).toBeUndefined();
  });

  test('the default security group of the VPC allows nothing', () => {
    const group = synth.only('aws_default_security_group');
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });
});

describe('VPC flow logs', () => {
  test.each(['local', 'dev', 'prod'])('%s: every connection the VPC accepts or rejects goes to CloudWatch Logs, through a role only this account\'s flow logs may assume', (name) => {
    const env = environment(name);
    const synth = synthPlatform(env);
    const vpcRef = `\${aws_vpc.${Object.keys(synth.resources('aws_vpc'))[0]}.id}`;
    const flowLog = synth.only('aws_flow_log');
    expect(flowLog).toMatchObject({ vpc_id: vpcRef, traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs', max_aggregation_interval: 60 });
    const groupId = /aws_cloudwatch_log_group\.([^.]+)\.arn/.exec(flowLog.log_destination)![1]!;
    const group = synth.resources('aws_cloudwatch_log_group')[groupId];
    expect(group).toMatchObject({ name: `/aws/vpc/flow-logs/platform-${name}`, retention_in_days: env.logRetentionDays });
    const roleId = /aws_iam_role\.([^.]+)\.arn/.exec(flowLog.iam_role_arn)![1]!;
    const trust = JSON.parse(synth.resources('aws_iam_role')[roleId].assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: 'vpc-flow-logs.amazonaws.com' });
    expect(Object.keys(trust.Condition).sort()).toEqual(['ArnLike', 'StringEquals']);
    const policy = Object.values(synth.resources('aws_iam_role_policy')).find((p: any) => p.role === `\${aws_iam_role.${roleId}.name}`) as any;
    expect(JSON.parse(policy.policy).Statement[0].Resource).toEqual([`\${aws_cloudwatch_log_group.${groupId}.arn}`, `\${aws_cloudwatch_log_group.${groupId}.arn}:*`]);
  });

  test('an existing VPC gets flow logs too; flowLogRetentionDays: false turns them off', () => {
    const env = environment('dev', (raw) => {
      raw.network = { mode: 'existing', vpcId: 'vpc-0a1b2c3d4e5f60718', privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'] };
    });
    expect(synthPlatform(env).only('aws_flow_log').vpc_id).toBe('vpc-0a1b2c3d4e5f60718');
    const app = Testing.app();
    const stack = new TerraformStack(app, 'no-flow-logs');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new Network(stack, 'network', { config: env.network, namePrefix: 'platform-dev', flowLogRetentionDays: false });
    expect(JSON.parse(Testing.synth(stack)).resource.aws_flow_log).toBeUndefined();
  });
});

describe('network module', () => {
  test('an existing VPC: no VPC, IGW, subnet or route table is created; the endpoint goes into the given subnets', () => {
    // GIVEN an environment whose platform team owns the VPC
    const env = environment('dev', (raw) => {
      raw.network = { mode: 'existing', vpcId: 'vpc-0a1b2c3d4e5f60718', privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'] };
    });
    // WHEN synthesized
    const synth = synthPlatform(env);
    // THEN nothing of the network is created but the endpoint and its security group
    for (const type of ['aws_vpc', 'aws_internet_gateway', 'aws_subnet', 'aws_route_table', 'aws_route_table_association', 'aws_default_security_group']) {
      expect(synth.resources(type)).toEqual({});
    }
    const endpoint = synth.only('aws_vpc_endpoint');
    expect(endpoint.vpc_id).toBe('vpc-0a1b2c3d4e5f60718');
    expect(endpoint.subnet_ids).toEqual(['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788']);
    expect(endpoint.private_dns_enabled).toBe(true);
    // and the plan checks the VPC can host private DNS and the subnets are in it
    const vpc: any = Object.values(synth.data('aws_vpc'))[0];
    expect(vpc.id).toBe('vpc-0a1b2c3d4e5f60718');
    expect(vpc.lifecycle.postcondition[0].condition).toBe('${self.enable_dns_support && self.enable_dns_hostnames}');
    const subnets = Object.values(synth.data('aws_subnet')) as any[];
    expect(subnets.map((s) => s.id)).toEqual(['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788']);
    for (const subnet of subnets) expect(subnet.lifecycle.postcondition[0].condition).toBe('${self.vpc_id == "vpc-0a1b2c3d4e5f60718"}');
    // and that an internet gateway is attached, which CloudFront VPC origins need (no route uses it)
    const gateway: any = Object.values(synth.data('aws_internet_gateway'))[0];
    expect(gateway.filter).toEqual([{ name: 'attachment.vpc-id', values: ['vpc-0a1b2c3d4e5f60718'] }]);
    expect(gateway.lifecycle.postcondition[0].error_message).toMatch(/has no internet gateway attached: CloudFront VPC origins need one/);
  });

  test('the plan stops when the region has fewer AZs than azCount', () => {
    const synth = synthNetwork({ mode: 'create', cidrBlock: '10.0.0.0/16', azCount: 3 });
    const zones: any = Object.values(synth.data('aws_availability_zones'))[0];
    expect(zones.state).toBe('available');
    expect(zones.lifecycle.postcondition[0].condition).toBe('${length(self.names) >= 3}');
    expect(zones.lifecycle.postcondition[0].error_message).toMatch(/the network's azCount is 3/);
  });

  test('the endpoint policy lets only APIs of the stack account through', () => {
    const synth = synthNetwork({ mode: 'create', cidrBlock: '10.0.0.0/16', azCount: 2 });
    const policy = JSON.parse(synth.only('aws_vpc_endpoint').policy);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
    expect(policy.Statement[0].Resource).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\.partition\}:execute-api:\$\{data\.aws_region\.[^}]+\.name\}:\$\{data\.aws_caller_identity\.[^}]+\.account_id\}:\*$/);
    expect(executeApiEndpointPolicy({ partition: 'aws', region: 'eu-west-1', accountId: '111111111111' }).Statement[0]!.Resource).toBe('arn:aws:execute-api:eu-west-1:111111111111:*');
  });

  test('restrictEndpointToAccount: false leaves the endpoint with the AWS default (full access) policy', () => {
    const synth = synthNetwork({ mode: 'create', cidrBlock: '10.0.0.0/16', azCount: 2 }, { restrictEndpointToAccount: false });
    expect(synth.only('aws_vpc_endpoint').policy).toBeUndefined();
  });
});
