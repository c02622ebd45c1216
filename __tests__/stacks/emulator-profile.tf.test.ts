/**
 * The emulator profile with the real AWS provider (stacks/providers.ts): every call goes where the profile points; a
 * missing profile file fails the plan before any call; the scripts' Terraform environment drops the caller's endpoint
 * overrides, which would otherwise win over the profile (AWS SDKs' precedence). Two loopback servers stand in for the
 * emulator and for "anywhere else": each records the requests it gets and answers an error.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { awsProvider } from '../../stacks/versions';
import { terraform, terraformEnv } from '../../scripts/lib/terraform';
import { emulatorProviders } from '../helpers/emulator-terraform';

interface Recorder {
  readonly endpoint: string;
  readonly seen: string[];
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that records each request's signing scope (key/date/region/service) and answers 400. */
async function recorder(): Promise<Recorder> {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(/Credential=([^,]+)/.exec(request.headers.authorization ?? '')?.[1] ?? 'unsigned');
    request.resume();
    response.writeHead(400, { 'content-type': 'text/xml' }).end('<ErrorResponse><Error><Code>Stand-in</Code><Message>a test server</Message></Error></ErrorResponse>');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((done) => server.close(() => done())) };
}

describe('the emulator profile, with the real AWS provider', () => {
  let dir: string;
  let emulator: Recorder;
  let elsewhere: Recorder;
  const plan = (env: NodeJS.ProcessEnv) => terraform(dir, ['plan', '-input=false', '-no-color', '-lock=false'], { env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' }, allowFailure: true });

  beforeAll(async () => {
    [emulator, elsewhere] = await Promise.all([recorder(), recorder()]);
    dir = mkdtempSync(join(tmpdir(), 'platform-emulator-profile-'));
    // Each provider, configured for a data source, first looks its account up (sts:GetCallerIdentity).
    const config = {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: awsProvider().version } } },
      provider: { aws: emulatorProviders(emulator.endpoint, dir, { maxRetries: 0 }) },
      data: { aws_region: { here: {}, east: { provider: 'aws.us_east_1' } } },
    };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
    await terraform(dir, ['init', '-input=false', '-no-color'], { env: terraformEnv() });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([emulator.close(), elsewhere.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    emulator.seen.length = 0;
    elsewhere.seen.length = 0;
  });

  it('sends the calls of both providers where the profile points, signed with the stack\'s test key', async () => {
    await plan(terraformEnv());
    expect(emulator.seen).toEqual(expect.arrayContaining([expect.stringMatching(/^test\/\d{8}\/eu-west-1\/sts\//), expect.stringMatching(/^test\/\d{8}\/us-east-1\/sts\//)]));
    expect(elsewhere.seen).toEqual([]);
  }, 120_000);

  it('drops the caller\'s AWS_ENDPOINT_URL and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: the calls still go where the profile points', async () => {
    const caller = { ...process.env, AWS_ENDPOINT_URL: elsewhere.endpoint, AWS_ENDPOINT_URL_STS: elsewhere.endpoint, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    const env = terraformEnv(caller);
    expect(Object.keys(env).filter((name) => name.startsWith('AWS_ENDPOINT_URL') || name === 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS')).toEqual([]);
    await plan(env);
    expect(emulator.seen.length).toBeGreaterThan(0);
    expect(elsewhere.seen).toEqual([]);
  }, 120_000);

  it('(why they are dropped) kept, AWS_ENDPOINT_URL wins over the profile', async () => {
    await plan({ ...terraformEnv(), AWS_ENDPOINT_URL: elsewhere.endpoint });
    expect(elsewhere.seen.length).toBeGreaterThan(0);
    expect(emulator.seen).toEqual([]);
  }, 120_000);

  it('without the profile\'s file the plan fails before any call, naming the profile', async () => {
    rmSync(join(dir, 'emulator-aws-config'));
    const result = await plan(terraformEnv());
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toContain('failed to get shared config profile, platform-emulator');
    expect([emulator.seen, elsewhere.seen]).toEqual([[], []]);
  }, 120_000);
});
