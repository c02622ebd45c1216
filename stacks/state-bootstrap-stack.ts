/**
 * The Terraform state of an account: one hardened S3 bucket and its KMS key,
 * created once per account by `npm run bootstrap -- <environment>` before any
 * environment stack is deployed there.
 *
 * This stack keeps its own state in a local file (it creates the bucket the
 * other stacks keep theirs in): see `defaultBootstrapStateFile`.
 */
import { LocalBackend, TerraformOutput } from 'cdktf';
import { IsolatedStack } from './isolated-stack';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type { Construct } from 'constructs';
import { GithubOidc } from '@private-api-platform/constructs/github-oidc';
import { ApiGatewayAccountLogging } from '@private-api-platform/constructs/private-api';
import { StateBackend } from '@private-api-platform/constructs/state-backend';
import type { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { resolve } from 'node:path';
import type { Environment } from '../environments/schema';
import { kmsKeyAliasArn, requireTerraformVersion } from './backend';
import { apiGatewayCloudwatchRoleName, platformNamePrefix } from './names';
import { emulatorConfigFile, providerConfig } from './providers';

/** Where bootstrap states live: `<project>/bootstrap-state/` (gitignored through `*.tfstate`). */
export const BOOTSTRAP_STATE_DIR = resolve(__dirname, '..', 'bootstrap-state');

/**
 * The bootstrap stack's local state file of an environment's account.
 *
 * Not under `.offline/` on purpose: that directory is a cache people delete to
 * start clean, and this file is the only record of the bucket and key.
 */
export function defaultBootstrapStateFile(env: Environment): string {
  return resolve(BOOTSTRAP_STATE_DIR, env.name, 'terraform.tfstate');
}

export interface StateBootstrapStackProps {
  readonly environment: Environment;
  /**
   * Absolute path of this stack's own (local) state file.
   * @default - `bootstrap-state/<environment>/terraform.tfstate` in the project
   */
  readonly stateFile?: string;
  /**
   * `lifecycle.prevent_destroy` on the bucket and the key, and no `force_destroy` on the bucket.
   * @default - true, except in the emulator environment: its emulator is thrown away, and
   *   `npm run destroy -- local` must be able to remove everything (a non-empty versioned bucket included)
   */
  readonly preventDestroy?: boolean;
  /**
   * Days a state version is kept after a newer one replaces it.
   * @default 90
   */
  readonly noncurrentVersionDays?: number;
  /**
   * Newest noncurrent versions of each state object kept regardless of age.
   * @default 10
   */
  readonly noncurrentVersionsToKeep?: number;
  /**
   * Days after which an unfinished multipart upload is aborted (its parts cost money and are invisible).
   * @default 7
   */
  readonly abortIncompleteUploadDays?: number;
}

/** Stack id of an environment's bootstrap stack: part of the contract (`cdktf deploy bootstrap-<env>`). */
export function bootstrapStackId(env: Environment): string {
  return `bootstrap-${env.name}`;
}

export class StateBootstrapStack extends IsolatedStack {
  readonly environment: Environment;
  /** Absolute path of this stack's local state file. */
  readonly stateFile: string;
  readonly kmsKey: KmsKey;
  /** The GitHub Actions roles, when the environment names its repository (`ci`). */
  readonly githubOidc?: GithubOidc;
  readonly kmsAlias: KmsAlias;
  readonly bucket: S3Bucket;
  /** API Gateway's CloudWatch role setting of the account, in the environment's region (account-wide: managed here, once). */
  readonly apiGatewayAccountLogging: ApiGatewayAccountLogging;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    this.stateFile = props.stateFile ?? defaultBootstrapStateFile(env);
    const preventDestroy = props.preventDestroy ?? !env.emulator;
    new LocalBackend(this, { path: this.stateFile });
    requireTerraformVersion(this);
    const provider = new AwsProvider(this, 'aws', providerConfig(env, env.state.region, emulatorConfigFile(this, env)));

    // Fails the plan, before anything is created, when the credentials are for another account.
    const caller = new DataAwsCallerIdentity(this, 'caller', { provider });
    const backend = new StateBackend(this, 'state', {
      bucketName: env.state.bucket,
      kmsKeyAlias: env.state.kmsKeyAlias,
      kmsKeyAliasArn: kmsKeyAliasArn(env),
      accountId: env.account.id,
      provider,
      preventDestroy,
      ...(props.noncurrentVersionDays !== undefined ? { noncurrentVersionDays: props.noncurrentVersionDays } : {}),
      ...(props.noncurrentVersionsToKeep !== undefined ? { noncurrentVersionsToKeep: props.noncurrentVersionsToKeep } : {}),
      ...(props.abortIncompleteUploadDays !== undefined ? { abortIncompleteUploadDays: props.abortIncompleteUploadDays } : {}),
      // The addresses the deployed bootstrap states know (aws_s3_bucket.state-bucket, ...), from before the backend was
      // a construct: a changed address would make Terraform destroy the state bucket and create a new one.
      topLevelAddresses: true,
    });
    this.kmsKey = backend.kmsKey;
    this.kmsAlias = backend.kmsAlias;
    this.bucket = backend.bucket;

    // The platform's region may differ from the state bucket's; the setting belongs to the platform's region.
    const platformRegion =
      env.account.region === env.state.region ? provider : new AwsProvider(this, 'aws-platform-region', { ...providerConfig(env, env.account.region, emulatorConfigFile(this, env)), alias: 'platform_region' });
    this.apiGatewayAccountLogging = new ApiGatewayAccountLogging(this, 'api-gateway-account-logging', {
      roleName: apiGatewayCloudwatchRoleName(env),
      provider: platformRegion,
      preventDestroy,
    });

    const outputs: Record<string, { value: string; description: string }> = {
      bucket: { value: this.bucket.bucket, description: 'State bucket: the `bucket` of every environment backend in this account' },
      bucket_arn: { value: this.bucket.arn, description: 'State bucket ARN (for IAM policies of the deploying roles)' },
      region: { value: env.state.region, description: 'Region of the state bucket: the `region` of every environment backend' },
      kms_key_arn: { value: this.kmsKey.arn, description: 'ARN of the state key (kms:Decrypt and kms:GenerateDataKey for the deploying roles)' },
      kms_key_alias: { value: this.kmsAlias.name, description: 'Alias of the state key' },
      kms_key_alias_arn: { value: kmsKeyAliasArn(env), description: 'Alias ARN of the state key: the `kms_key_id` of every environment backend' },
      account_id: { value: caller.accountId, description: 'Account the state bucket was created in' },
      api_gateway_cloudwatch_role_arn: {
        value: this.apiGatewayAccountLogging.role.arn,
        description: `API Gateway's CloudWatch role, set for the account in ${env.account.region} (every stage's logs go through it)`,
      },
    };
    if (env.ci) {
      // The roles the workflows assume: created here, by a person with admin rights, because CI can
      // only plan and apply once they exist. Their policies reach this state bucket and key.
      this.githubOidc = new GithubOidc(this, 'github-oidc', {
        repository: env.ci.githubRepository,
        environment: env.name,
        namePrefix: platformNamePrefix(env),
        accountId: env.account.id,
        stateBucket: env.state.bucket,
        stateKmsKeyArn: this.kmsKey.arn,
        ...(env.ci.existingOidcProviderArn ? { existingProviderArn: env.ci.existingOidcProviderArn } : {}),
        ...(env.ci.mainBranch ? { mainBranch: env.ci.mainBranch } : {}),
      });
      outputs.github_plan_role_arn = {
        value: this.githubOidc.planRole.arn,
        description: `Read-only role of plan.yml and drift.yml: this environment's entry in the repository variable AWS_PLAN_ROLE_ARNS`,
      };
      outputs.github_apply_role_arn = {
        value: this.githubOidc.applyRole.arn,
        description: `Apply role: the variable AWS_APPLY_ROLE_ARN of the GitHub environment "${env.name}"`,
      };
    }
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
  }
}
