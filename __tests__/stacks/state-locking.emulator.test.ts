/**
 * Terraform state in S3, for real, against the local emulator:
 *
 * 1. `bootstrap` (what `npm run bootstrap -- local` runs) creates the state
 *    bucket and key; a second run plans no changes and applies nothing.
 * 2. A small environment stack with the same backend code path as the platform
 *    stack (`addS3Backend`) applies; its state lands in the bucket under the
 *    environment's key, SSE-KMS with the state key.
 * 3. While one apply holds the lock (a local-exec sleep in terraform_data),
 *    a second apply fails with a lock error and the state object is unchanged
 *    (same version id, same bytes); once the first finishes, a third succeeds.
 */
import { App, DataResource, TerraformStack, TerraformVariable } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadEnvironment } from '../../environments/load';
import type { Environment } from '../../environments/schema';
import { bootstrap, type BootstrapResult } from '../../scripts/lib/bootstrap';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { Progress } from '../../scripts/lib/progress';
import { terraform, terraformEnv, type RunResult } from '../../scripts/lib/terraform';
import { addS3Backend, stateKey } from '../../stacks/backend';
import { until } from '../helpers/until';

const PROBE_KIND = 'lock-probe';
/** Long enough for a second Terraform (no providers: under a second idle) to start, find the lock and give up on a loaded machine. */
const HOLD_SECONDS = 20;

/** An environment stack as small as it gets: the platform's backend, one terraform_data that can hold the lock. */
function synthProbe(env: Environment, outdir: string): string {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, PROBE_KIND);
  addS3Backend(stack, env, PROBE_KIND);
  const run = new TerraformVariable(stack, 'run', { type: 'string', default: '0' });
  const hold = new TerraformVariable(stack, 'hold_seconds', { type: 'number', default: 0 });
  new DataResource(stack, 'work', {
    triggersReplace: { run: run.stringValue },
    provisioners: [{ type: 'local-exec', command: `sleep ${hold.numberValue}` }],
    // The state changes only when the sleeping create finishes, never while the lock is held.
    lifecycle: { createBeforeDestroy: true },
  });
  app.synth();
  return join(outdir, 'stacks', PROBE_KIND);
}

describe('Terraform state in S3 (emulator)', () => {
  let emulator: Emulator;
  let env: Environment;
  let work: string;
  let tfEnv: NodeJS.ProcessEnv;
  let first: BootstrapResult;
  let probeDir: string;
  const log = new PassThrough();
  log.resume();

  /** A raw S3 request to the emulator (it does not check signatures, only reads the service from the scope). */
  const s3 = (method: 'GET' | 'HEAD' | 'PUT', path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${emulator.endpoint}/${path}`, {
      method,
      body,
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20250101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=0', ...headers },
    });
  const bucketConfig = async (query: string) => (await s3('GET', `${env.state.bucket}?${query}`)).text();
  const stateObject = async () => {
    const response = await s3('GET', `${env.state.bucket}/${stateKey(env, PROBE_KIND)}`);
    return { status: response.status, versionId: response.headers.get('x-amz-version-id'), body: await response.text(), headers: response.headers };
  };
  const lockExists = async () => (await s3('HEAD', `${env.state.bucket}/${stateKey(env, PROBE_KIND)}.tflock`)).status === 200;
  const apply = (run: string, hold: number, extra: string[] = []): Promise<RunResult> =>
    terraform(probeDir, ['apply', '-auto-approve', '-input=false', '-no-color', `-var=run=${run}`, `-var=hold_seconds=${hold}`, ...extra], { env: tfEnv, allowFailure: true });

  beforeAll(async () => {
    emulator = await startEmulator();
    env = loadEnvironment('local', undefined, { emulatorEndpoint: emulator.endpoint });
    work = mkdtempSync(join(tmpdir(), 'platform-state-'));
    tfEnv = terraformEnv();
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  const bootstrapLocal = () =>
    bootstrap({
      environment: 'local',
      emulatorEndpoint: emulator.endpoint,
      outdir: join(work, 'out'),
      stateFile: join(work, 'bootstrap-state', 'terraform.tfstate'),
      progress: new Progress('bootstrap local', log),
      terraformEnv: tfEnv,
    });

  it('bootstrap creates the hardened state bucket and key; a second run changes nothing', async () => {
    // WHEN the account is bootstrapped
    first = await bootstrapLocal();
    // THEN the bucket and key exist with their protections
    expect(first.changed).toBe(true);
    // bucket, its 6 settings, key and alias; API Gateway's CloudWatch role, its policy and the account setting
    expect(first.planSummary).toMatch(/^Plan: 12 to add, 0 to change, 0 to destroy\.$/);
    expect(first.outputs).toMatchObject({
      bucket: env.state.bucket,
      region: env.state.region,
      kmsKeyAlias: env.state.kmsKeyAlias,
      kmsKeyAliasArn: `arn:aws:kms:${env.state.region}:${env.account.id}:${env.state.kmsKeyAlias}`,
    });
    expect(first.outputs.kmsKeyArn).toMatch(new RegExp(`^arn:aws:kms:${env.state.region}:${env.account.id}:key/[0-9a-f-]{36}$`));
    expect(await bucketConfig('versioning')).toContain('<Status>Enabled</Status>');
    const encryption = await bucketConfig('encryption');
    expect(encryption).toContain('<SSEAlgorithm>aws:kms</SSEAlgorithm>');
    expect(encryption).toContain(`<KMSMasterKeyID>${first.outputs.kmsKeyArn}</KMSMasterKeyID>`);
    expect(encryption).toContain('<BucketKeyEnabled>true</BucketKeyEnabled>');
    const publicAccess = await bucketConfig('publicAccessBlock');
    for (const setting of ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets']) expect(publicAccess).toContain(`<${setting}>true</${setting}>`);
    expect(await bucketConfig('ownershipControls')).toContain('<ObjectOwnership>BucketOwnerEnforced</ObjectOwnership>');
    expect(await bucketConfig('lifecycle')).toMatch(/<NoncurrentVersionExpiration>(?=.*<NoncurrentDays>90<\/NoncurrentDays>)(?=.*<NewerNoncurrentVersions>10<\/NewerNoncurrentVersions>)/);
    expect(JSON.parse(await bucketConfig('policy')).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(
      expect.arrayContaining(['DenyInsecureTransport', 'DenyEncryptionOtherThanKms', 'DenyOtherKmsKeys']),
    );

    // WHEN it runs again
    const second = await bootstrapLocal();
    // THEN the plan is empty (-detailed-exitcode 0) and nothing is applied
    expect(second.changed).toBe(false);
    expect(second.planSummary).toMatch(/^No changes\./);
    expect(second.outputs).toEqual(first.outputs);
  }, 600_000);

  it("an environment stack's state lands in the bucket under the environment's key, encrypted with the state key", async () => {
    expect(first).toBeDefined();
    // GIVEN a stack with the platform's backend code path
    probeDir = synthProbe(env, join(work, 'probe'));
    // WHEN it is initialised against the emulator (Terraform 1.11's own S3 backend) and applied
    await terraform(probeDir, ['init', '-input=false', '-no-color'], { env: tfEnv });
    const applied = await apply('1', 0);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    // THEN the state object is at <environment>/<stack>.tfstate, SSE-KMS under the state key's alias
    const state = await stateObject();
    expect(state.status).toBe(200);
    expect(stateKey(env, PROBE_KIND)).toBe('local/lock-probe.tfstate');
    expect(JSON.parse(state.body)).toMatchObject({ version: 4, resources: [expect.objectContaining({ type: 'terraform_data', name: 'work' })] });
    expect(state.headers.get('x-amz-server-side-encryption')).toBe('aws:kms');
    expect(state.headers.get('x-amz-server-side-encryption-aws-kms-key-id')).toBe(first.outputs.kmsKeyAliasArn);
    expect(await lockExists()).toBe(false);
    // AND a put that asks for other encryption is refused by the bucket policy
    expect((await s3('PUT', `${env.state.bucket}/local/intruder.tfstate`, { 'x-amz-server-side-encryption': 'AES256' }, '{}')).status).toBe(403);
  }, 300_000);

  it('while one apply holds the lock, a second fails with a lock error and changes nothing; a third succeeds after', async () => {
    expect(probeDir).toBeDefined();
    // GIVEN an apply that holds the lock (its create sleeps)
    const holder = apply('2', HOLD_SECONDS);
    await until('the first apply to take the lock', lockExists, { timeoutMs: 60_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}; its output so far:\n${(await Promise.race([holder, Promise.resolve(undefined)]))?.stderr ?? '(still running)'}`);
    });
    const before = await stateObject();

    // WHEN a second apply starts meanwhile (no waiting for the lock)
    const blocked = await apply('3', 0, ['-lock-timeout=0s']);

    // THEN it fails with a lock error naming the holder, and the state object is unchanged
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('Error acquiring the state lock');
    expect(blocked.stderr).toContain(`Path:      ${env.state.bucket}/${stateKey(env, PROBE_KIND)}`);
    expect(blocked.stderr).toContain('Operation: OperationTypeApply');
    const during = await stateObject();
    expect(await lockExists()).toBe(true); // the first apply still holds it: nothing else wrote in between
    expect(during.versionId).toBe(before.versionId);
    expect(during.body).toBe(before.body);

    // WHEN the first apply finishes
    const held = await holder;
    expect(held.stderr).toBe('');
    expect(held.code).toBe(0);
    // THEN it has written its state and released the lock
    const afterFirst = await stateObject();
    expect(afterFirst.versionId).not.toBe(before.versionId);
    expect(JSON.parse(afterFirst.body).serial).toBeGreaterThan(JSON.parse(before.body).serial);
    expect(await lockExists()).toBe(false);

    // AND a third apply succeeds
    const third = await apply('4', 0, ['-lock-timeout=0s']);
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
    const afterThird = await stateObject();
    expect(JSON.parse(afterThird.body).serial).toBeGreaterThan(JSON.parse(afterFirst.body).serial);
    expect(JSON.parse(afterThird.body).resources[0].instances[0].attributes.triggers_replace.value).toEqual({ run: '4' });
  }, 300_000);
});
