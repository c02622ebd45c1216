/**
 * Private API module, on the synthesized platform stack of every environment:
 * each API one OpenAPI document imported in overwrite mode, PRIVATE and bound
 * to the endpoint, a resource policy that a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate) allows only through that endpoint, Cognito
 * scopes on every operation, a deployment that follows the document and the
 * policy; and one `fails when ...` test per rule the construct enforces.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { evaluateInvoke } from '../../review/rules/access';
import { Testing, TerraformStack } from 'cdktf';
import type { ApiConfig, Environment } from '../../environments/schema';
import { Network } from '@private-api-platform/constructs/network';
import {
  ACCESS_LOG_FORMAT,
  ANY_METHOD_KEY,
  COGNITO_SECURITY_SCHEME,
  GATEWAY_RESPONSES,
  PREFLIGHT_STATUS_CODE,
  PrivateApi,
  operationsOf,
  planApi,
  privateApiPolicy,
  type CognitoAuthorization,
  type PrivateApiProps,
} from '@private-api-platform/constructs/private-api';
import { ENVIRONMENT_NAMES, environment, synthPlatform, wrap, type SynthesizedStack } from '../helpers/synth';

const ref = (type: string, logicalId: string, attribute: string) => `\${${type}.${logicalId}.${attribute}}`;
const refId = (reference: string): string => /^\$\{[a-z_]+\.([^.}]+)\.[a-z_]+\}$/.exec(reference)?.[1] ?? `not a reference: ${reference}`;

/** Everything the stack holds for one API, found by following its rest_api_id references. */
interface SynthesizedApi {
  readonly restApiId: string;
  readonly restApi: any;
  /** The OpenAPI document of `body`, with the Terraform references still in it. */
  readonly document: any;
  readonly policyId: string;
  readonly policy: any;
  readonly deployment: any;
  readonly stage: any;
  readonly methodSettings: any;
}

function apiIn(synth: SynthesizedStack, apiName: string): SynthesizedApi {
  const restApis = Object.entries(synth.resources('aws_api_gateway_rest_api')).filter(([, r]) => r.name.endsWith(`-${apiName}`));
  if (restApis.length !== 1) throw new Error(`expected one REST API named *-${apiName}, found ${restApis.length}`);
  const [restApiId, restApi] = restApis[0]!;
  const restRef = ref('aws_api_gateway_rest_api', restApiId, 'id');
  const one = (type: string) => {
    const all = Object.entries(synth.resources(type)).filter(([, r]) => r.rest_api_id === restRef);
    if (all.length !== 1) throw new Error(`expected one ${type} for ${apiName}, found ${all.length}`);
    return all[0]!;
  };
  const [policyId, policy] = one('aws_api_gateway_rest_api_policy');
  return {
    restApiId,
    restApi,
    document: JSON.parse(restApi.body),
    policyId,
    policy,
    deployment: one('aws_api_gateway_deployment')[1],
    stage: one('aws_api_gateway_stage')[1],
    methodSettings: one('aws_api_gateway_method_settings')[1],
  };
}

const endpointRef = (synth: SynthesizedStack) => ref('aws_vpc_endpoint', Object.keys(synth.resources('aws_vpc_endpoint'))[0]!, 'id');
const routeKey = (route: ApiConfig['routes'][number]) => `${route.method} ${route.path}`;
/** The operation object of a route in a document. */
const operation = (document: any, method: string, path: string) => document.paths[path]?.[method === 'ANY' ? ANY_METHOD_KEY : method.toLowerCase()];

/** A concrete request path for a resource path: `{orderId}` -> `order-1`, `{proxy+}` -> `a/b`; the root as `/` (see rules/access.ts). */
const concretePath = (path: string) => (path === '/' ? '//' : path.replace(/\{[^}]+\+\}/g, 'a/b').replace(/\{([^}]+)\}/g, '$1-1'));

// Concrete stand-ins for the ids Terraform only knows after apply.
const STAND_IN_API_ID = 'a1b2c3d4e5';
const STAND_IN_ENDPOINT = 'vpce-0123456789abcdef0';
const OTHER_ENDPOINT = 'vpce-0fedcba9876543210';

/** The same IAM evaluation `npm run verify` uses (rule 2). */
const evaluate = (policy: object, resource: string, accountId: string, sourceVpce: string | undefined) => evaluateInvoke(policy as Record<string, unknown>, resource, accountId, sourceVpce);

describe.each(ENVIRONMENT_NAMES)('private APIs in the %s environment', (envName) => {
  const env: Environment = environment(envName);
  const synth = synthPlatform(env);
  const identifier = env.identity.resourceServer.identifier;
  const poolRef = ref('aws_cognito_user_pool', Object.keys(synth.resources('aws_cognito_user_pool'))[0]!, 'arn');

  test('there is one REST API per configured API, each PRIVATE and bound to the one execute-api endpoint, in the document too', () => {
    expect(Object.keys(synth.resources('aws_vpc_endpoint'))).toHaveLength(1);
    expect(Object.keys(synth.resources('aws_api_gateway_rest_api'))).toHaveLength(env.apis.length);
    for (const api of env.apis) {
      const { restApi, document } = apiIn(synth, api.name);
      expect(restApi.endpoint_configuration.types).toEqual(['PRIVATE']);
      expect(restApi.endpoint_configuration.vpc_endpoint_ids).toEqual([endpointRef(synth)]);
      // an overwrite import resets what the document leaves out: the document names the endpoint as well
      expect(document.servers).toEqual([{ url: '/', 'x-amazon-apigateway-endpoint-configuration': { vpcEndpointIds: [endpointRef(synth)] } }]);
      expect(document.info).toMatchObject({ title: restApi.name, description: restApi.description });
    }
  });

  test('PutRestApi in overwrite mode deletes what the document does not define: each API is one OpenAPI document, nothing per method', () => {
    for (const api of env.apis) {
      const { restApi, document } = apiIn(synth, api.name);
      expect(restApi.put_rest_api_mode).toBe('overwrite');
      expect(document.openapi).toMatch(/^3\./);
    }
    // a separate method, integration, resource or authorizer would outlive the document's overwrite (and keep a route live)
    for (const type of ['aws_api_gateway_method', 'aws_api_gateway_integration', 'aws_api_gateway_resource', 'aws_api_gateway_authorizer', 'aws_api_gateway_method_response', 'aws_api_gateway_integration_response']) {
      expect(Object.keys(synth.resources(type))).toEqual([]);
    }
  });

  test('each resource policy allows invoke, and denies it when aws:SourceVpce is not the endpoint', () => {
    for (const api of env.apis) {
      const { policy, restApiId } = apiIn(synth, api.name);
      const document = JSON.parse(policy.policy);
      const apiArn = `${ref('aws_api_gateway_rest_api', restApiId, 'execution_arn')}/*`;
      expect(document.Statement).toContainEqual({ Sid: 'AllowInvoke', Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: apiArn });
      const denies = document.Statement.filter((s: any) => s.Effect === 'Deny');
      expect(denies).toEqual([
        {
          Sid: 'DenyInvokeExceptThroughTheEndpoint',
          Effect: 'Deny',
          Principal: '*',
          Action: 'execute-api:Invoke',
          Resource: apiArn,
          Condition: { StringNotEquals: { 'aws:SourceVpce': endpointRef(synth) } },
        },
      ]);
    }
  });

  test('a Cognito user pool authorizer with scopes accepts access tokens: every route requires it with its scopes; only the CORS preflight is unauthenticated', () => {
    for (const api of env.apis) {
      const { document } = apiIn(synth, api.name);
      expect(document.components.securitySchemes[COGNITO_SECURITY_SCHEME]).toEqual({
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'cognito_user_pools',
        'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [poolRef] },
      });
      for (const route of api.routes) {
        expect(operation(document, route.method, route.path).security).toEqual([{ [COGNITO_SECURITY_SCHEME]: route.scopes.map((s) => `${identifier}/${s}`) }]);
      }
      const operations = operationsOf(document);
      const nonOptions = operations.filter((o) => o.method !== 'OPTIONS');
      expect(nonOptions.map((o) => o.key).sort()).toEqual(api.routes.map(routeKey).sort());
      const preflight = operations.filter((o) => o.method === 'OPTIONS');
      if (api.corsAllowOrigins?.length) {
        expect(preflight.map((o) => o.path).sort()).toEqual([...new Set(api.routes.map((r) => r.path))].sort());
        for (const o of preflight) {
          expect(o.security).toEqual([]);
          expect(o.integrationType).toBe('MOCK');
        }
      } else {
        expect(preflight).toEqual([]);
      }
    }
  });

  test('the base path mapping strips /<name>: the document\'s paths are the routes\' own paths', () => {
    for (const api of env.apis) {
      const { document } = apiIn(synth, api.name);
      expect(Object.keys(document.paths).sort()).toEqual([...new Set(api.routes.map((r) => r.path))].sort());
    }
  });

  test('integrations: MOCK answers the status code, HTTP_PROXY maps path parameters, Lambda proxy may invoke only from this API', () => {
    const permissions = Object.values(synth.resources('aws_lambda_permission'));
    let lambdaRoutes = 0;
    for (const api of env.apis) {
      const { document, restApiId } = apiIn(synth, api.name);
      for (const route of api.routes) {
        const op = operation(document, route.method, route.path);
        const integration = op['x-amazon-apigateway-integration'];
        const spec = route.integration;
        const params = [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]);
        expect((op.parameters ?? []).map((p: any) => [p.name, p.in, p.required])).toEqual(params.map((p) => [p, 'path', true]));
        if (spec.type === 'MOCK') {
          expect(integration).toMatchObject({ type: 'mock', requestTemplates: { 'application/json': JSON.stringify({ statusCode: spec.statusCode }) } });
          expect(integration.responses.default.statusCode).toBe(String(spec.statusCode));
        } else if (spec.type === 'HTTP_PROXY') {
          expect(integration).toMatchObject({ type: 'http_proxy', uri: spec.uri, httpMethod: route.method });
          for (const p of params) expect(integration.requestParameters[`integration.request.path.${p}`]).toBe(`method.request.path.${p}`);
        } else {
          lambdaRoutes++;
          const region = spec.functionArn.split(':')[3];
          expect(integration).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST', uri: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${spec.functionArn}/invocations` });
          const path = route.path.replace(/\{[^}]+\}/g, '*');
          expect(permissions).toContainEqual(
            expect.objectContaining({
              function_name: spec.functionArn,
              principal: 'apigateway.amazonaws.com',
              action: 'lambda:InvokeFunction',
              source_arn: `${ref('aws_api_gateway_rest_api', restApiId, 'execution_arn')}/*/${route.method === 'ANY' ? '*' : route.method}${path}`,
            }),
          );
        }
      }
    }
    expect(permissions).toHaveLength(lambdaRoutes);
  });

  test('API Gateway validates every operation\'s declared request parameters before the integration runs', () => {
    for (const api of env.apis) {
      const { document } = apiIn(synth, api.name);
      expect(document['x-amazon-apigateway-request-validators']).toEqual({ parameters: { validateRequestParameters: true, validateRequestBody: false } });
      expect(document['x-amazon-apigateway-request-validator']).toBe('parameters');
    }
  });

  test('API Gateway\'s own answers: 401 with WWW-Authenticate: Bearer, 404 for an unknown route, and no CORS header from the API', () => {
    for (const api of env.apis) {
      const { document } = apiIn(synth, api.name);
      expect(document['x-amazon-apigateway-gateway-responses']).toEqual(GATEWAY_RESPONSES);
      expect(JSON.stringify(document)).not.toMatch(/Access-Control-/i);
    }
  });

  test('a deployment is a snapshot: a new one (created first) whenever the document or the policy changes', () => {
    for (const api of env.apis) {
      const { deployment, restApiId, policyId } = apiIn(synth, api.name);
      expect(deployment.lifecycle).toEqual({ create_before_destroy: true });
      expect(deployment.triggers).toEqual({
        document: `\${sha256(aws_api_gateway_rest_api.${restApiId}.body)}`,
        policy: `\${sha256(aws_api_gateway_rest_api_policy.${policyId}.policy)}`,
      });
      // a private API cannot be deployed without its policy
      expect(deployment.depends_on).toEqual([`aws_api_gateway_rest_api_policy.${policyId}`]);
    }
  });

  test('the stage logs JSON access lines with the environment retention, throttles as configured, keeps metrics and no data trace', () => {
    for (const api of env.apis) {
      const { stage, methodSettings, restApiId } = apiIn(synth, api.name);
      const logGroups = synth.resources('aws_cloudwatch_log_group');
      const access = logGroups[refId(stage.access_log_settings.destination_arn)];
      expect(access.retention_in_days).toBe(env.logRetentionDays);
      expect(Boolean(access.lifecycle?.prevent_destroy)).toBe(env.protections.preventDestroy);
      const execution = Object.values(logGroups).find((g: any) => g.name === `API-Gateway-Execution-Logs_${ref('aws_api_gateway_rest_api', restApiId, 'id')}/${stage.stage_name}`);
      expect(execution).toMatchObject({ retention_in_days: env.logRetentionDays });
      const format = JSON.parse(stage.access_log_settings.format);
      for (const field of ['requestId', 'ip', 'caller', 'user', 'requestTime', 'httpMethod', 'resourcePath', 'status', 'protocol', 'responseLength', 'scope', 'sub', 'vpceId']) {
        expect(format[field]).toMatch(/^\$context\./);
      }
      expect(format.vpceId).toBe('$context.identity.vpceId');
      expect(stage.xray_tracing_enabled).toBe(api.xrayTracing);
      expect(methodSettings.method_path).toBe('*/*');
      expect(methodSettings.settings).toEqual({
        metrics_enabled: true,
        logging_level: 'INFO',
        data_trace_enabled: false,
        throttling_rate_limit: api.throttling.rateLimit,
        throttling_burst_limit: api.throttling.burstLimit,
      });
    }
  });

  test('API Gateway\'s CloudWatch role is one setting per account and region: the environment stack only checks it exists, and every stage waits for the check', () => {
    // GIVEN the platform stack  THEN it does not manage the account setting (destroying it would reset every API's logging)
    expect(Object.keys(synth.resources('aws_api_gateway_account'))).toEqual([]);
    expect(Object.keys(synth.resources('aws_iam_role')).filter((id) => id.includes('apigateway'))).toEqual([]);
    // AND a plan fails with what to run when the bootstrap has not set it
    const [checkId, check] = Object.entries(synth.data('aws_iam_roles'))[0]!;
    expect(check.name_regex).toBe(`^platform-apigateway-cloudwatch-${env.account.region}$`);
    expect(check.lifecycle.postcondition).toEqual([
      { condition: '${length(self.names) == 1}', error_message: expect.stringContaining(`Run npm run bootstrap -- ${env.name} first`) },
    ]);
    for (const api of env.apis) {
      expect(apiIn(synth, api.name).stage.depends_on).toContain(`data.aws_iam_roles.${checkId}`);
      expect(apiIn(synth, api.name).methodSettings.depends_on).toEqual([`data.aws_iam_roles.${checkId}`]);
    }
  });

  test('outputs name the VPC, the endpoint, and each API id and base path', () => {
    const outputs = synth.json.output;
    expect(outputs.network_vpc_id.value).toBe(ref('aws_vpc', Object.keys(synth.resources('aws_vpc'))[0]!, 'id'));
    expect(outputs.network_execute_api_endpoint_id.value).toBe(endpointRef(synth));
    for (const api of env.apis) {
      const { restApiId } = apiIn(synth, api.name);
      expect(outputs[`api_${api.name}_rest_api_id`].value).toBe(ref('aws_api_gateway_rest_api', restApiId, 'id'));
      expect(outputs[`api_${api.name}_base_path`].value).toBe(`/${api.name}`);
    }
  });

  test('IAM policy evaluation: every operation is allowed through the endpoint, denied through another endpoint or none', async () => {
    for (const api of env.apis) {
      const { policy, restApiId, document, stage } = apiIn(synth, api.name);
      // GIVEN the synthesized policy with concrete stand-ins for the API ARN and endpoint id
      const executionArn = `arn:aws:execute-api:${env.account.region}:${env.account.id}:${STAND_IN_API_ID}`;
      const text = policy.policy
        .replaceAll(ref('aws_api_gateway_rest_api', restApiId, 'execution_arn'), executionArn)
        .replaceAll(endpointRef(synth), STAND_IN_ENDPOINT);
      expect(text).not.toContain('${');
      const policyDocument = JSON.parse(text);
      expect(policyDocument).toEqual(privateApiPolicy({ executionArn, vpcEndpointId: STAND_IN_ENDPOINT }));
      const operations = operationsOf(document);
      expect(operations.length).toBeGreaterThanOrEqual(api.routes.length);
      for (const { method, path } of operations) {
        const resource = `${executionArn}/${stage.stage_name}/${method === 'ANY' ? 'GET' : method}${concretePath(path)}`;
        // WHEN a request for it is evaluated  THEN only the environment's endpoint gets in
        await expect(evaluate(policyDocument, resource, env.account.id, STAND_IN_ENDPOINT)).resolves.toBe('Allowed');
        await expect(evaluate(policyDocument, resource, env.account.id, OTHER_ENDPOINT)).resolves.toBe('ExplicitlyDenied');
        await expect(evaluate(policyDocument, resource, env.account.id, undefined)).resolves.toBe('ExplicitlyDenied');
      }
    }
  });
});

describe('the IAM policy evaluator', () => {
  test('fails when the policy lacks the SourceVpce deny: another endpoint would get in (the evaluation test can fail)', async () => {
    const executionArn = `arn:aws:execute-api:eu-west-1:111111111111:${STAND_IN_API_ID}`;
    const document = privateApiPolicy({ executionArn, vpcEndpointId: STAND_IN_ENDPOINT });
    const weakened = { ...document, Statement: document.Statement.filter((s) => s.Effect !== 'Deny') };
    await expect(evaluate(weakened, `${executionArn}/v1/GET/order-1`, '111111111111', OTHER_ENDPOINT)).resolves.toBe('Allowed');
    await expect(evaluate(document, `${executionArn}/v1/GET/order-1`, '111111111111', OTHER_ENDPOINT)).resolves.toBe('ExplicitlyDenied');
  });
});

// ---------------------------------------------------------------------------------------------
// The construct on its own: a stack with a network and one API. The authorization is a plain
// value satisfying the CognitoAuthorization interface (what the identity module provides).

const AUTHORIZATION: CognitoAuthorization = {
  userPoolArn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbCdEfGhI',
  scope: (name) => `https://api.test.example.com/${name}`,
};

function baseApi(): ApiConfig {
  return structuredClone(environment('dev').apis[0]!);
}

function synthApi(api: ApiConfig, props: Partial<PrivateApiProps> = {}, stacks = 1): SynthesizedStack[] {
  const app = Testing.app();
  return Array.from({ length: stacks }, (_, i) => {
    const stack = new TerraformStack(app, `api-only-${i}`);
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const network = new Network(stack, `network-${i}`, { config: { mode: 'create', cidrBlock: '10.0.0.0/16', azCount: 2 }, namePrefix: 'platform-test' });
    new PrivateApi(stack, 'api', {
      api,
      namePrefix: 'platform-test',
      executeApiEndpoint: network.executeApiEndpoint,
      authorization: AUTHORIZATION,
      logRetentionDays: 14,
      ...props,
    });
    return wrap(JSON.parse(Testing.synth(stack, true)));
  });
}

const bodyOf = (synth: SynthesizedStack) => synth.only('aws_api_gateway_rest_api').body as string;

describe('the OpenAPI document (what a deployment snapshots)', () => {
  const base = bodyOf(synthApi(baseApi())[0]!);

  test('does not change when the same configuration is synthesized again, or its routes are listed in another order', () => {
    expect(bodyOf(synthApi(baseApi())[0]!)).toBe(base);
    const reversed = baseApi();
    reversed.routes.reverse();
    expect(bodyOf(synthApi(reversed)[0]!)).toBe(base);
  });

  test.each<[string, (api: ApiConfig) => void, Partial<PrivateApiProps>]>([
    ['throttling changes', (api) => (api.throttling = { rateLimit: 1, burstLimit: 2 }), {}],
    ['X-Ray tracing changes', (api) => (api.xrayTracing = !api.xrayTracing), {}],
    ['log retention changes', () => undefined, { logRetentionDays: 365 }],
    ['the log groups are protected', () => undefined, { preventDestroy: true }],
  ])('does not change when only stage settings change: %s', (_what, change, props) => {
    const api = baseApi();
    change(api);
    expect(bodyOf(synthApi(api, props)[0]!)).toBe(base);
  });

  test.each<[string, (api: ApiConfig) => void]>([
    ['a scope is added to a route', (api) => api.routes[0]!.scopes.push('orders.write')],
    ['a path parameter is renamed', (api) => (api.routes[1]!.path = '/{id}')],
    ['a route method changes', (api) => (api.routes[0]!.method = 'HEAD')],
    ['a route is added', (api) => api.routes.push({ path: '/search', method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK', statusCode: 200 } })],
    ['a route is removed', (api) => api.routes.pop()],
    ['a MOCK status code changes', (api) => (api.routes[0]!.integration = { type: 'MOCK', statusCode: 204 })],
    ['an integration type changes', (api) => (api.routes[0]!.integration = { type: 'HTTP_PROXY', uri: 'https://backend.example.com/orders' })],
    ['CORS is turned off (no preflight)', (api) => (api.corsAllowOrigins = undefined)],
  ])('changes when %s', (_what, change) => {
    const api = baseApi();
    change(api);
    expect(bodyOf(synthApi(api)[0]!)).not.toBe(base);
  });

  test('names the authorizer\'s user pool and the endpoint (their ids are known after apply, so the deployment trigger hashes the body Terraform resolves)', () => {
    const other = synthApi(baseApi(), { authorization: { ...AUTHORIZATION, userPoolArn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Other1234' } })[0]!;
    expect(bodyOf(other)).toContain('eu-west-1_Other1234');
    const [a, b] = synthApi(baseApi(), {}, 2) as [SynthesizedStack, SynthesizedStack];
    expect(bodyOf(a)).toContain(endpointRef(a));
    expect(bodyOf(b)).toContain(endpointRef(b));
  });
});

describe('CORS preflight', () => {
  const preflight = (synth: SynthesizedStack) => operationsOf(JSON.parse(bodyOf(synth))).filter((o) => o.method === 'OPTIONS');

  test(`an OPTIONS MOCK answering ${PREFLIGHT_STATUS_CODE} on every path with routes, unauthenticated (browsers send no token on a preflight), with no CORS header of its own`, () => {
    const api = { ...baseApi(), corsAllowOrigins: ['https://app.example.com', 'https://admin.example.com'] };
    const synth = synthApi(api)[0]!;
    const document = JSON.parse(bodyOf(synth));
    expect(preflight(synth).map((o) => o.path).sort()).toEqual([...new Set(api.routes.map((r) => r.path))].sort());
    for (const path of new Set(api.routes.map((r) => r.path))) {
      const integration = document.paths[path].options['x-amazon-apigateway-integration'];
      expect(integration).toEqual({
        type: 'mock',
        requestTemplates: { 'application/json': JSON.stringify({ statusCode: PREFLIGHT_STATUS_CODE }) },
        passthroughBehavior: 'when_no_templates',
        responses: { default: { statusCode: String(PREFLIGHT_STATUS_CODE) } },
      });
      expect(document.paths[path].options.security).toBeUndefined();
    }
    expect(bodyOf(synth)).not.toMatch(/Access-Control-/i);
  });

  test('the plan carries the origins and every route method for CloudFront\'s CORS policy', () => {
    const api = { ...baseApi(), corsAllowOrigins: ['https://app.example.com'] };
    expect(planApi(api, { scope: AUTHORIZATION.scope, allowWildcardCors: false }).cors).toEqual({
      allowOrigins: ['https://app.example.com'],
      allowMethods: ['GET', 'OPTIONS', 'POST', 'PUT'],
      allowHeaders: ['Authorization', 'Content-Type'],
      maxAgeSeconds: 600,
    });
  });

  test('"*" is accepted where wildcard CORS is allowed (local)', () => {
    const api = { ...baseApi(), corsAllowOrigins: ['*'] };
    expect(preflight(synthApi(api, { allowWildcardCors: true })[0]!).length).toBeGreaterThan(0);
  });

  test('without corsAllowOrigins there is no OPTIONS method and no CORS plan', () => {
    const api = { ...baseApi(), corsAllowOrigins: undefined };
    const synth = synthApi(api)[0]!;
    expect(preflight(synth)).toEqual([]);
    expect(operationsOf(JSON.parse(bodyOf(synth))).every((o) => o.security.length === 1)).toBe(true);
    expect(planApi(api, { scope: AUTHORIZATION.scope, allowWildcardCors: false }).cors).toBeUndefined();
  });
});

describe('private API validation', () => {
  const build = (change: (api: ApiConfig) => void, props: Partial<PrivateApiProps> = {}) => () => {
    const api = baseApi();
    change(api);
    synthApi(api, props);
  };

  test('fails when a route has no scopes', () => {
    expect(build((api) => (api.routes[2]!.scopes = []))).toThrow(
      /private API "orders": routes\[2\] \(PUT \/\{orderId\}\) has no scopes: every route needs at least one scope of the resource server/,
    );
  });

  test('fails when a route is duplicated', () => {
    expect(build((api) => api.routes.push(structuredClone(api.routes[1]!)))).toThrow(
      /private API "orders": routes\[4\] \(GET \/\{orderId\}\) duplicates routes\[1\]: each method and path may appear once/,
    );
  });

  test('fails when the routes need more than 300 API Gateway resources', () => {
    // GIVEN 300 distinct paths: with the root, 301 resources (the base path /orders is the mapping's, not a resource)
    const routes = Array.from({ length: 300 }, (_, i) => ({ path: `/r${i}`, method: 'GET' as const, scopes: ['orders.read'], integration: { type: 'MOCK' as const, statusCode: 200 } }));
    expect(build((api) => (api.routes = routes))).toThrow(/private API "orders": its 300 routes need 301 API Gateway resources .* more than the 300 a REST API may have/);
    // and 299 paths (300 resources) is the most that passes
    expect(planApi({ ...baseApi(), routes: routes.slice(0, 299) }, { scope: AUTHORIZATION.scope, allowWildcardCors: false }).resourcePaths).toHaveLength(299);
  });

  test('fails when CORS allows "*" outside local', () => {
    expect(build((api) => (api.corsAllowOrigins = ['*']))).toThrow(
      /private API "orders": corsAllowOrigins\[0\] is "\*": list the exact origins \(such as https:\/\/app.example.com\); "\*" is allowed in the local environment only/,
    );
  });

  test('fails when "*" is mixed with other origins', () => {
    expect(build((api) => (api.corsAllowOrigins = ['*', 'https://app.example.com']), { allowWildcardCors: true })).toThrow(/"\*" must be the only origin/);
  });

  test('fails when a route OPTIONS collides with the generated CORS preflight', () => {
    expect(build((api) => api.routes.push({ path: '/', method: 'OPTIONS', scopes: ['orders.read'], integration: { type: 'MOCK', statusCode: 200 } }))).toThrow(
      /conflicts with the CORS preflight generated from corsAllowOrigins/,
    );
  });

  test('fails when the log retention is not a period CloudWatch accepts', () => {
    expect(build(() => undefined, { logRetentionDays: 10 })).toThrow(/logRetentionDays 10 is not a retention CloudWatch accepts: one of 1, 3, 5, 7, 14/);
  });

  test('fails when the stage name is not valid', () => {
    expect(build(() => undefined, { stageName: 'v1/beta' })).toThrow(/stageName "v1\/beta" is not valid/);
  });
});

test('ACCESS_LOG_FORMAT is one JSON object per request', () => {
  expect(() => JSON.parse(ACCESS_LOG_FORMAT)).not.toThrow();
});
