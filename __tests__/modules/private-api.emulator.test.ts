/**
 * The private-api module against the local emulator: a route added, a route
 * removed and a path parameter renamed each converge in ONE `cdktf deploy`, after which API Gateway holds exactly the configured
 * routes, the stage serves exactly them (the deployment's snapshot, GetDeployment
 * `embed=apisummary`), and a second plan shows no changes.
 *
 * This is what one document per API buys: with one Terraform resource per method
 * and a create-before-destroy deployment, the new deployment snapshots the API
 * while a removed method still exists (the stage keeps serving it), and a renamed
 * path parameter is created next to the old one, which API Gateway refuses.
 * The emulator snapshots deployments and enforces one variable path part per
 * level as AWS does (emulator/patches/apigateway_*).
 */
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiConfig, Environment } from '../../environments/schema';
import { Identity } from '@private-api-platform/constructs/identity';
import { Network } from '@private-api-platform/constructs/network';
import { ApiGatewayAccountLogging, PrivateApi, PrivateCustomDomain } from '@private-api-platform/constructs/private-api';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { PROJECT_ROOT, run, terraform, terraformEnv, type RunResult } from '../../scripts/lib/terraform';
import { createProviders } from '../../stacks/providers';
import { awsRequest } from '../helpers/aws-request';
import { environment } from '../helpers/synth';

jest.setTimeout(600_000);

let emulator: Emulator;
let env: Environment;
let workDir: string;
let tfEnv: NodeJS.ProcessEnv;
const STACK = 'private-api';

/** The local environment's orders API with `routes`. */
function ordersApi(routes: ApiConfig['routes']): ApiConfig {
  return { ...structuredClone(env.apis.find((a) => a.name === 'orders')!), routes };
}

/** Synthesizes the stack with these routes: network, identity, the API and its private custom domain. */
function synthesize(api: ApiConfig): string {
  const app = new App({ outdir: join(workDir, 'cdktf.out') });
  const stack = new TerraformStack(app, STACK);
  new LocalBackend(stack, { path: join(workDir, 'terraform.tfstate') });
  createProviders(stack, env);
  const namePrefix = `platform-${env.name}`;
  const network = new Network(stack, 'network', { config: env.network, namePrefix });
  const identity = new Identity(stack, 'identity', { config: env.identity, namePrefix, region: env.account.region, deletionProtection: false, preventDestroy: false });
  const privateApi = new PrivateApi(stack, 'api-orders', {
    api,
    namePrefix,
    executeApiEndpoint: network.executeApiEndpoint,
    authorization: identity,
    logRetentionDays: env.logRetentionDays,
    allowWildcardCors: true,
    accountLogging: new ApiGatewayAccountLogging(stack, 'account-logging', { roleName: `${namePrefix}-apigateway-cloudwatch` }),
  });
  const certificate = new AcmCertificate(stack, 'origin-certificate', { domainName: env.edge.originDomainName, validationMethod: 'DNS' });
  new PrivateCustomDomain(stack, 'private-domain', {
    domainName: env.edge.originDomainName,
    certificateArn: certificate.arn,
    executeApiEndpointId: network.executeApiEndpoint.id,
    apis: [privateApi],
  });
  app.synth();
  return join(workDir, 'cdktf.out', 'stacks', STACK);
}

const apigateway = async (path: string) => {
  const response = await awsRequest(emulator.endpoint, { service: 'apigateway', region: env.account.region, path });
  if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${response.text}`);
  return JSON.parse(response.text);
};

interface Held {
  /** `METHOD path` -> authorization type and scopes, as API Gateway holds the API now. */
  readonly api: Record<string, string>;
  /** `METHOD path` -> authorization type, as the stage serves it (the deployment's snapshot). */
  readonly stage: Record<string, string>;
  /** base path -> `<api id>/<stage>` on the private custom domain. */
  readonly mappings: Record<string, string>;
}

async function held(): Promise<Held> {
  const apis = (await apigateway('/restapis')).item.filter((a: any) => a.name === `platform-${env.name}-orders`);
  if (apis.length !== 1) throw new Error(`expected one REST API platform-${env.name}-orders, found ${apis.length}`);
  const apiId = apis[0].id;
  const api: Record<string, string> = {};
  for (const resource of (await apigateway(`/restapis/${apiId}/resources?embed=methods&limit=500`)).item) {
    for (const [method, m] of Object.entries<any>(resource.resourceMethods ?? {})) api[`${method} ${resource.path}`] = [m.authorizationType, ...(m.authorizationScopes ?? [])].join(' ');
  }
  const stage = await apigateway(`/restapis/${apiId}/stages/v1`);
  const summary = (await apigateway(`/restapis/${apiId}/deployments/${stage.deploymentId}?embed=apisummary`)).apiSummary ?? {};
  const served: Record<string, string> = {};
  for (const [path, methods] of Object.entries<any>(summary)) for (const [method, m] of Object.entries<any>(methods)) served[`${method} ${path}`] = m.authorizationType;
  const mappings: Record<string, string> = {};
  for (const domain of (await apigateway('/domainnames')).item.filter((d: any) => d.domainName === env.edge.originDomainName)) {
    for (const m of (await apigateway(`/domainnames/${domain.domainName}/basepathmappings?domainNameId=${domain.domainNameId}`)).item) mappings[m.basePath] = `${m.restApiId}/${m.stage}`;
  }
  return { api, stage: served, mappings: Object.fromEntries(Object.entries(mappings).map(([k, v]) => [k, v.replace(apiId, '<orders>')])) };
}

/** What the configuration says API Gateway should hold: every route with its scopes, and the CORS preflight per path. */
function expected(routes: ApiConfig['routes']): Held {
  const identifier = env.identity.resourceServer.identifier;
  const api: Record<string, string> = {};
  const stage: Record<string, string> = {};
  for (const route of routes) {
    api[`${route.method} ${route.path}`] = ['COGNITO_USER_POOLS', ...route.scopes.map((s) => `${identifier}/${s}`)].join(' ');
    stage[`${route.method} ${route.path}`] = 'COGNITO_USER_POOLS';
  }
  for (const path of new Set(routes.map((r) => r.path))) {
    api[`OPTIONS ${path}`] = 'NONE';
    stage[`OPTIONS ${path}`] = 'NONE';
  }
  return { api, stage, mappings: { orders: '<orders>/v1' } };
}

/** One `cdktf deploy` of the synthesized stack (as npm start runs it), then a plan: `changes` is false when the plan is empty. */
async function deploy(routes: ApiConfig['routes']): Promise<{ apply: RunResult; changes: boolean; plan: string }> {
  const dir = synthesize(ordersApi(routes));
  const cli = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdktf');
  const apply = await run(cli, ['deploy', STACK, '--auto-approve', '--skip-provider-lock', '--skip-synth', '--output', join(workDir, 'cdktf.out')], { cwd: PROJECT_ROOT, env: { ...tfEnv, CI: '1' } });
  if (apply.code !== 0) return { apply, changes: true, plan: '' };
  const plan = await terraform(dir, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], { env: tfEnv, allowFailure: true });
  if (plan.code === 1) throw new Error(`terraform plan failed:\n${plan.stderr}`);
  return { apply, changes: plan.code === 2, plan: plan.stdout };
}

const mock = (method: string, path: string, scope: string, statusCode = 200): ApiConfig['routes'][number] => ({
  method: method as 'GET',
  path,
  scopes: [scope],
  integration: { type: 'MOCK', statusCode },
});

const V1 = [mock('GET', '/', 'orders.read'), mock('GET', '/{orderId}', 'orders.read'), mock('POST', '/{orderId}/items', 'orders.write', 201)];
const ADDED = [...V1, mock('GET', '/search', 'orders.read')];
const REMOVED = ADDED.filter((r) => r.path !== '/{orderId}/items');
const RENAMED = REMOVED.map((r) => ({ ...r, path: r.path.replace('{orderId}', '{id}') }));

beforeAll(async () => {
  emulator = await startEmulator();
  env = environment('local', (raw) => (raw.emulator.endpoint = emulator.endpoint));
  workDir = mkdtempSync(join(tmpdir(), 'private-api-emulator-'));
  tfEnv = terraformEnv();
  await terraform(synthesize(ordersApi(V1)), ['init', '-input=false', '-no-color'], { env: tfEnv });
});

afterAll(async () => {
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// The steps build on each other, in order: each is one deploy on top of the last.
test.each<[string, ApiConfig['routes']]>([
  ['the first deploy', V1],
  ['a route added', ADDED],
  ['a route removed (the stage stops serving it: the new deployment snapshots the API after the overwrite)', REMOVED],
  ['a path parameter renamed, {orderId} -> {id} (one variable name per level: the overwrite replaces the old one at once)', RENAMED],
])('%s converges in one cdktf deploy: API Gateway holds and the stage serves exactly the configured routes, and a second plan is empty', async (_what, routes) => {
  const { apply, changes, plan } = await deploy(routes);
  if (apply.code !== 0) throw new Error(`cdktf deploy failed:\n${(apply.stdout + apply.stderr).slice(-4000)}`);
  expect(await held()).toEqual(expected(routes));
  if (changes) throw new Error(`a second plan wants changes:\n${plan}`);
});
