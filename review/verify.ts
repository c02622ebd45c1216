/**
 * The access rules of the platform, checked for an environment from the Terraform it will apply:
 * is there any way to the API but CloudFront, and does every route need a token with its scopes?
 *
 * Input: the synthesized stacks of the environment (`cdk.tf.json` of the platform and bootstrap
 * stacks) and, optionally, a plan's or a state's JSON (`terraform show -json`), whose known values
 * are laid over the synthesized literals so the rules see what Terraform will really set; the
 * references between resources stay as synthesized, since the rules check the wiring by them.
 */
import type { Environment } from '../environments/schema';
import { accessLogProblems, clientProblems, endpointIngressProblems, methodAuthorizationProblems, privateApiProblems, protectionProblems, resourcePolicyProblems } from './rules/access';
import { albIngressProblems, albProblems, apiBehaviourProblems, apiRoutingProblems, corsProblems, originProblems, targetProblems, viewerProblems, wafProblems } from './rules/edge';
import { stateBackendProblems, stateBucketProblems } from './rules/state';
import { kmsKeyAliasArn, stateKey } from '../stacks/backend';
import { PLATFORM_STACK_KIND } from '../stacks/platform-stack';

type Json = Record<string, any>;

export interface VerifyInput {
  readonly environment: Environment;
  /** The platform stack's cdk.tf.json (with a plan's known values laid over it, when one was given). */
  readonly platform: Json;
  /** The bootstrap stack's cdk.tf.json. */
  readonly bootstrap: Json;
}

export interface Rule {
  readonly id: number;
  readonly name: string;
  /** Why the rule exists, in one line. */
  readonly reason: string;
  check(input: VerifyInput): string[] | Promise<string[]>;
}

export interface Violation {
  /** The resource at fault (a Terraform address, or the backend). */
  readonly resource: string;
  readonly problem: string;
}

export interface RuleResult {
  readonly id: number;
  readonly name: string;
  readonly reason: string;
  readonly passed: boolean;
  readonly violations: Violation[];
}

export const RULES: readonly Rule[] = [
  {
    id: 1,
    name: 'api-is-private',
    reason: 'the REST APIs and their custom domain name are PRIVATE, bound only to the environment\'s execute-api endpoint, each API one OpenAPI document',
    check: (i) => privateApiProblems(i.platform),
  },
  {
    id: 2,
    name: 'policy-denies-other-sources',
    reason: 'the API and custom domain resource policies deny every source but that endpoint (IAM evaluation of every operation)',
    check: (i) => resourcePolicyProblems(i.platform),
  },
  { id: 3, name: 'routes-need-scoped-tokens', reason: 'every non-OPTIONS operation requires the Cognito authorizer with scopes the resource server defines', check: (i) => methodAuthorizationProblems(i.platform) },
  {
    id: 4,
    name: 'only-cloudfront-reaches-alb',
    reason: 'the ALB is internal and admits only CloudFront\'s origin-facing prefix list; the endpoint admits only the ALB',
    check: (i) => [...albProblems(i.platform), ...albIngressProblems(i.platform), ...endpointIngressProblems(i.platform), ...targetProblems(i.platform)],
  },
  {
    id: 5,
    name: 'cloudfront-vpc-origin-only',
    reason: 'the distribution reaches the APIs only through the VPC origin and the private custom domain (Host, base path), viewers get https with TLS 1.2+, API paths are not cached',
    check: (i) => [...originProblems(i.platform), ...viewerProblems(i.platform), ...apiBehaviourProblems(i.platform), ...apiRoutingProblems(i.platform)],
  },
  { id: 6, name: 'waf-with-rate-limit', reason: 'WAF is attached to the distribution with a blocking rate-based rule and the managed rule groups', check: (i) => wafProblems(i.platform, { region: i.environment.account.region, wafRuleOverrides: i.environment.edge.wafRuleOverrides }) },
  { id: 7, name: 'clients-use-safe-flows', reason: 'public clients: code + PKCE, no secret, no implicit; machine clients: client credentials only; https callbacks outside local', check: (i) => clientProblems(i.platform, { emulator: Boolean(i.environment.emulator) }) },
  {
    id: 8,
    name: 'state-is-protected',
    reason: 'the state bucket is versioned, KMS-encrypted, private and TLS-only; every backend uses its own key and the lockfile',
    check: (i) => [
      ...stateBucketProblems(i.bootstrap, { bucket: i.environment.state.bucket, kmsKeyAlias: i.environment.state.kmsKeyAlias, throwaway: Boolean(i.environment.emulator) }),
      ...stateBackendProblems(i.platform, { bucket: i.environment.state.bucket, key: stateKey(i.environment, PLATFORM_STACK_KIND), region: i.environment.state.region, kmsKeyId: kmsKeyAliasArn(i.environment) }),
    ],
  },
  {
    id: 9,
    name: 'access-logs-on',
    reason: 'access logs are on for every stage, the ALB, CloudFront and WAF, flow logs for the VPC; log groups KMS-encrypted where the environment asks',
    check: (i) => accessLogProblems(i.platform, { logKmsEncryption: i.environment.logKmsEncryption }),
  },
  { id: 10, name: 'protections-as-configured', reason: 'deletion protection and prevent-destroy where the environment says so (always in prod)', check: (i) => protectionProblems(i.platform, i.environment.protections) },
  {
    id: 11,
    name: 'cors-for-allowed-origins',
    reason: 'every API answer (200, 401, 403, 5xx) carries CORS headers for the API\'s allowed origins and none for others, from CloudFront alone',
    check: (i) =>
      corsProblems(i.platform, {
        allowOrigins: Object.fromEntries(i.environment.apis.map((a) => [a.name, a.corsAllowOrigins ?? []])),
        emulator: Boolean(i.environment.emulator),
      }),
  },
];

/** `aws_x.name: message` -> { resource, problem }. */
function toViolation(text: string): Violation {
  const match = /^((?:data\.)?[a-z0-9_]+\.[\w-]+|terraform\.backend[\w.]*|aws_[a-z0-9_]+)(?:[^:]*)?: (.*)$/s.exec(text);
  if (!match) return { resource: '(stack)', problem: text };
  return { resource: match[1]!, problem: text.slice(match[1]!.length).replace(/^[^:]*: /, (m) => (m.length > 2 ? `${m.slice(0, -2).trim()}: ` : '')) };
}

export async function verify(input: VerifyInput, rules: readonly Rule[] = RULES): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  for (const rule of rules) {
    let problems: string[];
    try {
      problems = await rule.check(input);
    } catch (error) {
      problems = [`(rule error) ${error instanceof Error ? error.message : String(error)}`];
    }
    results.push({ id: rule.id, name: rule.name, reason: rule.reason, passed: problems.length === 0, violations: problems.map(toViolation) });
  }
  return results;
}

/**
 * Lays a plan's known planned values (or a state's values) over the synthesized configuration: the
 * rules then see the values Terraform will set for literals and computed defaults, while every
 * reference stays as synthesized. Single nested blocks, lists in a plan, are matched to objects.
 */
export function overlayPlan(synthesized: Json, plan: Json): Json {
  const result: Json = JSON.parse(JSON.stringify(synthesized));
  const modules = [plan.planned_values?.root_module].filter(Boolean);
  const resources: Json[] = [];
  while (modules.length) {
    const mod = modules.pop()!;
    resources.push(...(mod.resources ?? []));
    modules.push(...(mod.child_modules ?? []));
  }
  for (const resource of resources) {
    if (resource.mode !== 'managed') continue;
    const target = result.resource?.[resource.type]?.[resource.name];
    if (!target) continue;
    result.resource[resource.type][resource.name] = overlay(target, resource.values);
  }
  return result;
}

function overlay(base: any, planned: any): any {
  if (planned === null || planned === undefined) return base;
  if (Array.isArray(planned) && base !== undefined && !Array.isArray(base) && typeof base === 'object') {
    return planned.length === 1 ? overlay(base, planned[0]) : base;
  }
  if (typeof planned === 'object' && !Array.isArray(planned) && base && typeof base === 'object' && !Array.isArray(base)) {
    const out: Json = { ...base };
    for (const [key, value] of Object.entries(planned)) {
      if (key === '//' || key === 'lifecycle' || key === 'provider' || key === 'depends_on') continue;
      if (key in base) out[key] = overlay(base[key], value);
    }
    return out;
  }
  if (Array.isArray(planned) && Array.isArray(base)) {
    // Lists of blocks are often sets whose order Terraform does not keep (a distribution's origins):
    // matching them by position would mix two blocks, so they stay as synthesized.
    if (base.some((b) => (b !== null && typeof b === 'object') || (typeof b === 'string' && b.includes('${')))) return base;
    return planned;
  }
  // An expression stays: it shows which resource is wired in (the rules check wiring by reference),
  // and Terraform resolves it to that resource's value. A literal takes the value Terraform will set.
  return typeof base === 'string' && base.includes('${') ? base : planned;
}
