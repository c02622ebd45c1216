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
 */

import { diffApiDocuments, type RouteChange } from './api-document-diff';
import { withoutExpectedDrift, type ExplainedChange, type ResourceSchemas } from './drift-noise';

/** A pull-request comment holds 65,536 characters; this leaves room for the comment's marker. */
export const SUMMARY_LIMIT = 65_000;

// ---------------------------------------------------------------- plan JSON (the parts read here)

export interface PlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  /** Changes made outside Terraform, found by the refresh (the whole content of a refresh-only plan). */
  readonly resource_drift?: readonly ResourceChange[];
  /** Attributes the planned changes depend on (left out when none): drift elsewhere does not affect this plan. */
  readonly relevant_attributes?: readonly { readonly resource: string; readonly attribute: readonly (string | number)[] }[];
  readonly errored?: boolean;
}

export interface ResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode?: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: unknown;
  readonly previous_address?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

// ---------------------------------------------------------------- review rules (data tables)

export interface SecurityRule {
  /** Terraform resource type. */
  readonly type: string;
  /** What the reviewer is told this resource controls. */
  readonly control: string;
  /**
   * Attribute paths (dotted, no indices; a prefix matches everything below it) whose update is
   * security-relevant; `'any'` for every attribute except tags. A create, delete or replace of
   * the type is always security-relevant.
   */
  readonly attributes: readonly string[] | 'any';
}

/** Which changes a security reviewer must see. One line a rule, so a review of this table is a review of the policy. */
export const SECURITY_RULES: readonly SecurityRule[] = [
  // API Gateway: the resource policy is the private API's network lock; authorizers and scopes are its identity lock.
  { type: 'aws_api_gateway_rest_api_policy', control: 'API resource policy', attributes: 'any' },
  { type: 'aws_api_gateway_rest_api', control: 'API endpoint type and policy', attributes: ['policy', 'endpoint_configuration', 'disable_execute_api_endpoint', 'api_key_source'] },
  { type: 'aws_api_gateway_authorizer', control: 'API authorizer', attributes: 'any' },
  // A body change is shown route by route; its scope, authorizer, endpoint and integration-target changes are flagged there.
  { type: 'aws_api_gateway_domain_name', control: 'private custom domain (policy, endpoint type, certificate)', attributes: ['policy', 'endpoint_configuration', 'certificate_arn', 'security_policy'] },
  { type: 'aws_api_gateway_domain_name_access_association', control: 'which VPC endpoint may call the private custom domain', attributes: 'any' },
  { type: 'aws_api_gateway_base_path_mapping', control: 'which API and stage a path reaches', attributes: 'any' },
  { type: 'aws_api_gateway_method', control: 'method authorization and scopes', attributes: ['authorization', 'authorizer_id', 'authorization_scopes', 'api_key_required'] },
  { type: 'aws_api_gateway_method_settings', control: 'API throttling', attributes: ['settings.throttling_rate_limit', 'settings.throttling_burst_limit'] },
  { type: 'aws_api_gateway_stage', control: 'API stage (client certificate, WAF)', attributes: ['client_certificate_id', 'web_acl_arn'] },
  { type: 'aws_lambda_permission', control: 'who may invoke a function', attributes: 'any' },
  // Network controls.
  { type: 'aws_security_group', control: 'security group rules', attributes: ['ingress', 'egress', 'vpc_id'] },
  { type: 'aws_default_security_group', control: 'default security group rules', attributes: ['ingress', 'egress'] },
  { type: 'aws_security_group_rule', control: 'security group rule', attributes: 'any' },
  { type: 'aws_vpc_security_group_ingress_rule', control: 'security group ingress rule', attributes: 'any' },
  { type: 'aws_vpc_security_group_egress_rule', control: 'security group egress rule', attributes: 'any' },
  { type: 'aws_network_acl', control: 'network ACL', attributes: ['ingress', 'egress', 'subnet_ids'] },
  { type: 'aws_network_acl_rule', control: 'network ACL rule', attributes: 'any' },
  { type: 'aws_route', control: 'route (a route to the internet gateway makes a subnet public)', attributes: 'any' },
  { type: 'aws_route_table', control: 'routes (a route to the internet gateway makes a subnet public)', attributes: ['route'] },
  { type: 'aws_subnet', control: 'public IPs on launch', attributes: ['map_public_ip_on_launch'] },
  { type: 'aws_vpc_endpoint', control: 'VPC endpoint (policy, security groups, private DNS)', attributes: ['policy', 'security_group_ids', 'private_dns_enabled', 'subnet_ids', 'service_name', 'vpc_endpoint_type'] },
  { type: 'aws_vpc_endpoint_policy', control: 'VPC endpoint policy', attributes: 'any' },
  // WAF.
  { type: 'aws_wafv2_web_acl', control: 'WAF web ACL', attributes: 'any' },
  { type: 'aws_wafv2_web_acl_logging_configuration', control: 'WAF logging', attributes: 'any' },
  { type: 'aws_wafv2_web_acl_association', control: 'WAF association', attributes: 'any' },
  { type: 'aws_wafv2_rule_group', control: 'WAF rule group', attributes: 'any' },
  { type: 'aws_wafv2_ip_set', control: 'WAF IP set', attributes: 'any' },
  // TLS and the edge.
  { type: 'aws_lb', control: 'load balancer exposure and header handling', attributes: ['internal', 'security_groups', 'subnets', 'drop_invalid_header_fields', 'enable_deletion_protection', 'access_logs'] },
  { type: 'aws_lb_listener', control: 'listener TLS policy and actions', attributes: ['ssl_policy', 'protocol', 'port', 'certificate_arn', 'default_action', 'mutual_authentication'] },
  { type: 'aws_lb_listener_rule', control: 'listener rule (who reaches the targets)', attributes: 'any' },
  { type: 'aws_lb_target_group', control: 'target protocol', attributes: ['protocol', 'port', 'target_type'] },
  { type: 'aws_cloudfront_distribution', control: 'CloudFront (TLS policy, origins, WAF, viewer protocol)', attributes: ['viewer_certificate', 'origin', 'default_cache_behavior.viewer_protocol_policy', 'default_cache_behavior.allowed_methods', 'default_cache_behavior.response_headers_policy_id', 'ordered_cache_behavior', 'web_acl_id', 'logging_config', 'aliases', 'restrictions', 'enabled'] },
  { type: 'aws_cloudfront_vpc_origin', control: 'CloudFront VPC origin (origin protocol and TLS)', attributes: 'any' },
  { type: 'aws_cloudfront_response_headers_policy', control: 'security response headers', attributes: 'any' },
  { type: 'aws_cloudfront_origin_access_control', control: 'CloudFront origin access', attributes: 'any' },
  // Identity.
  { type: 'aws_cognito_user_pool_client', control: 'Cognito app client (flows, scopes, secret, redirect URLs)', attributes: 'any' },
  { type: 'aws_cognito_user_pool', control: 'Cognito user pool settings', attributes: ['password_policy', 'mfa_configuration', 'software_token_mfa_configuration', 'admin_create_user_config', 'deletion_protection', 'account_recovery_setting', 'user_pool_add_ons', 'lambda_config', 'auto_verified_attributes', 'sign_in_policy'] },
  { type: 'aws_cognito_resource_server', control: 'OAuth scopes', attributes: ['scope', 'identifier'] },
  { type: 'aws_cognito_user_pool_domain', control: 'hosted sign-in domain', attributes: 'any' },
  { type: 'aws_cognito_identity_provider', control: 'federated identity provider', attributes: 'any' },
  // Data at rest and access to it.
  { type: 'aws_s3_bucket_policy', control: 'bucket policy', attributes: 'any' },
  { type: 'aws_s3_bucket_public_access_block', control: 'bucket public access block', attributes: 'any' },
  { type: 'aws_s3_account_public_access_block', control: 'account public access block', attributes: 'any' },
  { type: 'aws_s3_bucket_ownership_controls', control: 'bucket ownership (ACLs)', attributes: 'any' },
  { type: 'aws_s3_bucket_acl', control: 'bucket ACL', attributes: 'any' },
  { type: 'aws_s3_bucket_server_side_encryption_configuration', control: 'bucket encryption', attributes: 'any' },
  { type: 'aws_s3_bucket_versioning', control: 'bucket versioning', attributes: 'any' },
  { type: 'aws_s3_bucket', control: 'bucket (inline policy, ACL, encryption)', attributes: ['policy', 'acl', 'grant', 'server_side_encryption_configuration', 'force_destroy', 'object_lock_enabled'] },
  { type: 'aws_kms_key', control: 'KMS key (policy, rotation, deletion)', attributes: 'any' },
  { type: 'aws_kms_key_policy', control: 'KMS key policy', attributes: 'any' },
  { type: 'aws_kms_alias', control: 'KMS alias (which key encrypts)', attributes: ['target_key_id'] },
  { type: 'aws_kms_grant', control: 'KMS grant', attributes: 'any' },
  { type: 'aws_secretsmanager_secret', control: 'secret (policy, key, recovery)', attributes: ['policy', 'kms_key_id', 'recovery_window_in_days'] },
  { type: 'aws_secretsmanager_secret_policy', control: 'secret policy', attributes: 'any' },
  { type: 'aws_cloudwatch_log_group', control: 'log retention and encryption', attributes: ['retention_in_days', 'kms_key_id'] },
  // IAM.
  { type: 'aws_iam_role', control: 'IAM role (trust and permissions)', attributes: ['assume_role_policy', 'inline_policy', 'managed_policy_arns', 'permissions_boundary'] },
  { type: 'aws_iam_role_policy', control: 'IAM role policy', attributes: 'any' },
  { type: 'aws_iam_role_policy_attachment', control: 'IAM policy attachment', attributes: 'any' },
  { type: 'aws_iam_role_policies_exclusive', control: 'IAM role policies', attributes: 'any' },
  { type: 'aws_iam_policy', control: 'IAM policy', attributes: ['policy'] },
  { type: 'aws_iam_policy_attachment', control: 'IAM policy attachment', attributes: 'any' },
  { type: 'aws_iam_user', control: 'IAM user', attributes: 'any' },
  { type: 'aws_iam_access_key', control: 'IAM access key', attributes: 'any' },
  { type: 'aws_iam_openid_connect_provider', control: 'OIDC identity provider (CI trust)', attributes: 'any' },
  { type: 'aws_api_gateway_account', control: 'API Gateway logging role', attributes: 'any' },
];

/** Resources whose destruction loses state or identity that cannot be recreated. */
export const PROTECTED_TYPES: Readonly<Record<string, string>> = {
  aws_cognito_user_pool: 'user pool: its users and their passwords are lost',
  aws_s3_bucket: 'bucket: its objects are lost',
  aws_kms_key: 'KMS key: whatever it encrypted becomes unreadable',
  aws_cloudwatch_log_group: 'log group: its logs are lost',
  aws_secretsmanager_secret: 'secret: its value is lost',
  aws_route53_zone: 'hosted zone: a new zone gets new name servers, breaking the delegation',
  aws_dynamodb_table: 'table: its items are lost',
};

/**
 * String values never printed even when Terraform does not mark them sensitive: by attribute name
 * (any path segment), or by place (CloudFront's custom origin headers and ALB header conditions
 * carry the origin-verify secret). Booleans and numbers under these names (`generate_secret`) are shown.
 */
export const REDACTED_SEGMENT = /^([a-z0-9_]*_)?(secret|secret_string|secret_binary|password|passphrase|private_key|api_key|key_material)(_wo)?$/i;
export const REDACTED_PATHS: readonly RegExp[] = [/(^|\.)custom_header\[\d+\]\.value$/, /(^|\.)http_header\[\d+\]\.values(\[\d+\])?$/];

// ---------------------------------------------------------------- the model

export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read' | 'forget';

export interface AttributeChange {
  /** `ingress[0].cidr_blocks[1]`; inside a JSON document attribute: `policy.Statement[0].Effect`. */
  readonly path: string;
  /** Rendered values; absent when sensitive. */
  readonly before?: string;
  readonly after?: string;
  readonly sensitive: boolean;
  /** The new value is only known after apply. */
  readonly unknown: boolean;
  /** A route (or document-level item) of a REST API's OpenAPI document, instead of an attribute. */
  readonly route?: RouteChange['kind'];
}

export interface ResourceEntry {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** The construct path without the stack (`network/vpc`), or a note when the resource is not in the configuration. */
  readonly constructPath: string;
  /** Group of the module tables: the construct path's first part (`network`), or `(stack)`. */
  readonly module: string;
  readonly changes: readonly AttributeChange[];
  /** For replacements: the attribute paths that force it, or Terraform's reason. */
  readonly replaceReasons: readonly string[];
  /** Why the change is security-relevant (empty when it is not). */
  readonly security: readonly string[];
  /** Why destroying this resource loses something (undefined when nothing). */
  readonly protectedReason?: string;
}

export interface Totals {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly noOp: number;
  readonly forget: number;
}

export interface Verdict {
  readonly ok: boolean;
  /** Protected resources the plan destroys or replaces. */
  readonly protectedDestroys: readonly ResourceEntry[];
  /** Why the plan is refused, or why it passes despite protected destroys. */
  readonly message: string;
}

export interface SummaryOptions {
  readonly environment: string;
  /** The synthesized stack (cdk.tf.json): construct paths and `lifecycle.prevent_destroy`. */
  readonly stackJson?: Record<string, any>;
  /** The environment's protections: with `preventDestroy` (always in prod), destroying a protected resource is refused. */
  readonly protections?: { readonly preventDestroy: boolean };
  /** `--allow-destroy`: the reviewer has accepted the destroys. */
  readonly allowDestroy?: boolean;
  /** The state bucket's name: its destruction is always protected. */
  readonly stateBucket?: string;
  /** @default SUMMARY_LIMIT */
  readonly maxChars?: number;
  /** @default 20 - attribute changes listed per resource before "and N more" */
  readonly maxAttributesPerResource?: number;
}

export interface PlanSummary {
  readonly markdown: string;
  readonly totals: Totals;
  /** Every managed resource with a change (no-ops and reads left out). */
  readonly entries: readonly ResourceEntry[];
  /** Resources changed outside Terraform (the refresh found them). */
  readonly drift: readonly ResourceEntry[];
  readonly verdict: Verdict;
  /** True when the plan changes something (the -detailed-exitcode 2 case). */
  readonly hasChanges: boolean;
  /** Items left out to stay under the limit (0 when nothing was cut). */
  readonly cut: number;
}

// ---------------------------------------------------------------- classification

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

function securityReasons(type: string, kind: ChangeKind, changes: readonly AttributeChange[], replacePaths: readonly string[]): string[] {
  const rules = SECURITY_RULES.filter((r) => r.type === type);
  if (rules.length === 0) return [];
  if (kind === 'create' || kind === 'delete' || kind === 'replace') return rules.map((r) => r.control);
  if (kind !== 'update') return [];
  const paths = [...changes.map((c) => c.path), ...replacePaths].map(normalizePath).filter((p) => !/^tags(_all)?(\.|$)/.test(p));
  return rules
    .filter((r) => paths.some((p) => r.attributes === 'any' || r.attributes.some((a) => p === a || p.startsWith(`${a}.`))))
    .map((r) => r.control);
}

/** `ingress[0].cidr_blocks[1]` -> `ingress.cidr_blocks`: rules name attributes, not positions. */
function normalizePath(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

function entryOf(change: ResourceChange, options: SummaryOptions): ResourceEntry {
  const kind = changeKind(change.change.actions);
  const { constructPath, module } = locate(options.stackJson, change);
  let changes = kind === 'update' || kind === 'replace' ? diffAttributes(change.change) : [];
  const replacePaths = (change.change.replace_paths ?? []).map(formatPath);
  const replaceReasons = kind === 'replace' ? (replacePaths.length > 0 ? replacePaths : [describeReason(change.action_reason)]) : [];
  const destructive = kind === 'delete' || kind === 'replace';
  const security = securityReasons(change.type, kind, changes, replacePaths);
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

/** Refuses destroying or replacing protected resources where the environment prevents destroys (always in prod), unless allowed. */
export function decideOutcome(entries: readonly ResourceEntry[], options: Pick<SummaryOptions, 'environment' | 'protections' | 'allowDestroy'>): Verdict {
  const protectedDestroys = entries.filter((e) => (e.kind === 'delete' || e.kind === 'replace') && e.protectedReason !== undefined);
  const guarded = options.environment === 'prod' || options.protections?.preventDestroy === true;
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

// ---------------------------------------------------------------- attribute diff

type Path = (string | number)[];

function formatPath(path: readonly (string | number)[]): string {
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

// ---------------------------------------------------------------- Markdown

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
