/**
 * Each resource change of a plan classified: its kind, construct path and module, its attribute changes, why it is
 * security-relevant, why destroying it loses something; and the verdict on a plan's protected destroys.
 */
import { nameRules } from '../environments/name-rules';
import { diffApiDocuments, type RouteChange } from './api-document-diff';
import { diffAttributes, formatPath } from './attribute-diff';
import type { AttributeChange, ChangeKind, ResourceChange, ResourceEntry, SummaryOptions, Verdict } from './plan-model';
import { PROTECTED_TYPES } from './review-rules';
import { BUILT_IN_RULES, refusingFindings, ruleMatches, type TeamFinding } from './team-rules';

export function changeKind(actions: readonly string[]): ChangeKind {
  const a = [...actions].sort().join(',');
  switch (a) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'create,delete':
      return 'replace';
    case 'delete':
      return 'delete';
    case 'read':
      return 'read';
    case 'forget':
      return 'forget';
    case 'no-op':
    case '':
      return 'no-op';
    default:
      throw new Error(`unknown Terraform plan actions ${JSON.stringify(actions)}`);
  }
}

/** The synthesized metadata of a resource: `{ path, preventDestroy }`, from `resource.<type>.<name>` in cdk.tf.json. */
function synthesized(stackJson: Record<string, any> | undefined, change: ResourceChange): { path?: string; preventDestroy: boolean } {
  const section = change.mode === 'data' ? stackJson?.data : stackJson?.resource;
  const config = section?.[change.type]?.[change.name];
  return { path: config?.['//']?.metadata?.path, preventDestroy: config?.lifecycle?.prevent_destroy === true };
}

function locate(stackJson: Record<string, any> | undefined, change: ResourceChange): { constructPath: string; module: string } {
  if (change.module_address) return { constructPath: change.module_address, module: change.module_address };
  const { path } = synthesized(stackJson, change);
  if (path) {
    const parts = path.split('/').slice(1); // drop the stack id
    return { constructPath: parts.join('/'), module: parts.length > 1 ? parts[0]! : '(stack)' };
  }
  // Not in the configuration (a resource being destroyed): cdktf names it `<path parts joined by _>_<hash>`.
  const parts = /^(.+)_[0-9A-F]{8}$/.exec(change.name)?.[1]?.split('_');
  return { constructPath: '(not in the configuration)', module: parts && parts.length > 1 ? parts[0]! : '(stack)' };
}

function protectedReason(change: ResourceChange, options: SummaryOptions): string | undefined {
  const before = change.change.before as Record<string, unknown> | null | undefined;
  if (options.stateBucket && change.type === 'aws_s3_bucket' && before?.bucket === options.stateBucket) {
    return 'the Terraform state bucket';
  }
  if (synthesized(options.stackJson, change).preventDestroy) return 'lifecycle.prevent_destroy';
  if (change.type === 'aws_lb' && before?.enable_deletion_protection === true) {
    // ELB refuses DeleteLoadBalancer while deletion protection is on: the apply would stop after creating the new one.
    return 'deletion protection is on: AWS refuses to delete it, so the apply would stop half-way; first apply enable_deletion_protection = false, then this change';
  }
  return PROTECTED_TYPES[change.type];
}



export function entryOf(change: ResourceChange, options: SummaryOptions): ResourceEntry {
  const kind = changeKind(change.change.actions);
  const { constructPath, module } = locate(options.stackJson, change);
  let changes = kind === 'update' || kind === 'replace' ? diffAttributes(change.change) : [];
  const replacePaths = (change.change.replace_paths ?? []).map(formatPath);
  const replaceReasons = kind === 'replace' ? (replacePaths.length > 0 ? replacePaths : [describeReason(change.action_reason)]) : [];
  const destructive = kind === 'delete' || kind === 'replace';
  const base = { address: change.address, type: change.type, kind, constructPath, module, changes, replaceReasons: [], security: [] };
  // The built-in security rules, matched as the team's rules are (team-rules.ts).
  const security = BUILT_IN_RULES.filter((rule) => ruleMatches(rule, base, change, options.environment)).map((rule) => rule.message);
  const routes = change.type === 'aws_api_gateway_rest_api' && (kind === 'update' || kind === 'replace') ? documentRoutes(change, options) : undefined;
  if (routes) {
    changes = [...routes.map(routeAttributeChange), ...changes.filter((c) => !/^body([.[]|$)/.test(c.path))];
    for (const reason of new Set(routes.map((r) => r.security).filter((r): r is string => r !== undefined))) security.push(`API routes: ${reason}`);
  }
  return {
    address: change.address,
    type: change.type,
    kind,
    constructPath,
    module,
    changes,
    replaceReasons,
    security,
    protectedReason: destructive ? protectedReason(change, options) : undefined,
    ...(change.previous_address && change.previous_address !== change.address ? { movedFrom: change.previous_address } : {}),
    ...(change.change.importing ? { importId: change.change.importing.id ?? '(by identity)' } : {}),
  };
}

/**
 * A REST API's document before and after, route by route. When the new document is only known after apply (it names
 * an id that changes in this plan), the synthesized one is read instead, its references shown as expressions.
 */
function documentRoutes(change: ResourceChange, options: SummaryOptions): RouteChange[] | undefined {
  const before = (change.change.before as Record<string, unknown> | null | undefined)?.body;
  const unknown = (change.change.after_unknown as Record<string, unknown> | undefined)?.body === true;
  const after = unknown ? options.stackJson?.resource?.[change.type]?.[change.name]?.body : (change.change.after as Record<string, unknown> | null | undefined)?.body;
  if (before === after || after === undefined) return undefined;
  const routes = diffApiDocuments(before, after);
  return routes && routes.length > 0 ? routes : undefined;
}

const MAX_ROUTE_VALUE = 200;
const cut = (text: string | undefined) => (text !== undefined && text.length > MAX_ROUTE_VALUE ? `${text.slice(0, MAX_ROUTE_VALUE - 1)}…` : text);

function routeAttributeChange(route: RouteChange): AttributeChange {
  return { path: route.subject, before: cut(route.before), after: cut(route.after), sensitive: false, unknown: false, route: route.kind };
}

function describeReason(reason: string | undefined): string {
  const reasons: Record<string, string> = {
    replace_because_tainted: 'tainted (a previous apply failed part-way)',
    replace_by_request: 'requested (-replace)',
    replace_by_triggers: 'replace_triggered_by',
    replace_because_cannot_update: 'an attribute cannot be updated in place',
  };
  return reason ? (reasons[reason] ?? reason) : 'Terraform gave no reason';
}

/**
 * Refuses destroying or replacing protected resources where the environment prevents destroys (always in prod), unless
 * allowed; and refuses every finding of a team rule whose verdict is deny, unless an exception still applies to it.
 */
export function decideOutcome(entries: readonly ResourceEntry[], options: Pick<SummaryOptions, 'environment' | 'protections' | 'allowDestroy'>, findings: readonly TeamFinding[] = []): Verdict {
  const destroys = decideDestroys(entries, options);
  const refusing = refusingFindings(findings);
  if (refusing.length === 0) return destroys;
  const list = refusing.map((f) => `${f.rule} on ${f.address}${f.exception?.expired ? ` (its exception expired ${f.exception.expires})` : ''}`).join(', ');
  const team =
    `refused by the team's plan rules (review/team-rules.jsonc): ${list}. Change the plan, or, after review, add an exception ` +
    `(the rule, the resource, a reason and an expiry date) to the rules file.`;
  return { ok: false, protectedDestroys: destroys.protectedDestroys, message: destroys.ok ? team : `${destroys.message} Also ${team}` };
}

function decideDestroys(entries: readonly ResourceEntry[], options: Pick<SummaryOptions, 'environment' | 'protections' | 'allowDestroy'>): Verdict {
  const protectedDestroys = entries.filter((e) => (e.kind === 'delete' || e.kind === 'replace') && e.protectedReason !== undefined);
  const guarded = nameRules(options.environment).refusesProtectedDestroys || options.protections?.preventDestroy === true;
  if (protectedDestroys.length === 0) return { ok: true, protectedDestroys, message: 'no protected resource is destroyed or replaced' };
  const list = protectedDestroys.map((e) => `${e.address} (${e.kind}: ${e.protectedReason})`).join(', ');
  if (!guarded) return { ok: true, protectedDestroys, message: `${options.environment} does not prevent destroys; destroys ${list}` };
  if (options.allowDestroy) return { ok: true, protectedDestroys, message: `destroys allowed by --allow-destroy: ${list}` };
  return {
    ok: false,
    protectedDestroys,
    message:
      `refused: the plan for ${options.environment} destroys or replaces ${protectedDestroys.length} protected resource${protectedDestroys.length === 1 ? '' : 's'} ` +
      `(${list}); ${options.environment} has protections.preventDestroy on. If that is intended, re-run with --allow-destroy after review.`,
  };
}
