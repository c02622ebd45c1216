/**
 * Pull-request labels per environment from a plan summary: `plan/<environment>: changes` or `no changes`, plus
 * `destroys` and `security` when the plan has them, or `failed` when the plan wrote no summary. The summary carries them
 * in a hidden marker (written by summarizePlan, read by `npm run pr-comment`), as it carries its fingerprint.
 */
import type { PlanSummary } from './plan-model';

export const LABEL_KINDS = ['changes', 'no changes', 'destroys', 'security', 'failed'] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

/** `plan/dev: changes`: one namespace per environment, so a plan of one never touches the labels of another. */
export function labelName(environment: string, kind: LabelKind): string {
  return `${labelPrefix(environment)}${kind}`;
}

export function labelPrefix(environment: string): string {
  return `plan/${environment}: `;
}

/** What a plan's labels say: changes or none, and whether it destroys or replaces, and changes security controls. */
export function labelKinds(summary: Pick<PlanSummary, 'hasChanges' | 'entries'>): LabelKind[] {
  const kinds: LabelKind[] = [summary.hasChanges ? 'changes' : 'no changes'];
  if (summary.entries.some((e) => e.kind === 'delete' || e.kind === 'replace')) kinds.push('destroys');
  if (summary.entries.some((e) => e.security.length > 0)) kinds.push('security');
  return kinds;
}

export function labelsMarker(environment: string, kinds: readonly LabelKind[]): string {
  return `<!-- plan-labels:${environment} ${kinds.join(',')} -->`;
}

/** The label kinds a summary's marker names; undefined when it has none (a summary of an older version). */
export function parseLabelsMarker(markdown: string, environment: string): LabelKind[] | undefined {
  const escaped = environment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`<!-- plan-labels:${escaped} ([a-z ,]*) -->`).exec(markdown);
  if (!match) return undefined;
  return match[1]!.split(',').filter((kind): kind is LabelKind => (LABEL_KINDS as readonly string[]).includes(kind));
}
