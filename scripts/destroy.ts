/**
 * `npm run destroy -- local`: removes everything `npm start` deployed to the local emulator (the
 * platform stack, then the state bucket and key), checks that the emulator holds none of it any
 * more, and stops the emulator.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../environments/load';
import { bootstrapStackId, platformStackId } from '../stacks';
import { parseArgs, runMain, UsageError } from './lib/args';
import { synthBootstrap } from './lib/bootstrap';
import { runningDaemon, stopDaemon } from './lib/emulator-daemon';
import { edgeDaemonDir } from './lib/outputs';
import { addedSince, emulatorInventory } from './lib/emulator-inventory';
import { localWork } from './lib/local-work';
import { Progress, StepError, table } from './lib/progress';
import { stackDir, synthEnvironments } from './lib/synth';
import { terraform, terraformEnv } from './lib/terraform';

const HELP = `
usage: npm run destroy -- local

Destroys what npm start deployed to the local AWS emulator: the platform stack
(terraform destroy through its S3 backend), then the state bucket and KMS key
of the bootstrap stack. Then checks that the emulator holds none of the
resources any more, and stops it.

Only the emulator environment is destroyed this way. A real environment is
changed through a reviewed plan (npm run plan -- <environment>), and prod
refuses to destroy protected resources.

Exit 0 when everything is gone; 1 names the step that failed; 64 on a usage error.
`;

async function main(): Promise<number> {
  const { environments } = parseArgs(process.argv.slice(2), []);
  const name = environments[0]!;
  if (environments.length !== 1) throw new UsageError('name one environment: local');
  const probe = loadEnvironment(name);
  if (!probe.emulator) {
    throw new UsageError(`environment "${name}" is a real AWS account: destroy only runs on the emulator environment (local); change real environments through npm run plan -- ${name}`);
  }
  const progress = new Progress(`destroy ${name}`);
  const work = localWork();
  const daemon = await runningDaemon(work.daemonDir);
  if (!daemon) {
    rmSync(work.bootstrapStateFile(probe), { force: true });
    process.stdout.write('No local emulator is running: nothing deployed is left (the emulator keeps nothing once stopped).\n');
    return 0;
  }
  try {
    const endpoint = daemon.endpoint;
    const env = loadEnvironment(name, undefined, { emulatorEndpoint: endpoint });
    const tfEnv = { ...terraformEnv(), PLATFORM_EMULATOR_ENDPOINT: endpoint };
    await progress.step(`synth ${name}`, () => synthEnvironments([name], work.outdir, { emulatorEndpoint: endpoint }));
    const platformDir = stackDir(platformStackId(env), work.outdir);
    await progress.step('terraform init (platform)', () => terraform(platformDir, ['init', '-input=false', '-no-color', '-reconfigure'], { env: tfEnv }));
    await progress.step('terraform destroy (platform)', () => terraform(platformDir, ['destroy', '-auto-approve', '-input=false', '-no-color', '-lock-timeout=30s'], { env: tfEnv }));

    const stateFile = work.bootstrapStateFile(env);
    const bootstrapId = await progress.step(`synth ${bootstrapStackId(env)}`, () => synthBootstrap(env, work.outdir, stateFile));
    const bootstrapDir = stackDir(bootstrapId, work.outdir);
    await progress.step('terraform init (state bucket)', () => terraform(bootstrapDir, ['init', '-input=false', '-no-color'], { env: tfEnv }));
    await progress.step('terraform destroy (state bucket and key)', () => terraform(bootstrapDir, ['destroy', '-auto-approve', '-input=false', '-no-color'], { env: tfEnv }));

    await progress.step('check the emulator holds none of the resources', async () => {
      const baselineFile = join(work.daemonDir, 'baseline.json');
      const baseline = existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, 'utf8')) as Record<string, string[]>) : {};
      const remaining = Object.entries(addedSince(baseline, await emulatorInventory(endpoint, env.account.region)));
      if (remaining.length > 0) throw new Error(`the emulator still holds:\n${table(['kind', 'ids'], remaining.map(([k, ids]) => [k, ids.join(', ')]))}`);
    });
    await stopDaemon(undefined, edgeDaemonDir(work.daemonDir));
    await stopDaemon(daemon, work.daemonDir);
    rmSync(stateFile, { force: true });
    process.stdout.write(`\nDestroyed the local platform and its state bucket in ${progress.elapsed()}; the emulator holds none of them (every kind the platform creates, listed through the AWS APIs; the KMS key waits in PendingDeletion, as on AWS) and is stopped.\n`);
    return 0;
  } catch (error) {
    const step = error instanceof StepError ? error.step : 'destroy';
    const cause = error instanceof StepError ? error.cause : error;
    process.stderr.write(`\nnpm run destroy failed at step "${step}":\n${cause instanceof Error ? cause.message : String(cause)}\nThe emulator is still running at ${daemon.endpoint}: fix the cause and run npm run destroy -- ${name} again.\n`);
    return 1;
  }
}

if (require.main === module) runMain(main, HELP);
