/**
 * Real Terraform (AWS provider 5.100.0, offline) against the local emulator, for
 * `*.emulator.test.ts` files that check a configuration end to end: apply,
 * re-plan (no changes), destroy.
 *
 *   const tf = await EmulatorTerraform.create(emulator, { resource: { ... } });
 *   await tf.apply();
 *   expect((await tf.plan()).changed).toEqual([]);
 *   expect(tf.state()['aws_x.y']?.name).toBe('...');
 *   await tf.destroy();
 *
 * Every Terraform command costs seconds (the AWS provider loads its schema), so
 * state and outputs are read from the state file, and a plan is one command.
 *
 * The provider configuration is the local environment's own (stacks/providers.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { awsProvider } from '../../stacks/versions';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { terraform, terraformEnv, type RunResult } from '../../scripts/lib/terraform';
import { loadEnvironment } from '../../environments/load';
import { emulatorProfileText, providerConfig } from '../../stacks/providers';

export interface EmulatorTerraformOptions {
  /**
   * Region of the default provider; a `us_east_1` alias is always there too.
   * @default - the local environment's region
   */
  readonly region?: string;
  /**
   * How often the AWS SDK retries a failed call. Low, so that a missing emulator
   * feature (HTTP 500) fails a test in seconds instead of being retried for minutes.
   * @default 2
   */
  readonly maxRetries?: number;
}

/**
 * The `provider.aws` blocks (default + `us_east_1` alias) for Terraform JSON in `dir`: exactly what
 * `providerConfig()` of stacks/providers.ts gives the local environment on this emulator,
 * plus `max_retries`. Writes the emulator profile's file into `dir` (the blocks name it relative to `dir`).
 */
export function emulatorProviders(endpoint: string, dir: string, options: EmulatorTerraformOptions = {}): Record<string, unknown>[] {
  const local = loadEnvironment('local', undefined, { emulatorEndpoint: endpoint });
  writeFileSync(join(dir, EMULATOR_CONFIG), emulatorProfileText(endpoint));
  const block = (region: string) => ({
    ...Object.fromEntries(Object.entries(providerConfig(local, region, EMULATOR_CONFIG)).map(([key, value]) => [snakeCase(key), value])),
    max_retries: options.maxRetries ?? 2,
  });
  return [block(options.region ?? local.account.region), { ...block('us-east-1'), alias: 'us_east_1' }];
}

/** The emulator profile's file in a test's Terraform directory. */
const EMULATOR_CONFIG = 'emulator-aws-config';

/** cdktf's camelCase provider arguments as Terraform names: s3UsePathStyle -> s3_use_path_style. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface PlanResult {
  /** Addresses of the resources the plan would create, change or destroy. */
  readonly changed: string[];
  /** The plan as Terraform printed it. */
  readonly text: string;
}

interface StateFile {
  resources?: { mode: string; type: string; name: string; instances: { index_key?: string | number; attributes: Record<string, any> }[] }[];
  outputs?: Record<string, { value: unknown }>;
}

export class EmulatorTerraform {
  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Writes `config` (Terraform JSON, without providers) into a fresh directory and runs `terraform init`. */
  static async create(emulator: Emulator, config: Record<string, unknown>, options: EmulatorTerraformOptions = {}): Promise<EmulatorTerraform> {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-tf-'));
    const tf = new EmulatorTerraform(dir, terraformEnv());
    tf.write(emulator, config, options);
    await terraform(dir, ['init', '-input=false', '-no-color'], { env: tf.env });
    return tf;
  }

  /** Replaces the configuration (to apply a change); the state stays. */
  write(emulator: Emulator, config: Record<string, unknown>, options: EmulatorTerraformOptions = {}): void {
    const main = {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: awsProvider().version } } },
      provider: { aws: emulatorProviders(emulator.endpoint, this.dir, options) },
      ...config,
    };
    writeFileSync(join(this.dir, 'main.tf.json'), JSON.stringify(main, null, 2));
  }

  /** `terraform apply`; with `allowFailure`, resolves with Terraform's errors instead of throwing. */
  apply(options: { allowFailure?: boolean } = {}): Promise<RunResult> {
    return terraform(this.dir, ['apply', '-auto-approve', '-input=false', '-no-color'], { env: this.env, allowFailure: options.allowFailure ?? false });
  }

  /** What a fresh `terraform plan` would change; `changed` is empty when the emulator reads back what was applied. */
  async plan(): Promise<PlanResult> {
    const result = await terraform(this.dir, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], { env: this.env, allowFailure: true });
    if (result.code !== 0 && result.code !== 2) throw new Error(`terraform plan failed in ${this.dir}:\n${result.stderr || result.stdout}`);
    const changed = [...result.stdout.matchAll(/^\s*# (\S+) (?:will|must) be /gm)].map((m) => m[1]!);
    return { changed, text: result.stdout };
  }

  /** Attributes of every managed resource and data source in the state, by address (`aws_x.y`, `aws_x.y[0]`, `data.aws_x.y`). */
  state(): Record<string, Record<string, any>> {
    const file = this.stateFile();
    const byAddress: Record<string, Record<string, any>> = {};
    for (const resource of file.resources ?? []) {
      const base = `${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}`;
      for (const instance of resource.instances) {
        const key = instance.index_key === undefined ? '' : typeof instance.index_key === 'number' ? `[${instance.index_key}]` : `["${instance.index_key}"]`;
        byAddress[base + key] = instance.attributes;
      }
    }
    return byAddress;
  }

  /** Output values by name. */
  outputs(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.stateFile().outputs ?? {}).map(([name, output]) => [name, output.value]));
  }

  /** `terraform destroy`; with `allowFailure`, resolves with Terraform's errors instead of throwing. */
  destroy(options: { allowFailure?: boolean } = {}): Promise<RunResult> {
    return terraform(this.dir, ['destroy', '-auto-approve', '-input=false', '-no-color'], { env: this.env, allowFailure: options.allowFailure ?? false });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private stateFile(): StateFile {
    const path = join(this.dir, 'terraform.tfstate');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StateFile) : {};
  }
}

/** Terraform's error blocks that name `address` (`with aws_x.y,`), joined; empty when there is none. */
export function errorsFor(result: RunResult, address: string): string {
  const blocks = `${result.stderr}\n${result.stdout}`.split(/^(?=Error: )/m).filter((b) => b.startsWith('Error: '));
  return blocks.filter((b) => b.includes(`with ${address},`) || b.includes(`with ${address}[`)).join('\n');
}

/** Seconds Terraform reports for creating `address` ("Creation complete after 1m2s"), or undefined. */
export function creationSeconds(result: RunResult, address: string): number | undefined {
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${escaped}: Creation complete after (?:(\\d+)m)?(\\d+)s`, 'm').exec(result.stdout);
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2]) : undefined;
}

/**
 * An emulator with the patches `EMULATOR_DISABLE_PATCHES` leaves out (to watch a patch's test fail), and Terraform
 * over `config` in a fresh directory, initialised. `stopWithTerraform` removes both.
 */
export async function startWithTerraform(config: Record<string, unknown>): Promise<{ emulator: Emulator; tf: EmulatorTerraform }> {
  const emulator = await startEmulator({ disablePatches: process.env.EMULATOR_DISABLE_PATCHES?.split(',').filter(Boolean) });
  return { emulator, tf: await EmulatorTerraform.create(emulator, config) };
}

export async function stopWithTerraform(started: { emulator?: Emulator; tf?: EmulatorTerraform }): Promise<void> {
  started.tf?.cleanup();
  await started.emulator?.stop();
}

/** Fails with Terraform's own error when `address` failed, and (given a plan) when the re-plan wants to change it. */
export function expectApplied(tf: EmulatorTerraform, apply: RunResult, plan: PlanResult | undefined, ...addresses: string[]): void {
  for (const address of addresses) {
    const errors = errorsFor(apply, address);
    if (errors) throw new Error(`terraform apply failed for ${address}:\n${errors}`);
    if (!tf.state()[address]) throw new Error(`${address} is not in the state; terraform apply said:\n${apply.stderr || apply.stdout}`);
    if (plan?.changed.includes(address)) throw new Error(`a re-plan wants to change ${address}:\n${plan.text}`);
  }
}
