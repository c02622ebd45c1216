/**
 * `npm run destroy -- local`: removes everything `npm start` deployed to the local emulator (the platform stack,
 * then, once nothing else is left, the state bucket and key), checks that the emulator holds none of it any more,
 * and stops the emulator. Safe to run again after any failure: the state bucket, which holds the platform's state,
 * is destroyed last, only when the emulator holds nothing else of the platform.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../environments/load';
import type { Environment } from '../environments/schema';
import { ApplyProgress } from './lib/apply-progress';
import { parseArgs, runMain, UsageError } from './lib/args';
import { awsRequest } from './lib/aws-request';
import { daemonStatus, EmulatorDiedError, alive } from './lib/emulator-daemon';
import { addedSince, emulatorInventory } from './lib/emulator-inventory';
import { exitCodeOf, handleInterrupts, interruptedBy } from './lib/interrupt';
import { Progress, StepError, table } from './lib/progress';
import { terraform, terraformEnv } from './lib/terraform';
import { acquireWorkLock } from './lib/work-lock';

const HELP = `
usage: npm run destroy -- local [--force]

Destroys what npm start deployed to the local AWS emulator:

  1. the platform stack (terraform destroy through its S3 backend)
  2. checks that the emulator holds nothing else the platform created: what
     is left is listed, and the state bucket is kept so that this command can
     run again once the leftovers are gone
  3. the state bucket and KMS key of the bootstrap stack
  4. checks that the emulator holds none of it, and stops it (and the local edge)

Safe to run again after a failure or a Ctrl-C (Terraform stops cleanly and
releases its lock). Refused while npm start or another destroy runs in this
checkout (it names them).

  --force   stop the emulator even when a step fails (everything in it is gone
            with it); npm run stop does only that

Only the emulator environment is destroyed this way. A real environment is
changed through a reviewed plan (npm run plan -- <environment>), and prod
refuses to destroy protected resources.

Exit 0 when everything is gone; 1 names the step that failed; 64 on a usage error.
`;

async function main(): Promise<number> {
  const { environments, flags } = parseArgs(process.argv.slice(2), ['--force']);
  const { bootstrapStackId, platformStackId } = require('../stacks') as typeof import('../stacks');
  const { synthBootstrap } = require('./lib/bootstrap') as typeof import('./lib/bootstrap');
  const { describeStopped, stopLocal } = require('./lib/local-stop') as typeof import('./lib/local-stop');
  const { localWork } = require('./lib/local-work') as typeof import('./lib/local-work');
  const { stackDir, synthEnvironments } = require('./lib/synth') as typeof import('./lib/synth');
  const name = environments[0]!;
  if (environments.length !== 1) throw new UsageError('name one environment: local');
  const probe = loadEnvironment(name);
  if (!probe.emulator) {
    throw new UsageError(`environment "${name}" is a real AWS account: destroy only runs on the emulator environment (local); change real environments through npm run plan -- ${name}`);
  }
  const work = localWork();
  const release = acquireWorkLock(work.lockFile, `npm run destroy -- ${name}`);
  const progress = new Progress(`destroy ${name}`);
  handleInterrupts((signal, count) => {
    process.stderr.write(count === 1 ? `\n[destroy ${name}] ${signal}: Terraform finishes what it is doing, saves the state and releases its lock (again to stop at once)\n` : '');
  });
  const status = await daemonStatus(work.daemonDir);
  if (!('running' in status)) {
    const stopped = await stopLocal(work, probe);
    release();
    process.stdout.write(`${describeStopped(stopped)}\n`);
    return 0;
  }
  const daemon = status.running;
  const endpoint = daemon.endpoint;
  try {
    const env = loadEnvironment(name, undefined, { emulatorEndpoint: endpoint });
    const tfEnv = { ...terraformEnv(), PLATFORM_EMULATOR_ENDPOINT: endpoint };
    await progress.step(`synth ${name}`, () => synthEnvironments([name], work.outdir, { emulatorEndpoint: endpoint }));
    const platformDir = stackDir(platformStackId(env), work.outdir);
    const stateFile = work.bootstrapStateFile(env);
    if (await stateBucketExists(endpoint, env)) {
      await progress.step('terraform init (platform)', () => terraform(platformDir, ['init', '-input=false', '-no-color', '-reconfigure'], { env: tfEnv }));
      await progress.step('terraform destroy (platform)', () => {
        // Resources destroyed / total and the slowest in progress, every 5 s.
        const tracker = new ApplyProgress((text) => progress.note(`terraform destroy (platform): ${text}`));
        return terraform(platformDir, ['destroy', '-auto-approve', '-input=false', '-no-color', '-lock-timeout=30s'], { env: tfEnv, onLine: (line) => tracker.line(line) });
      });
    } else {
      progress.note(`the state bucket ${env.state.bucket} is gone: the platform's state with it; checking what the emulator still holds`);
    }
    const baseline = readBaseline(work.daemonDir);
    await progress.step('check the emulator holds nothing else of the platform', async () => {
      const bootstrapIds = bootstrapIdentifiers(stateFile);
      const remaining = Object.entries(addedSince(baseline, await emulatorInventory(endpoint, env.account.region)))
        .map(([kind, ids]) => [kind, ids.filter((id) => !bootstrapIds.has(id))] as const)
        .filter(([, ids]) => ids.length > 0);
      if (remaining.length > 0) throw new LeftoversError(remaining, name);
    });

    const bootstrapId = await progress.step(`synth ${bootstrapStackId(env)}`, () => synthBootstrap(env, work.outdir, stateFile));
    const bootstrapDir = stackDir(bootstrapId, work.outdir);
    await progress.step('terraform init (state bucket)', () => terraform(bootstrapDir, ['init', '-input=false', '-no-color'], { env: tfEnv }));
    await progress.step('terraform destroy (state bucket and key)', () => terraform(bootstrapDir, ['destroy', '-auto-approve', '-input=false', '-no-color'], { env: tfEnv }));
    await progress.step('check the emulator holds none of the resources', async () => {
      const remaining = Object.entries(addedSince(baseline, await emulatorInventory(endpoint, env.account.region)));
      if (remaining.length > 0) throw new LeftoversError(remaining, name);
    });
    await stopLocal(work, env);
    process.stdout.write(`\nDestroyed the local platform and its state bucket in ${progress.elapsed()}; the emulator holds none of them (every kind the platform creates, listed through the AWS APIs; the KMS key waits in PendingDeletion, as on AWS) and is stopped.\n`);
    return 0;
  } catch (error) {
    const step = error instanceof StepError ? error.step : 'destroy';
    const cause = error instanceof StepError ? error.cause : error;
    const signal = interruptedBy();
    const died = !alive(daemon.pid) ? new EmulatorDiedError(daemon) : undefined;
    const message = died?.message ?? (cause instanceof Error ? cause.message : String(cause));
    process.stderr.write(`\nnpm run destroy ${signal ? `was interrupted (${signal})` : 'failed'} at step "${step}":\n${signal ? '' : `${message}\n`}`);
    if (flags.has('--force') || died) {
      process.stderr.write(`${describeStopped(await stopLocal(work, probe))}\n`);
    } else {
      process.stderr.write(
        `The emulator is still running at ${endpoint} (pid ${daemon.pid}) and the state bucket is kept: ` +
          `${cause instanceof LeftoversError ? 'remove what is listed, then ' : signal ? '' : 'fix the cause, then '}run npm run destroy -- ${name} again. ` +
          `To throw everything away instead: npm run stop.\n`,
      );
    }
    return signal ? exitCodeOf(signal) : 1;
  } finally {
    release();
  }
}

class LeftoversError extends Error {
  constructor(remaining: readonly (readonly [string, readonly string[]])[], name: string) {
    super(
      `the emulator still holds what the platform created and its Terraform state no longer knows (created outside Terraform, or removed from the state):\n` +
        `${table(['kind', 'ids'], remaining.map(([k, ids]) => [k, ids.join(', ')]))}\n` +
        `Delete them (the AWS CLI with --endpoint-url, or terraform import them and run npm run destroy -- ${name} again).`,
    );
  }
}

function readBaseline(daemonDir: string): Record<string, string[]> {
  const file = join(daemonDir, 'baseline.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>) : {};
}

/** Names, ids and ARNs of what the bootstrap stack holds (its local state file): not leftovers of the platform. */
function bootstrapIdentifiers(stateFile: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(stateFile)) return ids;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { resources?: { instances?: { attributes?: Record<string, unknown> }[] }[] };
  for (const resource of state.resources ?? []) {
    for (const instance of resource.instances ?? []) {
      for (const key of ['id', 'arn', 'name', 'bucket']) {
        const value = instance.attributes?.[key];
        if (typeof value === 'string') ids.add(value);
      }
    }
  }
  return ids;
}

async function stateBucketExists(endpoint: string, env: Environment): Promise<boolean> {
  return (await awsRequest(endpoint, { service: 's3', region: env.state.region, method: 'HEAD', path: `/${env.state.bucket}` })).status === 200;
}

if (require.main === module) runMain(main, HELP);
