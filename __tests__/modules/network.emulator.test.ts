/**
 * The network module on an existing VPC, planned against the local emulator:
 * CloudFront VPC origins need an internet gateway attached to the VPC ("You need
 * to add an internet gateway to the VPC that has your VPC origin resources",
 * Restrict access with VPC origins). The plan fails, naming the check, while the
 * VPC has none, and passes once one is attached.
 */
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../environments/schema';
import { Network } from '@private-api-platform/constructs/network';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { terraform, terraformEnv } from '../../scripts/lib/terraform';
import { createProviders } from '../../stacks/providers';
import { awsRequest, xmlValue } from '../helpers/aws-request';
import { environment } from '../helpers/synth';

jest.setTimeout(300_000);

let emulator: Emulator;
let workDir: string;
let vpcId: string;
let dir: string;
const tfEnv = terraformEnv();

async function ec2(params: Record<string, string>): Promise<string> {
  const response = await awsRequest(emulator.endpoint, {
    service: 'ec2',
    region: 'eu-west-1',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  if (response.status !== 200) throw new Error(`EC2 ${params.Action}: HTTP ${response.status} ${response.text}`);
  return response.text;
}

beforeAll(async () => {
  emulator = await startEmulator();
  // GIVEN a platform team's VPC with DNS on and two subnets, and no internet gateway
  vpcId = xmlValue(await ec2({ Action: 'CreateVpc', CidrBlock: '10.7.0.0/16' }), 'vpcId')!;
  await ec2({ Action: 'ModifyVpcAttribute', VpcId: vpcId, 'EnableDnsHostnames.Value': 'true' });
  const subnets: string[] = [];
  for (const [i, zone] of ['eu-west-1a', 'eu-west-1b'].entries()) {
    subnets.push(xmlValue(await ec2({ Action: 'CreateSubnet', VpcId: vpcId, CidrBlock: `10.7.${i}.0/24`, AvailabilityZone: zone }), 'subnetId')!);
  }
  const env: Environment = environment('local', (raw) => {
    raw.emulator.endpoint = emulator.endpoint;
    raw.network = { mode: 'existing', vpcId, privateSubnetIds: subnets };
  });
  workDir = mkdtempSync(join(tmpdir(), 'network-emulator-'));
  const app = new App({ outdir: join(workDir, 'cdktf.out') });
  const stack = new TerraformStack(app, 'network');
  new LocalBackend(stack, { path: join(workDir, 'terraform.tfstate') });
  createProviders(stack, env);
  new Network(stack, 'network', { config: env.network, namePrefix: 'platform-local' });
  app.synth();
  dir = join(workDir, 'cdktf.out', 'stacks', 'network');
  await terraform(dir, ['init', '-input=false', '-no-color'], { env: tfEnv });
});

afterAll(async () => {
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const plan = () => terraform(dir, ['plan', '-input=false', '-no-color', '-lock=false'], { env: tfEnv, allowFailure: true });

test('fails the plan, at the internet gateway check, while the existing VPC has no internet gateway (CloudFront VPC origins need one)', async () => {
  const result = await plan();
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/with data\.aws_internet_gateway\.network_internet-gateway-required-by-cloudfront-vpc-origins_/);
});

test('passes the plan once an internet gateway is attached to the VPC', async () => {
  const gateway = xmlValue(await ec2({ Action: 'CreateInternetGateway' }), 'internetGatewayId')!;
  await ec2({ Action: 'AttachInternetGateway', InternetGatewayId: gateway, VpcId: vpcId });
  const attached = await plan();
  if (attached.code !== 0) throw new Error(`plan failed with the gateway attached:\n${attached.stderr}`);
  expect(attached.stdout).toMatch(/aws_vpc_endpoint\.network_execute-api-endpoint_\w+ will be created/);
});
