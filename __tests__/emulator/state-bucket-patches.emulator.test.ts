/**
 * The two emulator patches the state bucket needs (emulator/patches), checked
 * with plain S3 requests (no Terraform, a few seconds), with each patch on and
 * off:
 *
 * - lifecycle_newer_noncurrent_versions: a lifecycle rule reads back with its
 *   NewerNoncurrentVersions (without it the AWS provider waits 3 minutes for
 *   the configuration it wrote, then fails).
 * - s3_bucket_policy_conditions: the state bucket's deny-only policy lets
 *   Terraform's requests through and refuses the ones it should (without it
 *   moto denies every object request, so no state can be read or written).
 */
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { stateBucketPolicy } from '@private-api-platform/constructs/state-backend';

const BUCKET = 'patch-probe-state';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666';
const ALIAS_ARN = 'arn:aws:kms:eu-west-1:123456789012:alias/platform-tfstate';
const LIFECYCLE = `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>old-versions</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>
<NoncurrentVersionExpiration><NoncurrentDays>90</NoncurrentDays><NewerNoncurrentVersions>10</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>`;
const TERRAFORM_PUT = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': ALIAS_ARN };

function client(emulator: Emulator) {
  return (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${emulator.endpoint}/${path}`, {
      method,
      body,
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20250101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=0', ...headers },
    });
}

/** A versioned bucket with the state lifecycle rule and the state bucket policy. */
async function stateBucket(s3: ReturnType<typeof client>): Promise<void> {
  const steps: [string, string, string][] = [
    ['PUT', BUCKET, '<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>'],
    ['PUT', `${BUCKET}?versioning`, '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>'],
    ['PUT', `${BUCKET}?lifecycle`, LIFECYCLE],
    ['PUT', `${BUCKET}?policy`, JSON.stringify(stateBucketPolicy(`arn:aws:s3:::${BUCKET}`, [KEY_ARN, ALIAS_ARN]))],
  ];
  for (const [method, path, body] of steps) {
    const response = await s3(method, path, {}, body);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }
}

describe.each([
  ['with the patches', [] as string[]],
  ['without them', ['lifecycle_newer_noncurrent_versions', 's3_bucket_policy_conditions']],
])('state bucket on the emulator %s', (_label, disabled) => {
  const patched = disabled.length === 0;
  let emulator: Emulator;
  let s3: ReturnType<typeof client>;
  beforeAll(async () => {
    emulator = await startEmulator({ disablePatches: disabled });
    s3 = client(emulator);
    await stateBucket(s3);
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
  });

  it(patched ? 'reads the lifecycle rule back as written' : 'fails when lifecycle_newer_noncurrent_versions is off: NewerNoncurrentVersions is lost', async () => {
    const lifecycle = await (await s3('GET', `${BUCKET}?lifecycle`)).text();
    expect(lifecycle).toContain('<NoncurrentDays>90</NoncurrentDays>');
    if (patched) expect(lifecycle).toContain('<NewerNoncurrentVersions>10</NewerNoncurrentVersions>');
    else expect(lifecycle).not.toContain('NewerNoncurrentVersions');
  });

  it(patched ? "lets Terraform's put and get through the deny-only policy" : 'fails when s3_bucket_policy_conditions is off: every object request is denied', async () => {
    const put = await s3('PUT', `${BUCKET}/dev/platform.tfstate`, TERRAFORM_PUT, '{"version":4}');
    const get = await s3('GET', `${BUCKET}/dev/platform.tfstate`);
    expect([put.status, get.status]).toEqual(patched ? [200, 200] : [403, 403]);
  });

  if (patched) {
    it.each([
      ['SSE-S3', { 'x-amz-server-side-encryption': 'AES256' }],
      ['another KMS key', { ...TERRAFORM_PUT, 'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:123456789012:key/ffffffff-0000-0000-0000-000000000000' }],
      ['SSE-KMS without a key id', { 'x-amz-server-side-encryption': 'aws:kms' }],
    ])('denies a put asking for %s, as AWS would', async (_what, headers) => {
      expect((await s3('PUT', `${BUCKET}/dev/other.tfstate`, headers, '{}')).status).toBe(403);
    });

    it('allows a put without encryption headers (default encryption applies), as AWS would', async () => {
      expect((await s3('PUT', `${BUCKET}/dev/plain.tfstate`, {}, '{}')).status).toBe(200);
    });
  }
});
