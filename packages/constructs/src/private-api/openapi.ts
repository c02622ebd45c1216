/**
 * One OpenAPI 3 document per REST API: every route with its integration
 * (`x-amazon-apigateway-integration`), the Cognito authorizer as a security
 * scheme and each operation's scopes as its security requirement, the CORS
 * preflight, and API Gateway's own error answers
 * (`x-amazon-apigateway-gateway-responses`).
 *
 * Why one document: API Gateway replaces the whole definition with PutRestApi
 * in `overwrite` mode ("items from an existing API that are not specifically
 * defined in the imported definition will be deleted",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-update.html),
 * so a removed or renamed route is gone before the next deployment snapshots
 * the API. With one Terraform resource per method, a create-before-destroy
 * deployment snapshots the API while a removed route still exists, and a
 * renamed path parameter (`{orderId}` -> `{id}`) is created next to the old one,
 * which API Gateway refuses (one variable path part per level).
 *
 * Extensions as AWS documents them:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
 *
 * `operationsOf` reads a document back (the review rules and the plan summary use it).
 */
import type { ApiPlan, IntegrationPlan, MethodPlan } from './plan';

export const OPENAPI_VERSION = '3.0.1';
/** The security scheme every authenticated operation names. */
export const COGNITO_SECURITY_SCHEME = 'cognito-user-pool';
/** The request validator every operation uses (API-wide default). */
export const REQUEST_VALIDATOR = 'parameters';
/** API Gateway's name for the ANY method in a path item (OpenAPI has no such method). */
export const ANY_METHOD_KEY = 'x-amazon-apigateway-any-method';
/** The largest definition PutRestApi accepts (API Gateway quotas: "API definition file size", 6 MB). */
export const MAX_DOCUMENT_BYTES = 6 * 1024 * 1024;

/**
 * API Gateway's own answers, changed where the default misleads a client:
 * - UNAUTHORIZED (no token, or one the Cognito authorizer refuses): 401 with `WWW-Authenticate: Bearer`,
 *   as RFC 6750 section 3 asks of a bearer-token resource server;
 * - MISSING_AUTHENTICATION_TOKEN (a path or method the API does not have): 404 instead of API Gateway's
 *   misleading 403 "Missing Authentication Token".
 * Response types: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * No CORS header here: CloudFront's response headers policy owns CORS on every answer (packages/constructs/src/edge).
 */
export const GATEWAY_RESPONSES = {
  UNAUTHORIZED: {
    statusCode: '401',
    responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
    responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
  },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: '404',
    responseTemplates: { 'application/json': '{"message":"Not Found"}' },
  },
} as const;

export interface OpenApiDocumentProps {
  /** The REST API's name (`info.title`): an overwrite import sets the name from it. */
  readonly title: string;
  /** The REST API's description (`info.description`). */
  readonly description: string;
  /** ARN of the Cognito user pool whose access tokens the authorizer accepts. */
  readonly userPoolArn: string;
  /** The execute-api endpoint the PRIVATE API is bound to (`x-amazon-apigateway-endpoint-configuration`). */
  readonly vpcEndpointId: string;
}

export type OpenApiDocument = Record<string, any>;

const METHOD_KEYS: Record<string, string> = {
  GET: 'get',
  PUT: 'put',
  POST: 'post',
  DELETE: 'delete',
  PATCH: 'patch',
  HEAD: 'head',
  OPTIONS: 'options',
  ANY: ANY_METHOD_KEY,
};

/** The document that defines the REST API of `plan`. */
export function openApiDocument(plan: ApiPlan, props: OpenApiDocumentProps): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  // Routes in a stable order: the document (and its hash, the deployment's trigger) does not depend on the file's order.
  const methods = [...plan.methods].sort((a, b) => a.resourcePath.localeCompare(b.resourcePath) || a.httpMethod.localeCompare(b.httpMethod));
  for (const method of methods) {
    (paths[method.resourcePath] ??= {})[METHOD_KEYS[method.httpMethod]!] = operation(method);
  }
  return {
    openapi: OPENAPI_VERSION,
    info: { title: props.title, description: props.description, version: '1' },
    // API Gateway reads the endpoint ids of a PRIVATE API from the server object (OpenAPI 3).
    servers: [{ url: '/', 'x-amazon-apigateway-endpoint-configuration': { vpcEndpointIds: [props.vpcEndpointId] } }],
    paths,
    components: {
      securitySchemes: {
        [COGNITO_SECURITY_SCHEME]: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'cognito_user_pools',
          'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [props.userPoolArn] },
        },
      },
    },
    'x-amazon-apigateway-gateway-responses': GATEWAY_RESPONSES,
    // Every operation's declared request parameters (its path parameters) are checked before the integration runs
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html). Bodies
    // are not: the environment file defines no body models, so the backends validate their own.
    'x-amazon-apigateway-request-validators': { [REQUEST_VALIDATOR]: { validateRequestParameters: true, validateRequestBody: false } },
    'x-amazon-apigateway-request-validator': REQUEST_VALIDATOR,
  };
}

function operation(method: MethodPlan): Record<string, unknown> {
  const status = String(method.integration.type === 'MOCK' ? method.integration.statusCode : 200);
  return {
    ...(method.pathParameters.length > 0
      ? { parameters: method.pathParameters.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) }
      : {}),
    // A security requirement with scopes: API Gateway then accepts access tokens that carry one of them, and only those
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html).
    ...(method.authorization === 'COGNITO_USER_POOLS' ? { security: [{ [COGNITO_SECURITY_SCHEME]: method.authorizationScopes }] } : {}),
    responses: { [status]: { description: method.origin === 'CORS preflight' ? 'CORS preflight (CloudFront adds the CORS headers)' : `${method.origin}` } },
    'x-amazon-apigateway-integration': integration(method.integration),
  };
}

function integration(spec: IntegrationPlan): Record<string, unknown> {
  switch (spec.type) {
    case 'MOCK':
      return {
        type: 'mock',
        requestTemplates: { 'application/json': JSON.stringify({ statusCode: spec.statusCode }) },
        passthroughBehavior: 'when_no_templates',
        responses: { default: { statusCode: String(spec.statusCode) } },
      };
    case 'HTTP_PROXY':
      return {
        type: 'http_proxy',
        httpMethod: spec.integrationHttpMethod,
        uri: spec.uri,
        ...(spec.requestParameters ? { requestParameters: spec.requestParameters } : {}),
        passthroughBehavior: 'when_no_match',
      };
    case 'AWS_PROXY':
      return { type: 'aws_proxy', httpMethod: 'POST', uri: spec.uri, passthroughBehavior: 'when_no_match' };
  }
}

// ---------------------------------------------------------------- reading a document back

export interface OperationSummary {
  /** `GET`, ..., `ANY`. */
  readonly method: string;
  readonly path: string;
  /** `GET /{orderId}`. */
  readonly key: string;
  /** The security schemes the operation requires, with their scopes (empty: no authorization). */
  readonly security: readonly { readonly scheme: string; readonly scopes: readonly string[] }[];
  /** Integration type as API Gateway names it (`MOCK`, `HTTP_PROXY`, `AWS_PROXY`, ...), or undefined when there is none. */
  readonly integrationType?: string;
  /** The integration's target: URI (and method) of a proxy, status of a mock. */
  readonly integrationTarget?: string;
}

/** The REST API document in a `body` attribute, or undefined when it is not one. */
export function parseOpenApiBody(body: unknown): OpenApiDocument | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const parsed = JSON.parse(body);
    return parsed && typeof parsed === 'object' && parsed.paths && typeof parsed.paths === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const METHOD_NAMES = Object.fromEntries(Object.entries(METHOD_KEYS).map(([name, key]) => [key, name]));

/** Every operation of the document, as API Gateway creates it: method, path, security, integration. */
export function operationsOf(document: OpenApiDocument): OperationSummary[] {
  const operations: OperationSummary[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths ?? {})) {
    for (const [key, op] of Object.entries<Record<string, any>>(item ?? {})) {
      const method = METHOD_NAMES[key.toLowerCase()] ?? (key === ANY_METHOD_KEY ? 'ANY' : undefined);
      if (!method || !op || typeof op !== 'object') continue;
      const requirements: Record<string, string[]>[] = Array.isArray(op.security) ? op.security : Array.isArray(document.security) ? document.security : [];
      const security = requirements.flatMap((r) => Object.entries(r ?? {}).map(([scheme, scopes]) => ({ scheme, scopes: Array.isArray(scopes) ? scopes.map(String) : [] })));
      const spec = op['x-amazon-apigateway-integration'];
      const type = typeof spec?.type === 'string' ? spec.type.toUpperCase() : undefined;
      const target =
        type === 'MOCK'
          ? `status ${JSON.stringify(spec.requestTemplates ?? {})}`
          : spec?.uri !== undefined
            ? `${spec.httpMethod ?? ''} ${spec.uri}`.trim()
            : undefined;
      operations.push({ method, path, key: `${method} ${path}`, security, integrationType: type, ...(target !== undefined ? { integrationTarget: target } : {}) });
    }
  }
  return operations.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The `x-amazon-apigateway-authorizer` of a security scheme, when it has one. */
export function authorizerOf(document: OpenApiDocument, scheme: string): { type?: string; providerARNs: string[] } | undefined {
  const definition = document.components?.securitySchemes?.[scheme] ?? document.securityDefinitions?.[scheme];
  const authorizer = definition?.['x-amazon-apigateway-authorizer'];
  if (!authorizer) return undefined;
  return { type: authorizer.type, providerARNs: Array.isArray(authorizer.providerARNs) ? authorizer.providerARNs.map(String) : [] };
}

/** The VPC endpoint ids of the servers' `x-amazon-apigateway-endpoint-configuration` (where OpenAPI 3 puts them). */
export function endpointIdsOf(document: OpenApiDocument): string[] {
  const servers: unknown[] = Array.isArray(document.servers) ? document.servers : [];
  return servers.flatMap((s: any) => {
    const ids = s?.['x-amazon-apigateway-endpoint-configuration']?.vpcEndpointIds;
    return Array.isArray(ids) ? ids.map(String) : [];
  });
}
