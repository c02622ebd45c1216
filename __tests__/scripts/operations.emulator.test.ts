/**
 * Operations as people meet them, on the emulator, in one work directory: a Ctrl-C mid-apply (Terraform
 * stops cleanly, its lock is released, nothing is left running but the emulator), a second npm start meanwhile
 * (refused, naming the first), npm start again (carries on, says what it applied), drift and plan right after
 * (they find the emulator themselves; no false drift), the ALB replaced in one apply, a policy and a rule changed
 * behind Terraform's back (drift), a Terraform killed mid-apply (start says so; the lock it left is named; unlock), destroy with a
 * leftover (the state bucket kept; destroy runs again), and a killed emulator (reported with its log).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningDaemon, startDaemon, stopDaemon } from '../../scripts/lib/emulator-daemon';
import { emulatorInventory } from '../../scripts/lib/emulator-inventory';
import { terraform, terraformEnv } from '../../scripts/lib/terraform';
import { awsRequest } from '../helpers/aws-request';
import { expectExit, runScript, startScript } from '../helpers/run-script';
import { until } from '../helpers/until';

const REGION = 'eu-west-1';
const STATE = '/platform-tfstate-local/local/platform.tfstate';

/** Processes whose working directory is inside `dir` (Terraform runs in the stack directories; its providers too). */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}


describe('operations on local: interrupted runs, locks, replacements, drift, destroy', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let endpoint = '';
  let stackDir = '';
  let tfEnv: NodeJS.ProcessEnv;
  const stack = () => JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
  const address = (type: string, pattern: RegExp) => `${type}.${Object.keys(stack().resource[type]!).find((name) => pattern.test(name))}`;
  const lockObject = async () => (await awsRequest(endpoint, { service: 's3', region: REGION, method: 'HEAD', path: `${STATE}.tflock` })).status;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'platform-ops-'));
    env = { PLATFORM_WORK_DIR: work, AWS_EC2_METADATA_DISABLED: 'true' };
    stackDir = join(work, 'cdktf.out', 'stacks', 'local');
  });
  afterAll(async () => {
    for (const dir of [join(work, 'emulator', 'edge'), join(work, 'emulator')]) {
      const left = await runningDaemon(dir);
      if (left) await stopDaemon(left, dir);
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('Ctrl-C mid-apply, with resources done and creates in flight: Terraform stops cleanly and releases its lock, no process is left but the emulator; a second npm start meanwhile is refused, naming the first', async () => {
    // Its own process group, as a terminal's foreground job: Ctrl-C reaches the group, not the children's groups.
    const first = startScript('scripts/start.ts', [], env, { detached: true });
    await until('the deploy to start', () => first.output().includes('[start] cdktf deploy local ...'), { timeoutMs: 300_000 });
    const second = await runScript('scripts/start.ts', [], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`npm start is already running in this checkout (pid ${first.child.pid}`);
    expect(second.stderr).toContain(`kill -INT ${first.child.pid}`);

    // Mid-apply by what the deploy reports, not by the clock: on a loaded machine cdktf took 60 s to start applying,
    // and an interrupt before the first resource leaves no state to carry on from. Progress comes every 5 s.
    const applying = /\[start\] cdktf deploy local: ([1-9]\d*)\/\d+ resources done \(\d+ %\), [1-9]\d* in progress/;
    await until('the deploy to have resources done and more in flight', () => applying.test(first.output()), { timeoutMs: 420_000 });
    expect(first.output()).not.toContain('cdktf deploy local: done'); // still deploying: the interrupt lands mid-apply
    endpoint = (await runningDaemon(join(work, 'emulator')))!.endpoint;
    process.kill(-first.child.pid!, 'SIGINT');
    const result = await first.done;
    expectExit(result, 130, 'npm start, interrupted');
    expect(result.stderr).toContain('npm start was interrupted (SIGINT) at step "cdktf deploy local"');
    expect(result.stderr).toContain('Terraform stopped cleanly: what it applied is in the state, and its lock is released');
    expect(result.stderr).toMatch(/Left running: the local emulator at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect(result.stderr).toContain('Next: npm start (carries on from there)');
    expect(result.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(processesIn(work)).toEqual([]);
    expect(await lockObject()).toBe(404);
    // the state holds what was applied before the interrupt
    const state = await awsRequest(endpoint, { service: 's3', region: REGION, path: STATE });
    expect((JSON.parse(state.text) as { resources: unknown[] }).resources.length).toBeGreaterThan(0);
  }, 900_000);

  it('npm start again carries on to the whole deployment with no manual step, says what it applied, and imports a create the interrupt cut off', async () => {
    // A create the API carried out but Terraform never recorded (its call cancelled by the interrupt, or retried):
    // the CloudFront access-log delivery destination, in the emulator and not in the state, whichever way the
    // interrupt above left it. Its next create is refused: "Tags can only be provided when a resource is being created".
    tfEnv = { ...terraformEnv(), PLATFORM_EMULATOR_ENDPOINT: endpoint };
    const destination = address('aws_cloudwatch_log_delivery_destination', /access-log-destination/);
    const name = (stack().resource.aws_cloudwatch_log_delivery_destination as Record<string, { name: string }>)[destination.split('.')[1]!]!.name;
    const logs = (operation: string, body: object) =>
      awsRequest(endpoint, { service: 'logs', region: 'us-east-1', method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${operation}` }, body: JSON.stringify(body) });
    const listed = (await terraform(stackDir, ['state', 'list'], { env: tfEnv })).stdout.split('\n');
    if (listed.includes(destination)) {
      await terraform(stackDir, ['state', 'rm', destination], { env: tfEnv });
    } else if ((await logs('GetDeliveryDestination', { name })).status !== 200) {
      // Created as the cut-off create would have: the configured log group and the provider's tags (a different
      // destination or tags would make the import an update, a case of its own).
      const config = stack() as unknown as { provider: { aws: { alias?: string; default_tags?: { tags: Record<string, string> }[] }[] }; resource: Record<string, Record<string, Record<string, any>>> };
      const declared = config.resource.aws_cloudwatch_log_delivery_destination![destination.split('.')[1]!]!;
      const group = /^\$\{aws_cloudwatch_log_group\.([^.]+)\.arn\}$/.exec(declared.delivery_destination_configuration[0].destination_resource_arn)![1]!;
      const groupName = config.resource.aws_cloudwatch_log_group![group]!.name as string;
      const tags = { ...config.provider.aws.find((p) => p.alias === 'us_east_1')!.default_tags?.[0]?.tags, ...declared.tags };
      const created = await logs('PutDeliveryDestination', { name, outputFormat: declared.output_format, deliveryDestinationConfiguration: { destinationResourceArn: `arn:aws:logs:us-east-1:123456789012:log-group:${groupName}` }, tags });
      expect(created.status).toBe(200);
    }
    expect((await logs('GetDeliveryDestination', { name })).status).toBe(200);

    const result = await runScript('scripts/start.ts', [], env);
    expectExit(result, 0, 'npm start');
    const applied = /this run: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(result.stdout);
    expect(applied).not.toBeNull();
    expect(Number(applied![1])).toBeGreaterThan(0);
    expect(result.stderr).toContain('exist in the emulator but not in the state');
    expect(result.stderr).toContain(`${destination} (${name})`);
    expect((await terraform(stackDir, ['state', 'list'], { env: tfEnv })).stdout.split('\n')).toContain(destination);
    expect((await runningDaemon(join(work, 'emulator')))!.endpoint).toBe(endpoint); // the same emulator, carried on
  }, 900_000);

  it('right after npm start, drift and plan find the running emulator by themselves: no drift, no changes', async () => {
    const drift = await runScript('scripts/drift.ts', ['local', '--out', join(work, 'plans')], env);
    expect([drift.code, drift.stdout]).toEqual([0, expect.stringContaining('No drift in local')]);
    expect(readFileSync(join(work, 'plans', 'local.drift.md'), 'utf8')).toMatch(/refreshed attributes? not counted as drift/);
    const plan = await runScript('scripts/plan.ts', ['local', '--out', join(work, 'plans')], env);
    expect([plan.code, plan.stdout]).toEqual([0, expect.stringMatching(/0 to add, 0 to change, 0 to replace, 0 to destroy/)]);
  }, 300_000);

  it('replaces the ALB in one apply (its name is generated, so the new one does not clash with the old)', async () => {
    const alb = address('aws_lb', /load-balancer/);
    const before = JSON.parse((await terraform(stackDir, ['output', '-json'], { env: tfEnv })).stdout).edge_alb_arn.value as string;
    const applied = await terraform(stackDir, ['apply', '-auto-approve', '-input=false', '-no-color', `-replace=${alb}`], { env: tfEnv });
    expect(applied.stdout).toMatch(new RegExp(`${alb.replace(/[.[\]]/g, '\\$&')} will be replaced`));
    const after = JSON.parse((await terraform(stackDir, ['output', '-json'], { env: tfEnv })).stdout).edge_alb_arn.value as string;
    expect(after).not.toBe(before);
    expect(after).toMatch(/loadbalancer\/app\/edge-\d+/);
    const balancers = (await emulatorInventory(endpoint, REGION))['load balancers'];
    expect(balancers).toEqual([after]); // the old one is deleted, after the VPC origin moved off it
    const plan = await terraform(stackDir, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], { env: tfEnv, allowFailure: true });
    expect(plan.code).toBe(0);
  }, 600_000);

  it('a policy and a security group rule changed behind Terraform\'s back are drift (exit 2), each named', async () => {
    const outputs = JSON.parse((await terraform(stackDir, ['output', '-json'], { env: tfEnv })).stdout);
    const api = outputs.api_orders_rest_api_id.value as string;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: `arn:aws:execute-api:${REGION}:123456789012:${api}/*` }] });
    const patched = await awsRequest(endpoint, {
      service: 'apigateway',
      region: REGION,
      method: 'PATCH',
      path: `/restapis/${api}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ patchOperations: [{ op: 'replace', path: '/policy', value: policy }] }),
    });
    expect(patched.status).toBe(200);
    const groups = await awsRequest(endpoint, { service: 'ec2', region: REGION, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Name=tag:Name&Filter.1.Value.1=platform-local-edge-alb' });
    const groupId = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(groups.text)![1]!;
    const added = await awsRequest(endpoint, {
      service: 'ec2',
      region: REGION,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=${groupId}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0`,
    });
    expect(added.status).toBe(200);
    const drift = await runScript('scripts/drift.ts', ['local', '--out', join(work, 'plans')], env);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/changed {2}aws_api_gateway_rest_api_policy\.api-orders_\S+ {2}\(policy/);
    expect(drift.stdout).toMatch(/changed {2}aws_security_group\.edge_origin_security-group_\S+ {2}\(ingress/);
    expect(readFileSync(join(work, 'plans', 'local.drift.md'), 'utf8')).toContain('"0.0.0.0/0"');
  }, 300_000);

  it('a Terraform killed mid-apply under npm start: start says the apply did not finish, no provider outlives it; the lock it left is named by the next npm start and released by npm run unlock (a young lock only with --force)', async () => {
    // The drift above gives the apply work to do. Killed with SIGKILL once it holds the state lock, it cannot release it.
    const run = startScript('scripts/start.ts', [], env);
    await until('the apply to take the state lock', async () => (await lockObject()) === 200, { timeoutMs: 300_000 });
    const terraforms = () => processesIn(stackDir).filter((p) => /^\d+ \S*terraform /.test(p)).map((p) => Number(p.split(' ')[0]));
    for (const pid of terraforms()) process.kill(pid, 'SIGKILL');
    const killed = await run.done;
    expectExit(killed, 1, 'npm start, its Terraform killed');
    // cdktf-cli exits 0 when its Terraform is killed: npm start goes by Terraform's own last line instead.
    expect(killed.stderr).toContain('npm start failed at step "cdktf deploy local"');
    expect(killed.stderr).toContain('Terraform did not finish the apply');
    expect(killed.stderr).not.toMatch(/^\s+at /m);
    expect(processesIn(stackDir)).toEqual([]); // the killed Terraform's providers went with cdktf's process group
    expect(await lockObject()).toBe(200);

    // npm start meets it (cdktf deploy waits for no lock): it names the lock, and leaves the emulator it reused running.
    const start = await runScript('scripts/start.ts', [], env);
    expectExit(start, 1, 'npm start, the state locked');
    const id = /npm run unlock -- local ([0-9a-f-]{36})/.exec(start.stderr)?.[1];
    if (!id) throw new Error(`npm start named no lock:\n${start.stderr.slice(-3000)}`);
    expect(start.stderr).toContain('npm start failed at step "cdktf deploy local"');
    expect(start.stderr).toMatch(/the state of "local" \(s3:\/\/platform-tfstate-local\/local\/platform\.tfstate\) is locked: apply by \S+@\S+, taken \S+ \(\d+ (s|min) ago\)/); // a minute or more on a loaded machine
    expect(start.stderr).not.toMatch(/^\s+at /m);
    expect((await runningDaemon(join(work, 'emulator')))?.endpoint).toBe(endpoint);

    const wrong = await runScript('scripts/unlock.ts', ['local', '00000000-0000-0000-0000-000000000000', '--force'], env);
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining('now has another id')]);
    const young = await runScript('scripts/unlock.ts', ['local', id!], env);
    expect([young.code, young.stderr]).toEqual([1, expect.stringContaining(`npm run unlock -- local ${id} --force`)]);
    expect(await lockObject()).toBe(200);
    const forced = await runScript('scripts/unlock.ts', ['local', id!, '--force'], env);
    expect([forced.code, forced.stdout]).toEqual([0, expect.stringContaining(`Released the lock ${id}`)]);
    expect(await lockObject()).toBe(404);
    const again = await runScript('scripts/unlock.ts', ['local', id!], env);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('is not locked: nothing to release')]);
  }, 600_000); // two npm starts and the waits for the lock: minutes on a loaded machine

  it('destroy keeps the state bucket while the emulator holds a leftover, lists it, and runs again once it is gone', async () => {
    const group = address('aws_cloudwatch_log_group', /waf_log-group/);
    const shown = (await terraform(stackDir, ['state', 'show', '-no-color', group], { env: tfEnv })).stdout;
    const name = /^\s*name\s+=\s+"([^"]+)"/m.exec(shown)![1]!;
    await terraform(stackDir, ['state', 'rm', group], { env: tfEnv }); // Terraform forgets it; the emulator keeps it

    const daemonPid = (await runningDaemon(join(work, 'emulator')))!.pid;
    const first = await runScript('scripts/destroy.ts', ['local'], env);
    expectExit(first, 1, 'destroy with a leftover');
    expect(first.stderr).toContain('check the emulator holds nothing else of the platform');
    expect(first.stderr).toContain(name);
    expect(first.stderr).toContain('the state bucket is kept');
    // the platform's destroy streamed its progress to the last resource (the leftover is found after it)
    expect(first.stderr).toMatch(/terraform destroy \(platform\): (\d+)\/\1 resources done \(100 %\)/);
    expect((await awsRequest(endpoint, { service: 's3', region: REGION, method: 'HEAD', path: '/platform-tfstate-local' })).status).toBe(200);
    expect(await runningDaemon(join(work, 'emulator'))).toBeDefined();

    const deleted = await awsRequest(endpoint, { service: 'logs', region: 'us-east-1', method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DeleteLogGroup' }, body: JSON.stringify({ logGroupName: name }) });
    expect(deleted.status).toBe(200);
    const second = await runScript('scripts/destroy.ts', ['local'], env);
    expectExit(second, 0, 'the second destroy');
    expect(second.stdout).toContain('Destroyed the local platform and its state bucket');
    expect(second.stderr).toMatch(/check the emulator holds none of the resources: done/);
    expect(second.stdout).toMatch(/the emulator holds none of them/);
    expect(await runningDaemon(join(work, 'emulator'))).toBeUndefined();
    expect(() => process.kill(daemonPid, 0)).toThrow();
    expect(existsSync(join(work, 'bootstrap-state', 'local', 'terraform.tfstate'))).toBe(false);
    expect(processesIn(work)).toEqual([]);
  }, 600_000);

  it('a killed emulator is reported as such, with its log; npm run stop clears it', async () => {
    const daemon = await startDaemon({ dir: join(work, 'emulator') });
    process.kill(daemon.pid, 'SIGKILL');
    await until('the emulator to die', () => {
      try {
        process.kill(daemon.pid, 0);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 10_000 });
    const drift = await runScript('scripts/drift.ts', ['local', '--out', join(work, 'plans')], env);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain(`the local emulator is no longer running: it died or was killed (pid ${daemon.pid}`);
    expect(drift.stderr).toContain(`Its log: ${join(work, 'emulator', 'daemon.log')}`);
    expect(drift.stderr).not.toMatch(/force-unlock|^\s+at /m);
    const stop = await runScript('scripts/stop.ts', [], env);
    expect([stop.code, stop.stdout]).toEqual([0, expect.stringContaining(`The local emulator (pid ${daemon.pid}) had already died`)]);
    const after = await runScript('scripts/stop.ts', [], env);
    expect([after.code, after.stdout]).toEqual([0, expect.stringContaining('No local emulator was running')]);
  }, 120_000);
});
