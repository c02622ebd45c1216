/**
 * The emulator that `npm start` leaves running for the `local` environment, so that a later
 * `npm run destroy -- local` (another process) finds what was deployed. Tests use
 * `startEmulator()` (scripts/lib/emulator.ts) instead: an emulator that dies with them.
 *
 * The running emulator is recorded in `<dir>/daemon.json` (pid and endpoint; dir defaults to
 * `.offline/emulator`); it listens on 127.0.0.1 only, and its log is `<dir>/daemon.log`.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_SERVER, EmulatorMissingError, EmulatorStartError } from './emulator';
import { OFFLINE_DIR, PROJECT_ROOT } from './terraform';

/** Where the running emulator is recorded; a test gives its own directory so it never meets a developer's emulator. */
export const DEFAULT_DAEMON_DIR = join(OFFLINE_DIR, 'emulator');
const recordFile = (dir: string) => join(dir, 'daemon.json');
const logFile = (dir: string) => join(dir, 'daemon.log');
const READY = /EMULATOR READY (http:\/\/127\.0\.0\.1:(\d+))/;
const EXIT_MISSING_DEPENDENCY = 3;

export interface DaemonRecord {
  readonly pid: number;
  readonly endpoint: string;
  readonly startedAt: string;
  readonly log: string;
}

/** Whether process `pid` runs (signal 0: nothing is sent). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // runs, as another user
  }
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(3000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

/** The recorded emulator, when it still runs and answers; a stale record is removed. */
export async function runningDaemon(dir: string = DEFAULT_DAEMON_DIR): Promise<DaemonRecord | undefined> {
  const status = await daemonStatus(dir);
  if ('running' in status) return status.running;
  if ('died' in status) rmSync(recordFile(dir), { force: true });
  return undefined;
}

/** The recorded emulator's process is gone (killed, or it crashed): the message names it and shows the end of its log. */
export class EmulatorDiedError extends Error {
  override readonly name = 'EmulatorDiedError';
  constructor(readonly record: DaemonRecord) {
    let tail = '';
    try {
      tail = readFileSync(record.log, 'utf8').trim().split('\n').slice(-15).join('\n');
    } catch {
      tail = '(the log is gone too)';
    }
    super(
      `the local emulator is no longer running: it died or was killed (pid ${record.pid}, ${record.endpoint}, started ${record.startedAt}). ` +
        `Everything deployed to it, and any state lock in it, is gone with it.\n` +
        `Its log: ${record.log}\n${tail}\n` +
        `Start again with npm start (it starts a new emulator and deploys local to it).`,
    );
  }
}

/** The recorded emulator: running (it answers), died (recorded, its process gone), or none recorded. The record is kept. */
export async function daemonStatus(dir: string = DEFAULT_DAEMON_DIR): Promise<{ running: DaemonRecord } | { died: DaemonRecord } | { none: true }> {
  if (!existsSync(recordFile(dir))) return { none: true };
  const record = JSON.parse(readFileSync(recordFile(dir), 'utf8')) as DaemonRecord;
  if (!alive(record.pid)) return { died: record };
  if (await answers(record.endpoint)) return { running: record };
  return { died: record };
}

/** Starts the emulator in the background (or returns the one already running) and records it. */
export async function startDaemon(options: { python?: string; timeoutMs?: number; dir?: string } = {}): Promise<DaemonRecord & { reused: boolean }> {
  const python = options.python ?? process.env.EMULATOR_PYTHON ?? 'python3';
  return startBackground({
    dir: options.dir ?? DEFAULT_DAEMON_DIR,
    command: python,
    args: [EMULATOR_SERVER, '--port', '0'],
    ready: READY,
    what: 'the emulator',
    timeoutMs: options.timeoutMs,
    missing: (error, text) =>
      error ? new EmulatorMissingError(`${python} was not found on PATH: install Python 3 and moto (python3 -m pip install "moto[server]")`) : text !== undefined ? new EmulatorMissingError(text) : undefined,
    missingExitCode: EXIT_MISSING_DEPENDENCY,
  });
}

export interface BackgroundProcess {
  /** Where its record (daemon.json) and log are kept. */
  readonly dir: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Matches the line that says it is ready; group 1 is its URL. */
  readonly ready: RegExp;
  /** `the emulator`, `the local edge`: for messages. */
  readonly what: string;
  readonly timeoutMs?: number;
  /** The error for a command that is not installed (spawn ENOENT: `error` set) or exited with `missingExitCode` (its log). */
  readonly missing?: (error: Error | undefined, text: string | undefined) => Error | undefined;
  readonly missingExitCode?: number;
}

/** Starts a long-running process in the background (or returns the recorded one, still running) and records it. */
export async function startBackground(spec: BackgroundProcess): Promise<DaemonRecord & { reused: boolean }> {
  const { dir } = spec;
  const existing = await runningDaemon(dir);
  if (existing) return { ...existing, reused: true };
  mkdirSync(dir, { recursive: true });
  const LOG = logFile(dir);
  const log = openSync(LOG, 'w');
  const child = spawn(spec.command, [...spec.args], { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', log, log], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  closeSync(log);
  const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timeoutMs = spec.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const outcome = await Promise.race([spawnError, exited, new Promise<'tick'>((r) => setTimeout(() => r('tick'), 100))]);
      if (outcome instanceof Error) {
        throw ((outcome as NodeJS.ErrnoException).code === 'ENOENT' ? spec.missing?.(outcome, undefined) : undefined) ?? new EmulatorStartError(`could not start ${spec.command}: ${outcome.message}`);
      }
      const text = readFileSync(LOG, 'utf8');
      if (outcome !== 'tick') {
        if (outcome === spec.missingExitCode) throw spec.missing?.(undefined, text.trim()) ?? new EmulatorStartError(text.trim());
        throw new EmulatorStartError(`${spec.what} exited (code ${outcome}) before it was ready:\n${text.trim()}`);
      }
      const ready = spec.ready.exec(text);
      if (ready) {
        const record: DaemonRecord = { pid: child.pid!, endpoint: ready[1]!, startedAt: new Date().toISOString(), log: LOG };
        writeFileSync(recordFile(dir), `${JSON.stringify(record, null, 2)}\n`);
        child.unref();
        return { ...record, reused: false };
      }
      if (Date.now() > deadline) throw new EmulatorStartError(`${spec.what} did not report ready within ${timeoutMs / 1000} s:\n${text.trim()}`);
    }
  } catch (error) {
    if (child.pid) killTree(child.pid);
    throw error;
  }
}

function killTree(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

/** Stops the recorded emulator (if any) and waits until it is gone. */
export async function stopDaemon(record?: DaemonRecord, dir: string = DEFAULT_DAEMON_DIR): Promise<boolean> {
  const target = record ?? (existsSync(recordFile(dir)) ? (JSON.parse(readFileSync(recordFile(dir), 'utf8')) as DaemonRecord) : undefined);
  if (!target) return false;
  killTree(target.pid);
  const deadline = Date.now() + 5000;
  while (alive(target.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(target.pid)) killTree(target.pid, 'SIGKILL');
  rmSync(recordFile(dir), { force: true });
  return true;
}
