/**
 * The Terraform state of an account: one hardened S3 bucket (versioned, SSE-KMS with a bucket key, public access
 * blocked, ACLs off, TLS only, only this key's encryption, old versions expired) and its customer managed KMS key with
 * an alias. The environment stacks' S3 backends name the bucket and the alias (`use_lockfile` locks in the same bucket).
 */
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';

/** KMS waits this long before deleting a scheduled key (the maximum): time to notice and cancel. */
export const KMS_DELETION_WINDOW_DAYS = 30;

export interface StateBackendProps {
  /** The bucket's name (globally unique). */
  readonly bucketName: string;
  /** The key's alias (`alias/...`). */
  readonly kmsKeyAlias: string;
  /** The alias's ARN (`arn:aws:kms:<region>:<account>:alias/...`): backends name the key by it, so the bucket policy allows it. */
  readonly kmsKeyAliasArn: string;
  /** The account the bucket and key belong to: the key policy lets its IAM policies administer and use the key. */
  readonly accountId: string;
  /** The provider of the state's region. @default - the scope's default provider */
  readonly provider?: AwsProvider;
  /** `lifecycle.prevent_destroy` on the bucket and the key, and no `force_destroy` on the bucket. */
  readonly preventDestroy: boolean;
  /**
   * Days a state version is kept after a newer one replaces it.
   * @default 90
   */
  readonly noncurrentVersionDays?: number;
  /**
   * Newest noncurrent versions of each state object kept regardless of age (1 to 100).
   * @default 10
   */
  readonly noncurrentVersionsToKeep?: number;
  /**
   * Days after which an unfinished multipart upload is aborted (its parts cost money and are invisible).
   * @default 7
   */
  readonly abortIncompleteUploadDays?: number;
  /**
   * Give each resource its id alone as its Terraform address (`aws_s3_bucket.state-bucket`), as a stack that created
   * these resources directly had them: such a stack keeps its deployed bucket and key (a changed address would make
   * Terraform destroy them and create new ones). One StateBackend per stack then.
   * @default false - addresses from the construct path, as for any construct
   */
  readonly topLevelAddresses?: boolean;
}

/** An IAM policy document (the subset this construct writes). */
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

export class StateBackend extends Construct {
  readonly kmsKey: KmsKey;
  readonly kmsAlias: KmsAlias;
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  readonly encryption: S3BucketServerSideEncryptionConfigurationA;
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
  readonly ownership: S3BucketOwnershipControls;
  readonly policy: S3BucketPolicy;
  readonly lifecycleConfiguration: S3BucketLifecycleConfiguration;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const noncurrentDays = positiveInteger('noncurrentVersionDays', props.noncurrentVersionDays ?? 90);
    const keepVersions = positiveInteger('noncurrentVersionsToKeep', props.noncurrentVersionsToKeep ?? 10);
    const abortDays = positiveInteger('abortIncompleteUploadDays', props.abortIncompleteUploadDays ?? 7);
    if (keepVersions > 100) throw new Error(`noncurrentVersionsToKeep: got ${keepVersions}; expected 1 to 100 (the S3 limit)`);
    const provider = props.provider;
    const lifecycle = props.preventDestroy ? { preventDestroy: true } : undefined;
    // Before anything refers to the resource: its address is fixed the first time one does.
    const made = <T extends { overrideLogicalId(id: string): void }>(id: string, resource: T): T => {
      if (props.topLevelAddresses) resource.overrideLogicalId(id);
      return resource;
    };

    this.kmsKey = made('state-kms-key', new KmsKey(this, 'state-kms-key', {
      provider,
      description: `Terraform state of ${props.bucketName} (platform environments in account ${props.accountId})`,
      enableKeyRotation: true,
      deletionWindowInDays: KMS_DELETION_WINDOW_DAYS,
      policy: JSON.stringify(stateKeyPolicy(props.accountId)),
      lifecycle,
    }));
    this.kmsAlias = made('state-kms-alias', new KmsAlias(this, 'state-kms-alias', { provider, name: props.kmsKeyAlias, targetKeyId: this.kmsKey.keyId }));

    this.bucket = made('state-bucket', new S3Bucket(this, 'state-bucket', {
      provider,
      bucket: props.bucketName,
      forceDestroy: !props.preventDestroy,
      lifecycle,
    }));
    const bucketId = this.bucket.id;

    this.versioning = made('state-bucket-versioning', new S3BucketVersioningA(this, 'state-bucket-versioning', {
      provider,
      bucket: bucketId,
      versioningConfiguration: { status: 'Enabled' },
    }));
    this.encryption = made('state-bucket-encryption', new S3BucketServerSideEncryptionConfigurationA(this, 'state-bucket-encryption', {
      provider,
      bucket: bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.kmsKey.arn }, bucketKeyEnabled: true }],
    }));
    this.publicAccessBlock = made('state-bucket-public-access-block', new S3BucketPublicAccessBlock(this, 'state-bucket-public-access-block', {
      provider,
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }));
    this.ownership = made('state-bucket-ownership', new S3BucketOwnershipControls(this, 'state-bucket-ownership', {
      provider,
      bucket: bucketId,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    }));
    this.policy = made('state-bucket-policy', new S3BucketPolicy(this, 'state-bucket-policy', {
      provider,
      bucket: bucketId,
      policy: JSON.stringify(stateBucketPolicy(this.bucket.arn, [this.kmsKey.arn, props.kmsKeyAliasArn])),
      // S3 refuses concurrent changes to one bucket's access settings.
      dependsOn: [this.publicAccessBlock, this.ownership],
    }));
    this.lifecycleConfiguration = made('state-bucket-lifecycle', new S3BucketLifecycleConfiguration(this, 'state-bucket-lifecycle', {
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
      dependsOn: [this.versioning],
    }));
  }
}

function positiveInteger(prop: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${prop}: got ${value}; expected a whole number of at least 1`);
  return value;
}
