/**
 * Rules for the edge (CloudFront -> VPC origin -> internal ALB -> execute-api
 * endpoint), checked on a synthesized environment stack (`cdk.tf.json`):
 *
 * - `albProblems`: the ALB is internal, drops invalid headers, and only
 *   listens on HTTPS with a TLS 1.2+ policy and a fixed-response default.
 * - `albIngressProblems`: its only ingress is HTTPS from CloudFront's
 *   origin-facing managed prefix list; its only egress HTTPS to the endpoint.
 * - `originProblems`: every origin of the distribution is a VPC origin (no
 *   custom or S3 origin), whose endpoint is the internal ALB over HTTPS/TLS 1.2.
 * - `viewerProblems`: viewers get HTTPS only, TLS 1.2+ with an ACM certificate.
 * - `apiBehaviourProblems`: every API path has caching disabled, all methods,
 *   and an origin request policy that forwards Authorization untouched.
 * - `wafProblems`: a CLOUDFRONT-scope web ACL in us-east-1 with a blocking
 *   rate-based rule and the AWS managed groups is attached, and logs without
 *   the Authorization header.
 * - `apiRoutingProblems`: each API is reached by a documented mechanism:
 *   CloudFront's path `/<api>` -> the origin host (Host) -> the ALB rule for
 *   that host and path -> the private custom domain name of that host -> the
 *   base path mapping `<api>` -> the API's stage; no `x-apigw-api-id`.
 * - `corsProblems`: every API answer carries CORS headers for the API's allowed
 *   origins only, from CloudFront's response headers policy (the one owner).
 * - `targetProblems`: IP targets over HTTPS, one per endpoint interface (count).
 *
 * Each problem names the resource, what was found and what is expected. Used by
 * the unit tests and meant for `npm run verify`.
 */

import { parseOpenApiBody } from '@private-api-platform/constructs/private-api/openapi';

type Json = Record<string, any>;

export const CLOUDFRONT_ORIGIN_FACING = 'com.amazonaws.global.cloudfront.origin-facing';
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
/**
 * Origin request policies that forward every viewer header (Authorization included) and let CloudFront send the
 * origin's name as Host: Managed-AllViewer would forward the viewer's Host, which no private custom domain answers.
 */
export const FORWARD_ALL_VIEWER_HEADERS_POLICY_IDS: Readonly<Record<string, string>> = {
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': 'Managed-AllViewerExceptHostHeader',
};
export const VIEWER_TLS_POLICIES = ['TLSv1.2_2018', 'TLSv1.2_2019', 'TLSv1.2_2021', 'TLSv1.2_2025', 'TLSv1.3_2025'];
/** ALB policies that refuse TLS 1.0 and 1.1. */
export const ALB_TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/;
/** AWS documents this header only together with the endpoint's own host name: nothing may rely on it here. */
export const API_ID_HEADER = 'x-apigw-api-id';
export const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
export const REQUIRED_MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList'];

export interface EdgeExpectations {
  /**
   * Managed rules the environment lets count instead of block (`edge.wafRuleOverrides`).
   * @default - none: any rule_action_override fails
   */
  readonly wafRuleOverrides?: readonly { readonly ruleGroup: string; readonly rule: string }[];
  /**
   * The environment's region: when it is not us-east-1, the web ACL must use a provider aliased to us-east-1.
   * @default - the region of the stack's default aws provider
   */
  readonly region?: string;
}

const asArray = (v: unknown): any[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
const entries = (json: Json, type: string): [string, Json][] => Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>);
const dataEntries = (json: Json, type: string): [string, Json][] => Object.entries((json.data?.[type] ?? {}) as Record<string, Json>);
/** `${aws_x.name.attr}` -> `aws_x.name` (also inside longer expressions); undefined when not a reference. */
const refOf = (value: unknown, type: string, attr: string): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const match = new RegExp(`\\$\\{(${type.replace(/\./g, '\\.')}\\.[\\w-]+)\\.${attr}\\}`).exec(value);
  return match?.[1];
};
const named = (address: string) => address.split('.').slice(-1)[0]!;

/** The distributions of the stack (the edge has exactly one). */
function distributions(json: Json, problems: string[]): [string, Json][] {
  const found = entries(json, 'aws_cloudfront_distribution');
  if (found.length !== 1) problems.push(`aws_cloudfront_distribution: found ${found.length}; expected exactly 1 (the API edge)`);
  return found;
}

/** The base paths the stack maps on its private custom domain names: the APIs' names. */
function basePaths(json: Json): string[] {
  return entries(json, 'aws_api_gateway_base_path_mapping').map(([, m]) => String(m.base_path ?? ''));
}

/** The behaviours that serve an API: `/<base path>` and `/<base path>/*`. */
function apiBehaviours(json: Json, distribution: Json): Json[] {
  const paths = new Set(basePaths(json).flatMap((p) => [`/${p}`, `/${p}/*`]));
  return asArray(distribution.ordered_cache_behavior).filter((b) => paths.has(b.path_pattern));
}

/** The private custom domain names of the stack, by domain name. */
function privateDomainNames(json: Json): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, domain] of entries(json, 'aws_api_gateway_domain_name')) {
    if (asArray(asArray(domain.endpoint_configuration)[0]?.types).includes('PRIVATE')) names.set(String(domain.domain_name), `aws_api_gateway_domain_name.${name}`);
  }
  return names;
}

function behaviours(distribution: Json): Json[] {
  return [...asArray(distribution.ordered_cache_behavior), ...asArray(distribution.default_cache_behavior).map((b) => ({ ...b, path_pattern: '(default)' }))];
}

/** The internal ALB: internal, drops invalid header fields, HTTPS listeners only with TLS 1.2+, fixed-response default. */
export function albProblems(json: Json): string[] {
  const problems: string[] = [];
  const lbs = [...entries(json, 'aws_lb'), ...entries(json, 'aws_alb')];
  if (lbs.length !== 1) return [`aws_lb: found ${lbs.length}; expected exactly 1 (the edge ALB)`];
  const [name, lb] = lbs[0]!;
  const addr = `aws_lb.${name}`;
  if (lb.internal !== true) problems.push(`${addr}: internal is ${show(lb.internal)}; expected true (only CloudFront's VPC origin may reach it)`);
  if ((lb.load_balancer_type ?? 'application') !== 'application') problems.push(`${addr}: load_balancer_type is ${show(lb.load_balancer_type)}; expected "application"`);
  if (lb.drop_invalid_header_fields !== true) problems.push(`${addr}: drop_invalid_header_fields is ${show(lb.drop_invalid_header_fields)}; expected true`);
  // Access logs: rule 9 of `npm run verify` (accessLogProblems in rules/access.ts) owns them.

  const listeners = [...entries(json, 'aws_lb_listener'), ...entries(json, 'aws_alb_listener')].filter(([, l]) => refOf(l.load_balancer_arn, 'aws_lb', 'arn') === addr);
  if (listeners.length === 0) problems.push(`${addr}: no aws_lb_listener; expected one HTTPS listener on 443`);
  for (const [lname, listener] of listeners) {
    const laddr = `aws_lb_listener.${lname}`;
    if (listener.protocol !== 'HTTPS') problems.push(`${laddr}: protocol is ${show(listener.protocol)}; expected "HTTPS" (TLS on every hop)`);
    if (!ALB_TLS12_POLICY.test(String(listener.ssl_policy ?? ''))) {
      problems.push(`${laddr}: ssl_policy is ${show(listener.ssl_policy)}; expected a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06`);
    }
    const defaults = asArray(listener.default_action);
    if (defaults.length !== 1 || defaults[0].type !== 'fixed-response' || !['403', '404'].includes(String(asArray(defaults[0].fixed_response)[0]?.status_code))) {
      problems.push(`${laddr}: default_action is ${show(defaults)}; expected a fixed-response 404 or 403 (forward only what belongs to an API)`);
    }
  }
  const domains = privateDomainNames(json);
  for (const [rname, rule] of entries(json, 'aws_lb_listener_rule')) {
    const forwards = asArray(rule.action).some((a) => a.type === 'forward');
    const hosts = asArray(rule.condition).flatMap((c) => asArray(asArray(c.host_header)[0]?.values));
    const hasPath = asArray(rule.condition).some((c) => asArray(c.path_pattern).length > 0);
    if (forwards && (!hasPath || hosts.length === 0 || hosts.some((h) => !domains.has(h)))) {
      problems.push(
        `aws_lb_listener_rule.${rname}: forwards with path pattern ${hasPath ? 'set' : 'missing'} and host header ${show(hosts)}; ` +
          `expected a path pattern and the host of a private custom domain name of this stack (${show([...domains.keys()])}): forward only what belongs to an API`,
      );
    }
  }
  return problems;
}

/** The ALB's security groups admit HTTPS from CloudFront's origin-facing prefix list only, and reach the endpoint only. */
export function albIngressProblems(json: Json): string[] {
  const problems: string[] = [];
  const lbs = [...entries(json, 'aws_lb'), ...entries(json, 'aws_alb')];
  if (lbs.length !== 1) return [`aws_lb: found ${lbs.length}; expected exactly 1 (the edge ALB)`];
  const groups = asArray(lbs[0]![1].security_groups).map((g) => refOf(g, 'aws_security_group', 'id'));
  if (groups.length === 0 || groups.some((g) => g === undefined)) {
    return [`aws_lb.${lbs[0]![0]}: security_groups is ${show(lbs[0]![1].security_groups)}; expected security groups of this stack`];
  }
  const prefixLists = new Map(dataEntries(json, 'aws_ec2_managed_prefix_list').map(([n, d]) => [`data.aws_ec2_managed_prefix_list.${n}`, d]));
  for (const group of groups as string[]) {
    const sg = json.resource.aws_security_group?.[named(group)];
    if (!sg) {
      problems.push(`${group}: not in the stack; expected the ALB's own security group`);
      continue;
    }
    if (asArray(sg.ingress).length > 0) problems.push(`${group}: has inline ingress ${show(sg.ingress)}; expected none (rules are separate resources)`);
    if (asArray(sg.egress).some((e) => (e.cidr_blocks ?? []).length > 0 || (e.ipv6_cidr_blocks ?? []).length > 0)) {
      problems.push(`${group}: has inline egress to CIDR blocks ${show(sg.egress)}; expected egress to the endpoint's group only`);
    }
    for (const [rname, rule] of entries(json, 'aws_security_group_rule')) {
      if (refOf(rule.security_group_id, 'aws_security_group', 'id') === group) {
        problems.push(`aws_security_group_rule.${rname}: a ${rule.type} rule on ${group}; expected only aws_vpc_security_group_*_rule resources reviewed by this check`);
      }
    }
    const ingress = entries(json, 'aws_vpc_security_group_ingress_rule').filter(([, r]) => refOf(r.security_group_id, 'aws_security_group', 'id') === group);
    if (ingress.length === 0) problems.push(`${group}: no ingress rule; expected HTTPS from the ${CLOUDFRONT_ORIGIN_FACING} prefix list`);
    for (const [rname, rule] of ingress) {
      const raddr = `aws_vpc_security_group_ingress_rule.${rname}`;
      const list = typeof rule.prefix_list_id === 'string' ? /\$\{(data\.aws_ec2_managed_prefix_list\.[\w-]+)\.id\}/.exec(rule.prefix_list_id)?.[1] : undefined;
      const listName = list ? prefixLists.get(list)?.name : undefined;
      if (listName !== CLOUDFRONT_ORIGIN_FACING || rule.cidr_ipv4 || rule.cidr_ipv6 || rule.referenced_security_group_id) {
        problems.push(`${raddr}: admits ${show(rule.cidr_ipv4 ?? rule.cidr_ipv6 ?? rule.referenced_security_group_id ?? listName ?? rule.prefix_list_id)}; expected only the ${CLOUDFRONT_ORIGIN_FACING} prefix list`);
      }
      if (rule.ip_protocol !== 'tcp' || rule.from_port !== 443 || rule.to_port !== 443) {
        problems.push(`${raddr}: admits ${show(rule.ip_protocol)} ${show(rule.from_port)}-${show(rule.to_port)}; expected tcp 443 only`);
      }
    }
    for (const [rname, rule] of entries(json, 'aws_vpc_security_group_egress_rule').filter(([, r]) => refOf(r.security_group_id, 'aws_security_group', 'id') === group)) {
      if (!refOf(rule.referenced_security_group_id, 'aws_security_group', 'id') || rule.from_port !== 443 || rule.to_port !== 443 || rule.ip_protocol !== 'tcp') {
        problems.push(`aws_vpc_security_group_egress_rule.${rname}: allows ${show(rule.cidr_ipv4 ?? rule.referenced_security_group_id)} ${show(rule.ip_protocol)} ${show(rule.from_port)}-${show(rule.to_port)}; expected tcp 443 to the execute-api endpoint's group only`);
      }
    }
  }
  return problems;
}

/** Every origin is a VPC origin to the internal ALB, over HTTPS with TLS 1.2. */
export function originProblems(json: Json): string[] {
  const problems: string[] = [];
  const vpcOrigins = new Map(entries(json, 'aws_cloudfront_vpc_origin').map(([n, o]) => [`aws_cloudfront_vpc_origin.${n}`, o]));
  const checked = new Set<string>();
  for (const [dname, distribution] of distributions(json, problems)) {
    const origins = asArray(distribution.origin);
    if (origins.length === 0) problems.push(`aws_cloudfront_distribution.${dname}: no origin; expected one VPC origin per API`);
    for (const origin of origins) {
      const where = `aws_cloudfront_distribution.${dname} origin "${origin.origin_id}"`;
      if (origin.custom_origin_config || origin.s3_origin_config) {
        problems.push(`${where}: has ${origin.custom_origin_config ? 'custom_origin_config' : 's3_origin_config'}; expected vpc_origin_config only (no public way to the origin)`);
      }
      const ref = refOf(asArray(origin.vpc_origin_config)[0]?.vpc_origin_id, 'aws_cloudfront_vpc_origin', 'id');
      const vpcOrigin = ref ? vpcOrigins.get(ref) : undefined;
      if (!ref || !vpcOrigin) {
        problems.push(`${where}: vpc_origin_config is ${show(origin.vpc_origin_config)}; expected the id of an aws_cloudfront_vpc_origin of this stack`);
        continue;
      }
      if (checked.has(ref)) continue;
      checked.add(ref);
      const endpoint = asArray(vpcOrigin.vpc_origin_endpoint_config)[0] ?? {};
      if (!refOf(endpoint.arn, 'aws_lb', 'arn')) problems.push(`${ref}: endpoint arn is ${show(endpoint.arn)}; expected the edge ALB's arn`);
      if (endpoint.origin_protocol_policy !== 'https-only') problems.push(`${ref}: origin_protocol_policy is ${show(endpoint.origin_protocol_policy)}; expected "https-only"`);
      const protocols = asArray(asArray(endpoint.origin_ssl_protocols)[0]?.items);
      if (protocols.length === 0 || protocols.some((p) => p !== 'TLSv1.2')) problems.push(`${ref}: origin_ssl_protocols is ${show(protocols)}; expected ["TLSv1.2"]`);
    }
  }
  return problems;
}

/** Viewers: HTTPS only on every behaviour, an ACM certificate with SNI and TLS 1.2+. */
export function viewerProblems(json: Json): string[] {
  const problems: string[] = [];
  for (const [dname, distribution] of distributions(json, problems)) {
    const addr = `aws_cloudfront_distribution.${dname}`;
    const cert = asArray(distribution.viewer_certificate)[0] ?? {};
    if (cert.cloudfront_default_certificate === true || !cert.acm_certificate_arn) {
      problems.push(`${addr}: viewer_certificate is ${show(cert)}; expected an ACM certificate for the aliases`);
    }
    if (cert.ssl_support_method !== 'sni-only') problems.push(`${addr}: ssl_support_method is ${show(cert.ssl_support_method)}; expected "sni-only"`);
    if (!VIEWER_TLS_POLICIES.includes(cert.minimum_protocol_version)) {
      problems.push(`${addr}: minimum_protocol_version is ${show(cert.minimum_protocol_version)}; expected TLSv1.2_2021 or newer (${VIEWER_TLS_POLICIES.join(', ')})`);
    }
    for (const behaviour of behaviours(distribution)) {
      if (!['https-only', 'redirect-to-https'].includes(behaviour.viewer_protocol_policy)) {
        problems.push(`${addr} behaviour ${behaviour.path_pattern}: viewer_protocol_policy is ${show(behaviour.viewer_protocol_policy)}; expected "https-only" or "redirect-to-https"`);
      }
    }
  }
  return problems;
}

/** API paths: caching disabled, all 7 methods, every viewer header (Authorization) forwarded and nothing stripping it. */
export function apiBehaviourProblems(json: Json): string[] {
  const problems: string[] = [];
  for (const [dname, distribution] of distributions(json, problems)) {
    const addr = `aws_cloudfront_distribution.${dname}`;
    const behaviours = apiBehaviours(json, distribution);
    if (behaviours.length === 0) problems.push(`${addr}: no ordered_cache_behavior for an API; expected /<api> and /<api>/* for each API`);
    for (const b of behaviours) {
      const where = `${addr} behaviour ${b.path_pattern}`;
      if (b.cache_policy_id !== CACHING_DISABLED_POLICY_ID) problems.push(`${where}: cache_policy_id is ${show(b.cache_policy_id)}; expected Managed-CachingDisabled (${CACHING_DISABLED_POLICY_ID})`);
      if (b.forwarded_values || b.min_ttl || b.default_ttl || b.max_ttl) problems.push(`${where}: uses legacy forwarded_values/TTLs; expected the cache and origin request policies only`);
      if (!FORWARD_ALL_VIEWER_HEADERS_POLICY_IDS[b.origin_request_policy_id]) {
        problems.push(`${where}: origin_request_policy_id is ${show(b.origin_request_policy_id)}; expected Managed-AllViewerExceptHostHeader so Authorization reaches the API and Host names the private custom domain`);
      }
      if (asArray(b.function_association).length > 0 || asArray(b.lambda_function_association).length > 0) {
        problems.push(`${where}: has an edge function; expected none on API paths (it could rewrite or drop Authorization)`);
      }
      const methods = [...asArray(b.allowed_methods)].sort();
      if (JSON.stringify(methods) !== JSON.stringify(ALL_METHODS)) problems.push(`${where}: allowed_methods is ${show(methods)}; expected all 7 (${ALL_METHODS.join(', ')})`);
    }
    for (const origin of asArray(distribution.origin)) {
      if (asArray(origin.custom_header).some((h) => String(h.name).toLowerCase() === 'authorization')) {
        problems.push(`${addr} origin "${origin.origin_id}": sets an Authorization custom header; expected the viewer's Authorization to reach the API`);
      }
    }
  }
  return problems;
}

/** WAF: a CLOUDFRONT web ACL in us-east-1 with a blocking rate-based rule and the managed groups, attached and logged. */
export function wafProblems(json: Json, expect: EdgeExpectations = {}): string[] {
  const problems: string[] = [];
  const providers = asArray(json.provider?.aws);
  const region = expect.region ?? providers.find((p) => !p.alias)?.region;
  for (const [dname, distribution] of distributions(json, problems)) {
    const addr = `aws_cloudfront_distribution.${dname}`;
    const ref = refOf(distribution.web_acl_id, 'aws_wafv2_web_acl', 'arn');
    const acl = ref ? json.resource.aws_wafv2_web_acl?.[named(ref)] : undefined;
    if (!acl) {
      problems.push(`${addr}: web_acl_id is ${show(distribution.web_acl_id)}; expected the arn of an aws_wafv2_web_acl of this stack`);
      continue;
    }
    if (acl.scope !== 'CLOUDFRONT') problems.push(`${ref}: scope is ${show(acl.scope)}; expected "CLOUDFRONT"`);
    const aliasName = typeof acl.provider === 'string' ? acl.provider.replace(/^aws\.?/, '') : '';
    const provider = aliasName ? providers.find((p) => p.alias === aliasName) : providers.find((p) => !p.alias);
    if (provider?.region !== 'us-east-1' && !(region === 'us-east-1' && !aliasName)) {
      problems.push(`${ref}: provider is ${show(acl.provider ?? 'aws')} (region ${show(provider?.region)}); expected the us-east-1 provider (CLOUDFRONT scope)`);
    }
    const rules = asArray(acl.rule);
    const rateRules = rules.filter((r) => asArray(r.statement?.rate_based_statement).length > 0);
    if (rateRules.length === 0) problems.push(`${ref}: no rate-based rule; expected one that blocks an IP above the environment's limit`);
    for (const rule of rateRules) {
      const statement = asArray(rule.statement.rate_based_statement)[0];
      if (!asArray(rule.action)[0]?.block) problems.push(`${ref} rule ${rule.name}: action is ${show(rule.action)}; expected block`);
      if (!(statement.limit > 0) || (statement.aggregate_key_type ?? 'IP') !== 'IP') {
        problems.push(`${ref} rule ${rule.name}: rate_based_statement is ${show(statement)}; expected a positive limit per IP`);
      }
    }
    const managed = rules.map((r) => asArray(r.statement?.managed_rule_group_statement)[0]).filter(Boolean);
    for (const group of REQUIRED_MANAGED_RULE_GROUPS) {
      const found = rules.find((r) => asArray(r.statement?.managed_rule_group_statement)[0]?.name === group);
      if (!found) problems.push(`${ref}: no ${group} rule; expected the AWS managed groups ${REQUIRED_MANAGED_RULE_GROUPS.join(', ')}`);
      else if (asArray(found.override_action)[0]?.count) problems.push(`${ref} rule ${group}: override_action is count; expected none (the group's own block actions)`);
      // Single rules may count only where the environment says so, and only count (never allow).
      const statement = found ? asArray(found.statement?.managed_rule_group_statement)[0] : undefined;
      for (const override of asArray(statement?.rule_action_override)) {
        const allowed = (expect.wafRuleOverrides ?? []).some((o) => o.ruleGroup === group && o.rule === override.name);
        const action = Object.keys(asArray(override.action_to_use)[0] ?? {});
        if (!allowed || action.length !== 1 || action[0] !== 'count') {
          problems.push(`${ref} rule ${group}: overrides ${override.name} to ${show(action)}; expected only the rules edge.wafRuleOverrides lets count (${show((expect.wafRuleOverrides ?? []).map((o) => `${o.ruleGroup}/${o.rule}`))})`);
        }
      }
    }
    if (managed.some((m) => m.vendor_name !== 'AWS')) problems.push(`${ref}: a managed rule group with vendor ${show(managed.map((m) => m.vendor_name))}; expected "AWS"`);
    const logging = entries(json, 'aws_wafv2_web_acl_logging_configuration').filter(([, l]) => refOf(l.resource_arn, 'aws_wafv2_web_acl', 'arn') === ref);
    if (logging.length !== 1) problems.push(`${ref}: ${logging.length} logging configurations; expected 1`);
    for (const [, l] of logging) {
      const redacted = asArray(l.redacted_fields).some((f) => String(asArray(f.single_header)[0]?.name ?? '').toLowerCase() === 'authorization');
      if (!redacted) problems.push(`${ref} logging: redacted_fields is ${show(l.redacted_fields)}; expected the authorization header redacted`);
    }
  }
  return problems;
}

/**
 * Each API is selected by a documented mechanism: CloudFront sends `/<api>/...` to an origin whose name is a private
 * custom domain name of this stack (CloudFront sends the origin's name as Host), without an origin path; the ALB rule
 * for that path requires that host; the domain maps base path `<api>` to a stage of that API. No origin relies on
 * `x-apigw-api-id`, which AWS documents only with the endpoint's own host name
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-api-test-invoke-url.html).
 */
export function apiRoutingProblems(json: Json): string[] {
  const problems: string[] = [];
  const domains = privateDomainNames(json);
  const stages = json.resource?.aws_api_gateway_stage ?? {};
  const restApis = new Set(entries(json, 'aws_api_gateway_rest_api').map(([n]) => `aws_api_gateway_rest_api.${n}`));
  const rules = entries(json, 'aws_lb_listener_rule');
  const mappings = entries(json, 'aws_api_gateway_base_path_mapping');
  const mapped = new Map<string, string>();
  for (const [mname, mapping] of mappings) {
    const where = `aws_api_gateway_base_path_mapping.${mname}`;
    const domain = refOf(mapping.domain_name, 'aws_api_gateway_domain_name', 'domain_name');
    if (!domain || ![...domains.values()].includes(domain) || refOf(mapping.domain_name_id, 'aws_api_gateway_domain_name', 'domain_name_id') !== domain) {
      problems.push(`${where}: domain ${show(mapping.domain_name)} (id ${show(mapping.domain_name_id)}); expected a private custom domain name of this stack, by name and id`);
    }
    const api = refOf(mapping.api_id, 'aws_api_gateway_rest_api', 'id');
    const stage = refOf(mapping.stage_name, 'aws_api_gateway_stage', 'stage_name');
    if (!api || !restApis.has(api)) problems.push(`${where}: api_id is ${show(mapping.api_id)}; expected a REST API of this stack`);
    else if (!stage || refOf(stages[named(stage)]?.rest_api_id, 'aws_api_gateway_rest_api', 'id') !== api) {
      problems.push(`${where}: stage_name is ${show(mapping.stage_name)}; expected a stage of ${api}`);
    }
    if (api) {
      if (mapped.has(api)) problems.push(`${where}: maps ${api} a second time (also at /${mapped.get(api)}); expected one base path per API`);
      mapped.set(api, String(mapping.base_path));
    }
  }
  for (const api of restApis) if (!mapped.has(api)) problems.push(`${api}: no base path mapping; expected one on the private custom domain name (nothing else can reach it)`);

  for (const [dname, distribution] of distributions(json, problems)) {
    const addr = `aws_cloudfront_distribution.${dname}`;
    const origins = new Map(asArray(distribution.origin).map((o) => [o.origin_id, o]));
    for (const origin of origins.values()) {
      if (asArray(origin.custom_header).some((h) => String(h.name).toLowerCase() === API_ID_HEADER)) {
        problems.push(`${addr} origin "${origin.origin_id}": sends ${API_ID_HEADER}; expected the private custom domain name to select the API (AWS documents the header only with the endpoint's own host name)`);
      }
    }
    const behaviours = asArray(distribution.ordered_cache_behavior);
    for (const [, mapping] of mappings) {
      const basePath = String(mapping.base_path);
      for (const pattern of [`/${basePath}`, `/${basePath}/*`]) {
        const behaviour = behaviours.find((b) => b.path_pattern === pattern);
        if (!behaviour) {
          problems.push(`${addr}: no behaviour ${pattern}; expected /${basePath} and /${basePath}/* for the API mapped at ${basePath}`);
          continue;
        }
        const origin = origins.get(behaviour.target_origin_id);
        const where = `${addr} behaviour ${pattern}`;
        if (!origin) {
          problems.push(`${where}: targets origin "${behaviour.target_origin_id}", which does not exist`);
          continue;
        }
        if (!domains.has(String(origin.domain_name))) {
          problems.push(`${where}: origin "${origin.origin_id}" is ${show(origin.domain_name)}; expected a private custom domain name of this stack (${show([...domains.keys()])}): CloudFront sends it as Host, which selects the APIs`);
        }
        if (origin.origin_path) problems.push(`${where}: origin "${origin.origin_id}" has origin_path ${show(origin.origin_path)}; expected none (the base path mapping selects the stage)`);
      }
      const rule = rules.find(([, r]) => asArray(r.condition).some((c) => asArray(asArray(c.path_pattern)[0]?.values).includes(`/${basePath}/*`)));
      const hosts = rule ? asArray(rule[1].condition).flatMap((c) => asArray(asArray(c.host_header)[0]?.values)) : [];
      if (!rule || hosts.length === 0 || !hosts.every((h) => domains.has(h))) {
        problems.push(`${addr}: the ALB rule for /${basePath} requires host ${show(hosts)}; expected the private custom domain name's host`);
      }
    }
  }
  return problems;
}

/** The CORS headers an origin must not set itself: CloudFront's response headers policy decides them. */
const CORS_HEADER = /^access-control-/i;

/**
 * CORS on every answer, for allowed origins only: every API behaviour has a response headers policy whose CORS
 * origins are exactly the API's (none when the API allows none), which overrides and first removes whatever the
 * origin sends; `*` only in the emulator environment; no credentials. The API itself sets no CORS header (its
 * gateway responses and mock answers), so there is one owner.
 * CloudFront applies the policy to every answer it forwards from the origin, whatever its status
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/modifying-response-headers.html).
 */
export function corsProblems(json: Json, expect: { readonly allowOrigins: Readonly<Record<string, readonly string[]>>; readonly emulator: boolean }): string[] {
  const problems: string[] = [];
  const policies = new Map(entries(json, 'aws_cloudfront_response_headers_policy').map(([n, p]) => [`aws_cloudfront_response_headers_policy.${n}`, p]));
  for (const [dname, distribution] of distributions(json, problems)) {
    const addr = `aws_cloudfront_distribution.${dname}`;
    const all = [...asArray(distribution.ordered_cache_behavior), ...asArray(distribution.default_cache_behavior).map((b) => ({ ...b, path_pattern: '(default)' }))];
    for (const behaviour of all) {
      const where = `${addr} behaviour ${behaviour.path_pattern}`;
      const apiName = /^\/([^/*]+)(\/\*)?$/.exec(String(behaviour.path_pattern))?.[1];
      const expected = apiName !== undefined ? [...(expect.allowOrigins[apiName] ?? [])].sort() : [];
      const ref = refOf(behaviour.response_headers_policy_id, 'aws_cloudfront_response_headers_policy', 'id');
      const policy = ref ? policies.get(ref) : undefined;
      if (!policy) {
        problems.push(`${where}: response_headers_policy_id is ${show(behaviour.response_headers_policy_id)}; expected a response headers policy of this stack (CORS and security headers on every answer)`);
        continue;
      }
      const cors = asArray(policy.cors_config)[0] as Json | undefined;
      const origins = [...asArray(asArray(cors?.access_control_allow_origins)[0]?.items)].sort();
      if (JSON.stringify(origins) !== JSON.stringify(expected)) {
        problems.push(`${ref} (${where}): CORS origins ${show(origins)}; expected exactly ${show(expected)} (the API's corsAllowOrigins)`);
      }
      if (cors) {
        if (cors.origin_override !== true) problems.push(`${ref}: cors_config.origin_override is ${show(cors.origin_override)}; expected true (the policy decides CORS, not the backend)`);
        if (cors.access_control_allow_credentials !== false) problems.push(`${ref}: cors_config.access_control_allow_credentials is ${show(cors.access_control_allow_credentials)}; expected false (tokens travel in a header)`);
        if (origins.includes('*') && !expect.emulator) problems.push(`${ref}: CORS allows "*"; expected exact origins outside local`);
        const headers = asArray(asArray(cors.access_control_allow_headers)[0]?.items).map((h: string) => h.toLowerCase());
        if (!headers.includes('authorization')) problems.push(`${ref}: cors_config allows headers ${show(headers)}; expected Authorization (a wildcard never covers it)`);
      }
      const removed = asArray(asArray(policy.remove_headers_config)[0]?.items).map((i: Json) => String(i.header).toLowerCase());
      if (!removed.includes('access-control-allow-origin')) {
        problems.push(`${ref}: remove_headers_config is ${show(removed)}; expected Access-Control-Allow-Origin removed from the origin's answer (only the policy may allow an origin)`);
      }
    }
  }
  for (const [name, api] of entries(json, 'aws_api_gateway_rest_api')) {
    const document = parseOpenApiBody(api.body);
    if (!document) continue;
    const address = `aws_api_gateway_rest_api.${name}`;
    for (const [type, response] of Object.entries<Json>(document['x-amazon-apigateway-gateway-responses'] ?? {})) {
      const set = Object.keys(response?.responseParameters ?? {}).filter((k) => CORS_HEADER.test(k.replace(/^gatewayresponse\.header\./, '')));
      if (set.length > 0) problems.push(`${address}: gateway response ${type} sets ${show(set)}; expected no CORS header from the API (CloudFront's policy owns CORS)`);
    }
    for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
      for (const [method, op] of Object.entries<Json>(item ?? {})) {
        for (const response of Object.values<Json>(op?.['x-amazon-apigateway-integration']?.responses ?? {})) {
          const set = Object.keys(response?.responseParameters ?? {}).filter((k) => CORS_HEADER.test(k.replace(/^method\.response\.header\./, '')));
          if (set.length > 0) problems.push(`${address}: ${method.toUpperCase()} ${path} sets ${show(set)}; expected no CORS header from the API (CloudFront's policy owns CORS)`);
        }
      }
    }
  }
  return problems;
}

/** IP targets over HTTPS, one attachment per endpoint interface via count (ids are unknown at plan time). */
export function targetProblems(json: Json): string[] {
  const problems: string[] = [];
  const groups = entries(json, 'aws_lb_target_group');
  if (groups.length !== 1) return [`aws_lb_target_group: found ${groups.length}; expected exactly 1 (the execute-api endpoint)`];
  const [gname, group] = groups[0]!;
  const gaddr = `aws_lb_target_group.${gname}`;
  if (group.target_type !== 'ip' || group.protocol !== 'HTTPS' || group.port !== 443) {
    problems.push(`${gaddr}: ${show(group.target_type)} ${show(group.protocol)} ${show(group.port)}; expected ip targets, HTTPS, 443`);
  }
  const health = asArray(group.health_check)[0] ?? {};
  if (health.protocol !== 'HTTPS' || health.matcher !== '200,403') problems.push(`${gaddr}: health_check is ${show(health)}; expected HTTPS with matcher "200,403"`);
  const attachments = entries(json, 'aws_lb_target_group_attachment').filter(([, a]) => refOf(a.target_group_arn, 'aws_lb_target_group', 'arn') === gaddr);
  if (attachments.length !== 1) return [...problems, `${gaddr}: ${attachments.length} attachment resources; expected 1 with count = number of endpoint interfaces`];
  const [aname, attachment] = attachments[0]!;
  const interfaceRef = /\$\{data\.aws_network_interface\.([\w-]+)\[count\.index\]\.private_ip\}/.exec(String(attachment.target_id))?.[1];
  const eni = interfaceRef ? json.data?.aws_network_interface?.[interfaceRef] : undefined;
  if (!eni || typeof attachment.count !== 'number' || attachment.count < 1 || eni.count !== attachment.count) {
    problems.push(`aws_lb_target_group_attachment.${aname}: count ${show(attachment.count)}, target_id ${show(attachment.target_id)}; expected count = the interfaces' count and the private_ip of data.aws_network_interface[count.index]`);
  }
  if (eni && !/sort\(/.test(String(eni.id))) problems.push(`data.aws_network_interface.${interfaceRef}: id is ${show(eni.id)}; expected element(sort(<endpoint>.network_interface_ids), count.index)`);
  return problems;
}

/** Every edge rule; empty when the edge keeps all of them. */
export function edgeProblems(json: Json, expect: EdgeExpectations = {}): string[] {
  const all = [
    ...albProblems(json),
    ...albIngressProblems(json),
    ...originProblems(json),
    ...viewerProblems(json),
    ...apiBehaviourProblems(json),
    ...wafProblems(json, expect),
    ...apiRoutingProblems(json),
    ...targetProblems(json),
  ];
  return [...new Set(all)];
}
