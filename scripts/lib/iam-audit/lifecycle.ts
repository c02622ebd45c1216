/**
 * A recorded lifecycle: real Terraform with the real AWS provider against the local emulator, which records
 * every request it serves (emulator/recorder.py). Each phase signs with the credentials of the role that runs
 * it in CI, so the record says which role made which call:
 *
 *   bootstrap, fixtures      an administrator (not a CI role)
 *   first plan               plan role   (plan.yml: a pull request's plan)
 *   first apply              apply role  (deploy-environment.yml's apply job: init, plan, apply the plan)
 *   change plan / apply      plan role, then apply role: updates in place, replacements, a route added and
 *                            one removed, a Lambda route removed
 *   plan                     plan role   (nothing left to change)
 *   drift                    plan role   (drift.yml: terraform plan -refresh-only)
 *   destroy                  apply role  (a plan that destroys everything, applied)
 *
 * The environment is `local` shaped like the real ones (auditEnvironment): every resource and data source type
 * dev, staging and prod synthesize is in it (a Lambda integration, an existing hosted zone, KMS-encrypted logs,
 * Cognito's email through SES).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEnvironment, ENVIRONMENTS_DIR } from '../../../environments/load';
import type { Environment } from '../../../environments/schema';
import { awsRequest, xmlValue } from '../aws-request';
import { bootstrapDeferred } from '../bootstrap';
import { startEmulator } from '../emulator';
import { applySavedPlan, initBackend, planStack, synthForPlan } from '../plan-run';
import { Progress } from '../progress';
import { terraform, terraformEnv } from '../terraform';
import { EMULATOR_PROFILE, emulatorProfileText } from '../../../stacks/providers';

/** Who signs a phase's calls: the emulator accepts any key; the record tells the roles apart by it. */
export const AUDIT_ACCESS_KEYS = { plan: 'AKIAAUDITPLANROLE000', apply: 'AKIAAUDITAPPLYROLE00' } as const;
export type CiRole = keyof typeof AUDIT_ACCESS_KEYS;

/** One line of the emulator's record (emulator/recorder.py). */
export interface RecordedCall {
  readonly seq: number;
  readonly accessKeyId: string | null;
  readonly service: string | null;
  readonly region: string | null;
  readonly operation: string | null;
  readonly protocol: string | null;
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, unknown>;
  readonly status: number;
  readonly response: Record<string, string>;
}

export interface Phase {
  readonly name: string;
  /** The CI role whose credentials signed the phase's calls; undefined for an administrator's. */
  readonly role?: CiRole;
  /** The phase's calls are those with firstSeq <= seq <= lastSeq. */
  readonly firstSeq: number;
  readonly lastSeq: number;
}

export interface Lifecycle {
  readonly calls: readonly RecordedCall[];
  readonly phases: readonly Phase[];
  /** Resource and data source types of the configurations the lifecycle applied (`aws_vpc`, `data.aws_region`). */
  readonly types: readonly string[];
  /** The account, region and names of the recorded environment, to translate its ARNs into another's. */
  readonly environment: { readonly name: string; readonly region: string; readonly stateBucket: string; readonly stateKmsKeyAlias: string };
}

/** A configuration to run through the lifecycle: writes `cdk.tf.json` into its directory, initial or changed. */
export interface LifecycleConfiguration {
  readonly dir: string;
  /** Writes the configuration for the emulator at `endpoint`; drop the stored credentials (withoutStoredCredentials). */
  write(kind: 'initial' | 'changed', endpoint: string): void;
}

export interface LifecycleOptions {
  readonly progress?: Progress;
  /** @default - a temporary directory, removed at the end */
  readonly workDir?: string;
}

/** The phases after the bootstrap, each signed by its CI role (the header comment). */
/** Runs the phases; returns the resource and data source types of both configurations (the change removes some). */
async function runPhases(config: LifecycleConfiguration, endpoint: string, recordFile: string, progress: Progress, env: Environment | undefined, phases: Phase[]): Promise<string[]> {
  const base = terraformEnv();
  const signedBy = (role: CiRole): NodeJS.ProcessEnv => {
    const tfEnv: NodeJS.ProcessEnv = { ...base, AWS_ACCESS_KEY_ID: AUDIT_ACCESS_KEYS[role], AWS_SECRET_ACCESS_KEY: 'audit', AWS_EC2_METADATA_DISABLED: 'true' };
    delete tfEnv.AWS_PROFILE;
    delete tfEnv.AWS_SESSION_TOKEN;
    return tfEnv;
  };
  const planFile = join(config.dir, 'audit.tfplan');
  const init = async (role: CiRole) => {
    if (env) await initBackend(env, config.dir, signedBy(role));
    else await terraform(config.dir, ['init', '-input=false', '-no-color', '-reconfigure'], { env: signedBy(role) });
  };
  const phase = async (name: string, role: CiRole, work: (tfEnv: NodeJS.ProcessEnv) => Promise<unknown>) => {
    const firstSeq = countLines(recordFile) + 1;
    await progress.step(`${name} (${role} role)`, async () => {
      signProfiles(config.dir, endpoint, role);
      await init(role);
      await work(signedBy(role));
    });
    phases.push({ name, role, firstSeq, lastSeq: countLines(recordFile) });
  };
  const plan = (tfEnv: NodeJS.ProcessEnv) => planStack(config.dir, planFile, tfEnv);
  const planAndApply = async (tfEnv: NodeJS.ProcessEnv) => {
    await plan(tfEnv);
    await applySavedPlan(config.dir, planFile, tfEnv);
  };

  const written: Record<string, any>[] = [];
  const write = (kind: 'initial' | 'changed') => {
    config.write(kind, endpoint);
    written.push(readJson(join(config.dir, 'cdk.tf.json')));
  };
  write('initial');
  await phase('first plan', 'plan', plan);
  await phase('first apply', 'apply', planAndApply);
  write('changed');
  await phase('change plan', 'plan', plan);
  await phase('change apply', 'apply', planAndApply);
  await phase('plan', 'plan', plan);
  await phase('drift', 'plan', (tfEnv) => planStack(config.dir, planFile, tfEnv, { refreshOnly: true }));
  await phase('destroy', 'apply', async (tfEnv) => {
    await terraform(config.dir, ['plan', '-destroy', '-input=false', '-no-color', '-lock-timeout=120s', `-out=${planFile}`], { env: tfEnv });
    await applySavedPlan(config.dir, planFile, tfEnv);
  });
  return typesOf(written);
}

/** Runs `config` through the phases against a recording emulator (no bootstrap: the configuration's state is local). */
export async function recordConfiguration(config: LifecycleConfiguration, options: LifecycleOptions = {}): Promise<Lifecycle> {
  return withRecordingEmulator(options, async (endpoint, recordFile, progress, phases) => {
    const types = await runPhases(config, endpoint, recordFile, progress, undefined, phases);
    // The configuration's providers are the emulator environment's (its region).
    return { types, environment: { name: 'test', region: loadEnvironment('local', ENVIRONMENTS_DIR).account.region, stateBucket: '', stateKmsKeyAlias: '' } };
  });
}

/** The whole platform's lifecycle: bootstrap, fixtures, then the phases on the audit environment. */
export async function recordPlatformLifecycle(options: LifecycleOptions = {}): Promise<Lifecycle> {
  return withRecordingEmulator(options, async (endpoint, recordFile, progress, phases, work) => {
    const firstBootstrap = countLines(recordFile) + 1;
    // The bucket's lifecycle rule is applied in the background (as npm start does); its calls are the administrator's.
    const background = new AbortController();
    const { rest } = await bootstrapDeferred({ environment: 'local', emulatorEndpoint: endpoint, outdir: join(work, 'bootstrap'), stateFile: join(work, 'bootstrap.tfstate'), progress, signal: background.signal });
    try {
      const fixtures = await progress.step('fixtures: the Lambda function and the hosted zone an environment brings', () => createFixtures(endpoint, loadEnvironment('local', ENVIRONMENTS_DIR).account.region));
      phases.push({ name: 'bootstrap and fixtures (administrator)', firstSeq: firstBootstrap, lastSeq: countLines(recordFile) });

      const envDir = join(work, 'environments');
      mkdirSync(envDir, { recursive: true });
      const synthDir = join(work, 'plans');
      mkdirSync(synthDir, { recursive: true });
      const load = (kind: 'initial' | 'changed') => {
        writeFileSync(join(envDir, 'local.json'), JSON.stringify(auditEnvironment(fixtures, kind === 'changed'), null, 2));
        const env = loadEnvironment('local', envDir, { emulatorEndpoint: endpoint });
        // moto's hosted zone ids do not start with Z as AWS's do, so the file holds a valid stand-in that the emulator's id replaces.
        return { ...env, edge: { ...env.edge, hostedZone: { mode: 'existing', zoneId: fixtures.zoneId } } } as Environment;
      };
      const env = load('initial');
      const config: LifecycleConfiguration = {
        dir: synthForPlan(env, synthDir).stackDir,
        write(kind) {
          const synthesized = synthForPlan(load(kind), synthDir);
          writeFileSync(join(synthesized.stackDir, 'cdk.tf.json'), JSON.stringify(withoutStoredCredentials(synthesized.stackJson), null, 2));
        },
      };
      const types = await runPhases(config, endpoint, recordFile, progress, env, phases);
      await progress.step('bootstrap: the lifecycle rule (applied in the background)', () => rest);
      return { types, environment: { name: env.name, region: env.account.region, stateBucket: env.state.bucket, stateKmsKeyAlias: env.state.kmsKeyAlias } };
    } catch (error) {
      // A failed phase stops the background apply too, before the emulator goes: nothing is left running.
      background.abort();
      await rest.catch(() => undefined);
      throw error;
    }
  });
}

async function withRecordingEmulator(
  options: LifecycleOptions,
  body: (endpoint: string, recordFile: string, progress: Progress, phases: Phase[], work: string) => Promise<Pick<Lifecycle, 'types' | 'environment'>>,
): Promise<Lifecycle> {
  const progress = options.progress ?? new Progress('iam-audit');
  const work = options.workDir ?? mkdtempSync(join(tmpdir(), 'iam-audit-'));
  mkdirSync(work, { recursive: true });
  const recordFile = join(work, 'record.jsonl');
  writeFileSync(recordFile, '');
  const emulator = await progress.step('start the recording emulator', () => startEmulator({ recordFile }));
  try {
    const phases: Phase[] = [];
    const result = await body(emulator.endpoint, recordFile, progress, phases, work);
    await emulator.stop();
    return { ...result, phases, calls: readRecord(recordFile) };
  } finally {
    await emulator.stop();
    if (!options.workDir) rmSync(work, { recursive: true, force: true });
  }
}

/** The emulator's record file: one call per line. */
export function readRecord(file: string): RecordedCall[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedCall);
}

function countLines(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text === '' ? 0 : text.split('\n').filter((l) => l !== '').length;
}

function readJson(file: string): Record<string, any> {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** `aws_vpc`, `data.aws_region`: the resource and data source types of synthesized stacks. */
export function typesOf(stacks: readonly Record<string, any>[]): string[] {
  const types = new Set<string>();
  for (const stack of stacks) {
    for (const type of Object.keys(stack.resource ?? {})) types.add(type);
    for (const type of Object.keys(stack.data ?? {})) types.add(`data.${type}`);
  }
  return [...types].sort();
}

/**
 * The providers of the configuration in `dir` sign with `role`'s key: the key goes into the emulator profile's file
 * each provider names (stacks/providers.ts). With a profile named in the provider, the AWS SDK takes the profile's
 * credentials and ignores AWS_ACCESS_KEY_ID, which still signs the backend's calls (Terraform's own S3 client).
 */
function signProfiles(dir: string, endpoint: string, role: CiRole): void {
  const providers = (readJson(join(dir, 'cdk.tf.json')).provider?.aws ?? []) as { profile?: string; shared_config_files?: string[] }[];
  const files = new Set(providers.filter((p) => p.profile === EMULATOR_PROFILE).flatMap((p) => p.shared_config_files ?? []));
  for (const file of files) writeFileSync(resolve(dir, file), emulatorProfileText(endpoint, { accessKeyId: AUDIT_ACCESS_KEYS[role], secretAccessKey: 'audit' }));
}

/**
 * The emulator environment's stack as a real environment's runs in CI: its providers and backend name the emulator's
 * fixed test credentials, which are dropped so that each phase signs with its role's key (signProfiles), and skip the credential
 * check and the account lookup, which real environments make (sts:GetCallerIdentity; skipping it makes the provider
 * look the account up with iam:GetUser instead, a call CI never makes).
 */
export function withoutStoredCredentials(stack: Record<string, any>): Record<string, any> {
  const copy = structuredClone(stack);
  for (const provider of copy.provider?.aws ?? []) {
    delete provider.access_key;
    delete provider.secret_key;
    delete provider.skip_credentials_validation;
    delete provider.skip_requesting_account_id;
  }
  const backend = copy.terraform?.backend?.s3;
  if (backend) {
    delete backend.access_key;
    delete backend.secret_key;
    delete backend.skip_credentials_validation;
    delete backend.skip_requesting_account_id;
  }
  return copy;
}

interface Fixtures {
  readonly functionArn: string;
  readonly zoneId: string;
}

/** What a real environment brings with it: the Lambda function an integration calls and the public hosted zone. */
async function createFixtures(endpoint: string, region: string): Promise<Fixtures> {
  const role = await awsRequest(endpoint, {
    service: 'iam',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'orders-update', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }).toString(),
  });
  const roleArn = xmlValue(role.text, 'Arn');
  const fn = await awsRequest(endpoint, {
    service: 'lambda',
    region,
    method: 'POST',
    path: '/2015-03-31/functions',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ FunctionName: 'orders-update', Runtime: 'nodejs20.x', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }),
  });
  const functionArn = (JSON.parse(fn.text) as { FunctionArn?: string }).FunctionArn;
  const zone = await awsRequest(endpoint, {
    service: 'route53',
    method: 'POST',
    path: '/2013-04-01/hostedzone',
    body: `<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>platform.test</Name><CallerReference>iam-audit</CallerReference></CreateHostedZoneRequest>`,
  });
  const zoneId = xmlValue(zone.text, 'Id')?.replace('/hostedzone/', '');
  if (!functionArn || !zoneId) throw new Error(`could not create the fixtures: function ${fn.status} ${fn.text.slice(0, 300)}; zone ${zone.status} ${zone.text.slice(0, 300)}`);
  return { functionArn, zoneId };
}

/** An empty zip archive (the end-of-central-directory record alone), base64: the function is never invoked. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]).toString('base64');

const ZONE_ID_STAND_IN = 'Z0AUDIT0000000000000';

/**
 * `local` shaped like the real environments: its own file plus what dev, staging and prod have and it lacks (a
 * Lambda integration, an existing hosted zone, KMS-encrypted log groups, Cognito's email through SES) and every option
 * that adds AWS calls (the origin-verify secret), so that every environment's calls are a part of the record. `changed` is a change of every kind the
 * plan summary distinguishes: updates in place (WAF rate limit, log retention, CORS origins, a client's callback),
 * replacements (the Cognito domain, the API's deployment), a route added and one removed (the Lambda route too).
 */
export function auditEnvironment(fixtures: Fixtures, changed: boolean): Record<string, any> {
  const env = JSON.parse(readFileSync(join(ENVIRONMENTS_DIR, 'local.json'), 'utf8')) as Record<string, any>;
  env.logKmsEncryption = true;
  env.edge.originVerifyHeader = true;
  env.identity.email = { sesIdentityArn: `arn:aws:ses:${env.account.region}:${env.account.id}:identity/platform.test`, fromAddress: 'Platform <no-reply@platform.test>' };
  env.edge.hostedZone = { mode: 'existing', zoneId: ZONE_ID_STAND_IN };
  const orders = env.apis.find((api: { name: string }) => api.name === 'orders');
  orders.routes.push({ path: '/{orderId}/cancel', method: 'POST', scopes: ['orders.write'], integration: { type: 'LAMBDA_PROXY', functionArn: fixtures.functionArn } });
  if (!changed) return env;
  env.edge.wafRateLimit *= 2;
  env.logRetentionDays = 14;
  orders.corsAllowOrigins = [...orders.corsAllowOrigins, 'http://localhost:3001'];
  env.identity.clients[0].callbackUrls.push('http://localhost:3001/auth/callback');
  env.identity.domain.prefix = `${env.identity.domain.prefix}-2`;
  orders.routes = orders.routes.filter((route: { path: string; method: string }) => !(route.path === '/{orderId}/items' && route.method === 'POST') && route.path !== '/{orderId}/cancel');
  orders.routes.push({ path: '/{orderId}/items', method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK' } });
  return env;
}
