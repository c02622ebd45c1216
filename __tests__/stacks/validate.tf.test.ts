/**
 * `terraform validate`, offline, for the platform stack of every environment:
 * the synthesized JSON is valid against the AWS provider 5.100.0 schema.
 */
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../environments/load';
import { validateStack } from '../../scripts/validate';
import { stackDir, synthEnvironments } from '../../scripts/lib/synth';
import { terraform, terraformEnv } from '../../scripts/lib/terraform';
import { platformStackId } from '../../stacks';
import { PlatformStack } from '../../stacks/platform-stack';
import { ENVIRONMENT_NAMES, environment } from '../helpers/synth';

describe('terraform validate (offline)', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'platform-validate-'));
    synthEnvironments(ENVIRONMENT_NAMES, outdir);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test.each(ENVIRONMENT_NAMES)('the %s platform stack is valid', async (name) => {
    // GIVEN the synthesized platform stack  WHEN terraform validates it  THEN there is no error
    const result = await validateStack(stackDir(platformStackId(loadEnvironment(name)), outdir), terraformEnv());
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
  }, 180_000);

  test('fails when the Terraform that runs a stack is older than the version the stack requires', async () => {
    // GIVEN the local stack, its required_version raised past the Terraform on this machine
    const dir = stackDir(platformStackId(loadEnvironment('local')), outdir);
    const file = join(dir, 'cdk.tf.json');
    const original = readFileSync(file, 'utf8');
    const json = JSON.parse(original);
    expect(json.terraform.required_version).toBe('>= 1.10.0');
    json.terraform.required_version = '>= 99.0.0';
    writeFileSync(file, JSON.stringify(json));
    try {
      // WHEN terraform init runs  THEN Terraform itself refuses, before it touches providers or state
      const result = await terraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env: terraformEnv(), allowFailure: true });
      expect(result.code).toBe(1);
      expect(result.stderr + result.stdout).toContain('Unsupported Terraform Core version');
    } finally {
      writeFileSync(file, original);
    }
  }, 60_000);

  test('a platform stack on an existing VPC (no VPC created, plan-time checks on it) is valid', async () => {
    // GIVEN dev, with the VPC and subnets owned by another team
    const env = environment('dev', (raw) => {
      raw.network = { mode: 'existing', vpcId: 'vpc-0a1b2c3d4e5f60718', privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'] };
    });
    const app = new App({ outdir: join(outdir, 'existing-vpc') });
    new PlatformStack(app, 'dev-existing-vpc', { environment: env });
    app.synth();
    // WHEN terraform validates it  THEN there is no error
    const result = await validateStack(stackDir('dev-existing-vpc', join(outdir, 'existing-vpc')), terraformEnv());
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
  }, 180_000);
});
