/**
 * `npm start`: the whole platform on a local AWS emulator, offline, with no AWS account.
 *
 * Steps: start the emulator (moto on 127.0.0.1, a free port) -> bootstrap the state bucket (its
 * lifecycle rule applied in the background meanwhile) ->
 * synthesize `local` -> `cdktf deploy local` (real Terraform, real AWS provider) -> a second plan
 * must show no changes -> the access rules run against what was deployed -> a summary.
 * The emulator keeps running so that you can look around; `npm run destroy -- local` removes
 * everything and stops it. On a failure the emulator is stopped and the failed step is named.
 */
import { join } from 'node:path';
import { loadEnvironment } from '../environments/load';
import type { Environment } from '../environments/schema';
import { parseArgs, runMain } from './lib/args';
import { alive, EmulatorDiedError, startBackground, startDaemon, stopDaemon, type DaemonRecord } from './lib/emulator-daemon';
import { exitCodeOf, handleInterrupts, interruptedBy } from './lib/interrupt';
import { currentLock, lockMessage, StateLockedError, type LockInfo } from './lib/state-lock';
import { acquireWorkLock } from './lib/work-lock';
import type { DeployAttempt } from './lib/adopt';
import { ApplyProgress } from './lib/apply-progress';
import { emulatorInventory } from './lib/emulator-inventory';
import { Progress, StepError, table } from './lib/progress';
import { knownFailure, PROJECT_ROOT, run, terraform, terraformEnv } from './lib/terraform';
import { withoutColour } from './lib/terraform-output';
import { readFileSync, writeFileSync } from 'node:fs';

const HELP = `
usage: npm start [-- --stop] [--terraform]

Deploys the whole "local" environment to a local AWS emulator (moto on
127.0.0.1, a free port) with real Terraform, then checks it:

  1. start the emulator (or reuse the one an earlier npm start left running)
  2. bootstrap the state bucket and KMS key (npm run bootstrap -- local); the
     bucket's lifecycle rule is applied in the background, during step 3
  3. synthesize local and deploy it with cdktf deploy (S3 backend, lockfile)
  4. plan again: it must show no changes
  5. run the access rules (npm run verify) against what was deployed
  6. wait for the bootstrap's background apply, start the local edge on
     127.0.0.1 (a free port; npm run edge), print what exists, what was
     verified, and curl examples to try through the edge

  --stop       stop the emulator at the end (everything deployed is gone with it)
  --terraform  apply with terraform directly instead of cdktf deploy (same plan)

Ctrl-C (or SIGTERM) stops it cleanly: Terraform starts nothing new, saves
the state and releases its lock; the emulator keeps what was deployed, and
npm start again carries on from there. A create cut off mid-call can leave an
object in the emulator that the state does not record: npm start imports it
by name and says so. A second Ctrl-C stops Terraform at once. One npm start
or destroy runs at a time per checkout: a second is refused, naming the first.

Needs Terraform 1.10+ and Python 3 with moto 5 (pip install "moto[server]").
Exit 0 when every step passes; 1 names the step that failed; 130 after
Ctrl-C (143 after SIGTERM); 64 on a usage error.
`;

const ENVIRONMENT = 'local';

async function main(): Promise<number> {
  const { flags } = parseArgs(process.argv.slice(2), ['--stop', '--terraform'], { environmentsRequired: false });
  const { bootstrapStackId, platformStackId } = require('../stacks') as typeof import('../stacks');
  const { bootstrapDeferred } = require('./lib/bootstrap') as typeof import('./lib/bootstrap');
  const { deployAdopting } = require('./lib/adopt') as typeof import('./lib/adopt');
  const { edgeDaemonDir } = require('./lib/outputs') as typeof import('./lib/outputs');
  const { readStackJson, stackDir, synthEnvironments } = require('./lib/synth') as typeof import('./lib/synth');
  const { overlayPlan, verify } = require('../review/verify') as typeof import('../review/verify');
  const { localWork } = require('./lib/local-work') as typeof import('./lib/local-work');
  const progress = new Progress('start');
  const work = localWork();
  const release = acquireWorkLock(work.lockFile, 'npm start');
  handleInterrupts((signal, count) => {
    process.stderr.write(
      count === 1
        ? `\n[start] ${signal}: stopping. Terraform starts nothing new, saves the state and releases its lock (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to stop at once, which can lose state)\n`
        : `\n[start] ${signal} again: stopping at once\n`,
    );
  });
  let emulator: (DaemonRecord & { reused: boolean }) | undefined;
  /** Once the platform's stack is initialised: who holds its state lock now (after a Ctrl-C). */
  let readLock: (() => Promise<LockInfo | undefined>) | undefined;
  let applied: AppliedCounts | undefined;
  // The bootstrap's lifecycle rule is applied in the background, alongside the deploy (see bootstrap()).
  const background = new AbortController();
  let bootstrapRest: Promise<unknown> | undefined;
  try {
    emulator = await progress.step('start the local AWS emulator', () => startDaemon({ dir: work.daemonDir }));
    process.stderr.write(`[start] emulator ${emulator.reused ? 'reused' : 'started'} at ${emulator.endpoint} (pid ${emulator.pid})\n`);
    if (!emulator.reused) writeFileSync(join(work.daemonDir, 'baseline.json'), JSON.stringify(await emulatorInventory(emulator.endpoint, loadEnvironment(ENVIRONMENT).account.region)));
    const endpoint = emulator.endpoint;
    const tfEnv = { ...terraformEnv(), PLATFORM_EMULATOR_ENDPOINT: endpoint, PLATFORM_ENVIRONMENTS: ENVIRONMENT };

    const env = loadEnvironment(ENVIRONMENT, undefined, { emulatorEndpoint: endpoint });
    const bootstrapped = await bootstrapDeferred({
      environment: ENVIRONMENT,
      emulatorEndpoint: endpoint,
      progress,
      terraformEnv: tfEnv,
      // Its own directory: the background apply must not see the platform synth below rewrite its stack.
      outdir: join(work.outdir, 'bootstrap'),
      stateFile: work.bootstrapStateFile(env),
      signal: background.signal,
    });
    bootstrapRest = bootstrapped.rest;

    const stack = platformStackId(env);
    await progress.step(`synth ${stack}`, () => synthEnvironments([ENVIRONMENT], work.outdir, { emulatorEndpoint: endpoint }));
    const dir = stackDir(stack, work.outdir);
    readLock = () => currentLock(dir, tfEnv);

    // -reconfigure: the emulator's port (part of the backend configuration) changes from run to run.
    await progress.step('terraform init', () => terraform(dir, ['init', '-input=false', '-no-color', '-reconfigure'], { env: tfEnv }));
    const deployStep = flags.has('--terraform') ? 'terraform apply' : `cdktf deploy ${stack}`;
    const deploy = () => {
      // Resources done / total and the slowest in progress, every 5 s, from Terraform's lines as they come.
      const tracker = new ApplyProgress((text) => progress.note(`${deployStep}: ${text}`));
      const onLine = (line: string) => tracker.line(line);
      return flags.has('--terraform') ? terraformApply(dir, tfEnv, onLine) : cdktfDeploy(stack, dir, work.outdir, tfEnv, onLine);
    };
    applied = await progress.step(deployStep, () =>
      deployAdopting({
        deploy,
        config: () => readStackJson(stack, work.outdir),
        stackDir: dir,
        importObject: async (address, id) => {
          await terraform(dir, ['import', '-input=false', '-no-color', '-lock-timeout=30s', address, id], { env: tfEnv });
        },
        interrupted: () => interruptedBy() !== undefined,
        note: (text) => progress.note(text),
        retriedRequests: () => retriedRequests(emulator!.log),
      }),
    );

    await progress.step('plan again: no changes expected', async () => {
      const result = await terraform(dir, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock-timeout=30s'], { env: tfEnv, allowFailure: true });
      if (result.code === 2) throw new Error(`the second plan shows changes: the deployed platform does not match its configuration:\n${tail(result.stdout)}`);
      if (result.code !== 0) throw knownFailure(result.stderr + result.stdout) ?? new Error(`terraform plan failed:\n${tail(result.stderr || result.stdout)}`);
    });

    // The raw state (terraform state pull) holds every attribute; unlike show -json, reading it loads no provider.
    const state = await progress.step('read the deployed state', async () => ({ values: stateValues(JSON.parse((await terraform(dir, ['state', 'pull'], { env: tfEnv })).stdout)) }));
    const results = await progress.step('verify the access rules against what was deployed', async () => {
      const platform = overlayPlan(readStackJson(stack, work.outdir), { planned_values: state.values });
      const bootstrapJson = readStackJson(bootstrapStackId(env), work.outdir);
      const rules = await verify({ environment: env, platform, bootstrap: bootstrapJson });
      const failed = rules.filter((r) => !r.passed);
      if (failed.length > 0) {
        throw new Error(`access rules failed on the deployed platform:\n${failed.map((r) => `  ${r.id} ${r.name}: ${r.violations.map((v) => `${v.resource}: ${v.problem}`).join('; ')}`).join('\n')}`);
      }
      return rules;
    });

    await progress.step('bootstrap: wait for the lifecycle rule (applied in the background)', () => bootstrapRest);
    const outputs = JSON.parse((await terraform(dir, ['output', '-json', '-no-color'], { env: tfEnv })).stdout) as Record<string, { value: unknown; sensitive: boolean }>;
    const edge = await progress.step('start the local edge (requests answered as the deployment says AWS would)', async () => {
      await stopDaemon(undefined, edgeDaemonDir(work.daemonDir)); // an earlier run's edge may read an earlier distribution
      return startBackground({
        dir: edgeDaemonDir(work.daemonDir),
        command: process.execPath,
        args: [join(PROJECT_ROOT, 'scripts', 'ts-run.cjs'), join(PROJECT_ROOT, 'scripts', 'edge.ts'), ENVIRONMENT, '--endpoint', endpoint, '--distribution', String(outputs.edge_distribution_id?.value)],
        ready: /EDGE READY (http:\/\/127\.0\.0\.1:\d+)/,
        what: 'the local edge',
        timeoutMs: 60_000,
      });
    });
    const resources = countResources(state.values?.root_module);
    printSummary(outputs, resources, applied, results.length, emulator, progress.elapsed());
    printExamples(env, outputs, edge.endpoint, endpoint);
    if (flags.has('--stop')) {
      await stopDaemon(undefined, edgeDaemonDir(work.daemonDir));
      await stopDaemon(emulator, work.daemonDir);
      process.stderr.write('[start] emulator stopped (--stop): everything deployed is gone with it\n');
    }
    return 0;
  } catch (error) {
    const signal = interruptedBy();
    // After a Ctrl-C the background apply has had its interrupt already: a second signal would stop it at once.
    if (!signal) background.abort();
    await bootstrapRest?.catch(() => undefined);
    await stopDaemon(undefined, edgeDaemonDir(work.daemonDir));
    const step = error instanceof StepError ? error.step : 'start';
    const cause = error instanceof StepError ? error.cause : error;
    if (emulator && !alive(emulator.pid)) {
      process.stderr.write(`\nnpm start failed at step "${step}": ${new EmulatorDiedError(emulator).message}\n`);
      await stopDaemon(emulator, work.daemonDir);
      return 1;
    }
    if (signal) {
      process.stderr.write(`\nnpm start was interrupted (${signal}) at step "${step}".\n`);
      const lock = readLock && emulator ? await readLock().catch(() => undefined) : undefined;
      process.stderr.write(
        lock
          ? `The state is still locked (Terraform was stopped at once):\n${lockMessage(lock)}\n`
          : readLock && emulator ? 'Terraform stopped cleanly: what it applied is in the state, and its lock is released.\n' : '',
      );
      if (emulator) {
        process.stderr.write(
          `Left running: the local emulator at ${emulator.endpoint} (pid ${emulator.pid}), holding what was deployed so far; nothing else.\n` +
            `Next: npm start (carries on from there), npm run destroy -- local (removes everything), or npm run stop (stops the emulator; what it holds is gone).\n`,
        );
      } else {
        process.stderr.write('Nothing is left running.\n');
      }
      return exitCodeOf(signal);
    }
    const stopping = emulator !== undefined && !emulator.reused;
    if (stopping) await stopDaemon(emulator, work.daemonDir);
    process.stderr.write(`\nnpm start failed at step "${step}":\n${cause instanceof Error ? cause.message : String(cause)}\n`);
    if (stopping) process.stderr.write(`The emulator was stopped${cause instanceof StateLockedError ? ', and the lock with it (nothing to unlock)' : ''}; nothing is left running.\n`);
    return 1;
  } finally {
    release();
  }
}

/** The emulator log's lines on requests an AWS SDK retried (emulator/retries.py), the last 10, for the adoption note. */
function retriedRequests(log: string): string {
  let lines: string[];
  try {
    lines = readFileSync(log, 'utf8').split('\n').filter((line) => line.startsWith('emulator: retried request'));
  } catch {
    return '';
  }
  return lines.length === 0 ? '' : `\nRequests the AWS SDK retried, from the emulator's log (${log}):\n${lines.slice(-10).map((line) => `  ${line.slice('emulator: '.length)}`).join('\n')}`;
}

type DeployResult = DeployAttempt<AppliedCounts | undefined>;

/** `cdktf deploy <stack>` of the synthesized stack; a failure carries Terraform's output (for cutOffCreates). */
async function cdktfDeploy(stack: string, dir: string, outdir: string, tfEnv: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<DeployResult> {
  const cli = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdktf');
  const result = await run(cli, ['deploy', stack, '--auto-approve', '--skip-provider-lock', '--skip-synth', '--output', outdir, '--outputs-file', join(dir, 'outputs.json')], { cwd: PROJECT_ROOT, env: { ...tfEnv, CI: '1' }, onLine });
  const output = result.stdout + result.stderr;
  if (result.code !== 0) {
    return { output, error: knownFailure(output) ?? new Error(`cdktf deploy exited ${result.code}:\n${explainCdktfFailure(output)}`) };
  }
  // cdktf-cli 0.21 exits 0 even when its Terraform was killed mid-apply: only Terraform's last line says it finished.
  const counts = appliedCounts(result.stdout);
  if (!counts && !/No changes\. Your infrastructure matches the configuration/.test(result.stdout)) {
    return { output, error: new Error(`cdktf deploy exited 0, but Terraform did not finish the apply (no "Apply complete!" in its output: it was killed, or it crashed):\n${explainCdktfFailure(output)}`) };
  }
  return { counts };
}

/** `terraform apply` in the stack's directory (npm start --terraform). */
async function terraformApply(dir: string, tfEnv: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<DeployResult> {
  const result = await terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color'], { env: tfEnv, allowFailure: true, onLine });
  const output = result.stderr + result.stdout;
  if (result.code !== 0) return { output, error: knownFailure(output) ?? new Error(`terraform apply failed (exit ${result.code}):\n${tail(output)}`) };
  return { counts: appliedCounts(result.stdout) };
}

/** What an apply did: Terraform's "Apply complete! Resources: 3 added, 1 changed, 0 destroyed." (cdktf passes it on). */
export interface AppliedCounts {
  readonly added: number;
  readonly changed: number;
  readonly destroyed: number;
}

export function appliedCounts(output: string): AppliedCounts | undefined {
  const match = /Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(withoutColour(output));
  return match ? { added: Number(match[1]), changed: Number(match[2]), destroyed: Number(match[3]) } : undefined;
}

/**
 * cdktf deploy's output on a failure, for people: Terraform's own error, without the JavaScript stack trace cdktf-cli
 * prints when its Terraform ends unexpectedly (killed, or crashed), which says nothing about the cause.
 */
export function explainCdktfFailure(output: string): string {
  const lines = withoutColour(output).split('\n');
  const stackLine = (line: string) => /^\s+at\s/.test(line) || /^\s*(TypeError|ReferenceError|RangeError|SyntaxError)(\s\[\w+\])?:/.test(line) || /node:internal|^\s*\^+\s*$|^Node\.js v\d/.test(line);
  const stack = lines.filter(stackLine).length;
  const kept = lines.filter((line) => !stackLine(line));
  const terraformError = kept.some((line) => /(^|[\s│])Error: /.test(line));
  const text = tail(kept.join('\n'));
  return stack > 0 && !terraformError
    ? `${text}\nTerraform ended without an error of its own (it was killed, or it crashed), and cdktf-cli failed reading its output (its ${stack}-line stack trace is left out). Run npm start again: Terraform carries on from its state.`
    : text;
}

/** Raw state (`terraform state pull`, format 4) in the shape of `terraform show -json`'s `values`. */
export function stateValues(raw: { resources?: Json[] }): { root_module: { resources: Json[] } } {
  const resources = (raw.resources ?? []).flatMap((resource) =>
    (resource.instances ?? []).map((instance: Json) => ({
      address: `${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}${instance.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`}`,
      mode: resource.mode,
      type: resource.type,
      name: resource.name,
      ...(instance.index_key === undefined ? {} : { index: instance.index_key }),
      values: instance.attributes ?? {},
    })),
  );
  return { root_module: { resources } };
}

type Json = Record<string, any>;

function tail(text: string, lines = 40): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function countResources(module: any): number {
  if (!module) return 0;
  return (module.resources ?? []).filter((r: any) => r.mode === 'managed').length + (module.child_modules ?? []).reduce((n: number, m: any) => n + countResources(m), 0);
}

function printSummary(outputs: Record<string, { value: unknown; sensitive: boolean }>, resources: number, applied: AppliedCounts | undefined, rules: number, emulator: DaemonRecord, elapsed: string): void {
  const value = (name: string): string => {
    const output = Object.entries(outputs).find(([key]) => key === name || key.endsWith(`_${name}`) || key.endsWith(name));
    if (!output) return '(no output)';
    const [, o] = output;
    if (o.sensitive) return '(sensitive)';
    return typeof o.value === 'string' ? o.value : JSON.stringify(o.value);
  };
  const rows = Object.entries(outputs)
    .filter(([, o]) => !o.sensitive)
    .map(([name, o]) => [name, typeof o.value === 'string' ? o.value : JSON.stringify(o.value)]);
  const did = applied ? `this run: ${applied.added} added, ${applied.changed} changed, ${applied.destroyed} destroyed` : 'this run: nothing to apply';
  process.stdout.write(`\nThe local platform is deployed (${resources} resources; ${did}; ${elapsed}):\n\n${table(['what', 'value'], rows)}\n`);
  process.stdout.write(
    `\nVerified:\n` +
      `  - a second plan shows no changes\n` +
      `  - ${rules}/${rules} access rules pass against the deployed state (npm run verify)\n` +
      `  - request path: CloudFront ${value('distribution_domain_name')} -> VPC origin ${value('vpc_origin_id')} -> internal ALB -> endpoint ${value('execute_api_endpoint_id')} -> private custom domain ${value('private_domain_name_id')} -> private APIs\n` +
      `\nThe emulator keeps running at ${emulator.endpoint} (pid ${emulator.pid}).\n` +
      `Remove everything and stop it with: npm run destroy -- local\n`,
  );
}

/** Ready-to-paste calls through the local edge: what a browser, an app and an attacker would get. */
function printExamples(env: Environment, outputs: Record<string, { value: unknown }>, edgeUrl: string, emulatorEndpoint: string): void {
  const { localCognitoBaseUrl } = require('./lib/outputs') as typeof import('./lib/outputs');
  const machine = env.identity.clients.find((c) => c.kind === 'machine');
  const api = env.apis.find((a) => a.routes.some((r) => machine?.scopes.some((s) => r.scopes.includes(s)))) ?? env.apis[0]!;
  const route = api.routes.find((r) => r.method === 'GET' && machine?.scopes.some((s) => r.scopes.includes(s))) ?? api.routes[0]!;
  const path = `/${api.name}${route.path === '/' ? '' : route.path.replace(/\{([^}]+)\}/g, '42')}`;
  const origin = api.corsAllowOrigins?.[0] ?? 'https://app.example';
  const tokenUrl = `${localCognitoBaseUrl(emulatorEndpoint, String(outputs.identity_hosted_ui_url?.value))}/oauth2/token`;
  const clientId = (outputs.identity_client_ids?.value as Record<string, string> | undefined)?.[machine?.name ?? ''] ?? '<client id>';
  const restApiId = String(outputs[`api_${api.name}_rest_api_id`]?.value);
  const scope = `${env.identity.resourceServer.identifier}/${route.scopes[0]}`;
  // The emulator's own secret of the local machine client: nothing outside this machine accepts it.
  const secret = (outputs.identity_machine_client_secrets?.value as Record<string, string> | undefined)?.[machine?.name ?? ''] ?? '<secret>';
  process.stdout.write(
    `\nThe local edge answers at ${edgeUrl} (as CloudFront would at https://${env.edge.domainName}). Try:\n\n` +
      `  # no token: 401\n  curl -i ${edgeUrl}${path}\n\n` +
      `  # a token of the machine client "${machine?.name}" (client credentials), then the call: 200\n` +
      `  TOKEN=$(curl -s -u ${clientId}:${secret} -d grant_type=client_credentials -d scope=${scope} ${tokenUrl} | sed 's/.*"access_token": *"\\([^"]*\\)".*/\\1/')\n` +
      `  curl -i -H "Authorization: Bearer $TOKEN" ${edgeUrl}${path}\n\n` +
      `  # a preflight from an allowed origin: CORS headers (from any other origin: none)\n` +
      `  curl -i -X OPTIONS -H 'Origin: ${origin}' -H 'Access-Control-Request-Method: ${route.method}' ${edgeUrl}${path}\n\n` +
      `  # around CloudFront, straight to the API's execute-api name: 403\n` +
      `  curl -i -H 'Host: ${restApiId}.execute-api.${env.account.region}.amazonaws.com' -H "Authorization: Bearer $TOKEN" ${emulatorEndpoint}/v1${route.path.replace(/\{([^}]+)\}/g, '42')}\n\n` +
      `Every probe at once: npm run smoke -- local. Outputs and URLs: npm run -s outputs -- local --json\n`,
  );
}

if (require.main === module) runMain(main, HELP);
