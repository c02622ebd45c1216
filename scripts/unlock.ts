/** `npm run unlock -- <environment> <lock id> [--force] [--endpoint URL]`: releases a state lock a killed Terraform left. */
import { parseArgs, runMain, UsageError } from './lib/args';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../environments/schema';
import { Progress } from './lib/progress';
import { age, currentLock, lockMessage, SAFE_UNLOCK_AGE_MS } from './lib/state-lock';
import { terraform, terraformEnv } from './lib/terraform';

const HELP = `
usage: npm run unlock -- <environment> <lock id> [--force] [--endpoint URL]

Releases the lock on the environment's platform state that a Terraform run
left behind when it was killed (a Terraform that ends, or stops on Ctrl-C,
releases its own). Every command that meets a lock prints its id, holder and
age, and this command line.

It first reads the lock Terraform sees now: nothing is released when the
state is not locked, or when the lock held now has another id (another run
took it since). A lock younger than ${SAFE_UNLOCK_AGE_MS / 60_000} minutes may belong to a run that is
still going: it is refused unless --force. Releasing the lock of a run that
is still writing the state can lose what that run did.

  --force          release a lock younger than ${SAFE_UNLOCK_AGE_MS / 60_000} minutes
  --endpoint URL   the emulator (local only; default: the one npm start left)

Then runs terraform force-unlock <lock id> with the environment's S3 backend.
Exit 0 released (or nothing to release), 1 refused or failed, 64 usage error.
`;

async function main(): Promise<number> {
  const { environments, flags, positionals } = parseArgs(process.argv.slice(2), ['--force', '--endpoint='], { positionals: true });
  const { requireEmulator, resolveCommandEnvironment } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ') || 'none'}`);
  if (positionals.length !== 1) throw new UsageError(`name the lock id after the environment (the ID of the lock message); got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  const id = positionals[0]!;
  const given = flags.get('--endpoint');
  const env = await resolveCommandEnvironment(environments[0]!, typeof given === 'string' ? given : undefined);
  const progress = new Progress(`unlock ${env.name}`);
  const tfEnv = terraformEnv();
  await progress.step('emulator', () => requireEmulator(env));
  // A scratch directory: only the backend configuration matters, and plan's working directory is left alone.
  const scratch = mkdtempSync(join(tmpdir(), 'platform-unlock-'));
  try {
    return await unlock(env, id, flags.has('--force'), progress, tfEnv, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function unlock(env: Environment, id: string, force: boolean, progress: Progress, tfEnv: NodeJS.ProcessEnv, scratch: string): Promise<number> {
  const { initBackend, synthForPlan } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  const { stackDir } = await progress.step(`synth ${env.name}`, () => synthForPlan(env, scratch));
  await progress.step(`terraform init (s3://${env.state.bucket}/${env.name}/)`, () => initBackend(env, stackDir, tfEnv));
  const lock = await progress.step('read the lock', () => currentLock(stackDir, tfEnv));
  if (!lock) {
    process.stdout.write(`The state of "${env.name}" is not locked: nothing to release.\n`);
    return 0;
  }
  if (lock.id !== id) {
    process.stderr.write(`error: the lock on "${env.name}" now has another id than ${id}:\n${lockMessage(lock)}\n`);
    return 1;
  }
  const ms = Date.now() - lock.created.getTime();
  if (!(ms >= SAFE_UNLOCK_AGE_MS) && !force) {
    process.stderr.write(
      `error: refused: the lock was taken ${age(lock.created)} (${lock.operation} by ${lock.who}); a run that young may still be going.\n` +
        `Wait for it, or, if you are sure no Terraform runs for "${env.name}" (its process was killed), release it now:\n` +
        `  npm run unlock -- ${env.name} ${id} --force\n`,
    );
    return 1;
  }
  await progress.step(`terraform force-unlock ${id}`, () => terraform(stackDir, ['force-unlock', '-force', '-no-color', id], { env: tfEnv }));
  process.stdout.write(`Released the lock ${id} on "${env.name}" (${lock.operation} by ${lock.who}, taken ${age(lock.created)}).\n`);
  return 0;
}

if (require.main === module) runMain(main, HELP);
