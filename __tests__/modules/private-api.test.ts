/**
 * Private API module, on the synthesized platform stack of every environment:
 * PRIVATE and bound to the endpoint, a resource policy that a real IAM policy
 * evaluator (@cloud-copilot/iam-simulate) allows only through that endpoint,
 * Cognito scopes on every route, deployment triggers that follow the routes and
 * the policy; and one `fails when ...` test per rule the construct enforces.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { evaluateInvoke } from '../../scripts/lib/rules/access';
import { Testing, TerraformStack } from 'cdktf';
import type { ApiConfig, Environment } from '../../environments/schema';
import { Network } from '../../modules/network';
import {
  ACCESS_LOG_FORMAT,
  COGNITO_AUTHORIZER,
  POLICY_PLACEHOLDER_IDS,
  PrivateApi,
  deploymentFingerprint,
  planApi,
  privateApiPolicy,
  type CognitoAuthorization,
  type PrivateApiProps,
} from '../../modules/private-api';
import { ENVIRONMENT_NAMES, environment, synthPlatform, wrap, type SynthesizedStack } from '../helpers/synth';

const ref = (type: string, logicalId: string, attribute: string) => `\${${type}.${logicalId}.${attribute}}`;
const roleNameRef = (arnRef: string) => arnRef.replace(/\.arn\}$/, '.name}');
const refId = (reference: string): string => /^\$\{[a-z_]+\.([^.}]+)\.[a-z_]+\}$/.exec(reference)?.[1] ?? `not a reference: ${reference}`;

/** Everything the stack holds for one API, found by following its rest_api_id references. */
interface SynthesizedApi {
  readonly restApiId: string;
  readonly restApi: any;
  readonly policy: any;
  readonly authorizerId: string;
  readonly authorizer: any;
  /** `GET /orders/{orderId}` -> method config */
  readonly methods: Map<string, any>;
  /** `GET /orders/{orderId}` -> integration config */
  readonly integrations: Map<string, any>;
  readonly resourcePaths: string[];
  readonly deployment: any;
  readonly stage: any;
  readonly methodSettings: any;
}

function apiIn(synth: SynthesizedStack, apiName: string): SynthesizedApi {
  const restApis = Object.entries(synth.resources('aws_api_gateway_rest_api')).filter(([, r]) => r.name.endsWith(`-${apiName}`));
  if (restApis.length !== 1) throw new Error(`expected one REST API named *-${apiName}, found ${restApis.length}`);
  const [restApiId, restApi] = restApis[0]!;
  const restRef = ref('aws_api_gateway_rest_api', restApiId, 'id');
  const ofApi = (type: string) => Object.entries(synth.resources(type)).filter(([, r]) => r.rest_api_id === restRef);
  const one = (type: string) => {
    const all = ofApi(type);
    if (all.length !== 1) throw new Error(`expected one ${type} for ${apiName}, found ${all.length}`);
    return all[0]!;
  };
  const resources = Object.fromEntries(ofApi('aws_api_gateway_resource'));
  const pathOf = (resourceRef: string): string => {
    if (resourceRef === ref('aws_api_gateway_rest_api', restApiId, 'root_resource_id')) return '';
    const resource = resources[refId(resourceRef)];
    if (!resource) throw new Error(`${resourceRef} is not a resource of ${apiName}`);
    return `${pathOf(resource.parent_id)}/${resource.path_part}`;
  };
  const methodsById = Object.fromEntries(ofApi('aws_api_gateway_method'));
  const methods = new Map(Object.values(methodsById).map((m: any) => [`${m.http_method} ${pathOf(m.resource_id)}`, m]));
  const integrations = new Map(
    ofApi('aws_api_gateway_integration').map(([, i]) => {
      const method = methodsById[refId(i.http_method)];
      if (!method) throw new Error(`integration without a method of ${apiName}: ${i.http_method}`);
      return [`${method.http_method} ${pathOf(i.resource_id)}`, i];
    }),
  );
  const [authorizerId, authorizer] = one('aws_api_gateway_authorizer');
  return {
    restApiId,
    restApi,
    policy: one('aws_api_gateway_rest_api_policy')[1],
    authorizerId,
    authorizer,
    methods,
    integrations,
    resourcePaths: Object.values(resources).map((r: any) => pathOf(ref('aws_api_gateway_resource', Object.keys(resources).find((k) => resources[k] === r)!, 'id'))).sort(),
    deployment: one('aws_api_gateway_deployment')[1],
    stage: one('aws_api_gateway_stage')[1],
    methodSettings: one('aws_api_gateway_method_settings')[1],
  };
}

const endpointRef = (synth: SynthesizedStack) => ref('aws_vpc_endpoint', Object.keys(synth.resources('aws_vpc_endpoint'))[0]!, 'id');
const routeKey = (api: ApiConfig, route: ApiConfig['routes'][number]) => `${route.method} /${api.name}${route.path === '/' ? '' : route.path}`;

/** A concrete request path for a resource path: `{orderId}` -> `order-1`, `{proxy+}` -> `a/b`. */
const concretePath = (path: string) => path.replace(/\{[^}]+\+\}/g, 'a/b').replace(/\{([^}]+)\}/g, '$1-1');

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

  test('there is one REST API per configured API, each PRIVATE and bound to the one execute-api endpoint', () => {
    expect(Object.keys(synth.resources('aws_vpc_endpoint'))).toHaveLength(1);
    expect(Object.keys(synth.resources('aws_api_gateway_rest_api'))).toHaveLength(env.apis.length);
    for (const api of env.apis) {
      const { restApi } = apiIn(synth, api.name);
      expect(restApi.endpoint_configuration.types).toEqual(['PRIVATE']);
      expect(restApi.endpoint_configuration.vpc_endpoint_ids).toEqual([endpointRef(synth)]);
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

  test('every route is a method with the Cognito authorizer and the route scopes; only CORS preflight is unauthenticated', () => {
    for (const api of env.apis) {
      const { methods, authorizer, authorizerId } = apiIn(synth, api.name);
      expect(authorizer).toMatchObject({ type: 'COGNITO_USER_POOLS', provider_arns: [poolRef], identity_source: 'method.request.header.Authorization' });
      for (const route of api.routes) {
        const method = methods.get(routeKey(api, route));
        expect(method).toBeDefined();
        expect(method.authorization).toBe('COGNITO_USER_POOLS');
        expect(method.authorizer_id).toBe(ref('aws_api_gateway_authorizer', authorizerId, 'id'));
        expect(method.authorization_scopes).toEqual(route.scopes.map((s) => `${identifier}/${s}`));
      }
      const nonOptions = [...methods.entries()].filter(([key]) => !key.startsWith('OPTIONS '));
      expect(nonOptions).toHaveLength(api.routes.length);
      for (const [, method] of nonOptions) {
        expect(method.authorization).toBe('COGNITO_USER_POOLS');
        expect(method.authorization_scopes.length).toBeGreaterThan(0);
      }
      const preflight = [...methods.entries()].filter(([key]) => key.startsWith('OPTIONS '));
      const routePaths = new Set(api.routes.map((r) => routeKey(api, r).split(' ')[1]));
      if (api.corsAllowOrigins?.length) {
        expect(preflight.map(([key]) => key.slice('OPTIONS '.length)).sort()).toEqual([...routePaths].sort());
        for (const [, method] of preflight) {
          expect(method.authorization).toBe('NONE');
          expect(method.authorizer_id).toBeUndefined();
        }
      } else {
        expect(preflight).toEqual([]);
      }
    }
  });

  test('resources: the base path and every distinct path once, parents shared', () => {
    for (const api of env.apis) {
      const { resourcePaths } = apiIn(synth, api.name);
      const expected = new Set<string>([`/${api.name}`]);
      for (const route of api.routes) {
        const segments = routeKey(api, route).split(' ')[1]!.slice(1).split('/');
        segments.forEach((_, i) => expected.add(`/${segments.slice(0, i + 1).join('/')}`));
      }
      expect(resourcePaths).toEqual([...expected].sort());
    }
  });

  test('integrations: MOCK answers the status code, HTTP_PROXY maps path parameters, Lambda proxy may invoke only from this API', () => {
    const permissions = Object.values(synth.resources('aws_lambda_permission'));
    let lambdaRoutes = 0;
    for (const api of env.apis) {
      const { integrations, methods, restApiId } = apiIn(synth, api.name);
      for (const route of api.routes) {
        const key = routeKey(api, route);
        const integration = integrations.get(key);
        const spec = route.integration;
        if (spec.type === 'MOCK') {
          expect(integration).toMatchObject({ type: 'MOCK', request_templates: { 'application/json': JSON.stringify({ statusCode: spec.statusCode }) } });
        } else if (spec.type === 'HTTP_PROXY') {
          expect(integration).toMatchObject({ type: 'HTTP_PROXY', uri: spec.uri, integration_http_method: route.method });
          const params = [...key.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]);
          for (const p of params) {
            expect(integration.request_parameters[`integration.request.path.${p}`]).toBe(`method.request.path.${p}`);
            expect(methods.get(key).request_parameters[`method.request.path.${p}`]).toBe(true);
          }
        } else {
          lambdaRoutes++;
          const region = spec.functionArn.split(':')[3];
          expect(integration).toMatchObject({
            type: 'AWS_PROXY',
            integration_http_method: 'POST',
            uri: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${spec.functionArn}/invocations`,
          });
          const path = key.split(' ')[1]!.replace(/\{[^}]+\}/g, '*');
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

  test('the deployment is replaced (created first) when its triggers change, and waits for the policy and every method', () => {
    for (const api of env.apis) {
      const { deployment, policy } = apiIn(synth, api.name);
      expect(deployment.lifecycle).toEqual({ create_before_destroy: true });
      expect(deployment.triggers.configuration).toMatch(/^[0-9a-f]{64}$/);
      // ids known only after apply (endpoint in the policy, pool in the authorizer) trigger too
      expect(deployment.triggers.references).toContain(endpointRef(synth).slice(2, -1));
      expect(deployment.triggers.references).toContain(poolRef.slice(2, -1));
      const policyId = Object.entries(synth.resources('aws_api_gateway_rest_api_policy')).find(([, p]) => p === policy)![0];
      expect(deployment.depends_on).toContain(`aws_api_gateway_rest_api_policy.${policyId}`);
      const { methods } = apiIn(synth, api.name);
      const methodIds = Object.entries(synth.resources('aws_api_gateway_method'))
        .filter(([, m]) => [...methods.values()].includes(m))
        .map(([id]) => `aws_api_gateway_method.${id}`);
      expect(methodIds.length).toBe(methods.size);
      expect(deployment.depends_on).toEqual(expect.arrayContaining(methodIds));
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

  test('the account CloudWatch role is set once for the stack, and every stage waits for it', () => {
    const accountId = Object.keys(synth.resources('aws_api_gateway_account'));
    expect(accountId).toHaveLength(1);
    const account = synth.only('aws_api_gateway_account');
    const role = synth.resources('aws_iam_role')[refId(account.cloudwatch_role_arn)];
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    const rolePolicies = Object.values(synth.resources('aws_iam_role_policy')).filter((p: any) => p.role === roleNameRef(account.cloudwatch_role_arn));
    expect(rolePolicies).toHaveLength(1);
    expect(JSON.parse((rolePolicies[0] as any).policy).Statement[0].Action).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
    for (const api of env.apis) {
      expect(apiIn(synth, api.name).stage.depends_on).toContain(`aws_api_gateway_account.${accountId[0]}`);
    }
  });

  test('outputs name the VPC, the endpoint, and each API id and invoke path', () => {
    const outputs = synth.json.output;
    expect(outputs.network_vpc_id.value).toBe(ref('aws_vpc', Object.keys(synth.resources('aws_vpc'))[0]!, 'id'));
    expect(outputs.network_execute_api_endpoint_id.value).toBe(endpointRef(synth));
    for (const api of env.apis) {
      const { restApiId, stage } = apiIn(synth, api.name);
      expect(outputs[`api_${api.name}_rest_api_id`].value).toBe(ref('aws_api_gateway_rest_api', restApiId, 'id'));
      expect(outputs[`api_${api.name}_invoke_path`].value).toBe(`/${stage.stage_name}/${api.name}`);
    }
  });

  test('IAM policy evaluation: every route is allowed through the endpoint, denied through another endpoint or none', async () => {
    for (const api of env.apis) {
      const { policy, restApiId, methods, stage } = apiIn(synth, api.name);
      // GIVEN the synthesized policy with concrete stand-ins for the API ARN and endpoint id
      const executionArn = `arn:aws:execute-api:${env.account.region}:${env.account.id}:${STAND_IN_API_ID}`;
      const text = policy.policy
        .replaceAll(ref('aws_api_gateway_rest_api', restApiId, 'execution_arn'), executionArn)
        .replaceAll(endpointRef(synth), STAND_IN_ENDPOINT);
      expect(text).not.toContain('${');
      const document = JSON.parse(text);
      expect(document).toEqual(privateApiPolicy({ executionArn, vpcEndpointId: STAND_IN_ENDPOINT }));
      expect(methods.size).toBeGreaterThanOrEqual(api.routes.length);
      for (const key of methods.keys()) {
        const [verb, path] = key.split(' ') as [string, string];
        const resource = `${executionArn}/${stage.stage_name}/${verb === 'ANY' ? 'GET' : verb}${concretePath(path)}`;
        // WHEN a request for it is evaluated  THEN only the environment's endpoint gets in
        await expect(evaluate(document, resource, env.account.id, STAND_IN_ENDPOINT)).resolves.toBe('Allowed');
        await expect(evaluate(document, resource, env.account.id, OTHER_ENDPOINT)).resolves.toBe('ExplicitlyDenied');
        await expect(evaluate(document, resource, env.account.id, undefined)).resolves.toBe('ExplicitlyDenied');
      }
    }
  });
});

describe('the IAM policy evaluator', () => {
  test('fails when the policy lacks the SourceVpce deny: another endpoint would get in (the evaluation test can fail)', async () => {
    const executionArn = `arn:aws:execute-api:eu-west-1:111111111111:${STAND_IN_API_ID}`;
    const document = privateApiPolicy({ executionArn, vpcEndpointId: STAND_IN_ENDPOINT });
    const weakened = { ...document, Statement: document.Statement.filter((s) => s.Effect !== 'Deny') };
    await expect(evaluate(weakened, `${executionArn}/v1/GET/orders`, '111111111111', OTHER_ENDPOINT)).resolves.toBe('Allowed');
    await expect(evaluate(document, `${executionArn}/v1/GET/orders`, '111111111111', OTHER_ENDPOINT)).resolves.toBe('ExplicitlyDenied');
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

const triggersOf = (synth: SynthesizedStack) => synth.only('aws_api_gateway_deployment').triggers;
const fingerprintOf = (synth: SynthesizedStack) => triggersOf(synth).configuration as string;

describe('deployment triggers', () => {
  const base = fingerprintOf(synthApi(baseApi())[0]!);

  test('do not change when the same configuration is synthesized again', () => {
    expect(fingerprintOf(synthApi(baseApi())[0]!)).toBe(base);
  });

  test.each<[string, (api: ApiConfig) => void, Partial<PrivateApiProps>]>([
    ['throttling changes', (api) => (api.throttling = { rateLimit: 1, burstLimit: 2 }), {}],
    ['X-Ray tracing changes', (api) => (api.xrayTracing = !api.xrayTracing), {}],
    ['log retention changes', () => undefined, { logRetentionDays: 365 }],
    ['the log groups are protected', () => undefined, { preventDestroy: true }],
  ])('do not change when only stage settings change: %s', (_what, change, props) => {
    const api = baseApi();
    change(api);
    expect(fingerprintOf(synthApi(api, props)[0]!)).toBe(base);
  });

  test.each<[string, (api: ApiConfig) => void]>([
    ['a scope is added to a route', (api) => api.routes[0]!.scopes.push('orders.write')],
    ['a route path changes', (api) => (api.routes[1]!.path = '/{id}')],
    ['a route method changes', (api) => (api.routes[0]!.method = 'HEAD')],
    ['a route is added', (api) => api.routes.push({ path: '/search', method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK', statusCode: 200 } })],
    ['a route is removed', (api) => api.routes.pop()],
    ['a MOCK status code changes', (api) => (api.routes[0]!.integration = { type: 'MOCK', statusCode: 204 })],
    ['an integration type changes', (api) => (api.routes[0]!.integration = { type: 'HTTP_PROXY', uri: 'https://backend.example.com/orders' })],
    ['a CORS origin changes', (api) => (api.corsAllowOrigins = ['https://other.example.com'])],
    ['the API is renamed (its base path)', (api) => (api.name = 'purchases')],
  ])('change when %s', (_what, change) => {
    const api = baseApi();
    change(api);
    expect(fingerprintOf(synthApi(api)[0]!)).not.toBe(base);
  });

  test('change when the policy changes: the policy document is part of the hash', () => {
    // GIVEN the plan the construct hashes
    const plan = planApi(baseApi(), { scope: AUTHORIZATION.scope, allowWildcardCors: false });
    const policy = privateApiPolicy(POLICY_PLACEHOLDER_IDS);
    // THEN the trigger is exactly that hash...
    expect(deploymentFingerprint(plan, policy, COGNITO_AUTHORIZER)).toBe(base);
    // ...and any change to the policy (here: dropping the deny) changes it
    const weakened = { ...policy, Statement: policy.Statement.filter((s) => s.Effect !== 'Deny') };
    expect(deploymentFingerprint(plan, weakened, COGNITO_AUTHORIZER)).not.toBe(base);
  });

  test('change when the endpoint the policy names changes (the ids known after apply are triggers too)', () => {
    // GIVEN the same API bound to two different endpoints
    const [a, b] = synthApi(baseApi(), {}, 2) as [SynthesizedStack, SynthesizedStack];
    // THEN the configuration hash is the same, the references differ by the endpoint
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
    expect(triggersOf(a).references).not.toBe(triggersOf(b).references);
    expect(triggersOf(a).references).toContain(endpointRef(a).slice(2, -1));
    expect(triggersOf(b).references).toContain(endpointRef(b).slice(2, -1));
  });

  test('change when the authorizer user pool changes', () => {
    const other = synthApi(baseApi(), { authorization: { ...AUTHORIZATION, userPoolArn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Other1234' } })[0]!;
    expect(triggersOf(other).references).not.toBe(triggersOf(synthApi(baseApi())[0]!).references);
  });
});

describe('CORS preflight', () => {
  const preflightResponse = (synth: SynthesizedStack) =>
    Object.values(synth.resources('aws_api_gateway_integration_response')).filter((r: any) => r.response_parameters?.['method.response.header.Access-Control-Allow-Origin']);

  test('one exact origin is answered statically, with the methods of the resource', () => {
    const api = { ...baseApi(), corsAllowOrigins: ['https://app.example.com'] };
    const responses = preflightResponse(synthApi(api)[0]!) as any[];
    expect(responses).toHaveLength(new Set(api.routes.map((r) => r.path)).size);
    for (const r of responses) expect(r.response_parameters['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    expect(responses.map((r) => r.response_parameters['method.response.header.Access-Control-Allow-Methods']).sort()).toEqual(["'GET,OPTIONS'", "'GET,OPTIONS,PUT'", "'OPTIONS,POST'"]);
  });

  test('several origins: the listed caller origin is echoed, with Vary: Origin', () => {
    const api = { ...baseApi(), corsAllowOrigins: ['https://app.example.com', 'https://admin.example.com'] };
    const [response] = preflightResponse(synthApi(api)[0]!) as any[];
    expect(response.response_parameters['method.response.header.Vary']).toBe("'Origin'");
    const template: string = response.response_templates['application/json'];
    expect(template).toContain('$origin == "https://app.example.com" || $origin == "https://admin.example.com"');
    expect(template).toContain('$context.responseOverride.header.Access-Control-Allow-Origin = $origin');
  });

  test('"*" is accepted where wildcard CORS is allowed (local)', () => {
    const api = { ...baseApi(), corsAllowOrigins: ['*'] };
    const [response] = preflightResponse(synthApi(api, { allowWildcardCors: true })[0]!) as any[];
    expect(response.response_parameters['method.response.header.Access-Control-Allow-Origin']).toBe("'*'");
  });

  test('without corsAllowOrigins there is no OPTIONS method', () => {
    const api = { ...baseApi(), corsAllowOrigins: undefined };
    const methods = Object.values(synthApi(api)[0]!.resources('aws_api_gateway_method'));
    expect(methods.filter((m: any) => m.http_method === 'OPTIONS')).toEqual([]);
    expect(methods.every((m: any) => m.authorization === 'COGNITO_USER_POOLS')).toBe(true);
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
    // GIVEN 299 distinct paths: with the root and /orders, 301 resources
    const routes = Array.from({ length: 299 }, (_, i) => ({ path: `/r${i}`, method: 'GET' as const, scopes: ['orders.read'], integration: { type: 'MOCK' as const, statusCode: 200 } }));
    expect(build((api) => (api.routes = routes))).toThrow(/private API "orders": its 299 routes need 301 API Gateway resources .* more than the 300 a REST API may have/);
    // and 298 paths (300 resources) is the most that passes
    expect(planApi({ ...baseApi(), routes: routes.slice(0, 298) }, { scope: AUTHORIZATION.scope, allowWildcardCors: false }).resourcePaths).toHaveLength(299);
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
