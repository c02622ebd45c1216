/**
 * Configuration files as the commands read them (the environment files, the plan review's team rules): strict JSON,
 * and every problem as one line of a ConfigError that names the field, the value found and what would be valid.
 * Pure: the callers read the files.
 */
import { parse, printParseErrorCode, visit } from 'jsonc-parser';
import type { z } from 'zod';

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

/**
 * The file's JSON, strictly: a syntax error names its line and column and shows the line; an empty file says so; a
 * key given twice in one object is an error (JSON.parse would keep the last silently); a UTF-8 byte-order mark, which
 * editors on Windows write, is accepted.
 */
export function parseJsonFile(
  file: string,
  text: string,
  options: { error: (issues: ConfigIssueText[]) => ConfigError; empty: string; comments?: boolean },
): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw options.error([{ path: '', value: `an empty file ${file}`, message: options.empty }]);
  const lines = body.split(/\r?\n/);
  const excerpt = (line: number, column: number) => `\n      ${lines[line] ?? ''}\n      ${' '.repeat(column)}^`;
  let syntax: ConfigIssueText | undefined;
  const keys: Map<string, number>[] = [];
  const duplicates: ConfigIssueText[] = [];
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
  if (syntax) throw options.error([syntax]);
  if (duplicates.length > 0) throw options.error(duplicates);
  return options.comments ? parse(body) : JSON.parse(body);
}

/** A path and a value of `raw`, as the errors show them. */
export function issueAt(raw: unknown, path: readonly (string | number)[], message: string): ConfigIssueText {
  return { path: formatPath(path), value: show(valueAt(raw, path)), message };
}

/** A schema's complaint in the words of the configuration files' errors: the field, the value found, what is valid. */
export function describeIssue(raw: unknown, issue: z.core.$ZodIssue, schemaFile: string): ConfigIssueText {
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
