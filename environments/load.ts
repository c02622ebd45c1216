/**
 * Loads environment files: parse once, at the edge, into a typed object.
 *
 * Every problem becomes one line that names the environment, the field path,
 * the value found and what would be valid. Nothing is written by this module,
 * so a caller that loads before it synthesizes writes nothing half-done.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { crossFieldRules, environmentSchema, type ConfigIssue, type Environment } from './schema';

export const ENVIRONMENTS_DIR = __dirname;

export class EnvironmentError extends Error {
  constructor(
    readonly environment: string,
    readonly issues: readonly { path: string; value: string; message: string }[],
  ) {
    super(
      [`environment "${environment}" is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):`]
        .concat(issues.map((i) => `  - ${i.path || '(root)'}: got ${i.value}; expected ${i.message}`))
        .join('\n'),
    );
    this.name = 'EnvironmentError';
  }
}

/** Options for the local emulator, given by the scripts that start it (never read from process.env here). */
export interface LoadOptions {
  /** Replaces `emulator.endpoint` of the emulator environment (the emulator's port is chosen at start). */
  readonly emulatorEndpoint?: string;
}

/** Names of the environment files in `dir` (`<name>.json`). */
export function listEnvironments(dir: string = ENVIRONMENTS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort(byDeployOrder);
}

const ORDER = ['local', 'dev', 'staging', 'prod'];
function byDeployOrder(a: string, b: string): number {
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export function loadEnvironment(name: string, dir: string = ENVIRONMENTS_DIR, options: LoadOptions = {}): Environment {
  const file = join(dir, `${name}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    const known = listEnvironments(dir);
    throw new EnvironmentError(name, [{ path: '', value: `no file ${file}`, message: `one of the environments: ${known.join(', ')}` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new EnvironmentError(name, [{ path: '', value: `invalid JSON in ${file} (${(error as Error).message})`, message: 'a JSON object' }]);
  }
  if (options.emulatorEndpoint && isObject(raw) && isObject(raw.emulator)) {
    raw = { ...raw, emulator: { ...raw.emulator, endpoint: options.emulatorEndpoint } };
  }
  return parseEnvironment(name, raw);
}

/** Validates an already-read environment object; `name` must match its `name` field (the file name). */
export function parseEnvironment(name: string, raw: unknown): Environment {
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) throw new EnvironmentError(name, parsed.error.issues.map((i) => describe(raw, i)));
  const env = parsed.data;
  const issues: ConfigIssue[] = crossFieldRules(env);
  if (env.name !== name) issues.unshift({ path: ['name'], message: `"${name}", the name of the file (environments/${name}.json)` });
  if (issues.length > 0) throw new EnvironmentError(name, issues.map((i) => ({ path: formatPath(i.path), value: show(valueAt(raw, i.path)), message: i.message })));
  return env;
}

export function loadAllEnvironments(dir: string = ENVIRONMENTS_DIR, options: LoadOptions = {}): Environment[] {
  return listEnvironments(dir).map((name) => loadEnvironment(name, dir, options));
}

function describe(raw: unknown, issue: z.core.$ZodIssue): { path: string; value: string; message: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const value = valueAt(raw, path);
  let message = issue.message;
  if (issue.code === 'invalid_type') message = issue.expected === 'object' && value === undefined ? 'an object (the field is required)' : `a value of type ${issue.expected}`;
  if (issue.code === 'invalid_type' && value === undefined && issue.expected !== 'object') message = `a value of type ${issue.expected} (the field is required)`;
  if (issue.code === 'invalid_value') message = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'unrecognized_keys') {
    return { path: formatPath(path), value: issue.keys.map((k) => JSON.stringify(k)).join(', '), message: 'no unknown fields: check the spelling against environments/schema.ts' };
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
    const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
    message = message.startsWith('Too') ? `${bound}${unit}` : message;
  }
  return { path: formatPath(path), value: show(value), message };
}

function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (!isObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : key), '');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
