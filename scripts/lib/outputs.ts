/**
 * An environment's deployed outputs (`terraform output -json` of its stack, read from its S3 state), or the same
 * JSON from a file (what `cdktf deploy --outputs-file` or `terraform output -json` saved after an apply). For `local`
 * also where the local edge and the emulator's Cognito endpoints answer.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../environments/schema';
import { UsageError } from './args';
import { runningDaemon } from './emulator-daemon';
import { localWork } from './local-work';
import { initBackend, synthForPlan } from './plan-run';
import { terraform, terraformEnv } from './terraform';

export type Outputs = Record<string, { value: unknown; sensitive?: boolean }>;

/** The directory `npm start` records the running local edge in. */
export const edgeDaemonDir = (daemonDir: string = localWork().daemonDir) => join(daemonDir, 'edge');

export async function readOutputs(env: Environment, outputsFile?: string): Promise<Outputs> {
  if (outputsFile) {
    let parsed: Outputs;
    if (!existsSync(outputsFile)) throw new UsageError(`--outputs ${outputsFile}: no such file (save one with: terraform output -json > FILE)`);
    try {
      parsed = JSON.parse(readFileSync(outputsFile, 'utf8')) as Outputs;
    } catch (error) {
      throw new UsageError(`--outputs ${outputsFile}: not the JSON of terraform output -json (${error instanceof Error ? error.message : String(error)})`);
    }
    if (Object.values(parsed).every((v) => v && typeof v === 'object' && 'value' in v)) return parsed;
    // `cdktf deploy --outputs-file` nests them under the stack's name, as bare values that do not say which are
    // sensitive: the stack's own declarations do.
    const sensitive = declaredSensitive(env);
    const bare = Object.values(parsed)[0] as unknown as Record<string, unknown>;
    return Object.fromEntries(Object.entries(bare ?? {}).map(([k, v]) => [k, { value: v, sensitive: sensitive.has(k) }]));
  }
  const work = mkdtempSync(join(tmpdir(), `outputs-${env.name}-`));
  try {
    const tfEnv = { ...terraformEnv(), ...(env.emulator ? { PLATFORM_EMULATOR_ENDPOINT: env.emulator.endpoint } : {}) };
    const { stackDir } = synthForPlan(env, work);
    await initBackend(env, stackDir, tfEnv);
    const shown = await terraform(stackDir, ['output', '-json', '-no-color'], { env: tfEnv });
    const outputs = JSON.parse(shown.stdout) as Outputs;
    if (Object.keys(outputs).length === 0) throw new Error(`"${env.name}" has no outputs in its state: is it deployed (npm run apply -- ${env.name}${env.emulator ? ', or npm start' : ''})?`);
    return outputs;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The outputs the environment's stack declares sensitive. */
function declaredSensitive(env: Environment): Set<string> {
  const work = mkdtempSync(join(tmpdir(), `outputs-${env.name}-`));
  try {
    const declared = (synthForPlan(env, work).stackJson.output ?? {}) as Record<string, { sensitive?: boolean }>;
    return new Set(Object.entries(declared).filter(([, o]) => o.sensitive).map(([name]) => name));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function outputValue<T = string>(outputs: Outputs, name: string): T {
  const output = outputs[name];
  if (!output) throw new Error(`the outputs have no ${name} (outputs: ${Object.keys(outputs).join(', ')})`);
  return output.value as T;
}

/** The running local edge's URL, or an error saying how to start it. */
export async function localEdgeUrl(daemonDir?: string): Promise<string> {
  const edge = await runningDaemon(edgeDaemonDir(daemonDir));
  if (!edge) throw new Error('no local edge is running: npm start deploys local and leaves the edge running (or: npm run edge -- local)');
  return edge.endpoint;
}

/** Where the emulator serves a user pool domain's endpoints (hosted UI URL `https://<prefix>.auth.<region>.amazoncognito.com` or a custom domain). */
export function localCognitoBaseUrl(emulatorEndpoint: string, hostedUiUrl: string): string {
  const host = new URL(hostedUiUrl).hostname;
  const prefix = /^([a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com$/.exec(host)?.[1];
  return `${emulatorEndpoint}/_cognito/${prefix ?? host}`;
}
