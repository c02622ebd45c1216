/**
 * The emulator's request record (server.py --record, emulator/recorder.py): who signed each call, which service,
 * region and operation (from botocore's models, for every protocol the platform's services use), the parameters
 * that name its resource, and the identifiers of what it created.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsRequest } from '../helpers/aws-request';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { readRecord, type RecordedCall } from '../../scripts/lib/iam-audit/lifecycle';

describe('the request record', () => {
  let emulator: Emulator;
  let dir: string;
  let record: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recorder-'));
    record = join(dir, 'record.jsonl');
    emulator = await startEmulator({ recordFile: record });
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const form = (params: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, method: 'POST', body: new URLSearchParams(params).toString() });
  const last = (): RecordedCall => readRecord(record).at(-1)!;

  test('a query-protocol call: the signer, service, region, operation and its parameters', async () => {
    await awsRequest(emulator.endpoint, { service: 'ec2', region: 'eu-west-1', accessKeyId: 'AKIAPLAN', ...form({ Action: 'CreateVpc', Version: '2016-11-15', CidrBlock: '10.1.0.0/16' }) });
    expect(last()).toMatchObject({ accessKeyId: 'AKIAPLAN', service: 'ec2', region: 'eu-west-1', operation: 'CreateVpc', protocol: 'ec2', method: 'POST', params: { CidrBlock: '10.1.0.0/16' }, status: 200 });
  });

  test('a JSON-protocol call: the operation from X-Amz-Target, the created key named in the answer', async () => {
    await awsRequest(emulator.endpoint, {
      service: 'kms',
      region: 'eu-west-1',
      accessKeyId: 'AKIAAPPLY',
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.CreateKey', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ Tags: [{ TagKey: 'team', TagValue: 'platform' }] }),
    });
    const call = last();
    expect(call).toMatchObject({ accessKeyId: 'AKIAAPPLY', service: 'kms', operation: 'CreateKey', params: { Tags: [{ TagKey: 'team', TagValue: 'platform' }] } });
    expect(call.response['KeyMetadata.KeyId']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('REST calls: the operation whose URI template and method match, with its labels; S3 operations that share a URI told apart', async () => {
    await awsRequest(emulator.endpoint, { service: 'apigateway', region: 'eu-west-1', method: 'GET', path: '/restapis/abc123/resources/def456' });
    expect(last()).toMatchObject({ service: 'apigateway', operation: 'GetResource', protocol: 'rest-json', params: { restapi_id: 'abc123', resource_id: 'def456' } });
    await awsRequest(emulator.endpoint, { service: 's3', region: 'eu-west-1', method: 'GET', path: '/state-bucket?list-type=2&prefix=dev%2F' });
    expect(last()).toMatchObject({ operation: 'ListObjectsV2', params: { Bucket: 'state-bucket', prefix: 'dev/' } });
    await awsRequest(emulator.endpoint, { service: 's3', region: 'eu-west-1', method: 'PUT', path: '/state-bucket/dev/x.tflock', body: 'lock' });
    expect(last()).toMatchObject({ operation: 'PutObject', params: { Bucket: 'state-bucket', Key: 'dev/x.tflock' } });
    await awsRequest(emulator.endpoint, { service: 's3', region: 'eu-west-1', method: 'PUT', path: '/state-bucket/dev/y', headers: { 'x-amz-copy-source': 'state-bucket/dev/x.tflock' } });
    expect(last()).toMatchObject({ operation: 'CopyObject' });
    await awsRequest(emulator.endpoint, { service: 's3', region: 'eu-west-1', method: 'DELETE', path: '/state-bucket/dev/x.tflock?versionId=v1' });
    expect(last()).toMatchObject({ operation: 'DeleteObject', params: { versionId: 'v1' } });
  });

  test('an unsigned request is recorded without a signer or service', async () => {
    await fetch(`${emulator.endpoint}/moto-api/`);
    expect(last()).toMatchObject({ accessKeyId: null, service: null, operation: null });
  });

  test('every line is numbered in the order served', () => {
    const calls = readRecord(record);
    expect(calls.map((c) => c.seq)).toEqual(calls.map((_, i) => i + 1));
  });
});
