/**
 * One `npm start` or `npm run destroy` at a time per work directory: they share the emulator's record, its log and
 * the synthesized stacks, so a second run would adopt the first one's emulator and rewrite its files. The lock is a
 * file created exclusively (O_EXCL) holding the holder's pid, command and start time; a lock whose process is gone
 * (killed) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { alive } from './emulator-daemon';
import { age } from './state-lock';

export interface WorkLockHolder {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
  readonly host: string;
}

export class WorkLockedError extends Error {
  override readonly name = 'WorkLockedError';
  constructor(
    readonly holder: WorkLockHolder,
    readonly file: string,
  ) {
    super(
      `${holder.command} is already running in this checkout (pid ${holder.pid}, started ${holder.startedAt}, ${age(new Date(holder.startedAt))}; lock ${file}).\n` +
        `Wait for it to end, or stop it: Ctrl-C in its terminal, or kill -INT ${holder.pid} (it then stops Terraform cleanly).`,
    );
  }
}

/** The holder of the lock file, when one holds it and still runs. */
export function workLockHolder(file: string): WorkLockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as WorkLockHolder;
    return holder.host === hostname() && !alive(holder.pid) ? undefined : holder;
  } catch {
    return undefined;
  }
}

/** Takes the lock for `command` or throws WorkLockedError naming the holder. Released by the returned function and at exit. */
export function acquireWorkLock(file: string, command: string): () => void {
  mkdirSync(dirname(file), { recursive: true });
  const me: WorkLockHolder = { pid: process.pid, command, startedAt: new Date().toISOString(), host: hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me, null, 2)}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
      const holder = workLockHolder(file);
      if (holder) throw new WorkLockedError(holder, file);
      rmSync(file, { force: true }); // its process is gone
    }
  }
  const release = () => {
    if (workLockHolder(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return release;
}
