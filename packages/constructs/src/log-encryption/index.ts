/**
 * A customer managed KMS key for the CloudWatch Logs log groups of one region.
 *
 * CloudWatch Logs encrypts a log group with a KMS key when the key's policy lets
 * the service principal of the key's region use it, for log groups of that
 * account and region ("Encrypt log data in CloudWatch Logs using AWS Key
 * Management Service": the principal `logs.<region>.amazonaws.com`, which "must
 * be in the same region as where the CMK is stored", and the encryption context
 * `kms:EncryptionContext:aws:logs:arn`),
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html.
 * So an environment outside us-east-1 needs two: its region's, and us-east-1's
 * for the WAF and CloudFront log groups.
 */
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { LOG_KEY_TAG } from './tag';

export { LOG_KEY_TAG } from './tag';

export interface LogEncryptionKeyProps {
  /** Alias `alias/<namePrefix>-logs` (and the description). */
  readonly namePrefix: string;
  readonly accountId: string;
  /** The region of the key and of the log groups it encrypts. */
  readonly region: string;
  /**
   * The provider of that region.
   * @default - the stack's default provider
   */
  readonly provider?: AwsProvider;
  /**
   * `lifecycle.prevent_destroy`: the logs it encrypted are unreadable without it.
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/** KMS waits this long before deleting the key (the maximum): time to notice and cancel. */
export const LOG_KEY_DELETION_WINDOW_DAYS = 30;

/** The key policy: the account administers the key; CloudWatch Logs of this region uses it for this account's log groups only. */
export function logEncryptionKeyPolicy(accountId: string, region: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersTheKey', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        Effect: 'Allow',
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:log-group:*` } },
      },
    ],
  };
}

export class LogEncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** The key's ARN: the `kms_key_id` of the log groups. */
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: LogEncryptionKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, 'key', {
      provider: props.provider,
      description: `CloudWatch Logs of ${props.namePrefix} in ${props.region}`,
      enableKeyRotation: true,
      deletionWindowInDays: LOG_KEY_DELETION_WINDOW_DAYS,
      policy: JSON.stringify(logEncryptionKeyPolicy(props.accountId, props.region)),
      // The CI apply role creates and manages only keys with this tag (packages/constructs/src/github-oidc).
      tags: { [LOG_KEY_TAG]: props.namePrefix },
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.alias = new KmsAlias(this, 'alias', { provider: props.provider, name: `alias/${props.namePrefix}-logs`, targetKeyId: this.key.keyId });
    this.keyArn = this.key.arn;
  }
}
