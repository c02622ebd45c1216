/**
 * "Is this the plan that was reviewed?": compares two plans (`terraform show -json`) by what they
 * would do: each changed resource's address, actions and planned values. Pure.
 *
 * Sensitive values take part only as "(sensitive)": reviewers never saw them, and a fingerprint
 * printed in a pull request must not let anyone test guesses of a secret against it.
 */
import { createHash } from 'node:crypto';
import type { PlanJson, ResourceChange } from './plan-model';

export interface ComparableChange {
  readonly address: string;
  readonly actions: readonly string[];
  /** Planned values; unknown ones as "(known after apply)", sensitive ones as "(sensitive)". */
  readonly after: unknown;
}

/** The changes of a plan that an apply would make, in address order (no-ops and data reads left out). */
export function comparableChanges(plan: PlanJson): ComparableChange[] {
  return (plan.resource_changes ?? [])
    .filter((c) => c.mode !== 'data' && !(c.change.actions.length === 1 && (c.change.actions[0] === 'no-op' || c.change.actions[0] === 'read')))
    .map((c) => ({ address: c.address, actions: [...c.change.actions], after: planned(c) }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function planned(c: ResourceChange): unknown {
  return merge(c.change.after ?? null, c.change.after_unknown, c.change.after_sensitive);
}

function merge(value: unknown, unknown: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return '(sensitive)';
  if (unknown === true) return '(known after apply)';
  const at = (mask: unknown, key: string | number) => (mask !== null && typeof mask === 'object' ? (mask as Record<string | number, unknown>)[key] : undefined);
  if (Array.isArray(value)) return value.map((v, i) => merge(v, at(unknown, i), at(sensitive, i)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const keys = new Set([...Object.keys(value), ...(unknown !== null && typeof unknown === 'object' ? Object.keys(unknown) : [])]);
    for (const key of keys) out[key] = merge((value as Record<string, unknown>)[key] ?? null, at(unknown, key), at(sensitive, key));
    return out;
  }
  return value;
}

/** JSON with sorted keys: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `sha256:<hex>` of the plan's comparable changes: shown with the reviewed summary, checked before apply. */
export function planFingerprint(plan: PlanJson): string {
  return `sha256:${createHash('sha256').update(canonicalJson(comparableChanges(plan))).digest('hex')}`;
}

export interface Comparison {
  readonly same: boolean;
  /** One line a difference: the address and what differs (never a value). */
  readonly differences: readonly string[];
}

/** Compares the reviewed plan with the current one; `same` only when every address, action and planned value matches. */
export function comparePlans(reviewed: PlanJson, current: PlanJson): Comparison {
  const before = new Map(comparableChanges(reviewed).map((c) => [c.address, c]));
  const after = new Map(comparableChanges(current).map((c) => [c.address, c]));
  const differences: string[] = [];
  for (const [address, r] of before) {
    const c = after.get(address);
    if (!c) differences.push(`${address}: reviewed ${r.actions.join('+')}, now not changed`);
    else if (r.actions.join('+') !== c.actions.join('+')) differences.push(`${address}: reviewed ${r.actions.join('+')}, now ${c.actions.join('+')}`);
    else {
      const paths = differingPaths(r.after, c.after, '');
      if (paths.length > 0) differences.push(`${address}: planned values differ at ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? `, … (${paths.length})` : ''}`);
    }
  }
  for (const [address, c] of after) {
    if (!before.has(address)) differences.push(`${address}: not in the reviewed plan, now ${c.actions.join('+')}`);
  }
  return { same: differences.length === 0, differences };
}

function differingPaths(a: unknown, b: unknown, path: string): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = !bothArrays && a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
  if (bothArrays && a.length === b.length) return a.flatMap((v, i) => differingPaths(v, b[i], `${path}[${i}]`));
  if (bothObjects) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    return keys.flatMap((k) => differingPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [path || '(the whole resource)'];
}

/** The fingerprint line `npm run plan` ends its summary with. */
export function fingerprintLine(fingerprint: string): string {
  return `<sub>Plan fingerprint: \`${fingerprint}\`</sub>`;
}

/** The fingerprint in a summary written by `npm run plan`, if any. */
export function fingerprintOf(markdown: string): string | undefined {
  return /Plan fingerprint: `(sha256:[0-9a-f]{64})`/.exec(markdown)?.[1];
}
