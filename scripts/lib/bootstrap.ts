/**
 * Bootstraps the Terraform state of an environment's account: synthesizes only
 * its `bootstrap-<env>` stack, then terraform init, plan and (only when the plan
 * has changes) apply, with the state kept in a local file.
 *
 * Idempotent: a second run plans no changes (`plan -detailed-exitcode` = 0) and
 * applies nothing.
 */
import { App } from 'cdktf';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { loadEnvironment } from '../../environments/load';
import type { Environment } from '../../environments/schema';
import { bootstrapStackId, defaultBootstrapStateFile, StateBootstrapStack } from '../../stacks/state-bootstrap-stack';
import { Progress } from './progress';
import { DEFAULT_OUTDIR, readStackJson, stackDir } from './synth';
import { terraform, terraformEnv } from './terraform';

export interface BootstrapOptions {
  /** Environment name (`environments/<name>.json`); its account gets the state bucket. */
  readonly environment: string;
  /**
   * Where the local emulator listens (the emulator environment only).
   * @default - emulator.endpoint of the environment file
   */
  readonly emulatorEndpoint?: string;
  /**
   * Synthesis output directory.
   * @default - cdktf.out of the project
   */
  readonly outdir?: string;
  /**
   * The bootstrap stack's local state file.
   * @default - bootstrap-state/<environment>/terraform.tfstate in the project
   */
  readonly stateFile?: string;
  /** @default - a Progress titled "bootstrap <environment>" on stderr */
  readonly progress?: Progress;
  /** @default - terraformEnv() */
  readonly terraformEnv?: NodeJS.ProcessEnv;
}

/** What the environment stacks' backends need, read from the bootstrap stack's outputs. */
export interface StateOutputs {
  readonly bucket: string;
  readonly bucketArn: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly kmsKeyAlias: string;
  readonly kmsKeyAliasArn: string;
  readonly accountId: string;
  /** The GitHub Actions roles, when the environment names its repository (`ci`). */
  readonly githubPlanRoleArn?: string;
  readonly githubApplyRoleArn?: string;
}

export interface BootstrapResult {
  readonly environment: Environment;
  readonly stackId: string;
  readonly stackDir: string;
  readonly stateFile: string;
  /** false when the plan found nothing to change (nothing was applied). */
  readonly changed: boolean;
  /** Terraform's one-line plan summary, such as `Plan: 9 to add, 0 to change, 0 to destroy.` */
  readonly planSummary: string;
  readonly outputs: StateOutputs;
}

/** Synthesizes only the bootstrap stack of `env` (the fast path: no platform stack). Returns its stack id. */
export function synthBootstrap(env: Environment, outdir: string, stateFile: string): string {
  mkdirSync(outdir, { recursive: true }); // cdktf's App creates only the last level
  const app = new App({ outdir });
  const stack = new StateBootstrapStack(app, bootstrapStackId(env), { environment: env, stateFile });
  app.synth();
  return stack.node.id;
}

interface Prepared {
  readonly env: Environment;
  readonly progress: Progress;
  readonly stateFile: string;
  readonly outdir: string;
  readonly tfEnv: NodeJS.ProcessEnv;
  readonly stackId: string;
  readonly dir: string;
  readonly hadState: boolean;
}

/** Checks the emulator (if any), synthesizes the bootstrap stack and runs terraform init. */
async function prepare(options: BootstrapOptions): Promise<Prepared> {
  const progress = options.progress ?? new Progress(`bootstrap ${options.environment}`);
  const env = loadEnvironment(options.environment, undefined, options.emulatorEndpoint ? { emulatorEndpoint: options.emulatorEndpoint } : {});
  const stateFile = options.stateFile ?? defaultBootstrapStateFile(env);
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  const tfEnv = options.terraformEnv ?? terraformEnv();

  if (env.emulator) {
    const endpoint = env.emulator.endpoint;
    await progress.step(`emulator at ${endpoint}`, async () => {
      if (!(await accepts(endpoint))) {
        throw new Error(
          `nothing listens at ${endpoint} (the "${env.name}" environment's emulator): start the emulator and pass its endpoint with --endpoint URL or PLATFORM_EMULATOR_ENDPOINT`,
        );
      }
    });
  }

  const stackId = await progress.step(`synth ${bootstrapStackId(env)}`, () => synthBootstrap(env, outdir, stateFile));
  const dir = stackDir(stackId, outdir);
  mkdirSync(dirname(stateFile), { recursive: true });
  const hadState = existsSync(stateFile);
  await progress.step('terraform init', () => terraform(dir, ['init', '-input=false', '-no-color'], { env: tfEnv }));
  return { env, progress, stateFile, outdir, tfEnv, stackId, dir, hadState };
}

/**
 * The emulator's fast bootstrap (`npm start`): makes the state backend usable, then finishes in the
 * background (`rest`, which resolves with the stack's outputs). A first apply creates everything but the bucket's lifecycle configuration (creating
 * that alone sits out about 55 s of fixed polling in the AWS provider) and returns; a second apply,
 * running while the caller deploys, adds it. The backend works without it: the lifecycle rule only
 * expires old state versions, after days. `signal` stops the background apply (SIGTERM).
 */
export async function bootstrapDeferred(options: BootstrapOptions & { readonly signal?: AbortSignal }): Promise<{ readonly rest: Promise<StateOutputs> }> {
  const { env, progress, outdir, tfEnv, stackId, dir, hadState, stateFile } = await prepare(options);
  await progress.step('terraform apply: what the state backend needs (lifecycle rule deferred)', async () => {
    const json = readStackJson(stackId, outdir);
    const targets = Object.entries(json.resource ?? {})
      .filter(([type]) => type !== DEFERRED_TYPE)
      .flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `-target=${type}.${name}`));
    const result = await terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color', ...targets], { env: tfEnv, allowFailure: true });
    if (result.code !== 0) throw new Error(`${planFailure(env, hadState, stateFile)}\n${(result.stderr || result.stdout).trim()}`);
  });
  const started = Date.now();
  const signal = options.signal ? { signal: options.signal } : {};
  const rest = terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color'], { env: tfEnv, allowFailure: true, ...signal }).then(async (result) => {
    if (result.code !== 0) throw new Error(`the background apply of the bootstrap stack (lifecycle rule) failed:\n${(result.stderr || result.stdout).trim()}`);
    progress.note(`bootstrap: lifecycle rule applied in the background in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return readOutputs(dir, tfEnv);
  });
  rest.catch(() => undefined); // the caller awaits it; this only keeps an early failure from counting as unhandled
  return { rest };
}

export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const { env, progress, tfEnv, stackId, dir, hadState, stateFile } = await prepare(options);

  const planFile = join(dir, 'bootstrap.tfplan');
  const plan = await progress.step('terraform plan', async () => {
    const result = await terraform(dir, ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${planFile}`], { env: tfEnv, allowFailure: true });
    if (result.code !== 0 && result.code !== 2) {
      throw new Error(`${planFailure(env, hadState, stateFile)}\n${(result.stderr || result.stdout).trim()}`);
    }
    return { changed: result.code === 2, summary: summaryLine(result.stdout) };
  });

  if (plan.changed) {
    await progress.step(`terraform apply (${plan.summary})`, () => terraform(dir, ['apply', '-input=false', '-no-color', planFile], { env: tfEnv }));
  }

  const outputs = await progress.step('terraform output', () => readOutputs(dir, tfEnv));
  return { environment: env, stackId, stackDir: dir, stateFile, changed: plan.changed, planSummary: plan.summary, outputs };
}

/** What `bootstrapDeferred` leaves for the background apply. */
const DEFERRED_TYPE = 'aws_s3_bucket_lifecycle_configuration';

async function readOutputs(dir: string, tfEnv: NodeJS.ProcessEnv): Promise<StateOutputs> {
  const result = await terraform(dir, ['output', '-json', '-no-color'], { env: tfEnv });
  const raw = JSON.parse(result.stdout) as Record<string, { value: string }>;
  const value = (name: string): string => {
    const v = raw[name]?.value;
    if (typeof v !== 'string') throw new Error(`the bootstrap stack has no output "${name}" (outputs: ${Object.keys(raw).join(', ') || 'none'})`);
    return v;
  };
  return {
    bucket: value('bucket'),
    bucketArn: value('bucket_arn'),
    region: value('region'),
    kmsKeyArn: value('kms_key_arn'),
    kmsKeyAlias: value('kms_key_alias'),
    kmsKeyAliasArn: value('kms_key_alias_arn'),
    accountId: value('account_id'),
    ...(raw.github_plan_role_arn ? { githubPlanRoleArn: value('github_plan_role_arn'), githubApplyRoleArn: value('github_apply_role_arn') } : {}),
  };
}

/** What to do when the plan fails: the usual causes, named. */
function planFailure(env: Environment, hadState: boolean, stateFile: string): string {
  const lines = [`terraform plan of the "${env.name}" bootstrap stack failed.`];
  if (!env.emulator) {
    lines.push(`- Credentials: the plan needs AWS credentials for account ${env.account.id} (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).`);
  }
  if (!hadState) {
    lines.push(
      `- No bootstrap state was found at ${stateFile}. If the bucket ${env.state.bucket} already exists (bootstrapped elsewhere, or this file was lost), ` +
        'restore the file from its backup or import the resources (docs/state.md), instead of creating them again.',
    );
  }
  return lines.join('\n');
}

function summaryLine(planOutput: string): string {
  const line = planOutput.split('\n').find((l) => /^(Plan: |No changes\.)/.test(l.trim()));
  return line?.trim() ?? 'no plan summary';
}

/** Whether something accepts TCP connections at an http://host:port endpoint. */
function accepts(endpoint: string, timeoutMs = 3000): Promise<boolean> {
  const url = new URL(endpoint);
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
