/**
 * Terraform's state lock, as people need to see it: who holds it, since when, and the command that releases it.
 *
 * With S3-native locking (`use_lockfile`) the lock is the object `<state key>.tflock` next to the state; a Terraform
 * that ends normally, or on Ctrl-C, deletes it, and one that is killed leaves it behind. Terraform then refuses every
 * run with "Error acquiring the state lock" and the lock's details ("Lock Info"). This module reads those details
 * (from that error, or by asking Terraform for the lock without taking it) and says what to do.
 */
import { terraform } from './terraform';
import { terraformLines } from './terraform-output';

export interface LockInfo {
  readonly id: string;
  /** `<bucket>/<environment>/<stack>.tfstate` */
  readonly path: string;
  readonly operation: string;
  /** `user@host` of the run that took it. */
  readonly who: string;
  readonly created: Date;
}

/** A lock younger than this may belong to a run that is still going: `npm run unlock` wants --force for it. */
export const SAFE_UNLOCK_AGE_MS = 15 * 60_000;

/** The lock in Terraform's "Error acquiring the state lock" output (colours and box drawing allowed), or undefined. */
export function parseLockError(output: string): LockInfo | undefined {
  const text = terraformLines(output).join('\n');
  if (!/Error acquiring the state lock/.test(text)) return undefined;
  const field = (name: string) => new RegExp(`^\\s*${name}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const id = field('ID');
  if (!id) return undefined;
  // `2026-12-05 22:28:55.75138273 +0000 UTC`
  const created = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/.exec(field('Created') ?? '');
  return {
    id,
    path: field('Path') ?? '',
    operation: (field('Operation') ?? '').replace(/^OperationType/, '').replace(/^Invalid$/, 'another command').toLowerCase() || 'unknown',
    who: field('Who') ?? 'unknown',
    created: created ? new Date(`${created[1]}T${created[2]}${(created[3] ?? '').slice(0, 4)}${created[4]}:${created[5]}`) : new Date(NaN),
  };
}

/** The environment a state path belongs to: keys are `<environment>/<stack>.tfstate` (stacks/backend.ts). */
export function environmentOfLock(lock: LockInfo): string {
  return lock.path.split('/')[1] ?? '<environment>';
}

export function age(from: Date, now = new Date()): string {
  const ms = now.getTime() - from.getTime();
  if (Number.isNaN(ms)) return 'for an unknown time';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s ago`;
  if (minutes < 120) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
}

/** What a person reads when a command meets a lock. */
export function lockMessage(lock: LockInfo, now = new Date()): string {
  const environment = environmentOfLock(lock);
  return [
    `the state of "${environment}" (s3://${lock.path}) is locked: ${lock.operation} by ${lock.who}, taken ${Number.isNaN(lock.created.getTime()) ? 'at an unknown time' : lock.created.toISOString()} (${age(lock.created, now)}), lock id ${lock.id}.`,
    'If that run is still going, wait for it to end. If it was killed (no terraform runs for this environment any more), release the lock:',
    `  npm run unlock -- ${environment} ${lock.id}`,
  ].join('\n');
}

export class StateLockedError extends Error {
  override readonly name = 'StateLockedError';
  constructor(readonly lock: LockInfo) {
    super(lockMessage(lock));
  }
}

/**
 * The lock on the state of an initialised stack directory, or undefined when it is free. Asks Terraform to taint an
 * address that does not exist without waiting for the lock: when the state is free Terraform takes the lock, finds no
 * such resource and releases it, changing nothing; when it is held, Terraform prints the lock.
 */
export async function currentLock(stackDir: string, tfEnv: NodeJS.ProcessEnv): Promise<LockInfo | undefined> {
  const result = await terraform(stackDir, ['taint', '-no-color', '-lock-timeout=0s', 'terraform_data.platform_lock_probe'], { env: tfEnv, allowFailure: true, afterInterrupt: true });
  const lock = parseLockError(result.stderr + result.stdout);
  if (lock) return lock;
  if (/No such resource instance/i.test(result.stderr + result.stdout)) return undefined;
  throw new Error(`could not read the state lock in ${stackDir} (terraform taint exited ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
}
