/**
 * What changes in a resource, attribute by attribute: every path whose value changes or becomes unknown (inside JSON
 * documents held in strings, such as policies), with sensitive values and secrets never rendered.
 */
import type { AttributeChange, ResourceChange } from './plan-model';
import { REDACTED_PATHS, REDACTED_SEGMENT } from './review-rules';

type Path = (string | number)[];

export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : String(key)), '');
}

function child(mask: unknown, key: string | number): unknown {
  if (mask === true) return true;
  if (mask !== null && typeof mask === 'object') return (mask as Record<string | number, unknown>)[key];
  return undefined;
}

function containsTrue(mask: unknown): boolean {
  if (mask === true) return true;
  if (mask !== null && typeof mask === 'object') return Object.values(mask).some(containsTrue);
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * null, "", [] and {}: providers read an unset attribute back as any of them, so a change between two
 * of them (`tags: null -> {}` after a create) is not a change a reviewer needs to see.
 */
function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** A JSON document held in a string attribute (policies): diffed inside, so a reviewer sees the statement that changed. */
function parseJsonDocument(value: unknown): Record<string, unknown> | unknown[] | undefined {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return undefined;
  try {
    const parsed = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isRedacted(path: string): boolean {
  return REDACTED_PATHS.some((r) => r.test(path)) || path.split('.').some((segment) => REDACTED_SEGMENT.test(segment.replace(/\[\d+\]/g, '')));
}

/** Strings (and structures holding strings) under a redacted path; booleans and numbers are shown. */
function holdsText(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsText);
  return false;
}

const MAX_VALUE = 80;

/** A value for a table cell: compact JSON, cut at MAX_VALUE; sensitive parts replaced. */
function render(value: unknown, sensitive: unknown, path: string): string {
  if (sensitive === true || (holdsText(value) && isRedacted(path))) return '(sensitive)';
  const text = JSON.stringify(redact(value, sensitive, path)) ?? 'null';
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function redact(value: unknown, mask: unknown, path: string): unknown {
  if (mask === true || (typeof value === 'string' && isRedacted(path))) return '(sensitive)';
  if (Array.isArray(value)) return value.map((v, i) => redact(v, child(mask, i), `${path}[${i}]`));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, child(mask, k), path ? `${path}.${k}` : k)]));
  return value;
}

/** Every attribute path whose value changes (or becomes unknown), deepest first-difference, sensitive values never rendered. */
export function diffAttributes(change: ResourceChange['change']): AttributeChange[] {
  const out: AttributeChange[] = [];
  walk(change.before ?? null, change.after ?? null, change.after_unknown, change.before_sensitive, change.after_sensitive, [], out, false);
  // What a reviewer must read first: values that change, then secrets, then values only known after apply.
  const rank = (c: AttributeChange) => (c.unknown ? 2 : c.sensitive ? 1 : 0);
  return out.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map(({ c }) => c);
}

function walk(before: unknown, after: unknown, unknown: unknown, beforeSensitive: unknown, afterSensitive: unknown, path: Path, out: AttributeChange[], inDocument: boolean): void {
  const at = formatPath(path);
  const sensitive =
    beforeSensitive === true || afterSensitive === true || (!inDocument && (holdsText(before) || holdsText(after)) && isRedacted(at));
  if (unknown === true) {
    out.push({ path: at, sensitive, unknown: true, ...(sensitive ? {} : { before: render(before, beforeSensitive, at), after: '(known after apply)' }) });
    return;
  }
  if (sensitive) {
    if (!deepEqual(before, after) || containsTrue(unknown)) out.push({ path: at, sensitive: true, unknown: containsTrue(unknown) });
    return;
  }
  const bothObjects = isRecord(before) && isRecord(after);
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  if (bothObjects || bothArrays) {
    const keys: (string | number)[] = bothArrays
      ? Array.from({ length: Math.max((before as unknown[]).length, (after as unknown[]).length) }, (_, i) => i)
      : [...new Set([...Object.keys(before as object), ...Object.keys(after as object), ...(isRecord(unknown) ? Object.keys(unknown) : [])])].sort();
    for (const key of keys) {
      const b = (before as Record<string | number, unknown>)[key];
      const a = (after as Record<string | number, unknown>)[key];
      walk(b === undefined ? null : b, a === undefined ? null : a, child(unknown, key), child(beforeSensitive, key), child(afterSensitive, key), [...path, key], out, inDocument);
    }
    return;
  }
  // The after value is partly unknown (a block with a computed attribute inside).
  if (after !== null && typeof after === 'object' && containsTrue(unknown)) {
    walk(Array.isArray(after) ? [] : {}, after, unknown, beforeSensitive, afterSensitive, path, out, inDocument);
    return;
  }
  if (deepEqual(before, after) || (isEmpty(before) && isEmpty(after))) return;
  const beforeDoc = parseJsonDocument(before);
  const afterDoc = parseJsonDocument(after);
  if (beforeDoc && afterDoc && Array.isArray(beforeDoc) === Array.isArray(afterDoc)) {
    const start = out.length;
    walk(beforeDoc, afterDoc, undefined, undefined, undefined, path, out, true);
    if (out.length === start) out.push({ path: at, sensitive: false, unknown: false, before: '(JSON)', after: '(same JSON, reformatted)' });
    return;
  }
  out.push({ path: at, sensitive: false, unknown: false, before: render(before, beforeSensitive, at), after: render(after, afterSensitive, at) });
}
