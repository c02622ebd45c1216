/**
 * From a Terraform plan (`terraform show -json`) to a Markdown summary a
 * reviewer reads in a pull request, and the verdict on whether the plan may go
 * ahead. Pure: no files, no processes, no environment variables.
 *
 * - Totals (add / change / replace / destroy / unchanged; data-source reads excluded).
 * - "Security-relevant": changes to the controls in SECURITY_RULES (a data table: review it like code).
 * - "Destructive": every delete and replace, protected resources marked (PROTECTED_TYPES,
 *   `lifecycle.prevent_destroy` in the synthesized stack, the state bucket).
 * - A table per module (the construct path's first part below the stack) with the changed
 *   attribute paths of updates and the reasons for replacements. A REST API's OpenAPI document
 *   (`body`) is shown as routes added, removed and changed (api-document-diff.ts); scope,
 *   authorizer, endpoint and integration-target changes among them are security-relevant.
 * - Sensitive values are never printed: a sensitive attribute shows as "(sensitive)", and so do
 *   attributes whose names or places say they hold secrets (REDACTED_PATHS).
 * - The whole text stays within `maxChars` (a pull-request comment holds 65,536): the totals and
 *   verdict first, then security, destructive, drift and the module tables; what does not fit is
 *   cut with a note saying how much.
 *
 * Its parts: the plan and the model (plan-model.ts), the rules as data (review-rules.ts), each change classified
 * (classify.ts), the attribute diff (attribute-diff.ts); this file renders the summary and the drift summary.
 */

import { decideOutcome, entryOf } from './classify';
import { formatPath } from './attribute-diff';
import { withoutExpectedDrift, type ExplainedChange, type ResourceSchemas } from './drift-noise';
import type { AttributeChange, ChangeKind, PlanJson, PlanSummary, ResourceEntry, SummaryOptions, Totals } from './plan-model';

// The review's parts, for the commands and tests that read a plan through this module.

/** A pull-request comment holds 65,536 characters; this leaves room for the comment's marker. */
export const SUMMARY_LIMIT = 65_000;

const ACTION_LABEL: Record<ChangeKind, string> = {
  create: '➕ create',
  update: '🔧 update',
  replace: '♻️ replace',
  delete: '❌ destroy',
  forget: '🗑 forget (stays in AWS)',
  'no-op': 'no change',
  read: 'read',
};

/** In a refresh-only plan the actions say what happened outside Terraform, not what Terraform will do. */
const DRIFT_LABEL: Record<ChangeKind, string> = { ...ACTION_LABEL, update: '🌫️ changed outside Terraform', delete: '❌ deleted outside Terraform' };

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function describeChange(c: AttributeChange): string {
  if (c.route === 'added') return `➕ ${code(c.path)}: ${code(c.after ?? '')}`;
  if (c.route === 'removed') return `➖ ${code(c.path)} (was ${code(c.before ?? '')})`;
  if (c.route === 'changed') return `🔧 ${code(c.path)}: ${code(c.before ?? '')} → ${code(c.after ?? '')}`;
  if (c.sensitive) return `${code(c.path)} (sensitive)`;
  return `${code(c.path)}: ${code(c.before ?? '')} → ${code(c.after ?? '')}`;
}

function details(entry: ResourceEntry, max: number): string {
  const parts: string[] = [];
  if (entry.kind === 'replace') parts.push(`**forces replacement:** ${entry.replaceReasons.map(code).join(', ')}`);
  const shown = entry.changes.slice(0, max).map(describeChange);
  if (entry.changes.length > max) shown.push(`… and ${entry.changes.length - max} more attributes`);
  parts.push(...shown);
  return parts.join('<br>');
}

interface Item {
  readonly text: string;
}

interface Section {
  /** Lines written before the section's first item (heading, table header). */
  readonly head: string;
  readonly items: readonly Item[];
  /** Per-group heads: an item may start a new table. */
  readonly label: string;
}

function totalsOf(entries: readonly ResourceEntry[], noOp: number): Totals {
  const count = (k: ChangeKind) => entries.filter((e) => e.kind === k).length;
  return { add: count('create'), change: count('update'), replace: count('replace'), destroy: count('delete'), noOp, forget: count('forget') };
}

function byModule(entries: readonly ResourceEntry[]): Map<string, ResourceEntry[]> {
  const groups = new Map<string, ResourceEntry[]>();
  for (const e of [...entries].sort((a, b) => a.module.localeCompare(b.module) || a.constructPath.localeCompare(b.constructPath) || a.address.localeCompare(b.address))) {
    const group = groups.get(e.module);
    if (group) group.push(e);
    else groups.set(e.module, [e]);
  }
  return groups;
}

function moduleItems(entries: readonly ResourceEntry[], unchangedByModule: Map<string, number>, maxAttributes: number, labels = ACTION_LABEL): Item[] {
  const items: Item[] = [];
  for (const [module, group] of byModule(entries)) {
    const unchanged = unchangedByModule.get(module) ?? 0;
    const heading = `\n### ${code(module)} (${group.length} changed${unchanged ? `, ${unchanged} unchanged` : ''})\n\n| action | resource | construct path | changes |\n| --- | --- | --- | --- |\n`;
    group.forEach((e, i) => {
      const row = `| ${labels[e.kind]} | ${code(cell(e.address))} | ${code(cell(e.constructPath))} | ${cell(details(e, maxAttributes))} |\n`;
      items.push({ text: i === 0 ? heading + row : row });
    });
  }
  return items;
}

function renderSections(head: string, sections: readonly Section[], maxChars: number): { markdown: string; cut: number } {
  const reserve = 400; // the note on what was cut
  let text = head;
  let cutting = false;
  const omitted: string[] = [];
  let cutItems = 0;
  for (const section of sections) {
    if (section.items.length === 0) continue;
    let left = section.items.length;
    if (!cutting) {
      for (const [i, item] of section.items.entries()) {
        const piece = (i === 0 ? section.head : '') + item.text;
        if (text.length + piece.length + reserve > maxChars) {
          cutting = true;
          break;
        }
        text += piece;
        left--;
      }
    }
    if (left > 0) {
      omitted.push(`${left} more ${section.label}`);
      cutItems += left;
    }
  }
  if (omitted.length > 0) {
    text += `\n> ✂️ **Cut to fit ${maxChars.toLocaleString('en-US')} characters:** ${omitted.join('; ')} not shown. The full plan is in the job's \`terraform show\` output (plan JSON).\n`;
  }
  return { markdown: text, cut: cutItems };
}

function securityItems(entries: readonly ResourceEntry[], labels = ACTION_LABEL): Item[] {
  return entries
    .filter((e) => e.security.length > 0)
    .map((e) => {
      const what = e.kind === 'update' || e.kind === 'replace' ? e.changes.map((c) => code(c.path)).slice(0, 8).join(', ') + (e.changes.length > 8 ? ', …' : '') : '';
      return { text: `| ${cell(e.security.join('; '))} | ${labels[e.kind]} | ${code(cell(e.address))} | ${cell(what)} |\n` };
    });
}

function destructiveItems(entries: readonly ResourceEntry[]): Item[] {
  return entries
    .filter((e) => e.kind === 'delete' || e.kind === 'replace')
    .sort((a, b) => Number(b.protectedReason !== undefined) - Number(a.protectedReason !== undefined) || a.address.localeCompare(b.address))
    .map((e) => ({
      text: `| ${ACTION_LABEL[e.kind]} | ${code(cell(e.address))} | ${code(cell(e.constructPath))} | ${e.protectedReason ? `🛡️ **protected**: ${cell(e.protectedReason)}` : ''} | ${cell(e.replaceReasons.map(code).join(', '))} |\n`,
    }));
}

function totalsLine(t: Totals): string {
  const forget = t.forget ? `, **${t.forget}** to forget` : '';
  return `**${t.add}** to add, **${t.change}** to change, **${t.replace}** to replace, **${t.destroy}** to destroy${forget}, ${t.noOp} unchanged`;
}

const SECURITY_HEAD = '\n## 🔐 Security-relevant\n\n| control | action | resource | attributes |\n| --- | --- | --- | --- |\n';
const DESTRUCTIVE_HEAD = '\n## 💥 Destructive\n\n| action | resource | construct path | protected | forced by |\n| --- | --- | --- | --- | --- |\n';

/** The summary of a plan: totals, verdict, security, destructive, drift, per-module tables, within `maxChars`. */
export function summarizePlan(plan: PlanJson, options: SummaryOptions): PlanSummary {
  const managed = (plan.resource_changes ?? []).filter((c) => c.mode !== 'data');
  const all = managed.map((c) => entryOf(c, options));
  const entries = all.filter((e) => e.kind !== 'no-op' && e.kind !== 'read');
  const unchanged = all.filter((e) => e.kind === 'no-op');
  const unchangedByModule = new Map<string, number>();
  for (const e of unchanged) unchangedByModule.set(e.module, (unchangedByModule.get(e.module) ?? 0) + 1);
  const drift = driftEntries(plan, options, true);
  const totals = totalsOf(entries, unchanged.length);
  const verdict = decideOutcome(entries, options);
  const maxAttributes = options.maxAttributesPerResource ?? 20;

  const lines = [`<!-- plan-summary:${options.environment} -->`, `## Terraform plan: ${code(options.environment)}`, '', totalsLine(totals), ''];
  if (entries.length === 0) lines.push('No changes: the infrastructure matches the configuration.', '');
  if (!verdict.ok) lines.push(`> ⛔ **${cell(verdict.message)}**`, '');
  else if (verdict.protectedDestroys.length > 0) lines.push(`> ⚠️ ${cell(verdict.message)}`, '');
  if (plan.terraform_version) lines.push(`<sub>Terraform ${plan.terraform_version}</sub>`, '');
  const head = `${lines.join('\n')}`;

  const sections: Section[] = [
    { head: SECURITY_HEAD, items: securityItems(entries), label: 'security-relevant changes' },
    { head: DESTRUCTIVE_HEAD, items: destructiveItems(entries), label: 'destroys or replacements' },
    {
      head: `\n## 🌫️ Changed outside Terraform (${drift.length})\n\nThe refresh found these differences, and the planned changes depend on them.\n\n| action | resource | changes |\n| --- | --- | --- |\n`,
      items: drift.map((e) => ({ text: `| ${DRIFT_LABEL[e.kind]} | ${code(cell(e.address))} | ${cell(details(e, maxAttributes))} |\n` })),
      label: 'resources changed outside Terraform',
    },
    { head: '\n## Changes by module\n', items: moduleItems(entries, unchangedByModule, maxAttributes), label: 'resources (module tables)' },
  ];
  const { markdown, cut } = renderSections(head, sections, options.maxChars ?? SUMMARY_LIMIT);
  return { markdown, totals, entries, drift, verdict, hasChanges: entries.length > 0, cut };
}

/**
 * What changed outside Terraform: resources with at least one real change (a delete, or an attribute
 * difference that is not between two empty values). With `relevantOnly`, as Terraform's own plan
 * output does, only the differences the planned changes depend on (`relevant_attributes`).
 */
function driftEntries(plan: PlanJson, options: SummaryOptions, relevantOnly: boolean): ResourceEntry[] {
  const relevant = plan.relevant_attributes ?? [];
  return (plan.resource_drift ?? [])
    .filter((c) => c.mode !== 'data')
    .map((c) => entryOf(c, options))
    .map((e) => {
      if (!relevantOnly || e.kind !== 'update') return e;
      const paths = relevant.filter((r) => r.resource === e.address).map((r) => formatPath(r.attribute));
      const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
      return { ...e, changes: e.changes.filter((c) => paths.some((p) => related(c.path, p))) };
    })
    .filter((e) => e.kind === 'delete' || (e.kind === 'update' && e.changes.length > 0));
}

export interface DriftSummary {
  readonly markdown: string;
  readonly drift: readonly ResourceEntry[];
  /** Attributes the refresh read differently that are not drift (review/drift-noise.ts), and why. */
  readonly explained: readonly ExplainedChange[];
  readonly hasDrift: boolean;
  readonly cut: number;
}

/** The summary of a refresh-only plan: what changed outside Terraform, security-relevant drift first. */
export function summarizeDrift(
  refreshed: PlanJson,
  options: Pick<SummaryOptions, 'environment' | 'stackJson' | 'maxChars' | 'maxAttributesPerResource'> & {
    /** The AWS provider's resource schemas: computed-only attributes are not drift. @default - none left out by the schema */
    readonly schemas?: ResourceSchemas;
  },
): DriftSummary {
  const { plan, explained } = withoutExpectedDrift(refreshed, options.schemas);
  const drift = driftEntries(plan, options, false);
  const maxAttributes = options.maxAttributesPerResource ?? 20;
  const head = [
    `<!-- drift-summary:${options.environment} -->`,
    `## Drift: ${code(options.environment)}`,
    '',
    drift.length === 0
      ? 'No drift: every resource matches the Terraform state.'
      : `**${drift.length}** resource${drift.length === 1 ? '' : 's'} changed outside Terraform (${drift.filter((d) => d.kind === 'delete').length} deleted). ` +
        'Apply the configuration to put them back, or change the configuration to keep them.',
    '',
    ...(explained.length > 0
      ? [
          `<details><summary>${explained.length} refreshed attribute${explained.length === 1 ? '' : 's'} not counted as drift</summary>\n`,
          '| resource | attribute | why |',
          '| --- | --- | --- |',
          ...explained.map((e) => `| ${code(cell(e.address))} | ${code(cell(e.attribute))} | ${cell(e.reason)} |`),
          '\n</details>\n',
        ]
      : []),
  ].join('\n');
  const unchanged = new Map<string, number>();
  const sections: Section[] = [
    { head: SECURITY_HEAD, items: securityItems(drift, DRIFT_LABEL), label: 'security-relevant drifts' },
    { head: '\n## Drift by module\n', items: moduleItems(drift, unchanged, maxAttributes, DRIFT_LABEL), label: 'drifted resources (module tables)' },
  ];
  const { markdown, cut } = renderSections(head, sections, options.maxChars ?? SUMMARY_LIMIT);
  return { markdown, drift, explained, hasDrift: drift.length > 0, cut };
}
