/**
 * What a refresh finds that is not drift. `terraform plan -refresh-only` reports every attribute whose value read
 * from AWS differs from the state. Right after a clean deploy, three kinds of such differences are nobody's change:
 *
 * - **Companion resources.** A bucket's policy, a security group's rules, a role's inline policy, a REST API's
 *   policy are managed by their own resources (`aws_s3_bucket_policy`, `aws_vpc_security_group_ingress_rule`, ...),
 *   created after the parent, so the parent's state holds the value from before they existed. The companion's own
 *   refresh reports a change to what it manages. What only the parent can show (a rule or inline policy that no
 *   resource manages) is still drift: those attributes are compared item by item with the companions.
 * - **Computed-only attributes** (the provider's schema: computed, neither optional nor required): AWS's own
 *   bookkeeping (a target group's load balancers, a role's last use), not a setting anyone can change.
 * - **Defaults read back**: an attribute the configuration leaves unset, read as false or 0.
 *
 * The refresh-only plan JSON holds the refreshed state (`prior_state`) next to the drift (`resource_drift`).
 */
import type { PlanJson, ResourceChange } from './plan-model';

type Json = Record<string, any>;

/** One attribute of a parent resource held by companion resources of these types, which name the parent by `key`. */
interface Companion {
  readonly types: readonly string[];
  /** The companion's attribute that holds the parent's `parentKey`. */
  readonly key: string;
  readonly parentKey: string;
  /**
   * The items of the parent's attribute the companions account for; undefined: the whole attribute (the companion's
   * own refresh shows changes to it). Items outside the returned list are drift.
   */
  readonly items?: (companions: readonly { type: string; values: Json }[], parent: Json) => (item: Json) => boolean;
}

const bucket = (type: string): Companion => ({ types: [type], key: 'bucket', parentKey: 'bucket' });

/** Every rule source of a security group's `ingress`/`egress` item, and of its rule resources, in one form. */
function groupRuleSources(item: Json): string[] {
  const protocol = String(item.protocol ?? item.ip_protocol);
  const all = protocol === '-1' || protocol === 'all';
  const ports = all ? 'all' : `${protocolName(protocol)}:${item.from_port}-${item.to_port}`;
  const sources = [
    ...(item.cidr_blocks ?? (item.cidr_ipv4 ? [item.cidr_ipv4] : [])),
    ...(item.ipv6_cidr_blocks ?? (item.cidr_ipv6 ? [item.cidr_ipv6] : [])),
    ...(item.prefix_list_ids ?? (item.prefix_list_id ? [item.prefix_list_id] : [])),
    ...(item.security_groups ?? (item.referenced_security_group_id ? [item.referenced_security_group_id] : item.source_security_group_id ? [item.source_security_group_id] : [])),
    ...(item.self ? ['self'] : []),
  ];
  return sources.map((s: string) => `${ports} ${s}`);
}

function protocolName(protocol: string): string {
  return ({ '6': 'tcp', '17': 'udp', '1': 'icmp' } as Record<string, string>)[protocol] ?? protocol;
}

function groupRules(direction: 'ingress' | 'egress'): Companion {
  return {
    types: [`aws_vpc_security_group_${direction}_rule`, 'aws_security_group_rule'],
    key: 'security_group_id',
    parentKey: 'id',
    items: (companions) => {
      const managed = new Set(companions.filter((c) => c.type !== 'aws_security_group_rule' || c.values.type === direction).flatMap((c) => groupRuleSources(c.values)));
      return (item) => groupRuleSources(item).every((source) => managed.has(source));
    },
  };
}

/** A role's policies, one companion resource each: an item no companion names is drift. */
function roleItems(type: string, companionId: (values: Json) => unknown, itemId: (item: unknown) => unknown): Companion {
  return {
    types: [type],
    key: 'role',
    parentKey: 'name',
    items: (companions) => {
      const managed = new Set(companions.map((c) => String(companionId(c.values))));
      return (item) => managed.has(String(itemId(item)));
    },
  };
}

/** Parent type -> attribute -> the companion resources that manage it. */
export const COMPANIONS: Readonly<Record<string, Readonly<Record<string, Companion>>>> = {
  aws_api_gateway_rest_api: { policy: { types: ['aws_api_gateway_rest_api_policy'], key: 'rest_api_id', parentKey: 'id' } },
  aws_s3_bucket: {
    policy: bucket('aws_s3_bucket_policy'),
    lifecycle_rule: bucket('aws_s3_bucket_lifecycle_configuration'),
    server_side_encryption_configuration: bucket('aws_s3_bucket_server_side_encryption_configuration'),
    versioning: bucket('aws_s3_bucket_versioning'),
    logging: bucket('aws_s3_bucket_logging'),
    cors_rule: bucket('aws_s3_bucket_cors_configuration'),
    website: bucket('aws_s3_bucket_website_configuration'),
    replication_configuration: bucket('aws_s3_bucket_replication_configuration'),
    object_lock_configuration: bucket('aws_s3_bucket_object_lock_configuration'),
    acl: bucket('aws_s3_bucket_acl'),
    grant: bucket('aws_s3_bucket_acl'),
  },
  aws_security_group: { ingress: groupRules('ingress'), egress: groupRules('egress') },
  aws_iam_role: {
    // Each item is one of a role's policies: an inline policy (by name) or an attached one (by ARN).
    inline_policy: roleItems('aws_iam_role_policy', (c) => c.name, (item) => (item as Json).name),
    managed_policy_arns: roleItems('aws_iam_role_policy_attachment', (c) => c.policy_arn, (item) => item),
  },
};

/** The provider schema's blocks by resource type (`terraform providers schema -json`, the AWS provider's part). */
export type ResourceSchemas = Readonly<Record<string, { readonly block: SchemaBlock }>>;
interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, { computed?: boolean; optional?: boolean; required?: boolean }>>;
  readonly block_types?: Readonly<Record<string, { readonly block: SchemaBlock }>>;
}

/** Attributes (and blocks made only of such attributes) the provider computes and nobody configures. */
export function computedOnly(schemas: ResourceSchemas | undefined, type: string, attribute: string): boolean {
  const block = schemas?.[type]?.block;
  if (!block) return false;
  const only = (b: SchemaBlock): boolean =>
    Object.values(b.attributes ?? {}).every((a) => a.computed === true && !a.optional && !a.required) && Object.values(b.block_types ?? {}).every((t) => only(t.block));
  const attr = block.attributes?.[attribute];
  if (attr) return attr.computed === true && !attr.optional && !attr.required;
  const nested = block.block_types?.[attribute];
  return nested ? only(nested.block) : false;
}

/** An attribute left as it was: not drift, and why. */
export interface ExplainedChange {
  readonly address: string;
  readonly attribute: string;
  readonly reason: string;
}

/** JSON with sorted keys: equal values, equal text. */
function stable(value: unknown): string {
  return JSON.stringify(value ?? null, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

const isZero = (v: unknown): boolean => v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

/** `after` with every value that was null before and is a zero value now (false, 0, "", [], {}) put back to null. */
function unsetDefaults(before: unknown, after: unknown): unknown {
  if ((before === null || before === undefined) && isZero(after)) return before ?? null;
  if (Array.isArray(before) && Array.isArray(after)) return after.map((a, i) => unsetDefaults(before[i], a));
  if (before && after && typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) && !Array.isArray(after)) {
    return Object.fromEntries(Object.entries(after as Json).map(([k, v]) => [k, unsetDefaults((before as Json)[k], v)]));
  }
  return after;
}

function refreshedResources(plan: PlanJson & { prior_state?: Json }): { type: string; values: Json }[] {
  const all: { type: string; values: Json }[] = [];
  const visit = (module: Json | undefined) => {
    for (const r of module?.resources ?? []) if (r.mode !== 'data') all.push({ type: r.type, values: r.values ?? {} });
    for (const child of module?.child_modules ?? []) visit(child);
  };
  visit(plan.prior_state?.values?.root_module);
  return all;
}

/**
 * The plan with the refresh's non-drift taken out of `resource_drift` (the attribute's refreshed value set back to the
 * state's), and what was taken out. Deletions are always drift.
 */
export function withoutExpectedDrift(plan: PlanJson & { prior_state?: Json }, schemas?: ResourceSchemas): { plan: PlanJson; explained: ExplainedChange[] } {
  const resources = refreshedResources(plan);
  const explained: ExplainedChange[] = [];
  const drift = (plan.resource_drift ?? []).map((change): ResourceChange => {
    const before = change.change.before as Json | null | undefined;
    const after = change.change.after as Json | null | undefined;
    if (change.mode === 'data' || !before || !after || !change.change.actions.includes('update')) return change;
    const kept: Json = { ...(unsetDefaults(before, after) as Json) };
    for (const attribute of Object.keys(kept)) {
      if (stable(before[attribute]) === stable(kept[attribute])) continue;
      const explain = (reason: string) => {
        kept[attribute] = before[attribute];
        explained.push({ address: change.address, attribute, reason });
      };
      if (computedOnly(schemas, change.type, attribute)) {
        explain('computed by AWS (not a setting)');
        continue;
      }
      const companion = COMPANIONS[change.type]?.[attribute];
      if (!companion) continue;
      const parentValue = after[companion.parentKey];
      const companions = resources.filter((r) => companion.types.includes(r.type) && r.values[companion.key] === parentValue);
      if (companions.length === 0) continue;
      const value = kept[attribute];
      const accounted = companion.items?.(companions, after);
      if (!accounted) explain(`managed by ${companions[0]!.type} (its own refresh shows changes)`);
      else if (Array.isArray(value) && value.every(accounted)) explain(`every item is managed by ${[...new Set(companions.map((c) => c.type))].join(', ')}`);
    }
    const same = stable(kept) === stable(before);
    return { ...change, change: { ...change.change, after: kept, ...(same ? { actions: ['no-op'] } : {}) } };
  });
  return { plan: { ...plan, resource_drift: drift }, explained };
}
