/**
 * The pure half of the private API: from an API's configuration to a plan of
 * its routes (methods, integrations, the CORS preflight), validated, with no
 * tokens and no constructs. `openapi.ts` renders the plan as the one OpenAPI
 * document that defines the REST API; the construct hands that document to
 * API Gateway.
 */
import { MAX_API_GATEWAY_RESOURCES, countApiResources, type HTTP_METHODS } from '../aws-limits';

/** What serves a route: a fixed answer, an HTTP endpoint, or a Lambda function (API Gateway's integration types). */
export type ApiIntegration =
  | {
      readonly type: 'MOCK';
      /** @default 200 */
      readonly statusCode?: number;
    }
  | { readonly type: 'HTTP_PROXY'; readonly uri: string }
  | { readonly type: 'LAMBDA_PROXY'; readonly functionArn: string };

/** One method of the API: a path, an HTTP method, the scopes a token needs (one of them), and its integration. */
export interface ApiRoute {
  /** Path below the API's base path: `/`, `/orders`, `/orders/{orderId}`. */
  readonly path: string;
  readonly method: (typeof HTTP_METHODS)[number];
  /** Scope names of the resource server (without its identifier); a token must carry one of them. At least one. */
  readonly scopes: readonly string[];
  readonly integration: ApiIntegration;
}

/** A private REST API: its name (also its base path, `/<name>`), routes, CORS origins, throttling and tracing. */
export interface ApiConfig {
  /** Short name; also the base path the private custom domain maps to the API (`/<name>`). */
  readonly name: string;
  readonly routes: readonly ApiRoute[];
  /**
   * Origins allowed by CORS preflight (`OPTIONS`, MOCK, unauthenticated).
   * @default - no CORS preflight methods at all
   */
  readonly corsAllowOrigins?: readonly string[];
  /** Stage throttling applied to every method. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /** @default false - no X-Ray tracing on the stage */
  readonly xrayTracing?: boolean;
}

/** Methods a CORS preflight advertises for an `ANY` route. */
const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];
/** Request headers a browser may send cross-origin (Authorization is never covered by a wildcard, so it is named). */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type'];
export const CORS_MAX_AGE_SECONDS = 600;
/** Status of the CORS preflight MOCK: a browser needs a 2xx ("ok status", Fetch standard) and the answer has no body. */
export const PREFLIGHT_STATUS_CODE = 204;

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

/** How API Gateway reaches the backend of one route. */
export interface IntegrationPlan {
  readonly type: 'MOCK' | 'HTTP_PROXY' | 'AWS_PROXY';
  /** HTTP_PROXY: the route's method; AWS_PROXY: always POST (how Lambda is invoked). */
  readonly integrationHttpMethod?: string;
  readonly uri?: string;
  /** `integration.request.path.X` -> `method.request.path.X` (HTTP_PROXY with path parameters). */
  readonly requestParameters?: Record<string, string>;
  /** MOCK: the status code the mock answers. */
  readonly statusCode?: number;
  /** AWS_PROXY only: the function API Gateway needs permission to invoke. */
  readonly lambdaFunctionArn?: string;
}

export interface MethodPlan {
  /** The route's path as API Gateway shows the resource: `/`, `/{orderId}`, `/{orderId}/items`. */
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly authorization: 'COGNITO_USER_POOLS' | 'NONE';
  /** Full scope names; empty only for CORS preflight. */
  readonly authorizationScopes: string[];
  /** Path parameter names (`orderId`, `proxy` for `{proxy+}`). */
  readonly pathParameters: string[];
  readonly integration: IntegrationPlan;
  /** The route it comes from (`GET /{orderId}`), or `CORS preflight`. */
  readonly origin: string;
}

export interface CorsPlan {
  /** Exact origins (or `*`, local only) whose browsers may read the answers. */
  readonly allowOrigins: string[];
  /** Methods of the API's routes, and OPTIONS. */
  readonly allowMethods: string[];
  readonly allowHeaders: string[];
  readonly maxAgeSeconds: number;
}

export interface ApiPlan {
  readonly name: string;
  /** `/<name>`: the base path mapping of the private custom domain, and CloudFront's path prefix. */
  readonly basePath: string;
  /** Every resource below the root, parents before children: `/{orderId}`, `/{orderId}/items`, ... */
  readonly resourcePaths: string[];
  readonly methods: MethodPlan[];
  /** Absent when the API allows no cross-origin callers. */
  readonly cors?: CorsPlan;
}

export function pathParameters(resourcePath: string): string[] {
  return [...resourcePath.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\+?\}/g)].map((m) => m[1]!);
}

/** Validates an API's configuration and plans its routes; throws a PrivateApiConfigError naming the route. */
export function planApi(api: ApiConfig, options: PlanOptions): ApiPlan {
  const fail = (message: string): never => {
    throw new PrivateApiConfigError(api.name, message);
  };
  if (api.routes.length === 0) fail('has no routes: give at least one route (path, method, scopes, integration)');

  const resources = countApiResources(api);
  if (resources > MAX_API_GATEWAY_RESOURCES) {
    fail(
      `its ${api.routes.length} routes need ${resources} API Gateway resources (the root and every distinct path), ` +
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

  const resourcePaths = new Set<string>();
  const routeMethods = new Map<string, string[]>();
  const methods: MethodPlan[] = api.routes.map((route) => {
    const resourcePath = route.path;
    const segments = resourcePath === '/' ? [] : resourcePath.slice(1).split('/');
    for (let i = 1; i <= segments.length; i++) resourcePaths.add(`/${segments.slice(0, i).join('/')}`);
    routeMethods.set(resourcePath, [...(routeMethods.get(resourcePath) ?? []), route.method]);
    const params = pathParameters(resourcePath);
    return {
      resourcePath,
      httpMethod: route.method,
      authorization: 'COGNITO_USER_POOLS',
      authorizationScopes: route.scopes.map((s) => options.scope(s)),
      pathParameters: params,
      integration: planIntegration(route.method, route.integration, params),
      origin: `${route.method} ${route.path}`,
    };
  });

  let cors: CorsPlan | undefined;
  if (origins.length > 0) {
    for (const [resourcePath, verbs] of routeMethods) {
      if (verbs.includes('OPTIONS')) {
        fail(`a route OPTIONS ${resourcePath} conflicts with the CORS preflight generated from corsAllowOrigins: remove the route`);
      }
      methods.push(planPreflight(resourcePath));
    }
    const verbs = [...routeMethods.values()].flat();
    cors = {
      allowOrigins: [...origins],
      allowMethods: [...new Set(verbs.flatMap((v) => (v === 'ANY' ? ANY_METHODS : [v])).concat('OPTIONS'))].sort(),
      allowHeaders: CORS_ALLOW_HEADERS,
      maxAgeSeconds: CORS_MAX_AGE_SECONDS,
    };
  }

  return {
    name: api.name,
    basePath: `/${api.name}`,
    resourcePaths: [...resourcePaths].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b)),
    methods,
    ...(cors ? { cors } : {}),
  };
}

function planIntegration(method: string, integration: ApiIntegration, params: string[]): IntegrationPlan {
  switch (integration.type) {
    case 'MOCK':
      return { type: 'MOCK', statusCode: integration.statusCode ?? 200 };
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

/**
 * The preflight answers 204 with no CORS headers of its own: CloudFront's response headers policy adds them
 * for allowed origins only (packages/constructs/src/edge), so one place decides CORS for every answer, preflight included.
 */
function planPreflight(resourcePath: string): MethodPlan {
  return {
    resourcePath,
    httpMethod: 'OPTIONS',
    authorization: 'NONE',
    authorizationScopes: [],
    pathParameters: pathParameters(resourcePath),
    integration: { type: 'MOCK', statusCode: PREFLIGHT_STATUS_CODE },
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
 * A resource policy for `execute-api:Invoke`: allowed, and denied unless the request came through the endpoint.
 * A request without `aws:SourceVpce` (not through any endpoint) matches StringNotEquals, so it is denied too.
 * The REST API's policy names its execution ARN; the private custom domain's names `execute-api:/*`.
 */
export function endpointOnlyPolicy(resource: string, vpcEndpointId: string) {
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
        Condition: { StringNotEquals: { 'aws:SourceVpce': vpcEndpointId } },
      },
    ],
  };
}

/** The REST API's resource policy: invoke only through the endpoint. */
export function privateApiPolicy(ids: PolicyIds) {
  return endpointOnlyPolicy(`${ids.executionArn}/*`, ids.vpcEndpointId);
}
