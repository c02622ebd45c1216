/**
 * Rules for the API itself, identity, logs and protections, checked on a
 * synthesized environment stack (`cdk.tf.json`). Each function returns the
 * problems it finds as `<resource address>: <what was found>; expected <what>`;
 * an empty list means the rule holds. Used by `npm run verify` (review/verify.ts).
 */
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { anonymousPrincipal, runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { authorizerOf, endpointIdsOf, operationsOf, parseOpenApiBody, type OperationSummary } from '@private-api-platform/constructs/private-api/openapi';

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

/** The REST API's OpenAPI document (`body`) and its operations; a problem when there is none. */
export function documentOf(address: string, api: Json): { operations?: OperationSummary[]; document?: Json; problem?: string } {
  const document = parseOpenApiBody(api.body);
  if (!document) return { problem: `${address}: body is ${api.body === undefined ? 'missing' : 'not an OpenAPI document'}; expected the API's OpenAPI document (every route in one definition)` };
  return { document, operations: operationsOf(document) };
}

/**
 * Rule 1: every REST API is PRIVATE, bound only to the environment's endpoint, and defined by one OpenAPI document
 * imported in overwrite mode (a removed route is gone); the private custom domain name in front of the APIs is
 * PRIVATE and associated with that endpoint only.
 */
export function privateApiProblems(json: Json): string[] {
  const { address: endpoint, problems } = executeApiEndpoint(json);
  const apis = entries(json, 'aws_api_gateway_rest_api');
  if (apis.length === 0) problems.push('aws_api_gateway_rest_api: found none; expected one per API of the environment');
  const expected = endpoint ? `\${${endpoint}.id}` : '<the execute-api endpoint>';
  for (const [name, api] of apis) {
    const address = addressOf('aws_api_gateway_rest_api', name);
    const config = asArray(api.endpoint_configuration)[0] as Json | undefined;
    const types = asArray(config?.types);
    if (types.length !== 1 || types[0] !== 'PRIVATE') problems.push(`${address}: endpoint_configuration.types is ${show(config?.types)}; expected ["PRIVATE"] (no public endpoint at all)`);
    const ids = asArray(config?.vpc_endpoint_ids);
    if (ids.length !== 1 || ids[0] !== expected) problems.push(`${address}: endpoint_configuration.vpc_endpoint_ids is ${show(ids)}; expected [${show(expected)}] only`);
    if (api.policy !== undefined) problems.push(`${address}: has an inline policy; expected the policy only in aws_api_gateway_rest_api_policy (two sources of truth fight)`);
    if (api.disable_execute_api_endpoint === true) {
      problems.push(`${address}: disable_execute_api_endpoint is true; expected false (a private API is only reached through its execute-api endpoint)`);
    }
    const { document, problem } = documentOf(address, api);
    if (problem) problems.push(problem);
    if (api.put_rest_api_mode !== 'overwrite') {
      problems.push(`${address}: put_rest_api_mode is ${show(api.put_rest_api_mode)}; expected "overwrite" (merge keeps routes the document no longer has)`);
    }
    const documentIds = document ? endpointIdsOf(document) : [];
    if (document && (documentIds.length !== 1 || documentIds[0] !== expected)) {
      problems.push(`${address}: the document's x-amazon-apigateway-endpoint-configuration.vpcEndpointIds is ${show(documentIds)}; expected [${show(expected)}] only`);
    }
  }
  const separate = ['aws_api_gateway_method', 'aws_api_gateway_integration', 'aws_api_gateway_resource', 'aws_api_gateway_authorizer', 'aws_api_gateway_gateway_response'];
  for (const type of separate) {
    for (const [name] of entries(json, type)) {
      problems.push(`${type}.${name}: a separate API Gateway resource; expected every route, authorizer and gateway response in the REST API's OpenAPI document (a separate one outlives the document's overwrite and keeps routes live)`);
    }
  }

  const domains = entries(json, 'aws_api_gateway_domain_name');
  if (domains.length === 0) problems.push('aws_api_gateway_domain_name: found none; expected the private custom domain name CloudFront\'s Host selects');
  const associations = entries(json, 'aws_api_gateway_domain_name_access_association');
  for (const [name, domain] of domains) {
    const address = addressOf('aws_api_gateway_domain_name', name);
    const types = asArray(asArray(domain.endpoint_configuration)[0]?.types);
    if (types.length !== 1 || types[0] !== 'PRIVATE') problems.push(`${address}: endpoint_configuration.types is ${show(types)}; expected ["PRIVATE"] (a public custom domain name would be a way in from the internet)`);
    const own = associations.filter(([, a]) => refTo(a.domain_name_arn, 'aws_api_gateway_domain_name', 'arn') === address);
    if (own.length !== 1) problems.push(`${address}: ${own.length} access associations; expected exactly 1, for the execute-api endpoint`);
    for (const [aname, association] of own) {
      if (association.access_association_source !== expected || association.access_association_source_type !== 'VPCE') {
        problems.push(`aws_api_gateway_domain_name_access_association.${aname}: source ${show(association.access_association_source)} (${show(association.access_association_source_type)}); expected ${show(expected)} (VPCE)`);
      }
    }
  }
  return problems;
}

/** Stand-in values for the policy's ids when it is evaluated (the real ids exist only after apply). */
export const POLICY_STAND_INS = {
  region: 'eu-west-1',
  accountId: '123456789012',
  apiId: 'a1b2c3d4e5',
  domainNameId: 'd1e2f3a4b5',
  endpoint: 'vpce-0123456789abcdef0',
  otherEndpoint: 'vpce-0fedcba9876543210',
} as const;

export interface PolicyEvaluation {
  readonly request: string;
  readonly via: 'the endpoint' | 'another endpoint' | 'no endpoint';
  readonly result: string;
}

/**
 * Rule 2: the resource policy of every REST API, and of the private custom domain name in front of them, denies every
 * source but the environment's endpoint, evaluated with a real IAM policy evaluator for every operation of the API's
 * OpenAPI document: through the endpoint Allowed, through another endpoint or with no endpoint Denied. A caller needs
 * both policies ("Custom domain names for private APIs",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html).
 */
export async function resourcePolicyProblems(json: Json, evaluations: PolicyEvaluation[] = []): Promise<string[]> {
  const { address: endpoint, problems } = executeApiEndpoint(json);
  if (!endpoint) return problems;
  const { region, accountId, apiId } = POLICY_STAND_INS;
  const cases: [PolicyEvaluation['via'], string | undefined, string][] = [
    ['the endpoint', POLICY_STAND_INS.endpoint, 'Allowed'],
    ['another endpoint', POLICY_STAND_INS.otherEndpoint, 'ExplicitlyDenied'],
    ['no endpoint', undefined, 'ExplicitlyDenied'],
  ];
  /** The policy text with the stand-ins for the ids only known after apply; a problem when it names anything else. */
  const standIn = (policyAddress: string, text: string, replacements: [string, string][]): Json | undefined => {
    for (const [from, to] of replacements) text = text.split(from).join(to);
    const leftover = /\$\{[^}]+\}/.exec(text);
    if (leftover) {
      problems.push(`${policyAddress}: references ${leftover[0]}; expected only its own ids and the environment's endpoint ${endpoint}`);
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch {
      problems.push(`${policyAddress}: policy is not a JSON document`);
      return undefined;
    }
  };
  const check = async (policyAddress: string, policy: Json, label: string, resource: string) => {
    for (const [via, sourceVpce, expected] of cases) {
      const result = await evaluateInvoke(policy, resource, accountId, sourceVpce);
      evaluations.push({ request: label, via, result });
      if (result !== expected) problems.push(`${policyAddress}: ${label} through ${via} is ${result}; expected ${expected}`);
    }
  };

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
    const executionArn = `arn:aws:execute-api:${region}:${accountId}:${apiId}`;
    const policy = standIn(policyAddress, String(policyResource.policy), [
      [`\${${apiAddress}.execution_arn}`, executionArn],
      [`\${${apiAddress}.id}`, apiId],
      [`\${${endpoint}.id}`, POLICY_STAND_INS.endpoint],
    ]);
    if (!policy) continue;
    const stage = entries(json, 'aws_api_gateway_stage').find(([, s]) => refTo(s.rest_api_id, 'aws_api_gateway_rest_api', 'id') === apiAddress)?.[1]?.stage_name ?? 'v1';
    const operations = documentOf(apiAddress, api).operations ?? [];
    if (operations.length === 0) problems.push(`${apiAddress}: has no operations to evaluate the policy for`);
    for (const { method, path } of operations) {
      // AWS's ARN of the root resource ends in `/GET/`; the service reference's pattern needs a non-empty resource path,
      // so the root is evaluated as `/GET//`, which every Resource pattern of the policy matches alike.
      await check(policyAddress, policy, `${apiName} ${method} ${path}`, `${executionArn}/${stage}/${method === 'ANY' ? '*' : method}${path === '/' ? '//' : path}`);
    }
  }

  for (const [name, domain] of entries(json, 'aws_api_gateway_domain_name')) {
    const address = addressOf('aws_api_gateway_domain_name', name);
    if (domain.policy === undefined) {
      problems.push(`${address}: has no policy; expected one that admits only the execute-api endpoint (a private custom domain name needs its own)`);
      continue;
    }
    // A request to a private custom domain name is authorized against the domain's execute-api ARN (resource type
    // execute-api-domain of AWS's service authorization reference); AWS's sharing example names that ARN in the policy,
    // and its tutorial writes `execute-api:/*` for it.
    const domainArn = `arn:aws:execute-api:${region}:${accountId}:/domainnames/${domain.domain_name}+${POLICY_STAND_INS.domainNameId}`;
    const policy = standIn(address, String(domain.policy), [
      ['execute-api:/*', domainArn],
      [`\${${endpoint}.id}`, POLICY_STAND_INS.endpoint],
    ]);
    if (policy) await check(address, policy, `${domain.domain_name} (private custom domain)`, domainArn);
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
  const simulation = {
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
  } as any;
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    // The packaged ARN format of execute-api wants a non-empty resource path; the API's root (`.../GET/`) is a valid
    // ARN that matches it not: the same evaluation without the check of the ARN against the resource types.
    // (The resource policy goes in validated and named: the unsafe path reads its name.)
    if ((response.errors as { message?: string }).message === 'no.resource.types') {
      return runUnsafeSimulation({ ...simulation, resourcePolicy: createValidatedPolicy(policy, validateResourcePolicy, { name: 'resource policy' }) }, {}) as string;
    }
    return `an evaluation error (${JSON.stringify(response.errors).slice(0, 200)})`;
  }
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
 * Rule 3: every operation of every REST API's OpenAPI document except OPTIONS requires exactly the Cognito user pool
 * authorizer of this stack's pool, with non-empty scopes that the resource server defines (without scopes API Gateway
 * takes ID tokens and refuses access tokens); OPTIONS (CORS preflight) is an unauthenticated MOCK.
 */
export function methodAuthorizationProblems(json: Json): string[] {
  const problems: string[] = [];
  const pools = new Set(entries(json, 'aws_cognito_user_pool').map(([n]) => addressOf('aws_cognito_user_pool', n)));
  const scopes = definedScopes(json);
  const apis = entries(json, 'aws_api_gateway_rest_api');
  let operationCount = 0;
  for (const [apiName, api] of apis) {
    const apiAddress = addressOf('aws_api_gateway_rest_api', apiName);
    const { document, operations, problem } = documentOf(apiAddress, api);
    if (problem || !document || !operations) {
      problems.push(problem ?? `${apiAddress}: no document`);
      continue;
    }
    operationCount += operations.length;
    for (const op of operations) {
      const where = `${apiAddress} ${op.key}`;
      if (op.method === 'OPTIONS') {
        if (op.integrationType !== 'MOCK') problems.push(`${where}: OPTIONS is unauthenticated, so its integration must be the CORS MOCK; got ${show(op.integrationType)}`);
        if (op.security.length > 0) problems.push(`${where}: the CORS preflight requires ${show(op.security)}; expected none (browsers send no token on a preflight)`);
        continue;
      }
      if (op.security.length !== 1) {
        problems.push(`${where}: security is ${show(op.security)}; expected exactly one requirement: the Cognito authorizer with the route's scopes`);
        continue;
      }
      const [{ scheme, scopes: required }] = op.security as [{ scheme: string; scopes: readonly string[] }];
      const authorizer = authorizerOf(document, scheme);
      const poolRefs = (authorizer?.providerARNs ?? []).map((arn) => refTo(arn, 'aws_cognito_user_pool', 'arn'));
      if (!authorizer || String(authorizer.type).toLowerCase() !== 'cognito_user_pools' || poolRefs.length === 0 || !poolRefs.every((p) => p && pools.has(p))) {
        problems.push(`${where}: security scheme ${show(scheme)} is ${show(authorizer)}; expected a cognito_user_pools authorizer on this stack's user pool`);
      }
      if (required.length === 0) problems.push(`${where}: requires no scopes; expected the route's scopes (without them access tokens are refused and machine clients cannot call)`);
      for (const scope of required) {
        if (!scopes.has(scope)) problems.push(`${where}: requires scope ${show(scope)}; expected a scope the resource server defines (${[...scopes].join(', ')})`);
      }
    }
  }
  if (apis.length > 0 && operationCount === 0) problems.push('aws_api_gateway_rest_api: no operations in any document; expected the routes of the environment');
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

/**
 * Rule 9: access logs on for every stage, the ALB, CloudFront and WAF; VPC flow logs for every VPC the stack creates;
 * and, where the environment asks for it (`logKmsEncryption`), every log group encrypted with a KMS key of the stack.
 */
export function accessLogProblems(json: Json, options: { logKmsEncryption?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const [name] of entries(json, 'aws_vpc')) {
    const address = addressOf('aws_vpc', name);
    const logged = entries(json, 'aws_flow_log').some(([, f]) => refTo(f.vpc_id, 'aws_vpc', 'id') === address && (f.traffic_type ?? 'ALL') === 'ALL');
    if (!logged) problems.push(`${address}: no aws_flow_log of ALL traffic; expected VPC flow logs`);
  }
  if (options.logKmsEncryption) {
    const keys = new Set(entries(json, 'aws_kms_key').map(([n]) => addressOf('aws_kms_key', n)));
    for (const [name, group] of entries(json, 'aws_cloudwatch_log_group')) {
      const key = refTo(group.kms_key_id, 'aws_kms_key', 'arn');
      if (!key || !keys.has(key)) problems.push(`aws_cloudwatch_log_group.${name}: kms_key_id is ${show(group.kms_key_id)}; expected a KMS key of this stack (logKmsEncryption is on)`);
    }
  }
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
