/**
 * The local edge's decisions: one request walked through what was deployed, in AWS's order, each step following the
 * AWS behaviour its comment cites. Every answer names the step that gave it (`step`), so a wrong answer points at the
 * layer that is wrong. What AWS does that is not modelled here is listed in the README ("The local edge").
 *
 *   CloudFront (WAF -> cache behaviour -> origin) -> VPC origin -> ALB (listener, rules, target group: the execute-api
 *   endpoint's addresses) -> API Gateway (private custom domain by Host, its access association and policy, base path
 *   mapping, the stage's deployment: route, resource policy, Cognito authorizer, integration) -> CloudFront's response
 *   headers policy.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { evaluateInvoke } from '../../../review/rules/access';
import type { Deployed } from './deployed';
import { httpCall } from './http';

type Json = Record<string, any>;

export interface EdgeRequest {
  readonly method: string;
  /** Path and query, as the viewer sent them. */
  readonly url: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly clientIp: string;
}

export interface EdgeAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The layer that decided: `waf`, `cloudfront`, `alb`, `apigateway:<what>`, `integration`. */
  readonly step: string;
}

export interface EdgeSite {
  readonly deployed: Deployed;
  readonly distributionId: string;
  readonly accountId: string;
  readonly region: string;
}

/** Requests per client IP, for WAF rate-based rules (per web ACL rule, sliding over the rule's window). */
const rateWindows = new Map<string, number[]>();
/** Round robin over a target group's targets, as the ALB routes (per target group). */
const roundRobin = new Map<string, number>();

export async function walk(site: EdgeSite, request: EdgeRequest): Promise<EdgeAnswer> {
  const { deployed } = site;
  const distribution = await deployed.distribution(site.distributionId);
  const path = request.url.split('?')[0]!;
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';

  // 1. AWS WAF inspects the viewer request before CloudFront serves it. A Block answers 403 ("By default, the AWS
  //    resource responds with an HTTP 403 (Forbidden) status code", AWS WAF developer guide, "Rule action").
  if (distribution.WebACLId) {
    const acl = await deployed.webAcl(String(distribution.WebACLId));
    const blockedBy = acl ? wafBlock(acl, request, path, query) : undefined;
    if (blockedBy) return cloudfrontError(403, `Request blocked by AWS WAF (${blockedBy}).`, 'waf');
  }

  // 2. The cache behaviour: path patterns in the order listed, the default one last; case-sensitive, `*` and `?`
  //    (CloudFront developer guide, "Path pattern"). A method the behaviour does not allow: 403 (Invalid method).
  const behaviour = (distribution.CacheBehaviors?.Items ?? []).find((b: Json) => globMatch(String(b.PathPattern), path)) ?? distribution.DefaultCacheBehavior;
  if (!(behaviour.AllowedMethods?.Items ?? []).includes(request.method)) {
    return cloudfrontError(403, `The ${request.method} method is not allowed by the cache behaviour ${behaviour.PathPattern ?? 'default (*)'}.`, 'cloudfront');
  }
  const headersPolicy = behaviour.ResponseHeadersPolicyId ? await deployed.responseHeadersPolicy(String(behaviour.ResponseHeadersPolicyId)) : undefined;
  const origin = (distribution.Origins?.Items ?? []).find((o: Json) => o.Id === behaviour.TargetOriginId);
  const fromOrigin = await throughOrigin(site, request, behaviour, origin, path, query);
  return fromOrigin.step.startsWith('cloudfront') ? fromOrigin : withResponseHeadersPolicy(fromOrigin, headersPolicy, request);
}

// ------------------------------------------------------------------------------------------------ WAF

/**
 * The rules that can be evaluated here: rate-based rules (per IP, over their window) and the documented size and
 * header rules of AWS's common rule set (AWS WAF developer guide, "Core rule set (CRS) managed rule group"):
 * NoUserAgent_HEADER, SizeRestrictions_QUERYSTRING (2,048 bytes), SizeRestrictions_Cookie_HEADER (10,240 bytes),
 * SizeRestrictions_BODY (8 KB), SizeRestrictions_URIPATH (1,024 bytes); PROPFIND_METHOD of the known bad inputs. A
 * rule whose action is overridden to Count only counts. Reputation lists and the other signatures are AWS's own data:
 * not evaluated here.
 */
export const LOCAL_WAF_RULES: Record<string, (request: EdgeRequest, path: string, query: string) => boolean> = {
  NoUserAgent_HEADER: (r) => !r.headers['user-agent'],
  SizeRestrictions_QUERYSTRING: (_r, _p, q) => Buffer.byteLength(q) > 2048,
  SizeRestrictions_Cookie_HEADER: (r) => Buffer.byteLength(r.headers.cookie ?? '') > 10_240,
  SizeRestrictions_BODY: (r) => r.body.length > 8192,
  SizeRestrictions_URIPATH: (_r, p) => Buffer.byteLength(p) > 1024,
  PROPFIND_METHOD: (r) => r.method === 'PROPFIND',
};

export function wafBlock(acl: Json, request: EdgeRequest, path: string, query: string): string | undefined {
  const rules = [...(acl.Rules ?? [])].sort((a: Json, b: Json) => a.Priority - b.Priority);
  for (const rule of rules) {
    const statement = rule.Statement ?? {};
    if (statement.RateBasedStatement) {
      const window = (Number(statement.RateBasedStatement.EvaluationWindowSec) || 300) * 1000;
      const key = `${acl.ARN ?? acl.Id}/${rule.Name}/${request.clientIp}`;
      const now = Date.now();
      const seen = (rateWindows.get(key) ?? []).filter((t) => t > now - window);
      seen.push(now);
      rateWindows.set(key, seen);
      if (seen.length > Number(statement.RateBasedStatement.Limit) && rule.Action?.Block) return `${rule.Name}: more than ${statement.RateBasedStatement.Limit} requests from ${request.clientIp}`;
    }
    const group = statement.ManagedRuleGroupStatement;
    if (group) {
      const counted = new Set((group.RuleActionOverrides ?? []).filter((o: Json) => o.ActionToUse?.Count).map((o: Json) => o.Name));
      if (rule.OverrideAction?.Count) continue;
      for (const [name, matches] of Object.entries(LOCAL_WAF_RULES)) {
        if (groupRules(group.Name).includes(name) && !counted.has(name) && matches(request, path, query)) return `${group.Name}/${name}`;
      }
    }
  }
  return undefined;
}

function groupRules(group: string): string[] {
  if (group === 'AWSManagedRulesCommonRuleSet') return ['NoUserAgent_HEADER', 'SizeRestrictions_QUERYSTRING', 'SizeRestrictions_Cookie_HEADER', 'SizeRestrictions_BODY', 'SizeRestrictions_URIPATH'];
  if (group === 'AWSManagedRulesKnownBadInputsRuleSet') return ['PROPFIND_METHOD'];
  return [];
}

// ------------------------------------------------------------------------------------------------ CloudFront -> origin

/** Managed origin request policies by id (CloudFront developer guide, "Use managed origin request policies"). */
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

async function throughOrigin(site: EdgeSite, request: EdgeRequest, behaviour: Json, origin: Json | undefined, path: string, query: string): Promise<EdgeAnswer> {
  const { deployed } = site;
  if (!origin?.VpcOriginConfig?.VpcOriginId) return cloudfrontError(502, 'The behaviour\'s origin is not a VPC origin: the local edge reaches only VPC origins.', 'cloudfront');
  // What CloudFront forwards: with AllViewerExceptHostHeader every viewer header but Host, and Host becomes the
  // origin's domain name; without an origin request policy, only the cache key's headers (CachingDisabled: none).
  const forwarded: Record<string, string> = {};
  const policy = behaviour.OriginRequestPolicyId;
  if (policy === ALL_VIEWER || policy === ALL_VIEWER_EXCEPT_HOST_HEADER) {
    for (const [name, value] of Object.entries(request.headers)) if (name !== 'host' || policy === ALL_VIEWER) forwarded[name] = value;
  }
  forwarded.host ??= String(origin.DomainName);
  for (const header of origin.CustomHeaders?.Items ?? []) forwarded[String(header.HeaderName).toLowerCase()] = String(header.HeaderValue);

  // CloudFront -> VPC origin -> its endpoint, the ALB. An origin CloudFront cannot connect to: 502 (CloudFront
  // developer guide, "HTTP 502 status code (Bad Gateway)").
  const vpcOrigin = await deployed.vpcOrigin(String(origin.VpcOriginConfig.VpcOriginId)).catch(() => undefined);
  const endpointConfig = vpcOrigin?.VpcOriginEndpointConfig;
  if (!endpointConfig) return cloudfrontError(502, `VPC origin ${origin.VpcOriginConfig.VpcOriginId} does not exist.`, 'cloudfront');
  const loadBalancer = await deployed.loadBalancer(String(endpointConfig.Arn));
  if (!loadBalancer) return cloudfrontError(502, `The VPC origin's load balancer ${endpointConfig.Arn} does not exist.`, 'cloudfront');
  const port = endpointConfig.OriginProtocolPolicy === 'http-only' ? Number(endpointConfig.HTTPPort ?? 80) : Number(endpointConfig.HTTPSPort ?? 443);
  const listener = (await deployed.listeners(String(loadBalancer.LoadBalancerArn))).find((l) => Number(l.Port) === port);
  if (!listener) return cloudfrontError(502, `The load balancer has no listener on port ${port}.`, 'cloudfront');
  return throughLoadBalancer(site, { ...request, headers: forwarded }, String(listener.ListenerArn), path, query);
}

// ------------------------------------------------------------------------------------------------ ALB

/**
 * Listener rules by priority, the default rule last ("If none of the conditions for the other rules are met, then the
 * action for the default rule is performed", ELB guide, "Listener rules"); path-pattern case-sensitive, host-header
 * and header values case-insensitive, `*` and `?` wildcards. A target group without targets: 503 (ELB guide,
 * "Troubleshoot your Application Load Balancers"). The targets must be the execute-api endpoint's addresses: a
 * target that is anything else gets nothing that answers (502, a connection the ALB cannot make).
 */
async function throughLoadBalancer(site: EdgeSite, request: EdgeRequest, listenerArn: string, path: string, query: string): Promise<EdgeAnswer> {
  const { deployed } = site;
  const rules = (await deployed.rules(listenerArn)).sort((a, b) => rulePriority(a) - rulePriority(b));
  const rule = rules.find((r) => r.IsDefault || (r.Conditions ?? []).every((c: Json) => conditionMatches(c, request, path)));
  const action = (rule?.Actions ?? []).find((a: Json) => a.Type === 'forward' || a.Type === 'fixed-response' || a.Type === 'redirect');
  if (!action) return answer(503, { 'content-type': 'text/html' }, '<html><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>', 'alb');
  if (action.Type === 'fixed-response') {
    const fixed = action.FixedResponseConfig ?? {};
    return answer(Number(fixed.StatusCode), { 'content-type': String(fixed.ContentType ?? 'text/plain') }, String(fixed.MessageBody ?? ''), `alb:fixed-response (rule ${rule?.Priority})`);
  }
  if (action.Type === 'redirect') return answer(Number(String(action.RedirectConfig?.StatusCode ?? 'HTTP_302').slice(5)), {}, '', 'alb:redirect');
  const targetGroupArn = String(action.TargetGroupArn ?? action.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn);
  const targets = await deployed.targets(targetGroupArn);
  if (targets.length === 0) return answer(503, { 'content-type': 'text/html' }, '<html><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>', 'alb:no targets');
  const turn = roundRobin.get(targetGroupArn) ?? 0;
  roundRobin.set(targetGroupArn, turn + 1);
  const target = targets[turn % targets.length]!;
  const endpoint = (await deployed.executeApiEndpoints()).find((e) => e.addresses.includes(target.id));
  if (!endpoint || (target.port !== undefined && target.port !== 443)) {
    return answer(502, { 'content-type': 'text/html' }, '<html><body><center><h1>502 Bad Gateway</h1></center></body></html>', `alb:target ${target.id}:${target.port ?? ''} is no execute-api endpoint address`);
  }
  return throughApiGateway(site, request, endpoint.id, path, query);
}

function rulePriority(rule: Json): number {
  return rule.IsDefault || rule.Priority === 'default' ? Number.MAX_SAFE_INTEGER : Number(rule.Priority);
}

function conditionMatches(condition: Json, request: EdgeRequest, path: string): boolean {
  const values = (config: Json | undefined): string[] => (config?.Values ?? condition.Values ?? []).map(String);
  switch (condition.Field) {
    case 'path-pattern':
      return values(condition.PathPatternConfig).some((v) => globMatch(v, path));
    case 'host-header':
      return values(condition.HostHeaderConfig).some((v) => globMatch(v.toLowerCase(), (request.headers.host ?? '').split(':')[0]!.toLowerCase()));
    case 'http-header': {
      const value = request.headers[String(condition.HttpHeaderConfig?.HttpHeaderName).toLowerCase()];
      return value !== undefined && values(condition.HttpHeaderConfig).some((v) => globMatch(v.toLowerCase(), value.toLowerCase()));
    }
    case 'http-request-method':
      return values(condition.HttpRequestMethodConfig).includes(request.method);
    default:
      return false; // source-ip, query-string: not used by this platform; a rule that needs them does not match here
  }
}

// ------------------------------------------------------------------------------------------------ API Gateway

const FORBIDDEN = JSON.stringify({ message: 'Forbidden' });

/**
 * A request that reached the execute-api endpoint. API Gateway selects the API by Host through a private custom
 * domain name ("Invoke a private API using a custom domain name"): the domain must be associated with this endpoint
 * (an access association) and its own policy must allow the endpoint; then the base path mapping picks API and stage.
 */
async function throughApiGateway(site: EdgeSite, request: EdgeRequest, endpointId: string, path: string, query: string): Promise<EdgeAnswer> {
  const { deployed } = site;
  const host = (request.headers.host ?? '').split(':')[0]!.toLowerCase();
  const domain = (await deployed.privateDomainNames()).find((d) => String(d.domainName).toLowerCase() === host);
  if (!domain) return answer(403, jsonType, FORBIDDEN, `apigateway:no private custom domain name ${host}`);
  const associated = (await deployed.domainNameAccessAssociations()).some((a) => a.domainNameArn === domain.domainNameArn && a.accessAssociationSource === endpointId);
  if (!associated) return answer(403, jsonType, FORBIDDEN, `apigateway:${host} has no access association with ${endpointId}`);
  const domainArn = `arn:aws:execute-api:${site.region}:${site.accountId}:/domainnames/${domain.domainName}+${domain.domainNameId}`;
  const domainVerdict = await evaluateInvoke(expandShorthand(parsePolicy(domain.policy), domainArn), domainArn, site.accountId, endpointId);
  if (domainVerdict !== 'Allowed') return answer(403, jsonType, notAuthorized(domainArn, domainVerdict), `apigateway:the policy of ${host} denies ${endpointId}`);

  const mappings = await deployed.basePathMappings(String(domain.domainName), domain.domainNameId);
  const [first, ...rest] = path.split('/').slice(1);
  const mapping = mappings.find((m) => m.basePath === first) ?? mappings.find((m) => m.basePath === '(none)');
  if (!mapping) return answer(403, jsonType, FORBIDDEN, `apigateway:no base path mapping for /${first} on ${host}`);
  const apiPath = mapping.basePath === '(none)' ? path : `/${rest.join('/')}`;
  const stage = await deployed.stage(String(mapping.restApiId), String(mapping.stage));
  if (!stage?.deploymentId) return answer(403, jsonType, FORBIDDEN, `apigateway:stage ${mapping.stage} of ${mapping.restApiId} is not deployed`);
  const api = await deployed.deployedDefinition(String(mapping.restApiId), String(mapping.stage));
  return throughStage(site, request, { restApiId: String(mapping.restApiId), stage: String(mapping.stage), endpointId, api }, apiPath, query);
}

interface Stage {
  readonly restApiId: string;
  readonly stage: string;
  readonly endpointId: string;
  /** The deployment, as GetExport gives it (OpenAPI 3 with API Gateway's extensions). */
  readonly api: Json;
}

async function throughStage(site: EdgeSite, request: EdgeRequest, stage: Stage, apiPath: string, query: string): Promise<EdgeAnswer> {
  const route = matchRoute(stage.api, request.method, apiPath);
  // A path or method the deployment does not have: MISSING_AUTHENTICATION_TOKEN ("the client attempts to invoke an
  // unsupported API method or resource", API Gateway developer guide, "Gateway response types").
  if (!route) return gatewayResponse(stage.api, 'MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token', request);

  // The resource policy of the deployment, for an anonymous caller from this endpoint (aws:SourceVpce), before the
  // Cognito authorizer ("How API Gateway resource policies affect authorization workflow").
  const resource = `arn:aws:execute-api:${site.region}:${site.accountId}:${stage.restApiId}/${stage.stage}/${request.method}${apiPath}`;
  const policy = stage.api['x-amazon-apigateway-policy'];
  const apiArn = `arn:aws:execute-api:${site.region}:${site.accountId}:${stage.restApiId}`;
  const verdict = policy ? await evaluateInvoke(expandShorthand(policy, `${apiArn}/*`), resource, site.accountId, stage.endpointId) : 'ImplicitlyDenied';
  if (verdict !== 'Allowed') return gatewayResponse(stage.api, 'ACCESS_DENIED', 403, notAuthorizedMessage(resource, verdict), request);

  // The Cognito authorizer: with scopes, an access token that claims one of them; without, an ID token
  // (API Gateway developer guide, "Integrate a REST API with an Amazon Cognito user pool": "Otherwise, the call
  // fails with a 401 Unauthorized response").
  const requirement = (route.operation.security ?? [])[0] as Record<string, string[]> | undefined;
  if (requirement && Object.keys(requirement).length > 0) {
    const [scheme, scopes] = Object.entries(requirement)[0]!;
    const refused = await cognitoRefusal(site, stage.api, scheme, scopes ?? [], request);
    if (refused) return gatewayResponse(stage.api, 'UNAUTHORIZED', 401, 'Unauthorized', request, refused);
  }
  return integrate(route, request, query);
}

async function cognitoRefusal(site: EdgeSite, api: Json, scheme: string, scopes: string[], request: EdgeRequest): Promise<string | undefined> {
  const definition = api.components?.securitySchemes?.[scheme];
  const authorizer = definition?.['x-amazon-apigateway-authorizer'];
  if (authorizer?.type !== 'cognito_user_pools') return `the operation's security scheme ${scheme} is not a Cognito user pool authorizer`;
  const header = String(definition.name ?? 'Authorization').toLowerCase();
  const raw = request.headers[header];
  if (!raw) return `no ${definition.name ?? 'Authorization'} header`;
  const token = raw.replace(/^Bearer\s+/i, '');
  const errors: string[] = [];
  for (const arn of authorizer.providerARNs ?? []) {
    const poolId = String(arn).split('/').pop()!;
    const jwks = await site.deployed.jwks(poolId);
    if (!jwks) {
      errors.push(`user pool ${poolId} does not exist`);
      continue;
    }
    const verifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: scopes.length > 0 ? 'access' : 'id', clientId: null, ...(scopes.length > 0 ? { scope: scopes } : {}) });
    verifier.cacheJwks(jwks as any);
    try {
      await verifier.verify(token);
      return undefined;
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return errors.join('; ') || 'the authorizer names no user pool';
}

interface Route {
  readonly path: string;
  readonly params: Record<string, string>;
  readonly operation: Json;
}

/**
 * A specific resource before a path parameter before a greedy `{proxy+}` at each level ("a method request against a
 * specific resource takes precedence over a method request against a generic resource at the same level"); the
 * request's method before ANY ("will catch any HTTP method that wasn't explicitly declared").
 */
export function matchRoute(api: Json, method: string, path: string): Route | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const candidates: { rank: number[]; route: Route }[] = [];
  for (const [template, item] of Object.entries<Json>(api.paths ?? {})) {
    const operation = item[method.toLowerCase()] ?? item['x-amazon-apigateway-any-method'];
    const matched = operation ? matchTemplate(template.split('/').filter((s) => s !== ''), segments) : undefined;
    if (matched) candidates.push({ rank: [...matched.rank, item[method.toLowerCase()] ? 0 : 1], route: { path: template, params: matched.params, operation } });
  }
  candidates.sort((a, b) => compareRanks(a.rank, b.rank));
  return candidates[0]?.route;
}

/** Per level: 0 a literal part, 1 a `{param}`, 2 a greedy `{proxy+}` (the last part, one segment or more). */
function matchTemplate(parts: string[], segments: string[]): { rank: number[]; params: Record<string, string> } | undefined {
  const params: Record<string, string> = {};
  const rank: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith('{') && part.endsWith('+}')) {
      if (i !== parts.length - 1 || segments.length <= i) return undefined;
      params[part.slice(1, -2)] = segments.slice(i).map(decodeURIComponent).join('/');
      rank.push(2);
      return { rank, params };
    }
    if (i >= segments.length) return undefined;
    if (part.startsWith('{')) {
      params[part.slice(1, -1)] = decodeURIComponent(segments[i]!);
      rank.push(1);
    } else if (part === segments[i]) rank.push(0);
    else return undefined;
  }
  return parts.length === segments.length ? { rank, params } : undefined;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * MOCK: the status of the request template (static JSON; this edge renders no VTL), the integration response whose
 * selection pattern matches it (else `default`), its template and literal header mappings. HTTP_PROXY: the request
 * passed to the URI with path parameters filled in, on loopback only (the edge reaches nothing else: a backend
 * elsewhere answers 502 here). AWS_PROXY (Lambda): the emulator runs no functions; 502 with the reason.
 */
async function integrate(route: Route, request: EdgeRequest, query: string): Promise<EdgeAnswer> {
  const spec = route.operation['x-amazon-apigateway-integration'] ?? {};
  const type = String(spec.type ?? '').toLowerCase();
  if (type === 'mock') {
    let status = '200';
    try {
      status = String(JSON.parse(String(spec.requestTemplates?.['application/json'] ?? '{"statusCode":200}')).statusCode ?? 200);
    } catch {
      return answer(500, jsonType, JSON.stringify({ message: 'Internal server error' }), 'integration:mock request template is not static JSON');
    }
    const responses = Object.entries<Json>(spec.responses ?? {});
    const chosen = responses.find(([pattern]) => pattern !== 'default' && new RegExp(`^${pattern}$`).test(status))?.[1] ?? spec.responses?.default;
    if (!chosen) return answer(500, jsonType, JSON.stringify({ message: 'Internal server error' }), 'integration:mock has no integration response');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [target, value] of Object.entries<string>(chosen.responseParameters ?? {})) {
      const name = target.replace(/^method\.response\.header\./, '');
      if (/^'.*'$/.test(value)) headers[name.toLowerCase()] = value.slice(1, -1);
    }
    return answer(Number(chosen.statusCode), headers, String(chosen.responseTemplates?.['application/json'] ?? ''), 'integration:mock');
  }
  if (type === 'http_proxy') {
    const uri = String(spec.uri ?? '').replace(/\{([^}+]+)\+?\}/g, (_m, name: string) => encodeURIComponent(route.params[name] ?? ''));
    const target = new URL(uri);
    if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(target.hostname)) {
      return answer(502, jsonType, JSON.stringify({ message: 'Internal server error' }), `integration:http_proxy to ${target.origin} is not on loopback: the local edge does not reach it`);
    }
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'content-length'));
    const reply = await httpCall(`${target.origin}${target.pathname}${query ? `?${query}` : target.search}`, { method: String(spec.httpMethod ?? request.method), headers, body: request.body }).catch(() => undefined);
    if (!reply) return answer(504, jsonType, JSON.stringify({ message: 'Endpoint request timed out' }), 'integration:http_proxy backend unreachable');
    return answer(reply.status, reply.headers, reply.body, 'integration:http_proxy');
  }
  return answer(502, jsonType, JSON.stringify({ message: 'Internal server error' }), `integration:${type || 'none'} is not run locally (the emulator runs no Lambda functions)`);
}

/** API Gateway's own answer of `type`, changed by the deployment's gateway responses (the type's, else DEFAULT_4XX). */
function gatewayResponse(api: Json, type: string, status: number, message: string, request: EdgeRequest, why?: string): EdgeAnswer {
  const responses = api['x-amazon-apigateway-gateway-responses'] ?? {};
  const configured = responses[type] ?? responses.DEFAULT_4XX;
  const headers: Record<string, string> = { ...jsonType, 'x-amzn-errortype': `${type === 'UNAUTHORIZED' ? 'UnauthorizedException' : type === 'ACCESS_DENIED' ? 'AccessDeniedException' : 'MissingAuthenticationTokenException'}` };
  let body = JSON.stringify({ message });
  let code = status;
  if (configured) {
    code = Number(configured.statusCode ?? status);
    for (const [target, value] of Object.entries<string>(configured.responseParameters ?? {})) {
      const name = target.replace(/^gatewayresponse\.header\./, '').toLowerCase();
      if (/^'.*'$/.test(value)) headers[name] = value.slice(1, -1);
      else if (value.startsWith('method.request.header.')) {
        const from = request.headers[value.slice('method.request.header.'.length).toLowerCase()];
        if (from !== undefined) headers[name] = from;
      }
    }
    const template = configured.responseTemplates?.['application/json'];
    if (typeof template === 'string') body = template.replace(/\$context\.error\.messageString/g, JSON.stringify(message)).replace(/\$context\.error\.message/g, message);
  }
  return answer(code, headers, body, `apigateway:${type}${why ? ` (${why})` : ''}`);
}

/**
 * `execute-api:/*` in a policy is API Gateway's shorthand for "this API" (or this custom domain name): it stands for
 * the resource's own ARN (API Gateway developer guide, "Create and attach an API Gateway resource policy to an API").
 */
function expandShorthand(policy: Json, arn: string): Json {
  return JSON.parse(JSON.stringify(policy).replace(/"execute-api:\/\*"/g, JSON.stringify(arn)));
}

function parsePolicy(policy: unknown): Json {
  if (typeof policy !== 'string' || policy === '') return { Version: '2012-10-17', Statement: [] };
  try {
    return JSON.parse(policy);
  } catch {
    return JSON.parse(policy.replace(/\\"/g, '"'));
  }
}

/** The message API Gateway gives a caller a resource policy refuses. */
function notAuthorizedMessage(resource: string, verdict: string): string {
  return `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${resource}${verdict === 'ExplicitlyDenied' ? ' with an explicit deny' : ''}`;
}

function notAuthorized(resource: string, verdict: string): string {
  return JSON.stringify({ Message: notAuthorizedMessage(resource, verdict) });
}

// ------------------------------------------------------------------------------------------------ back at CloudFront

/**
 * The behaviour's response headers policy on the origin's answer: the headers it removes, the security headers, and
 * CORS for a request whose Origin is one of AccessControlAllowOrigins ("CloudFront adds these headers to HTTP
 * responses that it sends for CORS requests"); with OriginOverride the policy's CORS headers replace the origin's.
 * A preflight (OPTIONS with Access-Control-Request-Method) also gets the allowed methods, headers and max age.
 */
function withResponseHeadersPolicy(reply: EdgeAnswer, policy: Json | undefined, request: EdgeRequest): EdgeAnswer {
  if (!policy) return reply;
  const headers = { ...reply.headers };
  for (const item of policy.RemoveHeadersConfig?.Items ?? []) delete headers[String(item.Header).toLowerCase()];
  const security = policy.SecurityHeadersConfig ?? {};
  const set = (name: string, value: string, override: boolean) => {
    if (override || headers[name] === undefined) headers[name] = value;
  };
  if (security.StrictTransportSecurity) {
    const h = security.StrictTransportSecurity;
    set('strict-transport-security', `max-age=${h.AccessControlMaxAgeSec}${h.IncludeSubdomains ? '; includeSubDomains' : ''}${h.Preload ? '; preload' : ''}`, Boolean(h.Override));
  }
  if (security.ContentTypeOptions) set('x-content-type-options', 'nosniff', Boolean(security.ContentTypeOptions.Override));
  if (security.FrameOptions) set('x-frame-options', String(security.FrameOptions.FrameOption), Boolean(security.FrameOptions.Override));
  if (security.ReferrerPolicy) set('referrer-policy', String(security.ReferrerPolicy.ReferrerPolicy), Boolean(security.ReferrerPolicy.Override));
  if (security.XSSProtection) set('x-xss-protection', security.XSSProtection.Protection ? `1${security.XSSProtection.ModeBlock ? '; mode=block' : ''}` : '0', Boolean(security.XSSProtection.Override));
  if (security.ContentSecurityPolicy) set('content-security-policy', String(security.ContentSecurityPolicy.ContentSecurityPolicy), Boolean(security.ContentSecurityPolicy.Override));
  const cors = policy.CorsConfig;
  const origin = request.headers.origin;
  if (cors && origin) {
    const allowed: string[] = cors.AccessControlAllowOrigins?.Items ?? [];
    if (allowed.includes('*') || allowed.includes(origin)) {
      const override = Boolean(cors.OriginOverride);
      set('access-control-allow-origin', allowed.includes('*') && !cors.AccessControlAllowCredentials ? '*' : origin, override);
      if (cors.AccessControlAllowCredentials) set('access-control-allow-credentials', 'true', override);
      if (cors.AccessControlExposeHeaders?.Items?.length) set('access-control-expose-headers', cors.AccessControlExposeHeaders.Items.join(', '), override);
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
        set('access-control-allow-methods', (cors.AccessControlAllowMethods?.Items ?? []).join(', '), override);
        set('access-control-allow-headers', (cors.AccessControlAllowHeaders?.Items ?? []).join(', '), override);
        if (cors.AccessControlMaxAgeSec !== undefined) set('access-control-max-age', String(cors.AccessControlMaxAgeSec), override);
      }
    }
  }
  return { ...reply, headers };
}

// ------------------------------------------------------------------------------------------------ helpers

const jsonType = { 'content-type': 'application/json' };

function answer(status: number, headers: Record<string, string>, body: string, step: string): EdgeAnswer {
  return { status, headers: { ...headers }, body, step };
}

/** An answer CloudFront makes itself (no response headers policy: AWS documents none for its own errors). */
function cloudfrontError(status: number, message: string, step: string): EdgeAnswer {
  return answer(status, { 'content-type': 'text/html' }, `<html><head><title>${status} ERROR</title></head><body><h1>${status} ERROR</h1><p>${message}</p></body></html>`, step === 'waf' ? 'waf' : `cloudfront:${message}`);
}

/** CloudFront and ALB path patterns: `*` any run of characters, `?` exactly one; the whole string must match. */
export function globMatch(pattern: string, value: string): boolean {
  const normalized = pattern.startsWith('/') || pattern.startsWith('*') || !value.startsWith('/') ? pattern : `/${pattern}`;
  const regex = normalized.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}
