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
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { Construct } from 'constructs';
import { GithubOidc } from '../modules/github-oidc';
import { ApiGatewayAccountLogging } from '../modules/private-api/account-logging';
import { resolve } from 'node:path';
import type { Environment } from '../environments/schema';
import { kmsKeyAliasArn, requireTerraformVersion } from './backend';
import { apiGatewayCloudwatchRoleName, platformNamePrefix } from './names';
import { providerConfig } from './providers';

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

/** KMS waits this long before deleting a scheduled key (the maximum): time to notice and cancel. */
export const KMS_DELETION_WINDOW_DAYS = 30;

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

/** An IAM policy document (the subset this stack writes). */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: 'Allow' | 'Deny';
    readonly Principal: '*' | { readonly AWS: string };
    readonly Action: string | readonly string[];
    readonly Resource: string | readonly string[];
    readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
  }[];
}

/**
 * The state bucket's policy: TLS only, and every object written with SSE-KMS under the state key.
 *
 * Puts that send no encryption header are not denied: default encryption
 * (SSE-KMS, this key) covers them, and a deny would also refuse every
 * `UploadPart` of a multipart upload (S3 authorizes it as `s3:PutObject`,
 * without the header), so Terraform could no longer save a state over 5 MiB.
 * What is denied is every request that asks for anything else: another
 * algorithm (SSE-S3, DSSE), customer keys (SSE-C), another KMS key, or
 * `aws:kms` without a key id (S3 would use the `aws/s3` managed key).
 *
 * `kmsKeyArns` lists the ARNs a client may name: the key's ARN and its alias
 * ARN (the environment stacks' backends name the alias).
 */
export function stateBucketPolicy(bucketArn: string, kmsKeyArns: readonly string[]): PolicyDocument {
  const objects = `${bucketArn}/*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, objects],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'DenyEncryptionOtherThanKms',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects,
        // Null false: only when the header is sent (a negated operator also holds when it is missing).
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' }, Null: { 's3:x-amz-server-side-encryption': 'false' } },
      },
      {
        Sid: 'DenyCustomerProvidedKeys',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects,
        Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
      },
      {
        Sid: 'DenyOtherKmsKeys',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects,
        Condition: {
          StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': kmsKeyArns },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
        },
      },
      {
        Sid: 'DenyKmsWithoutKeyId',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: objects,
        Condition: {
          StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
        },
      },
    ],
  };
}

/** The key policy: the account (its IAM policies) administers and uses the key; nothing else does. */
export function stateKeyPolicy(accountId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountAdministersAndUsesTheKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
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
    const noncurrentDays = positiveInteger('noncurrentVersionDays', props.noncurrentVersionDays ?? 90);
    const keepVersions = positiveInteger('noncurrentVersionsToKeep', props.noncurrentVersionsToKeep ?? 10);
    const abortDays = positiveInteger('abortIncompleteUploadDays', props.abortIncompleteUploadDays ?? 7);
    if (keepVersions > 100) throw new Error(`noncurrentVersionsToKeep: got ${keepVersions}; expected 1 to 100 (the S3 limit)`);

    new LocalBackend(this, { path: this.stateFile });
    requireTerraformVersion(this);
    const provider = new AwsProvider(this, 'aws', providerConfig(env, env.state.region));

    // Fails the plan, before anything is created, when the credentials are for another account.
    const caller = new DataAwsCallerIdentity(this, 'caller', { provider });
    const lifecycle = preventDestroy ? { preventDestroy: true } : undefined;

    this.kmsKey = new KmsKey(this, 'state-kms-key', {
      provider,
      description: `Terraform state of ${env.state.bucket} (platform environments in account ${env.account.id})`,
      enableKeyRotation: true,
      deletionWindowInDays: KMS_DELETION_WINDOW_DAYS,
      policy: JSON.stringify(stateKeyPolicy(env.account.id)),
      lifecycle,
    });
    this.kmsAlias = new KmsAlias(this, 'state-kms-alias', { provider, name: env.state.kmsKeyAlias, targetKeyId: this.kmsKey.keyId });

    this.bucket = new S3Bucket(this, 'state-bucket', {
      provider,
      bucket: env.state.bucket,
      forceDestroy: !preventDestroy,
      lifecycle,
    });
    const bucketId = this.bucket.id;

    const versioning = new S3BucketVersioningA(this, 'state-bucket-versioning', {
      provider,
      bucket: bucketId,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'state-bucket-encryption', {
      provider,
      bucket: bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.kmsKey.arn }, bucketKeyEnabled: true }],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'state-bucket-public-access-block', {
      provider,
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const ownership = new S3BucketOwnershipControls(this, 'state-bucket-ownership', {
      provider,
      bucket: bucketId,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketPolicy(this, 'state-bucket-policy', {
      provider,
      bucket: bucketId,
      policy: JSON.stringify(stateBucketPolicy(this.bucket.arn, [this.kmsKey.arn, kmsKeyAliasArn(env)])),
      // S3 refuses concurrent changes to one bucket's access settings.
      dependsOn: [publicAccessBlock, ownership],
    });
    new S3BucketLifecycleConfiguration(this, 'state-bucket-lifecycle', {
      provider,
      bucket: bucketId,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays, newerNoncurrentVersions: keepVersions }],
          // Lock files leave a delete marker each apply; remove the markers once nothing is behind them.
          expiration: [{ expiredObjectDeleteMarker: true }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortDays }],
        },
      ],
      // Noncurrent-version rules need versioning switched on first.
      dependsOn: [versioning],
    });

    // The platform's region may differ from the state bucket's; the setting belongs to the platform's region.
    const platformRegion =
      env.account.region === env.state.region ? provider : new AwsProvider(this, 'aws-platform-region', { ...providerConfig(env, env.account.region), alias: 'platform_region' });
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

function positiveInteger(prop: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${prop}: got ${value}; expected a whole number of at least 1`);
  return value;
}
