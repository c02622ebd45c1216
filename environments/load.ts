/**
 * Loads environment files: parse once, at the edge, into a typed object.
 *
 * Every problem becomes one line that names the environment, the field path,
 * the value found and what would be valid. Nothing is written by this module,
 * so a caller that loads before it synthesizes writes nothing half-done.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, printParseErrorCode, visit } from 'jsonc-parser';
import type { z } from 'zod';
import { crossFieldRules, environmentSchema, type ConfigIssue, type Environment } from './schema';

export const ENVIRONMENTS_DIR = __dirname;

export interface ConfigIssueText {
  readonly path: string;
  readonly value: string;
  readonly message: string;
}

/** A configuration file that is not valid: what it is, and per problem the field, the value and what would be valid. */
export class ConfigError extends Error {
  constructor(
    readonly subject: string,
    readonly issues: readonly ConfigIssueText[],
  ) {
    super(
      [`${subject} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):`]
        .concat(issues.map((i) => `  - ${i.path || '(root)'}: got ${i.value}; expected ${i.message}`))
        .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

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
  let raw = parseJsonFile(name, file, text);
  if (options.emulatorEndpoint && isObject(raw) && isObject(raw.emulator)) {
    raw = { ...raw, emulator: { ...raw.emulator, endpoint: options.emulatorEndpoint } };
  }
  return parseEnvironment(name, raw);
}

/**
 * The file's JSON, strictly: a syntax error names its line and column and shows the line; an empty file says so; a
 * key given twice in one object is an error (JSON.parse would keep the last silently); a UTF-8 byte-order mark, which
 * editors on Windows write, is accepted.
 */
export function parseJsonFile(
  name: string,
  file: string,
  text: string,
  options: { error?: (issues: ConfigIssueText[]) => ConfigError; empty?: string; comments?: boolean } = {},
): unknown {
  const fail = options.error ?? ((issues: ConfigIssueText[]) => new EnvironmentError(name, issues));
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw fail([{ path: '', value: `an empty file ${file}`, message: options.empty ?? 'a JSON object with the environment (see environments/dev.json)' }]);
  const lines = body.split(/\r?\n/);
  const excerpt = (line: number, column: number) => `\n      ${lines[line] ?? ''}\n      ${' '.repeat(column)}^`;
  let syntax: { path: string; value: string; message: string } | undefined;
  const keys: Map<string, number>[] = [];
  const duplicates: { path: string; value: string; message: string }[] = [];
  visit(
    body,
    {
      onObjectBegin: () => void keys.push(new Map()),
      onObjectEnd: () => void keys.pop(),
      onObjectProperty: (property, _offset, _length, line, column, pathSupplier) => {
        const seen = keys.at(-1)!;
        const first = seen.get(property);
        if (first === undefined) {
          seen.set(property, line);
          return;
        }
        duplicates.push({
          path: formatPath([...pathSupplier(), property]),
          value: `the key "${property}" a second time (line ${line + 1}, column ${column + 1}; first on line ${first + 1})`,
          message: `each key once per object: JSON would keep the last one without a word${excerpt(line, column)}`,
        });
      },
      onError: (error, _offset, _length, line, column) => {
        syntax ??= { path: '', value: `invalid JSON in ${file}: ${printParseErrorCode(error)} at line ${line + 1}, column ${column + 1}`, message: `a JSON object; fix the syntax here:${excerpt(line, column)}` };
      },
    },
    { disallowComments: !options.comments, allowTrailingComma: false },
  );
  if (syntax) throw fail([syntax]);
  if (duplicates.length > 0) throw fail(duplicates);
  return options.comments ? parse(body) : JSON.parse(body);
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

export function loadAllEnvironments(dir: string = environmentsDir(), options: LoadOptions = {}): Environment[] {
  return listEnvironments(dir).map((name) => loadEnvironment(name, dir, options));
}

/** A schema's complaint in the words of the environment files' errors: the field, the value found, what is valid. */
export function describeIssue(raw: unknown, issue: z.core.$ZodIssue, schemaFile = 'environments/schema.ts'): ConfigIssueText {
  return describe(raw, issue, schemaFile);
}

/** A path and a value of `raw`, as the errors show them. */
export function issueAt(raw: unknown, path: readonly (string | number)[], message: string): ConfigIssueText {
  return { path: formatPath(path), value: show(valueAt(raw, path)), message };
}

function describe(raw: unknown, issue: z.core.$ZodIssue, schemaFile = 'environments/schema.ts'): { path: string; value: string; message: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const value = valueAt(raw, path);
  let message = issue.message;
  if (issue.code === 'invalid_type') message = issue.expected === 'object' && value === undefined ? 'an object (the field is required)' : `a value of type ${issue.expected}`;
  if (issue.code === 'invalid_type' && value === undefined && issue.expected !== 'object') message = `a value of type ${issue.expected} (the field is required)`;
  if (issue.code === 'invalid_value') message = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_key') {
    // A record's key (a tag key) broke its rule: the key is the value, the rule's own message what is expected.
    return { path: formatPath(path), value: JSON.stringify(path.at(-1)), message: issue.issues[0]?.message ?? message };
  }
  if (issue.code === 'unrecognized_keys') {
    return { path: formatPath(path), value: issue.keys.map((k) => JSON.stringify(k)).join(', '), message: `no unknown fields: check the spelling against ${schemaFile}` };
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
