/**
 * The state backend as a construct of its own (packages/constructs/src/state-backend): what a team composing it gets, and the
 * addresses it keeps for a stack that created the same resources directly. The bucket's and key's rules themselves are
 * tested through the bootstrap stack (__tests__/stacks/state-bootstrap.test.ts).
 */
import { App, Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { StateBackend, type StateBackendProps } from '@private-api-platform/constructs/state-backend';

const PROPS: StateBackendProps = {
  bucketName: 'team-tfstate-444444444444',
  kmsKeyAlias: 'alias/team-tfstate',
  kmsKeyAliasArn: 'arn:aws:kms:eu-west-1:444444444444:alias/team-tfstate',
  accountId: '444444444444',
  preventDestroy: true,
};

function synth(build: (stack: TerraformStack) => void): Record<string, Record<string, Record<string, any>>> {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  build(stack);
  return JSON.parse(Testing.synth(stack, true)).resource;
}

describe('StateBackend', () => {
  test('its resources are addressed by construct path, so a stack may hold two', () => {
    const resources = synth((stack) => {
      new StateBackend(stack, 'one', PROPS);
      new StateBackend(stack, 'two', { ...PROPS, bucketName: 'team-tfstate-2-444444444444', kmsKeyAlias: 'alias/team-tfstate-2' });
    });
    const buckets = Object.values(resources.aws_s3_bucket!).map((b) => b.bucket);
    expect(buckets.sort()).toEqual(['team-tfstate-2-444444444444', 'team-tfstate-444444444444']);
    expect(Object.keys(resources.aws_s3_bucket!).every((address) => /^(one|two)_state-bucket_[0-9A-F]{8}$/.test(address))).toBe(true);
  });

  test('with topLevelAddresses every resource keeps its id as its address, references included', () => {
    const resources = synth((stack) => new StateBackend(stack, 'state', { ...PROPS, topLevelAddresses: true }));
    expect(Object.keys(resources.aws_s3_bucket!)).toEqual(['state-bucket']);
    expect(Object.keys(resources.aws_kms_key!)).toEqual(['state-kms-key']);
    expect(resources.aws_kms_alias!['state-kms-alias']!.target_key_id).toBe('${aws_kms_key.state-kms-key.key_id}');
    expect(resources.aws_s3_bucket_policy!['state-bucket-policy']!.bucket).toBe('${aws_s3_bucket.state-bucket.id}');
    expect(resources.aws_s3_bucket_lifecycle_configuration!['state-bucket-lifecycle']!.depends_on).toEqual(['aws_s3_bucket_versioning.state-bucket-versioning']);
  });

  test('preventDestroy: prevent_destroy on the bucket and the key, and no force_destroy; without it, the bucket empties on destroy', () => {
    const kept = synth((stack) => new StateBackend(stack, 'state', PROPS));
    const bucket = Object.values(kept.aws_s3_bucket!)[0]!;
    expect([bucket.lifecycle?.prevent_destroy, bucket.force_destroy, Object.values(kept.aws_kms_key!)[0]!.lifecycle?.prevent_destroy]).toEqual([true, false, true]);
    const throwaway = Object.values(synth((stack) => new StateBackend(stack, 'state', { ...PROPS, preventDestroy: false })).aws_s3_bucket!)[0]!;
    expect([throwaway.lifecycle?.prevent_destroy, throwaway.force_destroy]).toEqual([undefined, true]);
  });

  test('a version count S3 does not accept is refused at synth, naming the prop', () => {
    expect(() => synth((stack) => new StateBackend(stack, 'state', { ...PROPS, noncurrentVersionsToKeep: 101 }))).toThrow('noncurrentVersionsToKeep: got 101; expected 1 to 100 (the S3 limit)');
    expect(() => synth((stack) => new StateBackend(stack, 'state', { ...PROPS, noncurrentVersionDays: 0 }))).toThrow('noncurrentVersionDays: got 0; expected a whole number of at least 1');
  });
});
