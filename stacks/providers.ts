/**
 * AWS providers of an environment stack: the regional default, and a us-east-1
 * alias for what CloudFront needs (WAF, its certificate).
 *
 * In the emulator environment both read the emulator's address from a shared config
 * profile (`endpoint_url`, the AWS SDKs' own setting for "local endpoints ... and
 * third-party local AWS development environments":
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), a file the
 * stack carries as an asset. Not from the provider's `endpoints` block: with that block
 * the AWS provider 5.100.0 spends about 2.5 s of CPU validating it each time a provider
 * instance is validated or configured (measured 2026-12-06: one plan of `local`, 26.5 s
 * of CPU with the block, 14.6 s with the profile; bench/RESULTS.md, "The emulator's
 * endpoints"). The profile is named explicitly, so a missing file fails the plan
 * ("failed to get shared config profile") before any call: the stack never falls back
 * to AWS's endpoints.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetType, TerraformAsset, TerraformStack } from 'cdktf';
import { AwsProvider, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';

/** Credentials the emulator accepts; never valid against AWS. */
export const EMULATOR_CREDENTIALS = { accessKey: 'test', secretKey: 'test' } as const;

/** The shared config profile the emulator environment's providers read their endpoint from. */
export const EMULATOR_PROFILE = 'platform-emulator';

/** The asset's construct id in a stack (one file for every provider of the stack). */
const EMULATOR_CONFIG_ASSET = 'emulator-aws-config';

/**
 * The shared config file of the emulator profile: every service's endpoint is the emulator's. With `credentials`, the
 * profile also holds the keys calls are signed with (the IAM audit signs each phase as its CI role this way: with a
 * profile named in the provider, the AWS SDK ignores AWS_ACCESS_KEY_ID).
 */
export function emulatorProfileText(endpoint: string, credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string }): string {
  const lines = [`[profile ${EMULATOR_PROFILE}]`, `endpoint_url = ${endpoint}`];
  if (credentials) lines.push(`aws_access_key_id = ${credentials.accessKeyId}`, `aws_secret_access_key = ${credentials.secretAccessKey}`);
  return `${lines.join('\n')}\n`;
}

export interface Providers {
  /** The environment's region. */
  readonly regional: AwsProvider;
  /** us-east-1: CloudFront's WAF and certificates. The same provider as `regional` when the region is us-east-1. */
  readonly usEast1: AwsProvider;
}

/**
 * The path (relative to the stack's directory, where Terraform and its providers run) of the emulator profile's file,
 * an asset of `scope`'s stack; undefined outside the emulator environment.
 */
export function emulatorConfigFile(scope: Construct, env: Environment): string | undefined {
  if (!env.emulator) return undefined;
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(EMULATOR_CONFIG_ASSET);
  if (existing instanceof TerraformAsset) return existing.path;
  const text = emulatorProfileText(env.emulator.endpoint);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  // cdktf copies an asset from a file that exists when the asset is made, before the synth: one file per endpoint in the
  // system's temporary folder, written once (a rename, so that concurrent synths never read half of it). Not in the
  // output folder: a synth refused later (a limit check) leaves that folder unwritten.
  const dir = join(tmpdir(), `platform-emulator-profile-${hash}`);
  const source = join(dir, 'aws-config');
  if (!existsSync(source)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${source}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, source);
  }
  return new TerraformAsset(stack, EMULATOR_CONFIG_ASSET, { path: source, type: AssetType.FILE, assetHash: hash }).path;
}

/**
 * The provider configuration of an environment in `region`. The emulator environment needs the path of its profile's
 * file (emulatorConfigFile, or a file of the caller's with emulatorProfileText).
 */
export function providerConfig(env: Environment, region: string, emulatorConfig?: string): AwsProviderConfig {
  const base: AwsProviderConfig = {
    region,
    defaultTags: [{ tags: env.tags }],
  };
  if (!env.emulator) return { ...base, allowedAccountIds: [env.account.id] };
  if (!emulatorConfig) throw new Error(`the emulator environment "${env.name}" needs its profile's file: pass emulatorConfigFile(scope, env)`);
  return {
    ...base,
    ...EMULATOR_CREDENTIALS,
    skipCredentialsValidation: true,
    // The account id is requested (the emulator's STS answers): without it the provider cannot tell
    // a same-account security group reference and reads `referenced_security_group_id` back as
    // "<account>/sg-...", so every plan changes aws_vpc_security_group_*_rule.
    skipMetadataApiCheck: 'true',
    skipRegionValidation: true,
    s3UsePathStyle: true,
    profile: EMULATOR_PROFILE,
    sharedConfigFiles: [emulatorConfig],
    // Named too, so that no credentials file of the user's home is read.
    sharedCredentialsFiles: [emulatorConfig],
  };
}

export function createProviders(scope: Construct, env: Environment): Providers {
  const config = (region: string) => providerConfig(env, region, emulatorConfigFile(scope, env));
  const regional = new AwsProvider(scope, 'aws', config(env.account.region));
  const usEast1 = env.account.region === 'us-east-1' ? regional : new AwsProvider(scope, 'aws-us-east-1', { ...config('us-east-1'), alias: 'us_east_1' });
  return { regional, usEast1 };
}
