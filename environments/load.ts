/**
 * Loads environment files: parse once, at the edge, into a typed object.
 *
 * Every problem becomes one line that names the environment, the field path,
 * the value found and what would be valid. Nothing is written by this module,
 * so a caller that loads before it synthesizes writes nothing half-done.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeIssue, isObject, issueAt, parseJsonFile, type ConfigIssueText } from './config-file';
import { crossFieldRules, environmentSchema, type ConfigIssue, type Environment } from './schema';

export const ENVIRONMENTS_DIR = __dirname;

export class EnvironmentError extends ConfigError {
  constructor(
    readonly environment: string,
    issues: readonly ConfigIssueText[],
  ) {
    super(`environment "${environment}"`, issues);
    this.name = 'EnvironmentError';
  }
}

/** Options for the local emulator, given by the scripts that start it (not read from process.env: only the folder is, environmentsDir). */
export interface LoadOptions {
  /** Replaces `emulator.endpoint` of the emulator environment (the emulator's port is chosen at start). */
  readonly emulatorEndpoint?: string;
}

/**
 * The folder of environment files: `PLATFORM_ENVIRONMENTS_DIR` when set (every command honours it: the one setting this
 * module reads from the process), else this folder.
 */
export function environmentsDir(): string {
  return process.env.PLATFORM_ENVIRONMENTS_DIR || ENVIRONMENTS_DIR;
}

/** The folder is missing or holds no environment file: no command can do anything. */
export class EnvironmentsDirError extends Error {
  override readonly name = 'EnvironmentsDirError';
}

/** Names of the environment files in `dir` (`<name>.json`); an error when the folder is missing or has none. */
export function listEnvironments(dir: string = environmentsDir()): string[] {
  const from = dir === process.env.PLATFORM_ENVIRONMENTS_DIR ? `PLATFORM_ENVIRONMENTS_DIR=${dir}` : dir;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new EnvironmentsDirError(`${from}: no such folder; give a folder of environment files (<name>.json)`);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort(byDeployOrder);
  if (names.length === 0) throw new EnvironmentsDirError(`${from}: no environment files (<name>.json) in this folder`);
  return names;
}

const ORDER = ['local', 'dev', 'staging', 'prod'];
function byDeployOrder(a: string, b: string): number {
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export function loadEnvironment(name: string, dir: string = environmentsDir(), options: LoadOptions = {}): Environment {
  const file = join(dir, `${name}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    const known = listEnvironments(dir);
    throw new EnvironmentError(name, [{ path: '', value: `no file ${file}`, message: `one of the environments: ${known.join(', ')}` }]);
  }
  let raw = parseEnvironmentJson(name, file, text);
  if (options.emulatorEndpoint && isObject(raw) && isObject(raw.emulator)) {
    raw = { ...raw, emulator: { ...raw.emulator, endpoint: options.emulatorEndpoint } };
  }
  return parseEnvironment(name, raw);
}

/** An environment file's JSON, strictly (config-file.ts), its problems as the environment's. */
export function parseEnvironmentJson(name: string, file: string, text: string): unknown {
  return parseJsonFile(file, text, { error: (issues) => new EnvironmentError(name, issues), empty: 'a JSON object with the environment (see environments/dev.json)' });
}

/** Validates an already-read environment object; `name` must match its `name` field (the file name). */
export function parseEnvironment(name: string, raw: unknown): Environment {
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) throw new EnvironmentError(name, parsed.error.issues.map((i) => describeIssue(raw, i, 'environments/schema.ts')));
  const env = parsed.data;
  const issues: ConfigIssue[] = crossFieldRules(env);
  if (env.name !== name) issues.unshift({ path: ['name'], message: `"${name}", the name of the file (environments/${name}.json)` });
  if (issues.length > 0) throw new EnvironmentError(name, issues.map((i) => issueAt(raw, i.path, i.message)));
  return env;
}

export function loadAllEnvironments(dir: string = environmentsDir(), options: LoadOptions = {}): Environment[] {
  return listEnvironments(dir).map((name) => loadEnvironment(name, dir, options));
}

