/**
 * Rules for the API itself, identity, logs and protections, checked on a
 * synthesized environment stack (`cdk.tf.json`). Each function returns the
 * problems it finds as `<resource address>: <what was found>; expected <what>`;
 * an empty list means the rule holds. Used by `npm run verify` (scripts/lib/verify.ts).
 */
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate';

type Json = Record<string, any>;

const asArray = (v: unknown): any[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
const entries = (json: Json, type: string): [string, Json][] => Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>);
/** `${aws_x.name.attr}` anywhere in `value` -> `aws_x.name`. */
const refTo = (value: unknown, type: string, attr: string): string | undefined => {
  if (typeof value !== 'string') return undefined;
  return new RegExp(`\\$\\{(${type}\\.[\\w-]+)\\.${attr}\\}`).exec(value)?.[1];
};
const addressOf = (type: string, name: string) => `${type}.${name}`;

/** The execute-api interface endpoint of the environment: exactly one. */
export function executeApiEndpoint(json: Json): { address?: string; problems: string[] } {
  const endpoints = entries(json, 'aws_vpc_endpoint').filter(([, e]) => /\.execute-api"?$/.test(String(e.service_name)) || String(e.service_name).endsWith('.execute-api'));
  if (endpoints.length !== 1) {
    return { problems: [`aws_vpc_endpoint: found ${endpoints.length} execute-api endpoints; expected exactly 1 (the only way into the private APIs)`] };
  }
  const [name, endpoint] = endpoints[0]!;
  const address = addressOf('aws_vpc_endpoint', name);
  const problems: string[] = [];
  if (endpoint.vpc_endpoint_type !== 'Interface') problems.push(`${address}: vpc_endpoint_type is ${show(endpoint.vpc_endpoint_type)}; expected "Interface"`);
  return { address, problems };
}

/** Rule 1: every REST API is PRIVATE and bound only to the environment's endpoint. */
export function privateApiProblems(json: Json): string[] {
  const { address: endpoint, problems } = executeApiEndpoint(json);
  const apis = entries(json, 'aws_api_gateway_rest_api');
  if (apis.length === 0) problems.push('aws_api_gateway_rest_api: found none; expected one per API of the environment');
  for (const [name, api] of apis) {
    const address = addressOf('aws_api_gateway_rest_api', name);
    const config = asArray(api.endpoint_configuration)[0] as Json | undefined;
    const types = asArray(config?.types);
    if (types.length !== 1 || types[0] !== 'PRIVATE') problems.push(`${address}: endpoint_configuration.types is ${show(config?.types)}; expected ["PRIVATE"] (no public endpoint at all)`);
    const ids = asArray(config?.vpc_endpoint_ids);
    const expected = endpoint ? `\${${endpoint}.id}` : '<the execute-api endpoint>';
    if (ids.length !== 1 || ids[0] !== expected) problems.push(`${address}: endpoint_configuration.vpc_endpoint_ids is ${show(ids)}; expected [${show(expected)}] only`);
    if (api.policy !== undefined) problems.push(`${address}: has an inline policy; expected the policy only in aws_api_gateway_rest_api_policy (two sources of truth fight)`);
    if (api.disable_execute_api_endpoint === true) {
      problems.push(`${address}: disable_execute_api_endpoint is true; expected false (a private API is only reached through its execute-api endpoint)`);
    }
  }
  return problems;
}

/** Stand-in values for the policy's ids when it is evaluated (the real ids exist only after apply). */
export const POLICY_STAND_INS = { region: 'eu-west-1', accountId: '123456789012', apiId: 'a1b2c3d4e5', endpoint: 'vpce-0123456789abcdef0', otherEndpoint: 'vpce-0fedcba9876543210' } as const;

export interface PolicyEvaluation {
  readonly request: string;
  readonly via: 'the endpoint' | 'another endpoint' | 'no endpoint';
  readonly result: string;
}

/** Every method of a REST API as `[METHOD, /path]`, following resource parent references. */
export function methodsOf(json: Json, restApiAddress: string): { method: string; path: string; address: string; config: Json }[] {
  const resources = new Map(entries(json, 'aws_api_gateway_resource').map(([n, r]) => [addressOf('aws_api_gateway_resource', n), r]));
  const pathOf = (resourceRef: string): string => {
    const parent = refTo(resourceRef, 'aws_api_gateway_resource', 'id');
    if (!parent) return ''; // the REST API's root resource
    const resource = resources.get(parent);
    if (!resource) return '/<unknown resource>';
    return `${pathOf(resource.parent_id)}/${resource.path_part}`;
  };
  return entries(json, 'aws_api_gateway_method')
    .filter(([, m]) => refTo(m.rest_api_id, 'aws_api_gateway_rest_api', 'id') === restApiAddress)
    .map(([n, m]) => ({ method: m.http_method, path: pathOf(m.resource_id) || '/', address: addressOf('aws_api_gateway_method', n), config: m }));
}

/**
 * Rule 2: the resource policy of every REST API denies every source but the environment's endpoint,
 * evaluated with a real IAM policy evaluator for every method: through the endpoint Allowed, through
 * another endpoint or with no endpoint Denied.
 */
export async function resourcePolicyProblems(json: Json, evaluations: PolicyEvaluation[] = []): Promise<string[]> {
  const { address: endpoint, problems } = executeApiEndpoint(json);
  if (!endpoint) return problems;
  const policies = entries(json, 'aws_api_gateway_rest_api_policy');
  for (const [apiName, api] of entries(json, 'aws_api_gateway_rest_api')) {
    const apiAddress = addressOf('aws_api_gateway_rest_api', apiName);
    const own = policies.filter(([, p]) => refTo(p.rest_api_id, 'aws_api_gateway_rest_api', 'id') === apiAddress);
    if (own.length !== 1) {
      problems.push(`${apiAddress}: has ${own.length} aws_api_gateway_rest_api_policy; expected exactly 1 (a private API without a policy cannot be deployed; two would fight)`);
      continue;
    }
    const [policyName, policyResource] = own[0]!;
    const policyAddress = addressOf('aws_api_gateway_rest_api_policy', policyName);
    const { region, accountId, apiId } = POLICY_STAND_INS;
    const executionArn = `arn:aws:execute-api:${region}:${accountId}:${apiId}`;
    let text = String(policyResource.policy)
      .split(`\${${apiAddress}.execution_arn}`).join(executionArn)
      .split(`\${${apiAddress}.id}`).join(apiId)
      .split(`\${${endpoint}.id}`).join(POLICY_STAND_INS.endpoint);
    const leftover = /\$\{[^}]+\}/.exec(text);
    if (leftover) {
      problems.push(`${policyAddress}: references ${leftover[0]}; expected only this API's ids and the environment's endpoint ${endpoint}`);
      continue;
    }
    let policy: Json;
    try {
      policy = JSON.parse(text);
    } catch {
      problems.push(`${policyAddress}: policy is not a JSON document`);
      continue;
    }
    const stage = entries(json, 'aws_api_gateway_stage').find(([, s]) => refTo(s.rest_api_id, 'aws_api_gateway_rest_api', 'id') === apiAddress)?.[1]?.stage_name ?? 'v1';
    const methods = methodsOf(json, apiAddress);
    if (methods.length === 0) problems.push(`${apiAddress}: has no methods to evaluate the policy for`);
    for (const { method, path } of methods) {
      const httpMethod = method === 'ANY' ? '*' : method;
      const resource = `${executionArn}/${stage}/${httpMethod}${path}`;
      const cases: [PolicyEvaluation['via'], string | undefined, string][] = [
        ['the endpoint', POLICY_STAND_INS.endpoint, 'Allowed'],
        ['another endpoint', POLICY_STAND_INS.otherEndpoint, 'ExplicitlyDenied'],
        ['no endpoint', undefined, 'ExplicitlyDenied'],
      ];
      for (const [via, sourceVpce, expected] of cases) {
        const result = await evaluateInvoke(policy, resource, accountId, sourceVpce);
        evaluations.push({ request: `${apiName} ${method} ${path}`, via, result });
        if (result !== expected) {
          problems.push(`${policyAddress}: ${method} ${path} through ${via} is ${result}; expected ${expected}`);
        }
      }
    }
    void api;
  }
  return problems;
}

/** Evaluations are pure: the same policy, resource and source give the same answer (verify runs them per method, often). */
const evaluated = new Map<string, Promise<string>>();

/** `execute-api:Invoke` of `resource` by an anonymous caller (token holders are anonymous to IAM), from `sourceVpce` or none. */
export function evaluateInvoke(policy: Json, resource: string, accountId: string, sourceVpce: string | undefined): Promise<string> {
  const key = JSON.stringify([policy, resource, accountId, sourceVpce ?? null]);
  let result = evaluated.get(key);
  if (!result) {
    result = simulate(policy, resource, accountId, sourceVpce);
    evaluated.set(key, result);
  }
  return result;
}

async function simulate(policy: Json, resource: string, accountId: string, sourceVpce: string | undefined): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: anonymousPrincipal,
        action: 'execute-api:Invoke',
        resource: { resource, accountId },
        contextVariables: sourceVpce === undefined ? {} : { 'aws:SourceVpce': sourceVpce },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    } as any,
    {},
  );
  if (response.resultType === 'error') return `an evaluation error (${JSON.stringify(response.errors).slice(0, 200)})`;
  return response.overallResult;
}

/** The resource server's full scope names (`<identifier>/<scope>`). */
function definedScopes(json: Json): Set<string> {
  const scopes = new Set<string>();
  for (const [, server] of entries(json, 'aws_cognito_resource_server')) {
    for (const scope of asArray(server.scope)) scopes.add(`${server.identifier}/${scope.scope_name}`);
  }
  return scopes;
}

/**
 * Rule 3: every non-OPTIONS method uses a Cognito authorizer of this stack's user pool with
 * non-empty scopes that the resource server defines; OPTIONS (CORS preflight) is a MOCK.
 */
export function methodAuthorizationProblems(json: Json): string[] {
  const problems: string[] = [];
  const pools = new Set(entries(json, 'aws_cognito_user_pool').map(([n]) => addressOf('aws_cognito_user_pool', n)));
  const authorizers = new Map(entries(json, 'aws_api_gateway_authorizer').map(([n, a]) => [addressOf('aws_api_gateway_authorizer', n), a]));
  const integrations = entries(json, 'aws_api_gateway_integration');
  const scopes = definedScopes(json);
  const methods = entries(json, 'aws_api_gateway_method');
  if (methods.length === 0) problems.push('aws_api_gateway_method: found none; expected the routes of the environment');
  for (const [name, method] of methods) {
    const address = addressOf('aws_api_gateway_method', name);
    if (method.http_method === 'OPTIONS') {
      const integration = integrations.find(
        ([, i]) => i.resource_id === method.resource_id && i.rest_api_id === method.rest_api_id && (i.http_method === 'OPTIONS' || refTo(i.http_method, 'aws_api_gateway_method', 'http_method') === address),
      );
      if (!integration || integration[1].type !== 'MOCK') {
        problems.push(`${address}: OPTIONS is unauthenticated, so its integration must be the CORS MOCK; got ${show(integration?.[1].type)}`);
      }
      continue;
    }
    if (method.authorization !== 'COGNITO_USER_POOLS') {
      problems.push(`${address}: authorization is ${show(method.authorization)}; expected "COGNITO_USER_POOLS"`);
      continue;
    }
    const authorizerAddress = refTo(method.authorizer_id, 'aws_api_gateway_authorizer', 'id');
    const authorizer = authorizerAddress ? authorizers.get(authorizerAddress) : undefined;
    if (!authorizer) {
      problems.push(`${address}: authorizer_id is ${show(method.authorizer_id)}; expected a Cognito authorizer of this stack`);
    } else {
      const poolRefs = asArray(authorizer.provider_arns).map((arn) => refTo(arn, 'aws_cognito_user_pool', 'arn'));
      if (authorizer.type !== 'COGNITO_USER_POOLS' || poolRefs.length === 0 || !poolRefs.every((p) => p && pools.has(p))) {
        problems.push(`${authorizerAddress}: type ${show(authorizer.type)} with provider_arns ${show(authorizer.provider_arns)}; expected COGNITO_USER_POOLS on this stack's user pool`);
      }
      if (authorizer.rest_api_id !== method.rest_api_id) problems.push(`${address}: its authorizer ${authorizerAddress} belongs to another REST API`);
    }
    const required = asArray(method.authorization_scopes);
    if (required.length === 0) problems.push(`${address}: authorization_scopes is empty; expected the route's scopes (without them access tokens are refused and machine clients cannot call)`);
    for (const scope of required) {
      if (!scopes.has(scope)) problems.push(`${address}: requires scope ${show(scope)}; expected a scope the resource server defines (${[...scopes].join(', ')})`);
    }
  }
  return problems;
}

/**
 * Rule 7: public clients (no secret) use only the authorization code flow (PKCE) with exact callback URLs
 * (https outside the emulator), machine clients (secret) use only client credentials; never implicit.
 */
export function clientProblems(json: Json, options: { emulator: boolean }): string[] {
  const problems: string[] = [];
  const clients = entries(json, 'aws_cognito_user_pool_client');
  if (clients.length === 0) problems.push('aws_cognito_user_pool_client: found none; expected the web, mobile and machine clients');
  for (const [name, client] of clients) {
    const address = addressOf('aws_cognito_user_pool_client', name);
    const flows = asArray(client.allowed_oauth_flows);
    if (flows.includes('implicit')) problems.push(`${address}: allowed_oauth_flows includes "implicit"; expected no implicit flow anywhere (tokens in URLs)`);
    if (client.generate_secret === true) {
      if (flows.length !== 1 || flows[0] !== 'client_credentials') problems.push(`${address}: a confidential (machine) client with allowed_oauth_flows ${show(flows)}; expected ["client_credentials"] only`);
      if (asArray(client.callback_urls).length > 0) problems.push(`${address}: a machine client with callback_urls; expected none`);
    } else {
      if (flows.length !== 1 || flows[0] !== 'code') problems.push(`${address}: a public client with allowed_oauth_flows ${show(flows)}; expected ["code"] only (authorization code + PKCE)`);
      for (const url of [...asArray(client.callback_urls), ...asArray(client.logout_urls)]) {
        const text = String(url);
        if (text.includes('*')) problems.push(`${address}: redirect URL ${show(text)} has a wildcard; expected exact URLs`);
        else if (text.startsWith('http://') && !options.emulator) problems.push(`${address}: redirect URL ${show(text)} is http; expected https outside local`);
      }
    }
    if (client.allowed_oauth_flows_user_pool_client !== true) problems.push(`${address}: allowed_oauth_flows_user_pool_client is ${show(client.allowed_oauth_flows_user_pool_client)}; expected true`);
    if (asArray(client.explicit_auth_flows).includes('ALLOW_USER_PASSWORD_AUTH') && !options.emulator) {
      problems.push(`${address}: explicit_auth_flows includes ALLOW_USER_PASSWORD_AUTH; expected it in local only (passwords sent to the client)`);
    }
  }
  return problems;
}

/** Rule 9: access logs on for every stage, the ALB, CloudFront and WAF. */
export function accessLogProblems(json: Json): string[] {
  const problems: string[] = [];
  const logGroups = new Set(entries(json, 'aws_cloudwatch_log_group').map(([n]) => addressOf('aws_cloudwatch_log_group', n)));
  const stages = entries(json, 'aws_api_gateway_stage');
  if (stages.length === 0) problems.push('aws_api_gateway_stage: found none; expected one per API');
  for (const [name, stage] of stages) {
    const settings = asArray(stage.access_log_settings)[0] as Json | undefined;
    const group = refTo(settings?.destination_arn, 'aws_cloudwatch_log_group', 'arn');
    if (!group || !logGroups.has(group) || !settings?.format) {
      problems.push(`aws_api_gateway_stage.${name}: access_log_settings is ${show(settings)}; expected a format and a log group of this stack`);
    }
  }
  const albs = entries(json, 'aws_lb');
  if (albs.length === 0) problems.push('aws_lb: found none; expected the internal ALB');
  for (const [name, alb] of albs) {
    const logs = asArray(alb.access_logs)[0] as Json | undefined;
    if (logs?.enabled !== true || !logs.bucket) problems.push(`aws_lb.${name}: access_logs is ${show(logs)}; expected enabled with a bucket`);
  }
  for (const [name, distribution] of entries(json, 'aws_cloudfront_distribution')) {
    const address = addressOf('aws_cloudfront_distribution', name);
    const legacy = asArray(distribution.logging_config).length > 0;
    const sources = entries(json, 'aws_cloudwatch_log_delivery_source').filter(([, s]) => refTo(s.resource_arn, 'aws_cloudfront_distribution', 'arn') === address && s.log_type === 'ACCESS_LOGS');
    const delivered = sources.some(([sourceName, source]) =>
      entries(json, 'aws_cloudwatch_log_delivery').some(([, d]) => String(d.delivery_source_name).includes(`aws_cloudwatch_log_delivery_source.${sourceName}.`) || d.delivery_source_name === source.name),
    );
    if (!legacy && !delivered) problems.push(`${address}: no access logging; expected logging_config or a log delivery of its ACCESS_LOGS`);
  }
  if (entries(json, 'aws_cloudfront_distribution').length === 0) problems.push('aws_cloudfront_distribution: found none; expected the edge distribution');
  const acls = entries(json, 'aws_wafv2_web_acl');
  if (acls.length === 0) problems.push('aws_wafv2_web_acl: found none; expected the web ACL of the distribution');
  for (const [name] of acls) {
    const address = addressOf('aws_wafv2_web_acl', name);
    const logged = entries(json, 'aws_wafv2_web_acl_logging_configuration').some(([, l]) => refTo(l.resource_arn, 'aws_wafv2_web_acl', 'arn') === address && asArray(l.log_destination_configs).length > 0);
    if (!logged) problems.push(`${address}: no aws_wafv2_web_acl_logging_configuration; expected WAF logs`);
  }
  return problems;
}

/** Resource types that hold data or identity: prevent_destroy when the environment asks for it. */
export const STATEFUL_TYPES = ['aws_cognito_user_pool', 'aws_s3_bucket', 'aws_cloudwatch_log_group', 'aws_kms_key'] as const;

/** Rule 10: deletion protection and prevent-destroy where the environment says so. */
export function protectionProblems(json: Json, protections: { deletionProtection: boolean; preventDestroy: boolean }): string[] {
  const problems: string[] = [];
  if (protections.deletionProtection) {
    for (const [name, pool] of entries(json, 'aws_cognito_user_pool')) {
      if (pool.deletion_protection !== 'ACTIVE') problems.push(`aws_cognito_user_pool.${name}: deletion_protection is ${show(pool.deletion_protection)}; expected "ACTIVE" (protections.deletionProtection)`);
    }
    for (const [name, alb] of entries(json, 'aws_lb')) {
      if (alb.enable_deletion_protection !== true) problems.push(`aws_lb.${name}: enable_deletion_protection is ${show(alb.enable_deletion_protection)}; expected true (protections.deletionProtection)`);
    }
  }
  if (protections.preventDestroy) {
    for (const type of STATEFUL_TYPES) {
      for (const [name, resource] of entries(json, type)) {
        if (resource.lifecycle?.prevent_destroy !== true) problems.push(`${type}.${name}: lifecycle.prevent_destroy is ${show(resource.lifecycle?.prevent_destroy)}; expected true (protections.preventDestroy)`);
      }
    }
  }
  return problems;
}

/** Rule 4 (second half): the execute-api endpoint admits HTTPS from the ALB's security group only. */
export function endpointIngressProblems(json: Json): string[] {
  const { address: endpoint, problems } = executeApiEndpoint(json);
  if (!endpoint) return problems;
  const config = json.resource.aws_vpc_endpoint[endpoint.split('.')[1]!];
  const groups = asArray(config.security_group_ids).map((g) => refTo(g, 'aws_security_group', 'id'));
  if (groups.length === 0 || groups.some((g) => !g)) return [`${endpoint}: security_group_ids is ${show(config.security_group_ids)}; expected its own security group of this stack`];
  const albGroups = new Set(entries(json, 'aws_lb').flatMap(([, lb]) => asArray(lb.security_groups).map((g) => refTo(g, 'aws_security_group', 'id'))));
  for (const group of groups as string[]) {
    const sg = json.resource.aws_security_group?.[group.split('.')[1]!];
    if (asArray(sg?.ingress).length > 0) problems.push(`${group}: has inline ingress ${show(sg.ingress)}; expected only the rule from the ALB's group`);
    const rules = entries(json, 'aws_vpc_security_group_ingress_rule').filter(([, r]) => refTo(r.security_group_id, 'aws_security_group', 'id') === group);
    const legacy = entries(json, 'aws_security_group_rule').filter(([, r]) => refTo(r.security_group_id, 'aws_security_group', 'id') === group && r.type === 'ingress');
    for (const [name] of legacy) problems.push(`aws_security_group_rule.${name}: ingress on ${group}; expected only an aws_vpc_security_group_ingress_rule from the ALB's group`);
    if (rules.length === 0) problems.push(`${group}: no ingress rule; expected HTTPS from the ALB's security group (nothing else reaches the endpoint)`);
    for (const [name, rule] of rules) {
      const source = refTo(rule.referenced_security_group_id, 'aws_security_group', 'id');
      if (!source || !albGroups.has(source) || rule.cidr_ipv4 || rule.cidr_ipv6 || rule.prefix_list_id) {
        problems.push(`aws_vpc_security_group_ingress_rule.${name}: admits ${show(rule.cidr_ipv4 ?? rule.cidr_ipv6 ?? rule.prefix_list_id ?? rule.referenced_security_group_id)} to the endpoint; expected the ALB's security group only`);
      }
      if (rule.ip_protocol !== 'tcp' || rule.from_port !== 443 || rule.to_port !== 443) {
        problems.push(`aws_vpc_security_group_ingress_rule.${name}: admits ${show(rule.ip_protocol)} ${show(rule.from_port)}-${show(rule.to_port)} to the endpoint; expected tcp 443 only`);
      }
    }
  }
  return problems;
}
