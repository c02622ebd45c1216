/**
 * A real `terraform plan` of the local platform stack against the emulator
 * (moto on 127.0.0.1): the plan holds one target group attachment per
 * execute-api endpoint interface although the interface ids are unknown until
 * apply. That is what `count` (not `for_each`) over the sorted ids buys.
 *
 * The stack's S3 backend is replaced by a local one with a Terraform override
 * file, so the plan needs no state bucket. Before the account has API Gateway's
 * CloudWatch role (the bootstrap stack's), the plan stops and says what to run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../environments/load';
import type { Environment } from '../../environments/schema';
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST } from '@private-api-platform/constructs/edge';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { stackDir, synthEnvironments } from '../../scripts/lib/synth';
import { terraform, terraformEnv, type RunResult } from '../../scripts/lib/terraform';
import { awsRequest } from '../helpers/aws-request';
import { platformStackId } from '../../stacks';

jest.setTimeout(600_000);

interface ResourceChange {
  address: string;
  type: string;
  mode: 'managed' | 'data';
  index?: number;
  change: { actions: string[]; after: Record<string, any> | null; after_unknown: Record<string, any> };
}

let emulator: Emulator;
let env: Environment;
let workDir: string;
let plan: { resource_changes: ResourceChange[]; prior_state?: any };
let withoutBootstrap: RunResult;

beforeAll(async () => {
  emulator = await startEmulator();
  env = loadEnvironment('local', undefined, { emulatorEndpoint: emulator.endpoint });

  // GIVEN the local platform stack, synthesized for this emulator, with a local backend instead of S3
  workDir = mkdtempSync(join(tmpdir(), 'edge-plan-'));
  synthEnvironments([env.name], join(workDir, 'cdktf.out'), { emulatorEndpoint: emulator.endpoint });
  const dir = stackDir(platformStackId(env), join(workDir, 'cdktf.out'));
  writeFileSync(join(dir, 'backend_override.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: join(workDir, 'terraform.tfstate') } } } }));

  // WHEN Terraform plans it against the emulator, before the account's bootstrap
  const tfEnv = terraformEnv();
  await terraform(dir, ['init', '-input=false', '-no-color'], { env: tfEnv });
  const args = ['plan', '-input=false', '-no-color', '-lock=false', '-out=edge.tfplan'];
  withoutBootstrap = await terraform(dir, args, { env: tfEnv, allowFailure: true });
  // AND again once the account has API Gateway's CloudWatch role (what the bootstrap stack creates)
  const role = await awsRequest(emulator.endpoint, {
    service: 'iam',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: `platform-apigateway-cloudwatch-${env.account.region}`,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }).toString(),
  });
  if (role.status !== 200) throw new Error(`CreateRole: HTTP ${role.status} ${role.text}`);
  await terraform(dir, args, { env: tfEnv });
  plan = JSON.parse((await terraform(dir, ['show', '-json', '-no-color', 'edge.tfplan'], { env: tfEnv })).stdout);
});

test("fails the plan, saying what to run, while the account has no API Gateway CloudWatch role (an account-wide setting the bootstrap stack makes)", () => {
  expect(withoutBootstrap.code).toBe(1);
  expect(withoutBootstrap.stderr).toContain(`API Gateway's CloudWatch role platform-apigateway-cloudwatch-${env.account.region} does`);
  expect(withoutBootstrap.stderr.replace(/\s+/g, ' ')).toContain('Run npm run bootstrap -- local first.');
});

afterAll(async () => {
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const changes = (type: string, mode: 'managed' | 'data' = 'managed') => plan.resource_changes.filter((c) => c.type === type && c.mode === mode);

test('the plan creates one target group attachment per endpoint interface, their IPs known only at apply', () => {
  const interfaces = env.network.mode === 'create' ? env.network.azCount : env.network.privateSubnetIds.length;
  const attachments = changes('aws_lb_target_group_attachment');
  // THEN N instances, indexed 0..N-1, each created on port 443 with an IP that is unknown until the endpoint exists
  expect(attachments.map((a) => a.index).sort()).toEqual(Array.from({ length: interfaces }, (_, i) => i));
  for (const attachment of attachments) {
    expect(attachment.change.actions).toEqual(['create']);
    expect(attachment.change.after).toMatchObject({ port: 443 });
    expect(attachment.change.after_unknown).toMatchObject({ target_id: true, target_group_arn: true });
  }
  // The interfaces are read at apply, after the endpoint: the deferred reads are in the plan too.
  const reads = changes('aws_network_interface', 'data');
  expect(reads.map((r) => r.index).sort()).toEqual(Array.from({ length: interfaces }, (_, i) => i));
  for (const read of reads) expect(read.change.actions).toEqual(['read']);
});

test("the ALB's ingress is planned from the emulator's CloudFront origin-facing prefix list", () => {
  const lists = (plan.prior_state?.values?.root_module?.resources ?? []).filter((r: any) => r.type === 'aws_ec2_managed_prefix_list');
  expect(lists).toHaveLength(1);
  expect(lists[0].values.name).toBe(CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST);
  const fromCloudFront = changes('aws_vpc_security_group_ingress_rule').filter((c) => c.change.after?.prefix_list_id);
  expect(fromCloudFront).toHaveLength(1);
  expect(fromCloudFront[0]!.change.after).toMatchObject({ prefix_list_id: lists[0].values.id, from_port: 443, to_port: 443, ip_protocol: 'tcp' });
});

test('the edge is planned whole: VPC origin, distribution with WAF, internal ALB', () => {
  for (const type of ['aws_cloudfront_vpc_origin', 'aws_cloudfront_distribution', 'aws_wafv2_web_acl', 'aws_lb', 'aws_lb_listener', 'aws_lb_target_group']) {
    expect(changes(type).map((c) => c.change.actions)).toEqual([['create']]);
  }
  expect(changes('aws_lb')[0]!.change.after).toMatchObject({ internal: true, drop_invalid_header_fields: true });
});
