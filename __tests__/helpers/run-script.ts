/** Runs one of the project's scripts as `npm run` does (node scripts/ts-run.cjs <script>), with extra environment. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running script: its process (a process group of its own when `detached`, as a terminal's foreground job) and its end. */
export function startScript(script: string, args: string[], env: NodeJS.ProcessEnv, options: { detached?: boolean } = {}): { child: ChildProcess; output: () => string; done: Promise<ScriptResult> } {
  const child = spawn(process.execPath, ['scripts/ts-run.cjs', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<ScriptResult>((resolveDone) => child.on('close', (code, signal) => resolveDone({ code: code ?? (signal ? 128 : 1), stdout, stderr })));
  return { child, output: () => stdout + stderr, done };
}

export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  return startScript(script, args, env).done;
}

/** Fails with the command's output tail (where its error is) unless it exited with `code`; an exit code alone says too little. */
export function expectExit(result: ScriptResult, code: number, what: string): void {
  if (result.code !== code) throw new Error(`${what} exited ${result.code}, expected ${code}:\n${result.stdout.slice(-1500)}\n${result.stderr.slice(-4000)}`);
}
