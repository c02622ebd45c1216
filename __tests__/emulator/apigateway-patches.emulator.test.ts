/**
 * The emulator's API Gateway patches for a REST API defined by one OpenAPI
 * document behind a private custom domain name (apigateway_openapi_import,
 * apigateway_deployment_snapshot, apigateway_private_domain_names), checked
 * through the real AWS provider 5.100.0: apply, re-plan without changes, a
 * second version of the document (a route removed, a path parameter renamed,
 * a route added) in one apply, destroy; and raw calls for what the provider
 * never provokes.
 *
 * Each test fails without its patch. To watch one fail:
 *   EMULATOR_DISABLE_PATCHES=apigateway_deployment_snapshot npx jest __tests__/emulator/apigateway-patches.emulator.test.ts
 */
import type { ApiConfig } from '../../environments/schema';
import { openApiDocument, planApi } from '@private-api-platform/constructs/private-api';
import type { RunResult } from '../../scripts/lib/terraform';
import type { Emulator } from '../../scripts/lib/emulator';
import { awsRequest } from '../helpers/aws-request';
import { expectApplied as expectAppliedBy, startWithTerraform, stopWithTerraform, type EmulatorTerraform, type PlanResult } from '../helpers/emulator-terraform';

const PHASE_TIMEOUT = 600_000;
const REGION = 'eu-west-1';
/** The emulator does not check that a REST API's or an association's endpoint exists. */
const ENDPOINT = 'vpce-0123456789abcdef0';
const IDENTIFIER = 'https://api.platform.test';
const DOMAIN = 'origin.api.platform.test';

const route = (method: string, path: string, scope: string): ApiConfig['routes'][number] => ({ method: method as 'GET', path, scopes: [scope], integration: { type: 'MOCK', statusCode: 200 } });
const ROUTES = {
  1: [route('GET', '/', 'orders.read'), route('GET', '/{orderId}', 'orders.read'), route('POST', '/{orderId}/items', 'orders.write')],
  // removes POST /{orderId}/items, renames {orderId} to {id}, adds GET /search
  2: [route('GET', '/', 'orders.read'), route('GET', '/{id}', 'orders.read'), route('GET', '/search', 'orders.read')],
} as const;

/** The document the private-api module would generate for these routes (CORS on: the preflight is part of it). */
function documentFor(version: 1 | 2): Record<string, any> {
  const api: ApiConfig = { name: 'orders', routes: [...ROUTES[version]], corsAllowOrigins: ['http://localhost:3000'], throttling: { rateLimit: 10, burstLimit: 20 }, xrayTracing: false };
  const plan = planApi(api, { scope: (s) => `${IDENTIFIER}/${s}`, allowWildcardCors: false });
  return openApiDocument(plan, { title: 'platform-local-orders', description: 'orders', userPoolArn: '${aws_cognito_user_pool.pool.arn}', vpcEndpointId: ENDPOINT });
}

/** `METHOD path` of every route of a document, preflight included, as API Gateway lists them. */
function routesOf(version: 1 | 2): string[] {
  const keys = ROUTES[version].map((r) => `${r.method} ${r.path}`);
  const preflight = [...new Set(ROUTES[version].map((r) => r.path))].map((p) => `OPTIONS ${p}`);
  return [...keys, ...preflight].sort();
}

function configuration(version: 1 | 2): Record<string, unknown> {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '${aws_api_gateway_rest_api.api.execution_arn}/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: '${aws_api_gateway_rest_api.api.execution_arn}/*', Condition: { StringNotEquals: { 'aws:SourceVpce': ENDPOINT } } },
    ],
  };
  const domainPolicy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringNotEquals: { 'aws:SourceVpce': ENDPOINT } } },
    ],
  };
  return {
    resource: {
      aws_cognito_user_pool: { pool: { name: 'platform-local-users' } },
      aws_api_gateway_rest_api: {
        api: {
          name: 'platform-local-orders',
          description: 'orders',
          endpoint_configuration: [{ types: ['PRIVATE'], vpc_endpoint_ids: [ENDPOINT] }],
          body: JSON.stringify(documentFor(version)),
          put_rest_api_mode: 'overwrite',
        },
      },
      aws_api_gateway_rest_api_policy: { api: { rest_api_id: '${aws_api_gateway_rest_api.api.id}', policy: JSON.stringify(policy) } },
      aws_api_gateway_deployment: {
        api: {
          rest_api_id: '${aws_api_gateway_rest_api.api.id}',
          triggers: { document: '${sha256(aws_api_gateway_rest_api.api.body)}', policy: '${sha256(aws_api_gateway_rest_api_policy.api.policy)}' },
          lifecycle: [{ create_before_destroy: true }],
          depends_on: ['aws_api_gateway_rest_api_policy.api'],
        },
      },
      aws_api_gateway_stage: { v1: { rest_api_id: '${aws_api_gateway_rest_api.api.id}', deployment_id: '${aws_api_gateway_deployment.api.id}', stage_name: 'v1' } },
      aws_acm_certificate: { origin: { domain_name: DOMAIN, validation_method: 'DNS' } },
      aws_api_gateway_domain_name: {
        origin: {
          domain_name: DOMAIN,
          certificate_arn: '${aws_acm_certificate.origin.arn}',
          endpoint_configuration: [{ types: ['PRIVATE'] }],
          security_policy: 'TLS_1_2',
          policy: JSON.stringify(domainPolicy),
        },
      },
      aws_api_gateway_domain_name_access_association: {
        origin: { domain_name_arn: '${aws_api_gateway_domain_name.origin.arn}', access_association_source: ENDPOINT, access_association_source_type: 'VPCE' },
      },
      aws_api_gateway_base_path_mapping: {
        orders: {
          domain_name: '${aws_api_gateway_domain_name.origin.domain_name}',
          domain_name_id: '${aws_api_gateway_domain_name.origin.domain_name_id}',
          base_path: 'orders',
          api_id: '${aws_api_gateway_rest_api.api.id}',
          stage_name: '${aws_api_gateway_stage.v1.stage_name}',
        },
      },
    },
  };
}

let emulator: Emulator;
let tf: EmulatorTerraform;

const apigateway = async (path: string, method = 'GET', body?: unknown) => {
  const response = await awsRequest(emulator.endpoint, {
    service: 'apigateway',
    region: REGION,
    method,
    path,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: response.status, json: response.text ? JSON.parse(response.text) : {} };
};

/** What API Gateway holds for the REST API now: `METHOD path` -> method. */
async function heldRoutes(apiId: string): Promise<Map<string, any>> {
  const { json } = await apigateway(`/restapis/${apiId}/resources?embed=methods&limit=500`);
  const routes = new Map<string, any>();
  for (const resource of json.item ?? []) for (const [method, value] of Object.entries(resource.resourceMethods ?? {})) routes.set(`${method} ${resource.path}`, value);
  return routes;
}

/** The routes the stage serves: the summary of the deployment it points at. */
async function servedRoutes(apiId: string): Promise<Record<string, Record<string, { authorizationType: string }>> | undefined> {
  const stage = await apigateway(`/restapis/${apiId}/stages/v1`);
  const deployment = await apigateway(`/restapis/${apiId}/deployments/${stage.json.deploymentId}?embed=apisummary`);
  return deployment.json.apiSummary;
}

const summaryKeys = (summary: Record<string, Record<string, unknown>> | undefined) =>
  Object.entries(summary ?? {}).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`)).sort();

const expectApplied = (apply: RunResult, ...addresses: string[]) => expectAppliedBy(tf, apply, undefined, ...addresses);

beforeAll(async () => {
  ({ emulator, tf } = await startWithTerraform(configuration(1)));
}, 120_000);

afterAll(() => stopWithTerraform({ emulator, tf }));

describe('GIVEN a REST API defined by one OpenAPI document behind a private custom domain name, WHEN it is applied and re-planned', () => {
  let apply: RunResult;
  let plan: PlanResult;
  beforeAll(async () => {
    apply = await tf.apply({ allowFailure: true });
    plan = await tf.plan();
  }, PHASE_TIMEOUT);

  it('imports every route of the document with its Cognito authorizer and scopes, the root keeping its id (apigateway_openapi_import)', async () => {
    expectApplied(apply, 'aws_api_gateway_rest_api.api');
    const api = tf.state()['aws_api_gateway_rest_api.api']!;
    const routes = await heldRoutes(api.id);
    expect([...routes.keys()].sort()).toEqual(routesOf(1));
    const authorizers = (await apigateway(`/restapis/${api.id}/authorizers`)).json.item;
    expect(authorizers).toEqual([expect.objectContaining({ type: 'COGNITO_USER_POOLS', providerARNs: [tf.state()['aws_cognito_user_pool.pool']!.arn], identitySource: 'method.request.header.Authorization' })]);
    expect(routes.get('GET /{orderId}')).toMatchObject({
      authorizationType: 'COGNITO_USER_POOLS',
      authorizerId: authorizers[0].id,
      authorizationScopes: [`${IDENTIFIER}/orders.read`],
      requestParameters: { 'method.request.path.orderId': true },
    });
    expect(routes.get('OPTIONS /{orderId}')).toMatchObject({ authorizationType: 'NONE' });
    const resources = (await apigateway(`/restapis/${api.id}/resources`)).json.item;
    expect(resources.find((r: any) => r.path === '/').id).toBe(api.root_resource_id);
    const responses = (await apigateway(`/restapis/${api.id}/gatewayresponses`)).json.item.map((r: any) => [r.responseType, r.statusCode]);
    expect(responses.sort()).toEqual([['MISSING_AUTHENTICATION_TOKEN', '404'], ['UNAUTHORIZED', '401']]);
  });

  it('answers the stage\'s deployment with a summary of the routes it snapshotted (apigateway_deployment_snapshot)', async () => {
    expectApplied(apply, 'aws_api_gateway_stage.v1');
    const summary = await servedRoutes(tf.state()['aws_api_gateway_rest_api.api']!.id);
    expect(summaryKeys(summary)).toEqual(routesOf(1));
    expect(summary?.['/{orderId}']?.GET).toEqual({ authorizationType: 'COGNITO_USER_POOLS', apiKeyRequired: false });
  });

  it('creates the PRIVATE custom domain name with its id, policy, access association and base path mapping, and re-plans them unchanged (apigateway_private_domain_names)', async () => {
    expectApplied(apply, 'aws_api_gateway_domain_name.origin', 'aws_api_gateway_domain_name_access_association.origin', 'aws_api_gateway_base_path_mapping.orders');
    const state = tf.state();
    const domain = state['aws_api_gateway_domain_name.origin']!;
    expect(domain.domain_name_id).toMatch(/^[a-z0-9]{10}$/);
    expect(domain.arn).toBe(`arn:aws:apigateway:${REGION}:123456789012:/domainnames/${DOMAIN}+${domain.domain_name_id}`);
    expect(state['aws_api_gateway_domain_name_access_association.origin']!.arn).toBe(
      `arn:aws:apigateway:${REGION}:123456789012:/domainnameaccessassociations/domainname/${DOMAIN}+${domain.domain_name_id}/vpcesource/${ENDPOINT}`,
    );
    const mapping = await apigateway(`/domainnames/${DOMAIN}/basepathmappings/orders?domainNameId=${domain.domain_name_id}`);
    expect(mapping.json).toEqual({ basePath: 'orders', restApiId: state['aws_api_gateway_rest_api.api']!.id, stage: 'v1' });
    // AWS needs the id to name a private domain name
    expect((await apigateway(`/domainnames/${DOMAIN}`)).status).toBe(404);
  });

  it('plans no change after the apply', () => {
    expect(plan.changed).toEqual([]);
  });
});

describe('WHEN the document changes (a route removed, a path parameter renamed, a route added) in one apply', () => {
  let apply: RunResult;
  let plan: PlanResult;
  let rootId: string;
  beforeAll(async () => {
    rootId = tf.state()['aws_api_gateway_rest_api.api']!.root_resource_id;
    tf.write(emulator, configuration(2));
    apply = await tf.apply({ allowFailure: true });
    plan = await tf.plan();
  }, PHASE_TIMEOUT);

  it('holds exactly the new routes: the removed one and the old parameter name are gone (apigateway_openapi_import)', async () => {
    expect(apply.code).toBe(0);
    const api = tf.state()['aws_api_gateway_rest_api.api']!;
    expect([...(await heldRoutes(api.id)).keys()].sort()).toEqual(routesOf(2));
    expect(api.root_resource_id).toBe(rootId);
  });

  it('keeps the resource policy: the overwrite resets it and the provider puts it back in the same update (apigateway_openapi_import)', async () => {
    const api = await apigateway(`/restapis/${tf.state()['aws_api_gateway_rest_api.api']!.id}`);
    expect(JSON.parse(JSON.parse(`"${api.json.policy}"`)).Statement[1].Condition).toEqual({ StringNotEquals: { 'aws:SourceVpce': ENDPOINT } });
  });

  it('serves exactly the new routes on the stage: the new deployment snapshotted the API after the overwrite (apigateway_deployment_snapshot)', async () => {
    expect(summaryKeys(await servedRoutes(tf.state()['aws_api_gateway_rest_api.api']!.id))).toEqual(routesOf(2));
  });

  it('plans no change after the apply', () => {
    expect(plan.changed).toEqual([]);
  });
});

describe('raw calls the provider never makes', () => {
  it('a deployment keeps its snapshot when the API changes afterwards (apigateway_deployment_snapshot)', async () => {
    const api = (await apigateway('/restapis', 'POST', { name: 'snapshot', endpointConfiguration: { types: ['REGIONAL'] } })).json;
    expect((await apigateway(`/restapis/${api.id}?mode=overwrite`, 'PUT', JSON.stringify(documentFor(1)))).status).toBe(200);
    const first = (await apigateway(`/restapis/${api.id}/deployments`, 'POST', {})).json;
    expect((await apigateway(`/restapis/${api.id}?mode=overwrite`, 'PUT', JSON.stringify(documentFor(2)))).status).toBe(200);
    const later = (await apigateway(`/restapis/${api.id}/deployments`, 'POST', {})).json;
    expect(summaryKeys((await apigateway(`/restapis/${api.id}/deployments/${first.id}?embed=apisummary`)).json.apiSummary)).toEqual(routesOf(1));
    expect(summaryKeys((await apigateway(`/restapis/${api.id}/deployments/${later.id}?embed=apisummary`)).json.apiSummary)).toEqual(routesOf(2));
    // without embed, no summary (as AWS)
    expect((await apigateway(`/restapis/${api.id}/deployments/${first.id}`)).json.apiSummary).toBeUndefined();
  });

  it('an import that would put two variable names at one level is refused and changes nothing (apigateway_openapi_import)', async () => {
    const api = (await apigateway('/restapis', 'POST', { name: 'siblings', endpointConfiguration: { types: ['REGIONAL'] } })).json;
    await apigateway(`/restapis/${api.id}?mode=overwrite`, 'PUT', JSON.stringify(documentFor(1)));
    const merged = await apigateway(`/restapis/${api.id}?mode=merge`, 'PUT', JSON.stringify(documentFor(2)));
    expect(merged.status).toBe(400);
    expect(merged.json.message).toMatch(/A sibling \(\{orderId\}\) of this resource already has a variable path part -- only one is allowed/);
    expect([...(await heldRoutes(api.id)).keys()].sort()).toEqual(routesOf(1));
  });

  it('an import updates the API without changing its endpoint configuration; creating one from a document takes its VPC endpoint ids (apigateway_openapi_import)', async () => {
    const elsewhere = { ...documentFor(1), servers: [{ url: '/', 'x-amazon-apigateway-endpoint-configuration': { vpcEndpointIds: ['vpce-0fedcba9876543210'] } }] };
    const api = (await apigateway('/restapis', 'POST', { name: 'endpoint', endpointConfiguration: { types: ['PRIVATE'], vpcEndpointIds: [ENDPOINT] } })).json;
    for (const [mode, document] of [['overwrite', elsewhere], ['merge', elsewhere], ['overwrite', { ...documentFor(1), servers: [] }]] as const) {
      expect((await apigateway(`/restapis/${api.id}?mode=${mode}`, 'PUT', JSON.stringify(document))).status).toBe(200);
      expect((await apigateway(`/restapis/${api.id}`)).json.endpointConfiguration).toEqual({ types: ['PRIVATE'], vpcEndpointIds: [ENDPOINT] });
    }
    const created = await apigateway('/restapis', 'POST', JSON.stringify(elsewhere));
    expect(created.status).toBe(200);
    expect(created.json.endpointConfiguration.vpcEndpointIds).toEqual(['vpce-0fedcba9876543210']);
  });

  it('a private custom domain name needs a certificate, and maps only to PRIVATE APIs (apigateway_private_domain_names)', async () => {
    const noCertificate = await apigateway('/domainnames', 'POST', { domainName: 'other.example.com', endpointConfiguration: { types: ['PRIVATE'] } });
    expect(noCertificate.status).toBe(400);
    const domain = (
      await apigateway('/domainnames', 'POST', { domainName: 'other.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x', endpointConfiguration: { types: ['PRIVATE'] } })
    ).json;
    const regional = (await apigateway('/restapis', 'POST', { name: 'regional', endpointConfiguration: { types: ['REGIONAL'] } })).json;
    const mapped = await apigateway(`/domainnames/other.example.com/basepathmappings?domainNameId=${domain.domainNameId}`, 'POST', { basePath: 'x', restApiId: regional.id });
    expect([mapped.status, mapped.json.message]).toEqual([400, 'A private custom domain name can only be mapped to a PRIVATE REST API']);
  });
});

describe('WHEN everything is destroyed', () => {
  let destroy: RunResult;
  beforeAll(async () => {
    destroy = await tf.destroy({ allowFailure: true });
  }, PHASE_TIMEOUT);

  it('removes the access association, the base path mapping and the private domain name (apigateway_private_domain_names)', async () => {
    expect(destroy.code).toBe(0);
    expect((await apigateway('/domainnameaccessassociations?resourceOwner=SELF')).json.item).toEqual([]);
    const names = (await apigateway('/domainnames')).json.item.map((d: any) => d.domainName);
    expect(names).not.toContain(DOMAIN);
  });
});
