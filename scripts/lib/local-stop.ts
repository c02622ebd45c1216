/**
 * Stopping what `npm start` leaves running for the emulator environment: the local edge and the emulator. The
 * emulator keeps nothing on disk, so everything deployed to it is gone with it; the bootstrap's local state file
 * (the only record of its state bucket) goes too, so that the next `npm start` begins from nothing.
 */
import { rmSync } from 'node:fs';
import type { Environment } from '../../environments/schema';
import { daemonStatus, stopDaemon, type DaemonRecord } from './emulator-daemon';
import type { LocalWork } from './local-work';
import { edgeDaemonDir } from './outputs';

export interface Stopped {
  readonly emulator?: DaemonRecord;
  readonly emulatorHadDied: boolean;
  readonly edge: boolean;
}

export async function stopLocal(work: LocalWork, env: Environment): Promise<Stopped> {
  const edge = await stopDaemon(undefined, edgeDaemonDir(work.daemonDir));
  const status = await daemonStatus(work.daemonDir);
  const record = 'running' in status ? status.running : 'died' in status ? status.died : undefined;
  if (record) await stopDaemon(record, work.daemonDir);
  rmSync(work.bootstrapStateFile(env), { force: true });
  return { ...(record ? { emulator: record } : {}), emulatorHadDied: 'died' in status, edge };
}

/** One line on what was stopped. */
export function describeStopped(stopped: Stopped): string {
  if (!stopped.emulator) return `No local emulator was running${stopped.edge ? ' (the local edge was, and is stopped)' : ''}: nothing deployed is left.`;
  return stopped.emulatorHadDied
    ? `The local emulator (pid ${stopped.emulator.pid}) had already died; its record is removed${stopped.edge ? ' and the local edge stopped' : ''}. Nothing deployed is left.`
    : `Stopped the local emulator (pid ${stopped.emulator.pid}, ${stopped.emulator.endpoint})${stopped.edge ? ' and the local edge' : ''}: everything deployed to it is gone with it.`;
}
