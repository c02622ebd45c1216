/**
 * The main job, as a user runs it: `npm start` deploys the whole local environment to the
 * emulator, a second plan shows no changes, the access rules pass against what was deployed;
 * then requests through the local edge (curl examples, smoke, PKCE sign-in) against that one deployment.
 * `npm run destroy -- local` is asserted by the operations test (after a replacement, drift and a killed apply:
 * the emulator holds none of it, the progress reaches 100 %, and it stops); here `npm run stop` ends the cycle.
 * PLATFORM_WORK_DIR keeps this cycle's emulator, state and output apart from a developer's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../environments/load';
import { alive, runningDaemon } from '../../scripts/lib/emulator-daemon';
import { localWork } from '../../scripts/lib/local-work';
import { stopLocal } from '../../scripts/lib/local-stop';
import { edgeDaemonDir } from '../../scripts/lib/outputs';
import { emulatorInventory } from '../../scripts/lib/emulator-inventory';
import { awsRequest } from '../helpers/aws-request';
import { expectBreaksSmoke, expectPkceSignIn, expectRealModeSmoke } from '../helpers/edge-checks';
import { expectExit, runScript } from '../helpers/run-script';

describe('npm start on local, then requests through its edge', () => {
  let work: string;
  let startOutput = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'platform-cycle-'));
  });
  afterAll(async () => {
    // What npm start left running, the emulator and the local edge, is stopped even when a test failed first.
    await stopLocal(localWork(work), loadEnvironment('local'));
    rmSync(work, { recursive: true, force: true });
  });

  it('deploys every resource of local, re-plans with no changes and passes the access rules', async () => {
    const result = await runScript('scripts/start.ts', [], { PLATFORM_WORK_DIR: work });
    expectExit(result, 0, 'npm start');
    startOutput = result.stdout;
    expect(result.stderr).toMatch(/\[start\] cdktf deploy local: done in/);
    expect(result.stderr).toMatch(/\[start\] plan again: no changes expected: done in/);
    expect(result.stdout).toMatch(/The local platform is deployed \((\d+) resources/);
    // every resource the local platform stack declares (count expanded) is deployed
    const synthesized = JSON.parse(readFileSync(join(work, 'cdktf.out', 'stacks', 'local', 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, { count?: number }>> };
    const declared = Object.values(synthesized.resource).flatMap((byName) => Object.values(byName)).reduce((n, r) => n + (typeof r.count === 'number' ? r.count : 1), 0);
    expect(declared).toBeGreaterThan(60);
    expect(Number(/deployed \((\d+) resources/.exec(result.stdout)![1])).toBe(declared);
    // the deploy step streams its progress: resources done / total, the slowest in progress with their elapsed time
    const deploySteps = result.stderr.slice(result.stderr.indexOf('[start] cdktf deploy local ...'), result.stderr.indexOf('[start] cdktf deploy local: done'));
    const reports = [...deploySteps.matchAll(/\[start\] cdktf deploy local: (\d+)\/(\d+) resources done \(\d+ %\)(.*)/g)];
    expect(reports.length).toBeGreaterThan(3);
    expect(reports.every((r) => Number(r[2]) === declared)).toBe(true);
    const counts = reports.map((r) => Number(r[1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[counts.length - 1]).toBe(declared);
    expect(reports.some((r) => /in progress; slowest: aws_\w+\.\S+ \d+ s/.test(r[3]!))).toBe(true);
    expect(result.stdout).toContain('a second plan shows no changes');
    expect(result.stdout).toContain('11/11 access rules pass against the deployed state');
    for (const output of ['edge_distribution_id', 'edge_vpc_origin_id', 'edge_alb_arn', 'network_execute_api_endpoint_id', 'api_orders_rest_api_id', 'api_profile_rest_api_id', 'identity_user_pool_id', 'identity_client_ids']) {
      expect(result.stdout).toMatch(new RegExp(`^${output}\\s+\\S+`, 'm'));
    }
    // the emulator keeps running (for the requests below, and npm run destroy), recorded in the work dir
    const daemon = await runningDaemon(join(work, 'emulator'));
    expect(daemon?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // every kind the destroy check lists is there now: the check can see what it must later miss
    const inventory = await emulatorInventory(daemon!.endpoint, 'eu-west-1');
    for (const [kind, ids] of Object.entries(inventory)) expect([kind, ids.length > 0]).toEqual([kind, true]);
    // API Gateway's CloudWatch role is the account's setting, set by the bootstrap stack (the platform only checks it)
    const account = await awsRequest(daemon!.endpoint, { service: 'apigateway', region: 'eu-west-1', path: '/account' });
    expect(JSON.parse(account.text).cloudwatchRoleArn).toBe('arn:aws:iam::123456789012:role/platform-apigateway-cloudwatch-eu-west-1');
    // the platform's state is in the state bucket, under local/platform.tfstate
    // (a signed request: the bucket policy refuses anonymous reads, as on AWS)
    const state = await awsRequest(daemon!.endpoint, { service: 's3', region: 'eu-west-1', path: '/platform-tfstate-local/local/platform.tfstate' });
    expect(state.status).toBe(200);
    const managed = (JSON.parse(state.text) as { resources: { mode: string; instances: unknown[] }[] }).resources.filter((r) => r.mode === 'managed');
    expect(managed.reduce((n, r) => n + r.instances.length, 0)).toBe(declared);
  }, 900_000);

  it('prints curl examples that work as pasted: no token 401, a machine token then the call 200, a preflight 204, around CloudFront 403', () => {
    expect(startOutput).toMatch(/The local edge answers at http:\/\/127\.0\.0\.1:\d+/);
    const examples = startOutput.slice(startOutput.indexOf('Try:') + 4, startOutput.indexOf('Every probe at once'));
    const script = examples.split('\n').filter((line) => line.startsWith('  ') && !line.trimStart().startsWith('#')).map((line) => line.trim()).join('\n');
    const ran = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    // (not anchored: a body without a final newline runs into the next answer's status line)
    expect([...ran.stdout.matchAll(/HTTP\/[\d.]+ (\d{3}) /g)].map((m) => Number(m[1]))).toEqual([401, 200, 204, 403]);
    expect(ran.stdout).toContain('access-control-allow-origin: http://localhost:3000');
  });

  it('leaves the local edge running: npm run smoke -- local passes every probe through it', async () => {
    const edge = await runningDaemon(join(work, 'emulator', 'edge'));
    expect(edge?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const smoke = await runScript('scripts/smoke.ts', ['local'], { PLATFORM_WORK_DIR: work });
    expectExit(smoke, 0, 'npm run smoke -- local');
    expect(smoke.stdout).toMatch(/All \d+ probes answered as expected/);
    expect(smoke.stdout).toMatch(/^no token +GET \/orders\/smoke-orderId +401 +401/m);
    expect(smoke.stdout).toMatch(/^token with scope +POST \/orders\/smoke-orderId\/items \(orders.write\) +201 +201/m);
    expect(smoke.stdout).toMatch(/^execute-api directly .* 403 or unreachable +403/m);
    expect(smoke.stdout).toMatch(/^CORS on 2xx +GET \/orders\/smoke-orderId Origin: http:\/\/localhost:3000 .* ok$/m);
    // the outputs command gives the deployed outputs and where the local edge and the token endpoint answer
    const outputs = await runScript('scripts/outputs.ts', ['local', '--json'], { PLATFORM_WORK_DIR: work });
    expectExit(outputs, 0, 'npm run outputs -- local --json');
    const values = JSON.parse(outputs.stdout) as Record<string, unknown>;
    expect(values.local_edge_url).toBe(edge!.endpoint);
    expect(values.local_token_endpoint_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_cognito\/platform-local-auth(-[a-z0-9]+)?\/oauth2\/token$/);
    expect(values.edge_distribution_id).toEqual(expect.any(String));
    expect(values.identity_machine_client_secrets).toBe('(sensitive)');
  }, 300_000);

  it('npm run smoke -- local fails, naming the probe, after each of these is broken in the deployed environment', async () => {
    await expectBreaksSmoke(work, runScript);
  }, 900_000);

  it('npm run smoke against a real environment, with local stand-ins for the AWS endpoints it calls, passes', async () => {
    await expectRealModeSmoke(work, runScript);
  }, 300_000);

  it('signs a person in with authorization code + PKCE against the local Cognito (a wrong verifier is refused); the token calls a route through the edge', async () => {
    await expectPkceSignIn(work);
  }, 300_000);

  it('npm run stop stops both the emulator and the local edge npm start left running: no process of theirs is left', async () => {
    const emulator = await runningDaemon(join(work, 'emulator'));
    const edge = await runningDaemon(edgeDaemonDir(join(work, 'emulator')));
    expect([emulator?.pid, edge?.pid]).toEqual([expect.any(Number), expect.any(Number)]);
    const stop = await runScript('scripts/stop.ts', [], { PLATFORM_WORK_DIR: work });
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`Stopped the local emulator (pid ${emulator!.pid}, ${emulator!.endpoint}) and the local edge`);
    for (const pid of [emulator!.pid, edge!.pid]) expect([pid, alive(pid)]).toEqual([pid, false]);
  }, 120_000);
});
