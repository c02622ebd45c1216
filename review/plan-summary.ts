/**
 * From a Terraform plan (`terraform show -json`) to a Markdown summary a
 * reviewer reads in a pull request, and the verdict on whether the plan may go
 * ahead. Pure: no files, no processes, no environment variables.
 *
 * - Totals (add / change / replace / destroy / unchanged; data-source reads excluded).
 * - "Security-relevant": changes to the controls in SECURITY_RULES (a data table: review it like code).
 * - "Destructive": every delete and replace, protected resources marked (PROTECTED_TYPES,
 *   `lifecycle.prevent_destroy` in the synthesized stack, the state bucket).
 * - Moves (a resource at a new address: `moved` blocks, cdktf's moveTo), imports (`import` blocks) and forgets
 *   (`removed` blocks) are listed as such, in the totals and per module: a plan that only moves or imports is a
 *   change (Terraform's -detailed-exitcode says 2), never "No changes".
 * - Output changes (added, changed, removed), sensitive values masked.
 * - A table per module (the construct path's first part below the stack) with the changed
 *   attribute paths of updates and the reasons for replacements, each folded (`<details>`) under a line that counts
 *   its changes, so that the totals, Security-relevant and Destructive stay on top, open. A REST API's OpenAPI document
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
import { labelKinds, labelsMarker } from './plan-labels';
import { evaluateTeamRules, refusingFindings, type TeamFinding } from './team-rules';
import type { AttributeChange, ChangeKind, OutputChange, OutputEntry, PlanJson, PlanSummary, ResourceEntry, SummaryOptions, Totals } from './plan-model';

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

/** Attribute changes listed open in a resource's row; more are folded under a count. */
const OPEN_ATTRIBUTES = 3;

function details(entry: ResourceEntry, max: number): string {
  const parts: string[] = [];
  if (entry.movedFrom) parts.push(`**moved from** ${code(entry.movedFrom)}`);
  if (entry.importId !== undefined) parts.push(`**imported** by id ${code(entry.importId)}`);
  if (entry.kind === 'replace') parts.push(`**forces replacement:** ${entry.replaceReasons.map(code).join(', ')}`);
  const shown = entry.changes.slice(0, max).map(describeChange);
  if (entry.changes.length > max) shown.push(`… and ${entry.changes.length - max} more attributes`);
  if (entry.changes.length > OPEN_ATTRIBUTES) parts.push(`<details><summary>${entry.changes.length} attributes</summary>${shown.join('<br>')}</details>`);
  else parts.push(...shown);
  return parts.join('<br>');
}

/** The action column: what Terraform does, and the move or import that comes with it. */
const MOVE_LABEL = '🚚 move';
const IMPORT_LABEL = '📥 import';

function actionParts(entry: ResourceEntry, labels: Record<ChangeKind, string>): string[] {
  const extra = [entry.movedFrom ? MOVE_LABEL : '', entry.importId !== undefined ? IMPORT_LABEL : ''].filter(Boolean);
  return entry.kind === 'no-op' && extra.length > 0 ? extra : [labels[entry.kind], ...extra];
}

function actionOf(entry: ResourceEntry, labels: Record<ChangeKind, string>): string {
  return actionParts(entry, labels).join(', ');
}

/**
 * A folded table: `heading` (which opens the `<details>`) before the first row, the close after the last; every other
 * row carries the close the summary needs should it be cut after that row.
 */
function foldedRows(heading: string, rows: readonly string[]): Item[] {
  const close = '\n</details>\n';
  return rows.map((row, i) => {
    const last = i === rows.length - 1;
    return { text: (i === 0 ? heading : '') + row + (last ? close : ''), pendingClose: last ? '' : close };
  });
}

interface Item {
  readonly text: string;
  /** What closes the block this item leaves open (a folded module table), should the summary be cut after it. */
  readonly pendingClose?: string;
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
  return {
    add: count('create'),
    change: count('update'),
    replace: count('replace'),
    destroy: count('delete'),
    noOp,
    forget: count('forget'),
    move: entries.filter((e) => e.movedFrom).length,
    import: entries.filter((e) => e.importId !== undefined).length,
  };
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

/** "2 create, 1 move": what a module's folded table holds, in the order of the totals. */
function countsOf(group: readonly ResourceEntry[], labels: Record<ChangeKind, string>): string {
  const counts = new Map<string, number>();
  for (const e of group) {
    for (const part of actionParts(e, labels)) counts.set(part, (counts.get(part) ?? 0) + 1);
  }
  const order = [...Object.values(labels), MOVE_LABEL, IMPORT_LABEL];
  return [...counts]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([label, n]) => `${n} ${label.replace(/^\S+ /, '')}`)
    .join(', ');
}

/** One folded table per module: its summary line counts what it holds, the rows are one click away. */
function moduleItems(entries: readonly ResourceEntry[], unchangedByModule: Map<string, number>, maxAttributes: number, labels = ACTION_LABEL): Item[] {
  const items: Item[] = [];
  for (const [module, group] of byModule(entries)) {
    const unchanged = unchangedByModule.get(module) ?? 0;
    const heading =
      `\n<details><summary><code>${module}</code>: ${countsOf(group, labels)}${unchanged ? `, ${unchanged} unchanged` : ''}</summary>\n\n` +
      '| action | resource | construct path | changes |\n| --- | --- | --- | --- |\n';
    items.push(...foldedRows(heading, group.map((e) => `| ${actionOf(e, labels)} | ${code(cell(e.address))} | ${code(cell(e.constructPath))} | ${cell(details(e, maxAttributes))} |\n`)));
  }
  return items;
}

const MAX_OUTPUT_VALUE = 200;

/** Terraform's sensitivity marks: `true`, or an object or array with `true` somewhere inside. */
function sensitiveValue(flag: unknown): boolean {
  return flag === true || (typeof flag === 'object' && flag !== null && Object.values(flag).some(sensitiveValue));
}

function renderValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_OUTPUT_VALUE ? `${text.slice(0, MAX_OUTPUT_VALUE - 1)}…` : text;
}

/** The outputs the plan adds, changes or removes (unchanged ones left out), sensitive values never shown. */
export function outputEntries(changes: PlanJson['output_changes']): OutputEntry[] {
  const entries: OutputEntry[] = [];
  for (const [name, change] of Object.entries(changes ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const kind = outputKind(change);
    if (!kind) continue;
    const sensitive = sensitiveValue(change.before_sensitive) || sensitiveValue(change.after_sensitive);
    const unknown = change.after_unknown === true;
    const side = (exists: boolean, value: unknown) => (!exists ? undefined : sensitive ? '(sensitive)' : renderValue(value));
    entries.push({ name, kind, before: side(kind !== 'create', change.before), after: unknown ? '(known after apply)' : side(kind !== 'delete', change.after), sensitive, unknown });
  }
  return entries;
}

function outputKind(change: OutputChange): OutputEntry['kind'] | undefined {
  const actions = change.actions.join(',');
  if (actions === 'create') return 'create';
  if (actions === 'delete') return 'delete';
  if (actions === 'update' || actions === 'delete,create' || actions === 'create,delete') return 'update';
  return undefined;
}

const OUTPUT_LABEL: Record<OutputEntry['kind'], string> = { create: '➕ add', update: '🔧 change', delete: '❌ remove' };

function outputItems(outputs: readonly OutputEntry[]): Item[] {
  const heading = `\n<details><summary>Outputs: ${countsOfOutputs(outputs)}</summary>\n\n| action | output | before | after |\n| --- | --- | --- | --- |\n`;
  return foldedRows(
    heading,
    outputs.map((o) => `| ${OUTPUT_LABEL[o.kind]} | ${code(o.name)} | ${o.before === undefined ? '' : code(cell(o.before))} | ${o.after === undefined ? '' : code(cell(o.after))} |\n`),
  );
}

function renderSections(head: string, sections: readonly Section[], maxChars: number): { markdown: string; cut: number } {
  const reserve = 400; // the note on what was cut
  let text = head;
  let cutting = false;
  const omitted: string[] = [];
  let cutItems = 0;
  let pendingClose = '';
  for (const section of sections) {
    if (section.items.length === 0) continue;
    let left = section.items.length;
    if (!cutting) {
      for (const [i, item] of section.items.entries()) {
        const piece = (i === 0 ? section.head : '') + item.text;
        if (text.length + piece.length + (item.pendingClose ?? '').length + reserve > maxChars) {
          cutting = true;
          text += pendingClose; // close the folded table the last item left open
          break;
        }
        text += piece;
        pendingClose = item.pendingClose ?? '';
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
      return { text: `| ${cell(e.security.join('; '))} | ${actionOf(e, labels)} | ${code(cell(e.address))} | ${cell(what)} |\n` };
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

/** The plan's counts in one line; `mark` sets each number off (bold in the summary, plain on a terminal). */
export function totalsLine(t: Totals, outputs: readonly OutputEntry[], mark: (n: number) => string = (n) => `**${n}**`): string {
  const optional = [t.forget ? `${mark(t.forget)} to forget` : '', t.move ? `${mark(t.move)} to move` : '', t.import ? `${mark(t.import)} to import` : ''].filter(Boolean);
  const outputsPart = outputs.length ? `; ${mark(outputs.length)} output${outputs.length === 1 ? '' : 's'} to change` : '';
  return `${mark(t.add)} to add, ${mark(t.change)} to change, ${mark(t.replace)} to replace, ${mark(t.destroy)} to destroy, ${[...optional, ''].join(', ')}${t.noOp} unchanged${outputsPart}`;
}

function countsOfOutputs(outputs: readonly OutputEntry[]): string {
  const count = (kind: OutputEntry['kind']) => outputs.filter((o) => o.kind === kind).length;
  return [`${count('create')} added`, `${count('update')} changed`, `${count('delete')} removed`].filter((part) => !part.startsWith('0 ')).join(', ');
}

const TEAM_HEAD = '\n## 🧭 Team rules\n\nThe rules of review/team-rules.jsonc that match this plan.\n\n| verdict | rule | resource | why | exception |\n| --- | --- | --- | --- | --- |\n';

/** Refusing findings first, then the excepted ones, then warnings. */
function findingItems(findings: readonly TeamFinding[]): Item[] {
  const refusing = new Set(refusingFindings(findings));
  const rank = (f: TeamFinding) => (refusing.has(f) ? 0 : f.verdict === 'deny' ? 1 : 2);
  return [...findings]
    .sort((a, b) => rank(a) - rank(b) || a.rule.localeCompare(b.rule) || a.address.localeCompare(b.address))
    .map((f) => {
      const verdict = refusing.has(f) ? '⛔ deny' : f.verdict === 'deny' ? '✅ deny, excepted' : '⚠️ warn';
      const exception = !f.exception
        ? ''
        : f.exception.expired
          ? `expired ${f.exception.expires}: no longer applies (${f.exception.reason})`
          : `until ${f.exception.expires}: ${f.exception.reason}`;
      return { text: `| ${verdict} | ${code(f.rule)} | ${code(cell(f.address))} | ${cell(f.message)} | ${cell(exception)} |\n` };
    });
}

const SECURITY_HEAD = '\n## 🔐 Security-relevant\n\n| control | action | resource | attributes |\n| --- | --- | --- | --- |\n';
const DESTRUCTIVE_HEAD = '\n## 💥 Destructive\n\n| action | resource | construct path | protected | forced by |\n| --- | --- | --- | --- | --- |\n';

/** The summary of a plan: totals, verdict, security, destructive, drift, per-module tables, within `maxChars`. */
export function summarizePlan(plan: PlanJson, options: SummaryOptions): PlanSummary {
  const managed = (plan.resource_changes ?? []).filter((c) => c.mode !== 'data');
  const changeOf = new Map(managed.map((c) => [entryOf(c, options), c] as const));
  const all = [...changeOf.keys()];
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  // A move or an import is a change even when Terraform does nothing else to the resource.
  const entries = all.filter((e) => (e.kind !== 'no-op' && e.kind !== 'read') || e.movedFrom !== undefined || e.importId !== undefined);
  const unchanged = all.filter((e) => e.kind === 'no-op' && !entries.includes(e));
  const outputs = outputEntries(plan.output_changes);
  const unchangedByModule = new Map<string, number>();
  for (const e of unchanged) unchangedByModule.set(e.module, (unchangedByModule.get(e.module) ?? 0) + 1);
  const drift = driftEntries(plan, options, true);
  const totals = totalsOf(entries, unchanged.length);
  const findings = options.teamRules
    ? evaluateTeamRules(
        entries.map((entry) => ({ entry, change: changeOf.get(entry) })),
        options.teamRules,
        { environment: options.environment, today },
      )
    : [];
  const verdict = decideOutcome(entries, options, findings);
  const maxAttributes = options.maxAttributesPerResource ?? 20;
  const hasChanges = entries.length > 0 || outputs.length > 0;

  const labels = labelsMarker(options.environment, labelKinds({ hasChanges, entries }));
  const lines = [`<!-- plan-summary:${options.environment} -->`, labels, `## Terraform plan: ${code(options.environment)}`, '', totalsLine(totals, outputs), ''];
  if (!hasChanges) lines.push('No changes: the infrastructure matches the configuration.', '');
  if (!verdict.ok) lines.push(`> ⛔ **${cell(verdict.message)}**`, '');
  else if (verdict.protectedDestroys.length > 0) lines.push(`> ⚠️ ${cell(verdict.message)}`, '');
  if (plan.terraform_version) lines.push(`<sub>Terraform ${plan.terraform_version}</sub>`, '');
  const head = `${lines.join('\n')}`;

  const sections: Section[] = [
    { head: SECURITY_HEAD, items: securityItems(entries), label: 'security-relevant changes' },
    { head: TEAM_HEAD, items: findingItems(findings), label: 'team rule findings' },
    { head: DESTRUCTIVE_HEAD, items: destructiveItems(entries), label: 'destroys or replacements' },
    {
      head: `\n## 🌫️ Changed outside Terraform (${drift.length})\n\nThe refresh found these differences, and the planned changes depend on them.\n\n| action | resource | changes |\n| --- | --- | --- |\n`,
      items: drift.map((e) => ({ text: `| ${DRIFT_LABEL[e.kind]} | ${code(cell(e.address))} | ${cell(details(e, maxAttributes))} |\n` })),
      label: 'resources changed outside Terraform',
    },
    { head: '', items: outputItems(outputs), label: 'output changes' },
    { head: '\n## Changes by module\n', items: moduleItems(entries, unchangedByModule, maxAttributes), label: 'resources (module tables)' },
  ];
  const { markdown, cut } = renderSections(head, sections, options.maxChars ?? SUMMARY_LIMIT);
  return { markdown, totals, entries, outputs, findings, drift, verdict, hasChanges, cut };
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
