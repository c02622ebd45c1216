/**
 * The team's own plan rules: a reviewed file in the repository (review/team-rules.jsonc) where a platform team adds
 * rules without touching the code, and per-finding exceptions with a reason and an expiry date.
 *
 * A rule matches resource types (exact, or a prefix ending in `*`), actions and, for updates, attribute paths (dotted,
 * no indices; a path matches everything below it, and a change of a whole block above it: an ingress rule added changes
 * its cidr_blocks), optionally a text the new value must contain, and optionally only some environments. Its verdict is `warn` (listed) or `deny` (the plan is refused, as a protected destroy is). An
 * exception names the rule, the resource address, a reason and the last day it applies (`expires`, YYYY-MM-DD, UTC);
 * from the next day on the finding stands again, and the summary says the exception expired.
 *
 * The built-in security rules (review-rules.ts SECURITY_RULES) are the defaults of the same mechanism: each is a
 * `warn` rule here (`builtInRules`), evaluated by the same matcher. Pure: the caller reads the file.
 */
import { z } from 'zod';
import { ConfigError, describeIssue, issueAt, parseJsonFile, type ConfigIssueText } from '../environments/config-file';
import { diffAttributes } from './attribute-diff';
import type { ChangeKind, ResourceChange, ResourceEntry } from './plan-model';
import { SECURITY_RULES } from './review-rules';

/** The actions a rule can match: Terraform's, and the moves and imports the summary lists. */
export const RULE_ACTIONS = ['create', 'update', 'replace', 'delete', 'forget', 'move', 'import'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

const RULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TYPE_PATTERN = /^[a-z0-9_]+\*?$/;
const ATTRIBUTE_PATH = /^[a-z0-9_]+(\.[a-z0-9_A-Z]+)*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const ruleSchema = z.strictObject({
  id: z.string().regex(RULE_ID, 'a rule id of lowercase letters, digits and dashes (at most 63), such as "no-public-ingress"'),
  verdict: z.enum(['warn', 'deny']),
  message: z.string().min(1).max(500),
  match: z.strictObject({
    types: z.array(z.string().regex(TYPE_PATTERN, 'a Terraform resource type (aws_security_group), or a prefix ending in * (aws_iam_*)')).min(1),
    actions: z.array(z.enum(RULE_ACTIONS)).min(1).optional(),
    attributes: z.array(z.string().regex(ATTRIBUTE_PATH, 'a dotted attribute path without indices, such as ingress.cidr_blocks')).min(1).optional(),
    valueIncludes: z.string().min(1).optional(),
    environments: z.array(z.string().min(1)).min(1).optional(),
  }),
});

const exceptionSchema = z.strictObject({
  rule: z.string().min(1),
  resource: z.string().min(1),
  environment: z.string().min(1).optional(),
  reason: z.string().min(10, 'a reason a reviewer can check (at least 10 characters)'),
  expires: z.string().regex(DATE, 'a date YYYY-MM-DD: the last day the exception applies'),
});

const fileSchema = z.strictObject({
  $schema: z.string().optional(),
  rules: z.array(ruleSchema),
  exceptions: z.array(exceptionSchema).default([]),
});

export type TeamRule = z.infer<typeof ruleSchema>;
export type RuleException = z.infer<typeof exceptionSchema>;
export interface TeamRules {
  readonly rules: readonly TeamRule[];
  readonly exceptions: readonly RuleException[];
}

/** The built-in security rules, as `warn` rules of the same mechanism (what makes a change "security-relevant"). */
export const BUILT_IN_RULES: readonly TeamRule[] = builtInRules();

function builtInRules(): TeamRule[] {
  return SECURITY_RULES.map((r) => ({
    id: `builtin-${r.type.replace(/_/g, '-')}`,
    verdict: 'warn' as const,
    message: r.control,
    match: { types: [r.type], ...(r.attributes === 'any' ? {} : { attributes: [...r.attributes] }) },
  }));
}

/** Reads and checks a rules file's text; a bad file is a ConfigError naming each field, the value and what is valid. */
export function parseTeamRules(text: string, file: string): TeamRules {
  const error = (issues: ConfigIssueText[]) => new ConfigError(`the plan rules file ${file}`, issues);
  const raw = parseJsonFile(file, text, { error, comments: true, empty: 'a JSON object with "rules" and "exceptions" (see review/team-rules.jsonc)' });
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw error(parsed.error.issues.map((i) => describeIssue(raw, i, 'review/team-rules.ts')));
  const { rules, exceptions } = parsed.data;
  const issues: ConfigIssueText[] = [];
  const ids = new Set<string>();
  rules.forEach((rule, i) => {
    if (ids.has(rule.id)) issues.push(issueAt(raw, ['rules', i, 'id'], 'an id no other rule has'));
    ids.add(rule.id);
    if (rule.id.startsWith('builtin-')) issues.push(issueAt(raw, ['rules', i, 'id'], 'an id that does not start with "builtin-" (the built-in rules use it)'));
    if (rule.match.valueIncludes && !rule.match.attributes) issues.push(issueAt(raw, ['rules', i, 'match', 'valueIncludes'], 'match.attributes too: the attributes whose new value must contain it'));
  });
  exceptions.forEach((exception, i) => {
    if (!ids.has(exception.rule)) issues.push(issueAt(raw, ['exceptions', i, 'rule'], `the id of a rule of this file: ${[...ids].join(', ') || '(there is none)'}`));
    const date = new Date(`${exception.expires}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== exception.expires) issues.push(issueAt(raw, ['exceptions', i, 'expires'], 'a date that exists, YYYY-MM-DD'));
  });
  if (issues.length > 0) throw error(issues);
  return { rules, exceptions };
}

export interface TeamFinding {
  readonly rule: string;
  readonly verdict: 'warn' | 'deny';
  readonly message: string;
  readonly address: string;
  /** The exception that lets the finding pass (deny findings only), or the one that expired. */
  readonly exception?: RuleException & { readonly expired: boolean };
}

function actionsOf(entry: ResourceEntry): RuleAction[] {
  const actions: RuleAction[] = [];
  if (entry.kind === 'create' || entry.kind === 'update' || entry.kind === 'replace' || entry.kind === 'forget') actions.push(entry.kind);
  if (entry.kind === 'delete') actions.push('delete');
  if (entry.movedFrom) actions.push('move');
  if (entry.importId !== undefined) actions.push('import');
  return actions;
}

function typeMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : p === type));
}

const underPath = (path: string, attribute: string) => path === attribute || path.startsWith(`${attribute}.`);
/** A changed path counts for an attribute below or above it: a whole ingress rule added changes its cidr_blocks too. */
const related = (path: string, attribute: string) => underPath(path, attribute) || underPath(attribute, path);
const normalize = (path: string) => path.replace(/\[\d+\]/g, '');

/**
 * Whether `rule` matches a resource's change. Creates, replaces, deletes, forgets, moves and imports match by type and
 * action; an update only when it changes an attribute under `attributes` (any attribute but tags when none is given).
 * With `valueIncludes`, the new value of such an attribute (of the created object, for a create) must contain it.
 */
export function ruleMatches(rule: TeamRule, entry: ResourceEntry, change: ResourceChange | undefined, environment: string): boolean {
  const m = rule.match;
  if (!typeMatches(m.types, entry.type)) return false;
  if (m.environments && !m.environments.includes(environment)) return false;
  const actions = actionsOf(entry);
  const wanted = m.actions ?? (['create', 'update', 'replace', 'delete'] as RuleAction[]);
  if (!actions.some((a) => wanted.includes(a))) return false;
  const kind: ChangeKind = entry.kind;
  // An update matches by what it changes: an attribute the rule names (any, when it names none), tags left aside.
  // Unless the rule also asked for another action the entry has (a move that also updates matches a "move" rule).
  const matchedByOtherAction = m.actions !== undefined && actions.some((a) => a !== 'update' && wanted.includes(a));
  if (kind === 'update' && !matchedByOtherAction) {
    const paths = entry.changes.map((c) => normalize(c.path)).filter((p) => !/^tags(_all)?(\.|$)/.test(p));
    const relevant = m.attributes ? paths.filter((p) => m.attributes!.some((a) => related(p, a))) : paths;
    if (relevant.length === 0) return false;
  }
  if (m.valueIncludes) {
    const values = kind === 'update' || kind === 'replace' ? entry.changes : change && kind === 'create' ? diffAttributes({ ...change.change, before: {} }) : [];
    const hit = values.some((c) => m.attributes!.some((a) => related(normalize(c.path), a)) && (c.after ?? '').includes(m.valueIncludes!));
    if (!hit) return false;
  }
  return true;
}

/** Every team rule's findings on a plan's entries, each with the exception that applies to it, if any. */
export function evaluateTeamRules(
  entries: readonly { entry: ResourceEntry; change?: ResourceChange }[],
  rules: TeamRules,
  options: { environment: string; today: string },
): TeamFinding[] {
  const findings: TeamFinding[] = [];
  for (const rule of rules.rules) {
    for (const { entry, change } of entries) {
      if (!ruleMatches(rule, entry, change, options.environment)) continue;
      const exception = rules.exceptions.find((e) => e.rule === rule.id && e.resource === entry.address && (e.environment === undefined || e.environment === options.environment));
      findings.push({
        rule: rule.id,
        verdict: rule.verdict,
        message: rule.message,
        address: entry.address,
        ...(exception ? { exception: { ...exception, expired: exception.expires < options.today } } : {}),
      });
    }
  }
  return findings;
}

/** Deny findings without an exception that still applies: each refuses the plan. */
export function refusingFindings(findings: readonly TeamFinding[]): TeamFinding[] {
  return findings.filter((f) => f.verdict === 'deny' && (!f.exception || f.exception.expired));
}
