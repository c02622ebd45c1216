/**
 * The pure half of the private API: from an API's configuration to a plan of
 * API Gateway resources, methods and integrations (no tokens, no constructs).
 *
 * The construct renders this plan into Terraform resources, and the deployment
 * trigger hashes it, so "what is deployed" and "what triggers a redeployment"
 * cannot drift apart. Validation lives here too, so it runs before anything is built.
 */
import { createHash } from 'node:crypto';
import { MAX_API_GATEWAY_RESOURCES, countApiResources, type ApiConfig } from '../../environments/schema';

/** Methods a CORS preflight advertises for an `ANY` route. */
const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type'];
export const CORS_MAX_AGE_SECONDS = 600;

/** How the API's authorizer reads tokens; part of the deployment fingerprint. */
export const COGNITO_AUTHORIZER = { type: 'COGNITO_USER_POOLS', identitySource: 'method.request.header.Authorization' } as const;

/** The resource policy with placeholders for its ids: what the deployment fingerprint hashes. */
export const POLICY_PLACEHOLDER_IDS = { executionArn: '<execution arn>', vpcEndpointId: '<vpc endpoint id>' } as const;

export class PrivateApiConfigError extends Error {
  constructor(apiName: string, message: string) {
    super(`private API "${apiName}": ${message}`);
    this.name = 'PrivateApiConfigError';
  }
}

export interface PlanOptions {
  /** Full scope name for a scope of the resource server (`<identifier>/<name>`). */
  readonly scope: (name: string) => string;
  /** Allow `*` in `corsAllowOrigins` (the emulator environment only). */
  readonly allowWildcardCors: boolean;
}

/** One `aws_api_gateway_integration` plus what it needs around it. */
export interface IntegrationPlan {
  readonly type: 'MOCK' | 'HTTP_PROXY' | 'AWS_PROXY';
  readonly integrationHttpMethod?: string;
  readonly uri?: string;
  readonly requestParameters?: Record<string, string>;
  readonly requestTemplates?: Record<string, string>;
  readonly passthroughBehavior?: string;
  /** MOCK only: the one response (method response + integration response). */
  readonly response?: {
    readonly statusCode: string;
    /** `method.response.header.X` -> mapping expression (integration response) */
    readonly headers?: Record<string, string>;
    readonly responseTemplates?: Record<string, string>;
  };
  /** AWS_PROXY only: the function API Gateway needs permission to invoke. */
  readonly lambdaFunctionArn?: string;
}

export interface MethodPlan {
  /** Path below the REST API's root, as API Gateway shows it: `/orders/{orderId}`. */
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly authorization: 'COGNITO_USER_POOLS' | 'NONE';
  /** Full scope names; empty only for CORS preflight. */
  readonly authorizationScopes: string[];
  readonly requestParameters?: Record<string, boolean>;
  readonly integration: IntegrationPlan;
  /** The route it comes from (`GET /{orderId}`), or `CORS preflight`. */
  readonly origin: string;
}

export interface ApiPlan {
  readonly name: string;
  /** `/<name>`: every route lives below it. */
  readonly basePath: string;
  /** Every resource below the root, parents before children: `/orders`, `/orders/{orderId}`, ... */
  readonly resourcePaths: string[];
  readonly methods: MethodPlan[];
}

/** `/` -> `/orders`, `/{orderId}` -> `/orders/{orderId}` */
export function resourcePathOf(apiName: string, routePath: string): string {
  return routePath === '/' ? `/${apiName}` : `/${apiName}${routePath}`;
}

export function pathParameters(resourcePath: string): string[] {
  return [...resourcePath.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\+?\}/g)].map((m) => m[1]!);
}

/** Validates an API's configuration and plans its resources and methods; throws a PrivateApiConfigError naming the route. */
export function planApi(api: ApiConfig, options: PlanOptions): ApiPlan {
  const fail = (message: string): never => {
    throw new PrivateApiConfigError(api.name, message);
  };
  if (api.routes.length === 0) fail('has no routes: give at least one route (path, method, scopes, integration)');

  const resources = countApiResources(api);
  if (resources > MAX_API_GATEWAY_RESOURCES) {
    fail(
      `its ${api.routes.length} routes need ${resources} API Gateway resources (the root, /${api.name} and every distinct path), ` +
        `more than the ${MAX_API_GATEWAY_RESOURCES} a REST API may have: merge paths (e.g. /{proxy+}) or split the API in two`,
    );
  }

  const seen = new Map<string, number>();
  api.routes.forEach((route, r) => {
    const key = `${route.method} ${route.path}`;
    const first = seen.get(key);
    if (first !== undefined) fail(`routes[${r}] (${key}) duplicates routes[${first}]: each method and path may appear once`);
    seen.set(key, r);
    if (route.scopes.length === 0) {
      fail(
        `routes[${r}] (${key}) has no scopes: every route needs at least one scope of the resource server (such as "orders.read"); ` +
          'without scopes API Gateway refuses access tokens and machine clients cannot call it',
      );
    }
  });

  const origins = api.corsAllowOrigins ?? [];
  origins.forEach((origin, o) => {
    if (origin === '*' && !options.allowWildcardCors) {
      fail(`corsAllowOrigins[${o}] is "*": list the exact origins (such as https://app.example.com); "*" is allowed in the local environment only`);
    }
  });
  if (origins.includes('*') && origins.length > 1) {
    fail(`corsAllowOrigins is ${JSON.stringify(origins)}: "*" must be the only origin when it is used`);
  }

  const resourcePaths = new Set<string>([`/${api.name}`]);
  const routeMethods = new Map<string, string[]>();
  const methods: MethodPlan[] = api.routes.map((route) => {
    const resourcePath = resourcePathOf(api.name, route.path);
    const segments = resourcePath.slice(1).split('/');
    for (let i = 1; i <= segments.length; i++) resourcePaths.add(`/${segments.slice(0, i).join('/')}`);
    routeMethods.set(resourcePath, [...(routeMethods.get(resourcePath) ?? []), route.method]);
    const params = pathParameters(resourcePath);
    const integration = planIntegration(route.method, route.integration, params);
    return {
      resourcePath,
      httpMethod: route.method,
      authorization: 'COGNITO_USER_POOLS',
      authorizationScopes: route.scopes.map((s) => options.scope(s)),
      ...(integration.type === 'HTTP_PROXY' && params.length > 0
        ? { requestParameters: Object.fromEntries(params.map((p) => [`method.request.path.${p}`, true])) }
        : {}),
      integration,
      origin: `${route.method} ${route.path}`,
    };
  });

  if (origins.length > 0) {
    for (const [resourcePath, verbs] of routeMethods) {
      if (verbs.includes('OPTIONS')) {
        fail(`a route OPTIONS ${resourcePath.slice(api.name.length + 1) || '/'} conflicts with the CORS preflight generated from corsAllowOrigins: remove the route`);
      }
      methods.push(planPreflight(resourcePath, verbs, origins));
    }
  }

  return {
    name: api.name,
    basePath: `/${api.name}`,
    resourcePaths: [...resourcePaths].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b)),
    methods,
  };
}

function planIntegration(method: string, integration: ApiConfig['routes'][number]['integration'], params: string[]): IntegrationPlan {
  switch (integration.type) {
    case 'MOCK': {
      const statusCode = integration.statusCode ?? 200;
      return {
        type: 'MOCK',
        requestTemplates: { 'application/json': JSON.stringify({ statusCode }) },
        passthroughBehavior: 'WHEN_NO_TEMPLATES',
        response: { statusCode: String(statusCode) },
      };
    }
    case 'HTTP_PROXY':
      return {
        type: 'HTTP_PROXY',
        integrationHttpMethod: method,
        uri: integration.uri,
        ...(params.length > 0 ? { requestParameters: Object.fromEntries(params.map((p) => [`integration.request.path.${p}`, `method.request.path.${p}`])) } : {}),
      };
    case 'LAMBDA_PROXY': {
      const [, partition, , region] = integration.functionArn.split(':');
      return {
        type: 'AWS_PROXY',
        // Lambda is always invoked with POST, whatever the route's method.
        integrationHttpMethod: 'POST',
        uri: `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${integration.functionArn}/invocations`,
        lambdaFunctionArn: integration.functionArn,
      };
    }
  }
}

function planPreflight(resourcePath: string, verbs: string[], origins: string[]): MethodPlan {
  const allowed = [...new Set(verbs.flatMap((v) => (v === 'ANY' ? ANY_METHODS : [v])).concat('OPTIONS'))].sort();
  const headers: Record<string, string> = {
    'method.response.header.Access-Control-Allow-Headers': `'${CORS_ALLOW_HEADERS.join(',')}'`,
    'method.response.header.Access-Control-Allow-Methods': `'${allowed.join(',')}'`,
    // A static header can hold one origin; with several, the template below echoes the caller's when it is listed.
    'method.response.header.Access-Control-Allow-Origin': `'${origins[0]}'`,
    'method.response.header.Access-Control-Max-Age': `'${CORS_MAX_AGE_SECONDS}'`,
  };
  let responseTemplates: Record<string, string> | undefined;
  if (origins.length > 1) {
    headers['method.response.header.Vary'] = "'Origin'";
    responseTemplates = {
      'application/json': [
        '#set($origin = $input.params().header.get("Origin"))',
        '#if($origin == "")#set($origin = $input.params().header.get("origin"))#end',
        `#if(${origins.map((o) => `$origin == ${JSON.stringify(o)}`).join(' || ')})`,
        '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
        '#end',
      ].join('\n'),
    };
  }
  return {
    resourcePath,
    httpMethod: 'OPTIONS',
    authorization: 'NONE',
    authorizationScopes: [],
    integration: {
      type: 'MOCK',
      requestTemplates: { 'application/json': JSON.stringify({ statusCode: 200 }) },
      passthroughBehavior: 'WHEN_NO_TEMPLATES',
      response: { statusCode: '200', headers, ...(responseTemplates ? { responseTemplates } : {}) },
    },
    origin: 'CORS preflight',
  };
}

/** The ids the resource policy names; tokens in the stack, concrete values in tests. */
export interface PolicyIds {
  /** The REST API's execution ARN: `arn:aws:execute-api:<region>:<account>:<api id>`. */
  readonly executionArn: string;
  /** The execute-api interface endpoint the API is bound to: `vpce-...`. */
  readonly vpcEndpointId: string;
}

/**
 * The REST API's resource policy: invoke is allowed, and denied unless the request came through the endpoint.
 * A request without `aws:SourceVpce` (not through any endpoint) matches StringNotEquals, so it is denied too.
 */
export function privateApiPolicy(ids: PolicyIds) {
  const resource = `${ids.executionArn}/*`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowInvoke', Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: resource },
      {
        Sid: 'DenyInvokeExceptThroughTheEndpoint',
        Effect: 'Deny',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: resource,
        Condition: { StringNotEquals: { 'aws:SourceVpce': ids.vpcEndpointId } },
      },
    ],
  };
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

/**
 * What a deployment snapshots, as a hash: every resource, method, integration and the resource policy.
 * Token values (ids known only after apply) are hashed as placeholders here; the construct adds them to
 * the triggers separately so a changed endpoint or user pool redeploys too.
 */
export function deploymentFingerprint(plan: ApiPlan, policy: unknown, authorizer: unknown): string {
  return createHash('sha256').update(stableJson({ plan, policy, authorizer })).digest('hex');
}
