/**
 * The local AWS emulator (moto, patched: emulator/README.md) as a child process.
 *
 *   const emulator = await startEmulator();
 *   try { ...use emulator.endpoint... } finally { await emulator.stop(); }
 *
 * - Listens on 127.0.0.1 only, on a free port unless `port` is given.
 * - Never outlives this process: stop() on every exit path of ours; on a crash
 *   or SIGKILL of this process the emulator sees its stdin close and exits.
 * - Missing python3 or moto: an EmulatorMissingError saying what to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './terraform';

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the endpoint every AWS service of the platform is pointed at. */
  readonly endpoint: string;
  readonly port: number;
  /** The end of its stderr (the last 16 KiB): server errors, and the requests an AWS SDK retried (emulator/retries.py). */
  log(): string;
  /** Stops the emulator and resolves once its process has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /**
   * Port on 127.0.0.1.
   * @default - a free port chosen by the operating system
   */
  readonly port?: number;
  /**
   * How long to wait for the ready line.
   * @default 30000 (moto's cold start is 1-3 s; a loaded 2-core machine can be much slower)
   */
  readonly startTimeoutMs?: number;
  /**
   * The Python 3 interpreter.
   * @default - $EMULATOR_PYTHON, else `python3` from PATH
   */
  readonly python?: string;
  /**
   * Patches to leave out (EMULATOR_DISABLE_PATCHES): only to watch a patch's test fail without it.
   * @default - every patch applied
   */
  readonly disablePatches?: readonly string[];
  /**
   * Log every request on the emulator's stderr, and pass its stderr through to ours.
   * @default false: only server errors are logged, and kept for error messages
   */
  readonly verbose?: boolean;
  /**
   * Append one JSON line per request served to this file (emulator/recorder.py: who signed it, service,
   * operation, parameters), for `npm run iam-audit`.
   * @default - nothing is recorded
   */
  readonly recordFile?: string;
}

/** python3 or moto is not installed: the message says what to install. */
export class EmulatorMissingError extends Error {
  override readonly name = 'EmulatorMissingError';
}

/** The emulator did not start: the message includes its stderr. */
export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

export const EMULATOR_SERVER = join(PROJECT_ROOT, 'emulator', 'server.py');
const READY = /^EMULATOR READY (http:\/\/127\.0\.0\.1:(\d+))$/;
/** emulator/server.py exits with 3 when moto or its server extras are missing. */
const EXIT_MISSING_DEPENDENCY = 3;
const STDERR_KEPT = 16 * 1024;
const STOP_GRACE_MS = 5000;
const INSTALL_HINT = 'install Python 3.9+ and moto with its server extras: `python3 -m pip install "moto[server]"` (tested with moto 5.2.1)';

/** Children still running, killed synchronously if this process exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
}

/** The child is started in its own process group: a `python3` shim (pyenv) may stand between us and Python. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const python = options.python ?? process.env.EMULATOR_PYTHON ?? 'python3';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`startEmulator: port ${port} is not valid; use 0 (a free port) or 1-65535`);
  }
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const args = [EMULATOR_SERVER, '--port', String(port), '--exit-with-parent', ...(options.verbose ? ['--verbose'] : []), ...(options.recordFile ? ['--record', options.recordFile] : [])];
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
  if (options.disablePatches?.length) env.EMULATOR_DISABLE_PATCHES = options.disablePatches.join(',');
  else delete env.EMULATOR_DISABLE_PATCHES;

  // detached: a process group of its own, so stop() reaches Python behind any shim, and a
  // Ctrl-C meant for us does not kill the emulator before we clean up. stdin stays open:
  // its end of file tells the emulator that we are gone.
  const child = spawn(python, args, { cwd: PROJECT_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  running.add(child);
  killAllOnExit();

  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
    if (options.verbose) process.stderr.write(chunk);
  });
  const closed = new Promise<void>((resolveClosed) => child.on('close', () => resolveClosed()));
  child.on('close', () => running.delete(child));
  // An EPIPE on stdin after the emulator exits is expected; it must not crash us.
  child.stdin!.on('error', () => undefined);

  const endpoint = await new Promise<string>((resolveReady, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      fail(new EmulatorStartError(`the emulator did not report ready within ${timeoutMs / 1000} s (${python} ${args.join(' ')}).${describeStderr(stderr)}`));
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of stdout.split('\n')) {
        const match = READY.exec(line.trim());
        if (match) {
          clearTimeout(timer);
          resolveReady(match[1]!);
        }
      }
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'ENOENT'
          ? new EmulatorMissingError(`${python} was not found on PATH, so the local AWS emulator cannot start: ${INSTALL_HINT}`)
          : new EmulatorStartError(`could not start ${python} ${args.join(' ')}: ${error.message}`),
      );
    });
    child.on('exit', (code, signal) => {
      if (code === EXIT_MISSING_DEPENDENCY) {
        fail(new EmulatorMissingError(`moto is not installed for ${python}, so the local AWS emulator cannot start: ${INSTALL_HINT}.${describeStderr(stderr)}`));
      } else {
        fail(new EmulatorStartError(`the emulator exited before it was ready (${signal ? `signal ${signal}` : `exit code ${code}`}).${describeStderr(stderr)}`));
      }
    });
  }).catch(async (error: unknown) => {
    killGroup(child, 'SIGKILL');
    await closed;
    throw error;
  });

  // After the ready line: keep draining stdout so the emulator never blocks on a full pipe.
  child.stdout!.resume();
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    log: () => stderr,
    stop(): Promise<void> {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          killGroup(child, 'SIGTERM');
          const grace = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
          await closed;
          clearTimeout(grace);
        } else {
          await closed;
        }
      })();
      return stopping;
    },
  };
}

function describeStderr(stderr: string): string {
  const text = stderr.trim();
  return text ? `\nemulator stderr:\n${text}` : ' (no output on stderr)';
}
