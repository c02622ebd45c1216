/**
 * Plans of an environment's platform stack, as the `plan`, `drift` and `apply` commands run them:
 * synthesize into the output directory, `terraform init` with the environment's S3 backend,
 * `terraform plan -detailed-exitcode -out`, `terraform show -json`, and a Markdown summary.
 *
 * Files, in `outDir` (`plans/` by default, gitignored):
 *   <env>.tfplan        the saved plan (`terraform apply` takes exactly this)
 *   <env>.plan.json     its JSON: holds sensitive values in clear text, never publish it
 *   <env>.summary.md    the summary for reviewers (no sensitive values)
 *   <env>.synth/        the synthesized stacks and Terraform's working directory
 * Drift uses <env>.drift.tfplan, <env>.drift.json and <env>.drift.md.
 */
import { App } from 'cdktf';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { loadEnvironment } from '../../environments/load';
import type { Environment } from '../../environments/schema';
import { addEnvironmentStacks } from '../../stacks';
import { UsageError } from './args';
import { adoptionAdvice, cutOffCreates } from './adopt';
import { daemonStatus, EmulatorDiedError } from './emulator-daemon';
import { localWork } from './local-work';
import { knownFailure, PROJECT_ROOT, terraform, terraformEnv } from './terraform';
import { fingerprintLine, planFingerprint } from '../../review/plan-compare';
import type { ResourceSchemas } from '../../review/drift-noise';
import type { PlanJson, PlanSummary, Totals } from '../../review/plan-model';
import { summarizeDrift, summarizePlan, type DriftSummary } from '../../review/plan-summary';
import { parseTeamRules, type TeamRules } from '../../review/team-rules';
import { ApplyProgress } from './apply-progress';
import { Progress } from './progress';

export const DEFAULT_PLAN_DIR = join(PROJECT_ROOT, 'plans');

/** The team's plan rules and exceptions, reviewed like code (review/team-rules.ts says what a rule can match). */
export const TEAM_RULES_FILE = join(PROJECT_ROOT, 'review', 'team-rules.jsonc');

/** The team's rules from `file`; none when the file does not exist. A bad file fails the command with what to fix. */
export function loadTeamRules(file: string = TEAM_RULES_FILE): TeamRules | undefined {
  if (!existsSync(file)) return undefined;
  return parseTeamRules(readFileSync(file, 'utf8'), relative(PROJECT_ROOT, file).startsWith('..') ? file : relative(PROJECT_ROOT, file));
}

export interface PlanRunOptions {
  /** The loaded environment (emulator endpoint already applied for `local`). */
  readonly environment: Environment;
  /** @default DEFAULT_PLAN_DIR */
  readonly outDir?: string;
  /** Accept destroying or replacing protected resources where the environment prevents it. */
  readonly allowDestroy?: boolean;
  /** @default - a Progress titled "plan <env>" on stderr */
  readonly progress?: Progress;
  /** @default terraformEnv() */
  readonly terraformEnv?: NodeJS.ProcessEnv;
  /** @default TEAM_RULES_FILE */
  readonly teamRulesFile?: string;
  /**
   * Writes the stack to plan into `outDir` and returns its directory and JSON.
   * @default - the environment's platform stack (`synthForPlan`)
   */
  readonly synth?: (env: Environment, outDir: string) => SynthesizedStack;
}

export interface SynthesizedStack {
  /** Terraform's working directory: holds cdk.tf.json. */
  readonly stackDir: string;
  /** The synthesized cdk.tf.json (construct paths, lifecycle). */
  readonly stackJson: Record<string, any>;
}

export interface PlanFiles {
  readonly planFile: string;
  readonly jsonFile: string;
  readonly summaryFile: string;
}

export interface PlanRunResult extends PlanFiles {
  readonly stackDir: string;
  /** 0 no changes, 2 changes, 1 refused (a protected destroy without allowDestroy). */
  readonly exitCode: 0 | 1 | 2;
  readonly summary: PlanSummary;
  readonly plan: PlanJson;
  readonly fingerprint: string;
}

export interface DriftRunResult {
  /** 0 no drift, 2 drift. */
  readonly exitCode: 0 | 2;
  readonly summary: DriftSummary;
  readonly summaryFile: string;
  readonly jsonFile: string;
  readonly plan: PlanJson;
}

export function planFiles(env: Environment, outDir: string, kind: 'plan' | 'drift' = 'plan'): PlanFiles {
  const dir = resolve(outDir);
  return kind === 'plan'
    ? { planFile: join(dir, `${env.name}.tfplan`), jsonFile: join(dir, `${env.name}.plan.json`), summaryFile: join(dir, `${env.name}.summary.md`) }
    : { planFile: join(dir, `${env.name}.drift.tfplan`), jsonFile: join(dir, `${env.name}.drift.json`), summaryFile: join(dir, `${env.name}.drift.md`) };
}

/** Synthesizes the environment's stacks into `<outDir>/<env>.synth` and returns the platform stack's directory and JSON. */
export function synthForPlan(env: Environment, outDir: string): SynthesizedStack {
  const outdir = join(resolve(outDir), `${env.name}.synth`);
  const app = new App({ outdir });
  const { platform } = addEnvironmentStacks(app, env);
  app.synth();
  const stackDir = join(outdir, 'stacks', platform.node.id);
  return { stackDir, stackJson: JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) };
}

/** `terraform init` with the stack's S3 backend; `-reconfigure` because the emulator's endpoint changes between runs. */
export async function initBackend(env: Environment, stackDir: string, tfEnv: NodeJS.ProcessEnv): Promise<void> {
  const result = await terraform(stackDir, ['init', '-input=false', '-no-color', '-reconfigure'], { env: tfEnv, allowFailure: true });
  if (result.code !== 0) {
    const hint = env.emulator
      ? `is the emulator running at ${env.emulator.endpoint}, and was the state bucket bootstrapped (npm run bootstrap -- ${env.name} --endpoint ${env.emulator.endpoint})?`
      : `do the credentials reach account ${env.account.id}, and was the state bucket ${env.state.bucket} bootstrapped (npm run bootstrap -- ${env.name})?`;
    throw new Error(`terraform init of "${env.name}" failed with the S3 backend s3://${env.state.bucket}: ${hint}\n${(result.stderr || result.stdout).trim()}`);
  }
}

/** `terraform plan -detailed-exitcode -out` then `terraform show -json`: the plan and whether it changes anything. */
export async function planStack(
  stackDir: string,
  planFile: string,
  tfEnv: NodeJS.ProcessEnv,
  options: { refreshOnly?: boolean; report?: (text: string) => void } = {},
): Promise<{ code: 0 | 2; plan: PlanJson }> {
  rmSync(planFile, { force: true });
  const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', '-lock-timeout=120s', `-out=${planFile}`, ...(options.refreshOnly ? ['-refresh-only'] : [])];
  // Resources read so far, every 5 s (a refresh reads every resource in the state: minutes on AWS).
  const tracker = options.report && new ApplyProgress(options.report);
  const result = await terraform(stackDir, args, { env: tfEnv, allowFailure: true, ...(tracker ? { onLine: (line: string) => tracker.line(line) } : {}) });
  if (result.code !== 0 && result.code !== 2) {
    throw knownFailure(result.stderr + result.stdout) ?? new Error(`terraform ${args.slice(0, -1).join(' ')} failed (exit ${result.code}):\n${(result.stderr || result.stdout).trim()}`);
  }
  const shown = await terraform(stackDir, ['show', '-json', '-no-color', planFile], { env: tfEnv });
  return { code: result.code as 0 | 2, plan: JSON.parse(shown.stdout) as PlanJson };
}

/** Fails early, naming the endpoint, when the emulator environment's emulator does not answer. */
export async function requireEmulator(env: Environment): Promise<void> {
  if (!env.emulator) return;
  const url = new URL(env.emulator.endpoint);
  const ok = await new Promise<boolean>((done) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port) });
    const finish = (value: boolean) => {
      socket.destroy();
      done(value);
    };
    socket.setTimeout(3000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
  if (!ok) {
    throw new Error(`nothing listens at ${env.emulator.endpoint} (the "${env.name}" environment's emulator): npm start deploys ${env.name} and leaves its emulator running, which this command then finds; or pass another emulator's endpoint with --endpoint URL`);
  }
}

/** The whole `npm run plan` for one environment. The saved plan, its JSON and the summary are written even when the plan is refused. */
export async function planEnvironment(options: PlanRunOptions): Promise<PlanRunResult> {
  const env = options.environment;
  const outDir = options.outDir ?? DEFAULT_PLAN_DIR;
  const progress = options.progress ?? new Progress(`plan ${env.name}`);
  const tfEnv = options.terraformEnv ?? terraformEnv();
  // A bad rules file fails the plan before anything runs.
  const teamRules = loadTeamRules(options.teamRulesFile);
  mkdirSync(outDir, { recursive: true });
  const files = planFiles(env, outDir);

  await progress.step('emulator', () => requireEmulator(env));
  const { stackDir, stackJson } = await progress.step(`synth ${env.name}`, () => (options.synth ?? synthForPlan)(env, outDir));
  await progress.step(`terraform init (s3://${env.state.bucket}/${env.name}/)`, () => initBackend(env, stackDir, tfEnv));
  const { code, plan } = await progress.step('terraform plan', () => planStack(stackDir, files.planFile, tfEnv, { report: (text) => progress.note(`terraform plan: ${text}`) }));
  writeFileSync(files.jsonFile, JSON.stringify(plan), { mode: 0o600 });
  const summary = await progress.step('summary', () => {
    const s = summarizePlan(plan, {
      environment: env.name,
      stackJson,
      protections: env.protections,
      allowDestroy: options.allowDestroy ?? false,
      stateBucket: env.state.bucket,
      ...(teamRules ? { teamRules } : {}),
    });
    const fingerprint = planFingerprint(plan);
    writeFileSync(files.summaryFile, `${s.markdown}\n${fingerprintLine(fingerprint)}\n`);
    return s;
  });
  const exitCode = !summary.verdict.ok ? 1 : code === 2 || summary.hasChanges ? 2 : 0;
  return { ...files, stackDir, exitCode, summary, plan, fingerprint: planFingerprint(plan) };
}

/** `npm run drift` for one environment: a refresh-only plan; drift when the refresh finds resources changed outside Terraform. */
export async function driftEnvironment(options: Omit<PlanRunOptions, 'allowDestroy'>): Promise<DriftRunResult> {
  const env = options.environment;
  const outDir = options.outDir ?? DEFAULT_PLAN_DIR;
  const progress = options.progress ?? new Progress(`drift ${env.name}`);
  const tfEnv = options.terraformEnv ?? terraformEnv();
  mkdirSync(outDir, { recursive: true });
  const files = planFiles(env, outDir, 'drift');

  await progress.step('emulator', () => requireEmulator(env));
  const { stackDir, stackJson } = await progress.step(`synth ${env.name}`, () => (options.synth ?? synthForPlan)(env, outDir));
  await progress.step(`terraform init (s3://${env.state.bucket}/${env.name}/)`, () => initBackend(env, stackDir, tfEnv));
  const { plan } = await progress.step('terraform plan -refresh-only', () =>
    planStack(stackDir, files.planFile, tfEnv, { refreshOnly: true, report: (text) => progress.note(`terraform plan -refresh-only: ${text}`) }),
  );
  writeFileSync(files.jsonFile, JSON.stringify(plan), { mode: 0o600 });
  const schemas = await progress.step('provider schema (computed-only attributes are not drift)', () => awsResourceSchemas(stackDir, tfEnv));
  const summary = summarizeDrift(plan, { environment: env.name, stackJson, schemas });
  writeFileSync(files.summaryFile, `${summary.markdown}\n`);
  return { exitCode: summary.hasDrift ? 2 : 0, summary, summaryFile: files.summaryFile, jsonFile: files.jsonFile, plan };
}

/** The AWS provider's resource schemas (`terraform providers schema -json` in an initialised stack directory). */
export async function awsResourceSchemas(stackDir: string, tfEnv: NodeJS.ProcessEnv): Promise<ResourceSchemas> {
  const shown = await terraform(stackDir, ['providers', 'schema', '-json'], { env: tfEnv });
  const all = JSON.parse(shown.stdout) as { provider_schemas?: Record<string, { resource_schemas?: ResourceSchemas }> };
  const aws = Object.entries(all.provider_schemas ?? {}).find(([source]) => source.endsWith('/hashicorp/aws'))?.[1];
  if (!aws?.resource_schemas) throw new Error(`terraform providers schema -json in ${stackDir} holds no AWS provider schema`);
  return aws.resource_schemas;
}

/** `terraform apply` of exactly the saved plan file (Terraform refuses a plan that is stale against the state). */
export async function applySavedPlan(
  stackDir: string,
  planFile: string,
  tfEnv: NodeJS.ProcessEnv,
  progress?: { readonly totals: Totals; readonly report: (text: string) => void },
): Promise<void> {
  // Terraform's lines count a replacement twice (destroyed, then created); a saved plan's apply prints no "Plan:" line.
  const tracker = progress && new ApplyProgress(progress.report, { total: progress.totals.add + progress.totals.change + progress.totals.destroy + 2 * progress.totals.replace });
  const result = await terraform(stackDir, ['apply', '-input=false', '-no-color', '-lock-timeout=120s', planFile], { env: tfEnv, allowFailure: true, ...(tracker ? { onLine: (line: string) => tracker.line(line) } : {}) });
  if (result.code === 0) return;
  const output = result.stderr + result.stdout;
  const known = knownFailure(output);
  if (known) throw known;
  const creates = cutOffCreates(output, JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')));
  throw new Error(`terraform apply failed in ${stackDir} (exit ${result.code}):\n${output.trim()}${creates.length > 0 ? `\n\n${adoptionAdvice(creates, stackDir)}` : ''}`);
}

/**
 * Like loadCommandEnvironment, and for an emulator environment without --endpoint or PLATFORM_EMULATOR_ENDPOINT, the
 * emulator npm start left running (`localWork().daemonDir`); its process gone: EmulatorDiedError with its log. With
 * none recorded, the environment file's endpoint.
 */
export async function resolveCommandEnvironment(name: string, endpoint: string | undefined, options: { requireRunning?: boolean } = {}): Promise<Environment> {
  const named = loadCommandEnvironment(name, endpoint);
  if (!named.emulator || endpoint || process.env.PLATFORM_EMULATOR_ENDPOINT) return named;
  const status = await daemonStatus(localWork().daemonDir);
  if ('died' in status) throw new EmulatorDiedError(status.died);
  if ('running' in status) return loadCommandEnvironment(name, status.running.endpoint);
  if (options.requireRunning) throw new Error(`no emulator is running for "${name}": npm start deploys it and leaves one running (or pass --endpoint URL)`);
  return named;
}

/**
 * Loads an environment for a command (from `PLATFORM_ENVIRONMENTS_DIR` when set, as every command); the endpoint
 * (`--endpoint`, else `PLATFORM_EMULATOR_ENDPOINT`) applies to the emulator environment only.
 */
export function loadCommandEnvironment(name: string, endpoint: string | undefined): Environment {
  const emulatorEndpoint = endpoint ?? process.env.PLATFORM_EMULATOR_ENDPOINT;
  const env = loadEnvironment(name, undefined, emulatorEndpoint ? { emulatorEndpoint } : {});
  if (endpoint && !env.emulator) {
    throw new UsageError(`--endpoint is only for an emulator environment (such as "local"); "${name}" deploys to account ${env.account.id}`);
  }
  return env;
}
