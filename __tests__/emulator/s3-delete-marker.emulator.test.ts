/**
 * Patch s3_delete_marker_dispose: a key with a delete marker can be deleted once versioning is
 * suspended (what destroying the state bucket does: its lock file leaves delete markers, the
 * versioning resource goes first, then force_destroy empties the bucket).
 */
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { awsRequest } from '../helpers/aws-request';

async function deleteAllVersions(emulator: Emulator): Promise<number[]> {
  const s3 = (method: string, path: string, body?: string) => awsRequest(emulator.endpoint, { service: 's3', region: 'us-east-1', method, path, ...(body ? { body } : {}) });
  await s3('PUT', '/lock-bucket');
  await s3('PUT', '/lock-bucket?versioning', '<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>');
  await s3('PUT', '/lock-bucket/env/state.tflock', '{"ID":"lock"}');
  await s3('DELETE', '/lock-bucket/env/state.tflock'); // leaves a delete marker, as an unlock does
  const listing = (await s3('GET', '/lock-bucket?versions')).text;
  expect([...listing.matchAll(/<VersionId>([^<]+)<\/VersionId>/g)]).toHaveLength(2); // the object and its delete marker
  // Terraform destroys aws_s3_bucket_versioning before the bucket: versioning is suspended when
  // force_destroy empties the bucket with DeleteObjects.
  await s3('PUT', '/lock-bucket?versioning', '<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>');
  const deleted = await s3('POST', '/lock-bucket?delete', '<Delete><Object><Key>env/state.tflock</Key></Object><Quiet>true</Quiet></Delete>');
  return [deleted.status, (await s3('DELETE', '/lock-bucket')).status];
}

describe('s3_delete_marker_dispose', () => {
  it('deletes every version of a key with a delete marker, then the bucket', async () => {
    const emulator = await startEmulator();
    try {
      expect(await deleteAllVersions(emulator)).toEqual([200, 204]);
    } finally {
      await emulator.stop();
    }
  }, 60_000);

  it('fails without the patch (moto 5.2.1 answers 500)', async () => {
    const emulator = await startEmulator({ disablePatches: ['s3_delete_marker_dispose'] });
    try {
      expect(await deleteAllVersions(emulator)).toContain(500);
    } finally {
      await emulator.stop();
    }
  }, 60_000);
});
