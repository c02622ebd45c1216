/**
 * Offline Terraform: every script and test that runs Terraform or cdktf-cli
 * takes its environment from `terraformEnv()`.
 *
 * - A project-local CLI config (`.offline/terraformrc`, via TF_CLI_CONFIG_FILE):
 *   the home directory's Terraform config is never read or written.
 * - A `filesystem_mirror` for the AWS provider when one is found
 *   (TF_PLUGIN_MIRROR, or the machine image's mirror), so `terraform init`
 *   needs no network; the registry is left as the fallback for other providers.
 * - A shared plugin cache, so each stack directory links the 700 MB provider
 *   instead of copying it.
 * - CHECKPOINT_DISABLE=1 (no version or telemetry calls from Terraform or cdktf-cli).
 * - No endpoint overrides from the caller's environment (AWS_ENDPOINT_URL*, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS).
 */
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lineSplitter } from './apply-progress';
import { handleInterrupts, InterruptedError, interruptedBy, track } from './interrupt';
import { parseLockError, StateLockedError } from './state-lock';
import { awsProvider, MIN_TERRAFORM_VERSION } from '../../stacks/versions';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const OFFLINE_DIR = join(PROJECT_ROOT, '.offline');
export const MIN_TERRAFORM = MIN_TERRAFORM_VERSION.split('.').map(Number);
const { name: AWS_PROVIDER, version: AWS_PROVIDER_VERSION } = awsProvider();

/** Where machine images usually keep a provider mirror; TF_PLUGIN_MIRROR wins over all of them. */
const MIRROR_CANDIDATES = ['/opt/tf-plugins', '/usr/local/share/terraform/plugins', '/usr/share/terraform/plugins', '/opt/terraform/plugins'];

export class ToolMissingError extends Error {}

/** The mirror directory that holds the pinned AWS provider, if any. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.TF_PLUGIN_MIRROR ? [env.TF_PLUGIN_MIRROR] : MIRROR_CANDIDATES;
  for (const dir of candidates) {
    const versionDir = join(dir, AWS_PROVIDER, AWS_PROVIDER_VERSION);
    if (existsSync(versionDir) && readdirSync(versionDir).length > 0) return dir;
  }
  if (env.TF_PLUGIN_MIRROR) {
    throw new ToolMissingError(
      `TF_PLUGIN_MIRROR=${env.TF_PLUGIN_MIRROR} holds no ${AWS_PROVIDER} ${AWS_PROVIDER_VERSION}: ` +
        `fill it with \`terraform providers mirror ${env.TF_PLUGIN_MIRROR}\` on a machine with network, or unset it`,
    );
  }
  return undefined;
}

let checkedVersion: string | undefined;
/** Fails with what to install when Terraform is missing or older than 1.10 (S3-native locking). */
export function requireTerraform(): string {
  if (checkedVersion) return checkedVersion;
  let out: string;
  try {
    out = execFileSync('terraform', ['version', '-json'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' } });
  } catch {
    throw new ToolMissingError('terraform was not found on PATH: install Terraform 1.10 or newer (https://developer.hashicorp.com/terraform/install)');
  }
  const version: string = JSON.parse(out).terraform_version;
  const parts = version.split('.').map((p) => parseInt(p, 10));
  const tooOld = MIN_TERRAFORM.some((min, i) => {
    const earlier = MIN_TERRAFORM.slice(0, i).every((m, j) => parts[j] === m);
    return earlier && (parts[i] ?? 0) < min;
  });
  if (tooOld) throw new ToolMissingError(`terraform ${version} is too old: install Terraform ${MIN_TERRAFORM.join('.')} or newer (S3-native state locking)`);
  checkedVersion = version;
  return version;
}

/** Writes `.offline/terraformrc` and returns the environment every Terraform or cdktf-cli call gets. */
export function terraformEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  requireTerraform();
  const mirror = findProviderMirror(base);
  const cacheDir = join(OFFLINE_DIR, 'plugin-cache');
  mkdirSync(cacheDir, { recursive: true });
  const config = join(OFFLINE_DIR, 'terraformrc');
  const text = [
    '# Written by scripts/lib/terraform.ts: project-local, offline Terraform CLI config.',
    `plugin_cache_dir = ${JSON.stringify(cacheDir)}`,
    'disable_checkpoint = true',
    'provider_installation {',
    ...(mirror
      ? [`  filesystem_mirror {`, `    path    = ${JSON.stringify(mirror)}`, `    include = [${JSON.stringify(AWS_PROVIDER)}]`, '  }', '  direct {', `    exclude = [${JSON.stringify(AWS_PROVIDER)}]`, '  }']
      : ['  direct {}']),
    '}',
    '',
  ].join('\n');
  if (!existsSync(config) || readFileSync(config, 'utf8') !== text) writeAtomically(config, text);
  const env: NodeJS.ProcessEnv = {
    ...base,
    TF_CLI_CONFIG_FILE: config,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true',
    // cdktf-cli: no update check, no crash reports, no telemetry, no plugin cache of its own.
    DISABLE_VERSION_CHECK: 'true',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
  };
  // The stacks name their endpoints themselves (AWS's own, or the emulator profile's `endpoint_url`). A caller's
  // AWS_ENDPOINT_URL(_<SERVICE>) would win over the profile, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS would send the
  // emulator environment's calls to AWS (the AWS SDKs' precedence: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
  for (const name of Object.keys(env)) if (name === 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS' || /^AWS_ENDPOINT_URL(_|$)/.test(name)) delete env[name];
  ensureProviderCached(cacheDir, env);
  return env;
}

/** Readers (other processes) see the old file or the new one, never a half-written one. */
function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/**
 * Puts the AWS provider into the shared plugin cache once, under a lock. Terraform does not lock
 * its plugin cache: two `terraform init`s that both find it empty (parallel test workers on a fresh
 * clone) copy the 700 MB provider over each other, and one of them can run a half-written binary.
 */
function ensureProviderCached(cacheDir: string, env: NodeJS.ProcessEnv): void {
  const ready = join(cacheDir, `.${AWS_PROVIDER.replaceAll('/', '_')}_${AWS_PROVIDER_VERSION}.ready`);
  if (existsSync(ready)) return;
  const lock = join(cacheDir, '.warming.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (existsSync(ready)) return; // another process finished the warm-up
      if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true }); // left by a killed process
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for another process to put the AWS provider into ${cacheDir} (lock ${lock})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  const dir = mkdtempSync(join(OFFLINE_DIR, 'warm-'));
  try {
    if (existsSync(ready)) return;
    const config = { terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } } };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    try {
      execFileSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new ToolMissingError(`terraform init could not install ${AWS_PROVIDER} ${AWS_PROVIDER_VERSION} into ${cacheDir}:\n${(e.stderr || e.stdout || e.message).trim()}`);
    }
    writeFileSync(ready, `${new Date().toISOString()}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command with the offline environment; resolves with its exit code and output. The command runs in a process
 * group of its own, tracked by scripts/lib/interrupt.ts: a Ctrl-C reaches it as Terraform needs it (one SIGINT to
 * Terraform), and what is left of the group when it ends is killed.
 */
export function run(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { input?: string; echo?: boolean; afterInterrupt?: boolean; onLine?: (line: string) => void } = {},
): Promise<RunResult> {
  handleInterrupts();
  const signal = interruptedBy();
  // After a Ctrl-C nothing new starts, except what reports on it (afterInterrupt: reading the state lock).
  if (signal && !options.afterInterrupt) return Promise.reject(new InterruptedError(signal));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, env: options.env ?? terraformEnv(), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    track(child);
    let stdout = '';
    let stderr = '';
    // Each stream's whole lines, as they come (progress reports).
    const lines = options.onLine ? [lineSplitter(options.onLine), lineSplitter(options.onLine)] : undefined;
    child.stdout!.setEncoding('utf8'); // whole characters per chunk (Terraform's box is multi-byte)
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      stdout += d;
      lines?.[0]!.push(d);
      if (options.echo) process.stdout.write(d);
    });
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      lines?.[1]!.push(d);
      if (options.echo) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      for (const splitter of lines ?? []) splitter.end();
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
    // A child that ends without reading its input (Terraform does not read it unless it prompts) leaves the write to
    // fail with EPIPE, an 'error' event that would end this process; what the child did is in its exit code and output.
    child.stdin!.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin!.end(options.input ?? '');
  });
}

/**
 * Why a failed Terraform (or cdktf-cli) run failed, when it is one of the causes people must act on differently: the
 * state is locked (StateLockedError: who holds it, and the unlock command), or this command was interrupted.
 */
export function knownFailure(output: string): Error | undefined {
  const lock = parseLockError(output);
  if (lock) return new StateLockedError(lock);
  const signal = interruptedBy();
  return signal ? new InterruptedError(signal) : undefined;
}

/** `terraform <args>` in `cwd`; throws with Terraform's own message on a failure unless `allowFailure`. */
export async function terraform(
  cwd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; allowFailure?: boolean; echo?: boolean; signal?: AbortSignal; afterInterrupt?: boolean; onLine?: (line: string) => void } = {},
): Promise<RunResult> {
  const result = await run('terraform', args, {
    cwd,
    env: options.env ?? terraformEnv(),
    echo: options.echo ?? false,
    afterInterrupt: options.afterInterrupt ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  if (result.code !== 0 && !options.allowFailure) {
    throw knownFailure(result.stderr + result.stdout) ?? new Error(`terraform ${args.join(' ')} failed in ${cwd} (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
  }
  return result;
}
