/**
 * Log encryption: where the environment asks (`logKmsEncryption`, prod), every
 * CloudWatch Logs log group is encrypted with a customer managed key of its own
 * region, whose policy lets CloudWatch Logs of that region use it for this
 * account's log groups only.
 */
import { logEncryptionKeyPolicy } from '@private-api-platform/constructs/log-encryption';
import { environment, synthPlatform } from '../helpers/synth';

describe('log groups encrypted with KMS where the environment asks', () => {
  const env = environment('prod');
  const synth = synthPlatform(env);
  const keys = synth.resources('aws_kms_key');
  const keyOf = (group: any) => keys[/aws_kms_key\.([^.]+)\.arn/.exec(String(group.kms_key_id))?.[1] ?? ''];

  test('prod: every log group has a customer managed key of its own region (CloudWatch Logs uses a key of its region only)', () => {
    expect(env.logKmsEncryption).toBe(true);
    const groups = Object.values(synth.resources('aws_cloudwatch_log_group')) as any[];
    expect(groups.length).toBeGreaterThanOrEqual(6);
    for (const group of groups) {
      const key = keyOf(group);
      expect({ group: group.name, key: Boolean(key) }).toEqual({ group: group.name, key: true });
      // a us-east-1 group (WAF, CloudFront) with the us-east-1 key; the others with the region's
      expect(key.provider).toBe(group.provider);
      const region = group.provider === 'aws.us_east_1' ? 'us-east-1' : env.account.region;
      expect(JSON.parse(key.policy)).toEqual(logEncryptionKeyPolicy(env.account.id, region));
      expect(key.enable_key_rotation).toBe(true);
      expect(key.lifecycle).toEqual({ prevent_destroy: true });
    }
  });

  test('environments that do not ask keep CloudWatch Logs\' own encryption and create no key for logs', () => {
    const dev = synthPlatform(environment('dev'));
    expect(Object.values(dev.resources('aws_cloudwatch_log_group')).every((g: any) => g.kms_key_id === undefined)).toBe(true);
    expect(Object.keys(dev.resources('aws_kms_key'))).toEqual([]);
  });

  test("the key policy names CloudWatch Logs of the key's region and only this account's log groups (the encryption context AWS documents)", () => {
    const policy = logEncryptionKeyPolicy('333333333333', 'eu-central-1');
    expect(policy.Statement[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'kms:*' });
    const statement = policy.Statement[1]!;
    expect(statement.Principal).toEqual({ Service: 'logs.eu-central-1.amazonaws.com' });
    expect(statement.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-central-1:333333333333:log-group:*' } });
  });
});
