/**
 * Checks of the request path on a deployed `local` (the start cycle's): each break is made in the emulator the way a
 * wrong deploy or a hand change would leave it (through the AWS APIs, then a new deployment where API Gateway needs
 * one), `npm run smoke -- local` must fail naming the probe, and the break is undone before the next one.
 */
import { APIGatewayClient, CreateBasePathMappingCommand, CreateDeploymentCommand, DeleteBasePathMappingCommand, GetBasePathMappingsCommand, GetDomainNamesCommand, GetResourcesCommand, GetRestApiCommand, UpdateMethodCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { CloudFrontClient, GetResponseHeadersPolicyCommand, ListResponseHeadersPoliciesCommand, UpdateResponseHeadersPolicyCommand } from '@aws-sdk/client-cloudfront';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DeregisterTargetsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpCall } from '../../scripts/lib/edge/http';
import { runningDaemon } from '../../scripts/lib/emulator-daemon';
import { localCognitoBaseUrl } from '../../scripts/lib/outputs';
import { expectExit } from './run-script';

type RunScript = (script: string, args: string[], env: NodeJS.ProcessEnv) => Promise<{ code: number; stdout: string; stderr: string }>;
const REGION = 'eu-west-1';

async function site(work: string) {
  const emulator = (await runningDaemon(join(work, 'emulator')))!.endpoint;
  const edge = (await runningDaemon(join(work, 'emulator', 'edge')))!.endpoint;
  const saved = JSON.parse(readFileSync(join(work, 'cdktf.out', 'stacks', 'local', 'outputs.json'), 'utf8')) as Record<string, Record<string, any>>;
  const outputs = Object.values(saved)[0]!;
  const config = (region: string) => ({ region, endpoint: emulator, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    emulator,
    edge,
    outputs,
    apigateway: new APIGatewayClient(config(REGION)),
    cloudfront: new CloudFrontClient(config('us-east-1')),
    elb: new ElasticLoadBalancingV2Client(config(REGION)),
    cognito: new CognitoIdentityProviderClient(config(REGION)),
  };
}

export async function expectBreaksSmoke(work: string, runScript: RunScript): Promise<void> {
  const s = await site(work);
  const ordersApi = String(s.outputs.api_orders_rest_api_id);
  const redeploy = () => s.apigateway.send(new CreateDeploymentCommand({ restApiId: ordersApi, stageName: 'v1' }));
  const smokeFails = async (what: string, probe: RegExp) => {
    const result = await runScript('scripts/smoke.ts', ['local'], { PLATFORM_WORK_DIR: work });
    expect([what, result.code]).toEqual([what, 1]);
    expect([what, result.stdout]).toEqual([what, expect.stringMatching(probe)]);
  };
  const methodOf = async (path: string) => (await s.apigateway.send(new GetResourcesCommand({ restApiId: ordersApi, embed: ['methods'] }))).items!.find((r) => r.path === path)!;

  // 1. the resource policy admits another endpoint: every call is refused by API Gateway (403), so no route answers 401
  const policy = (await s.apigateway.send(new GetRestApiCommand({ restApiId: ordersApi }))).policy!;
  const original = JSON.parse(policy.replace(/\\"/g, '"')) as { Statement: { Condition?: Record<string, Record<string, string>> }[] };
  const elsewhere = JSON.stringify(original).replace(/vpce-[0-9a-f]+/g, 'vpce-0123456789abcdef0');
  await s.apigateway.send(new UpdateRestApiCommand({ restApiId: ordersApi, patchOperations: [{ op: 'replace', path: '/policy', value: elsewhere }] }));
  await redeploy();
  await smokeFails('resource policy endpoint', /^no token +GET \/orders +401 +403 \[apigateway:ACCESS_DENIED\].*FAIL$/m);
  await s.apigateway.send(new UpdateRestApiCommand({ restApiId: ordersApi, patchOperations: [{ op: 'replace', path: '/policy', value: JSON.stringify(original) }] }));
  await redeploy();

  // 2. a route's scopes: GET /{orderId} asks for orders.write; the machine token with orders.read is refused
  const item = await methodOf('/{orderId}');
  const scopes = item.resourceMethods!.GET!.authorizationScopes!;
  await s.apigateway.send(new UpdateMethodCommand({ restApiId: ordersApi, resourceId: item.id!, httpMethod: 'GET', patchOperations: [{ op: 'replace', path: '/authorizationScopes', value: 'https://api.platform.test/orders.write' }] }));
  await redeploy();
  await smokeFails('route scopes', /^token with scope +GET \/orders\/smoke-orderId \(orders.read\) +200 +401 .*FAIL$/m);
  await s.apigateway.send(new UpdateMethodCommand({ restApiId: ordersApi, resourceId: item.id!, httpMethod: 'GET', patchOperations: [{ op: 'remove', path: '/authorizationScopes', value: 'https://api.platform.test/orders.write' }, ...scopes.map((value) => ({ op: 'add' as const, path: '/authorizationScopes', value }))] }));
  await redeploy();

  // 3. the authorizer: the route takes no token at all (authorization NONE): the call without a token answers 200
  await s.apigateway.send(new UpdateMethodCommand({ restApiId: ordersApi, resourceId: item.id!, httpMethod: 'GET', patchOperations: [{ op: 'replace', path: '/authorizationType', value: 'NONE' }] }));
  await redeploy();
  await smokeFails('authorizer', /^no token +GET \/orders\/smoke-orderId +401 +200 .*FAIL$/m);
  await s.apigateway.send(new UpdateMethodCommand({ restApiId: ordersApi, resourceId: item.id!, httpMethod: 'GET', patchOperations: [{ op: 'replace', path: '/authorizationType', value: 'COGNITO_USER_POOLS' }, { op: 'replace', path: '/authorizerId', value: item.resourceMethods!.GET!.authorizerId! }] }));
  await redeploy();

  // 4. the CORS origins: the response headers policy allows another origin
  const policies = (await s.cloudfront.send(new ListResponseHeadersPoliciesCommand({ Type: 'custom' }))).ResponseHeadersPolicyList!.Items!;
  const cors = policies.find((p) => p.ResponseHeadersPolicy!.ResponseHeadersPolicyConfig!.CorsConfig)!.ResponseHeadersPolicy!;
  const current = await s.cloudfront.send(new GetResponseHeadersPolicyCommand({ Id: cors.Id! }));
  const config = current.ResponseHeadersPolicy!.ResponseHeadersPolicyConfig!;
  const moved = await s.cloudfront.send(new UpdateResponseHeadersPolicyCommand({ Id: cors.Id!, IfMatch: current.ETag!, ResponseHeadersPolicyConfig: { ...config, CorsConfig: { ...config.CorsConfig!, AccessControlAllowOrigins: { Quantity: 1, Items: ['https://elsewhere.example'] } } } }));
  await smokeFails('CORS origins', /^preflight, allowed origin +OPTIONS \/orders Origin: http:\/\/localhost:3000 .*\(no CORS header\) +FAIL$/m);
  await s.cloudfront.send(new UpdateResponseHeadersPolicyCommand({ Id: cors.Id!, IfMatch: moved.ETag!, ResponseHeadersPolicyConfig: config }));

  // 5. the ALB's targets: the endpoint's addresses are deregistered (the ALB answers 503)
  const targetGroup = String(s.outputs.edge_target_group_arn);
  const targets = (await s.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroup }))).TargetHealthDescriptions!.map((t) => t.Target!);
  await s.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroup, Targets: targets }));
  await smokeFails('ALB targets', /^no token +GET \/orders +401 +503 \[alb:no targets\].*FAIL$/m);
  await s.elb.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroup, Targets: targets }));

  // 6. the base path mapping of /orders is gone: the private custom domain answers 403
  const domain = (await s.apigateway.send(new GetDomainNamesCommand({ resourceOwner: 'SELF' }))).items!.find((d) => d.endpointConfiguration?.types?.includes('PRIVATE'))!;
  const mapping = (await s.apigateway.send(new GetBasePathMappingsCommand({ domainName: domain.domainName!, domainNameId: domain.domainNameId! }))).items!.find((m) => m.basePath === 'orders')!;
  await s.apigateway.send(new DeleteBasePathMappingCommand({ domainName: domain.domainName!, domainNameId: domain.domainNameId!, basePath: 'orders' }));
  await smokeFails('base path mapping', /^no token +GET \/orders +401 +403 \[apigateway:no base path mapping for \/orders/m);
  await s.apigateway.send(new CreateBasePathMappingCommand({ domainName: domain.domainName!, domainNameId: domain.domainNameId!, basePath: 'orders', restApiId: mapping.restApiId!, stage: mapping.stage! }));

  // undone: every probe passes again
  const again = await runScript('scripts/smoke.ts', ['local'], { PLATFORM_WORK_DIR: work });
  expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/All \d+ probes answered as expected/)]);
}

export async function expectPkceSignIn(work: string): Promise<void> {
  const s = await site(work);
  const pool = String(s.outputs.identity_user_pool_id);
  const web = (s.outputs.identity_client_ids as Record<string, string>).web!;
  // The pool signs people in by email (its username attribute).
  const email = 'pkce-user@example.com';
  await s.cognito.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
  await s.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: email, Password: 'Correct-Horse-9-battery', Permanent: true }));
  const base = localCognitoBaseUrl(s.emulator, String(s.outputs.identity_hosted_ui_url));
  const redirectUri = 'http://localhost:3000/auth/callback';

  const signIn = async (verifier: string) => {
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({ response_type: 'code', client_id: web, redirect_uri: redirectUri, state: 'st-1', scope: 'openid https://api.platform.test/orders.read', code_challenge: challenge, code_challenge_method: 'S256' });
    const authorize = await httpCall(`${base}/oauth2/authorize?${query}`);
    expect(authorize.status).toBe(302);
    const login = await httpCall(`${s.emulator}${authorize.headers.location}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: email, password: 'Correct-Horse-9-battery' }).toString() });
    expect(login.status).toBe(302);
    const back = new URL(login.headers.location!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('st-1');
    return back.searchParams.get('code')!;
  };
  const exchange = (code: string, verifier: string) =>
    httpCall(`${base}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: web, code, redirect_uri: redirectUri, code_verifier: verifier }).toString() });

  const verifier = randomBytes(32).toString('base64url');
  // a wrong verifier: invalid_grant, and the code is spent
  const spent = await signIn(verifier);
  const wrong = await exchange(spent, randomBytes(32).toString('base64url'));
  expect([wrong.status, JSON.parse(wrong.body).error]).toEqual([400, 'invalid_grant']);
  expect((await exchange(spent, verifier)).status).toBe(400);
  // the right one: access, ID and refresh tokens; the access token carries the granted scope
  const tokens = await exchange(await signIn(verifier), verifier);
  expect(tokens.status).toBe(200);
  const body = JSON.parse(tokens.body) as { access_token: string; id_token: string; refresh_token: string; token_type: string };
  expect(body.token_type).toBe('Bearer');
  const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  expect(claims.sub).toEqual(expect.any(String));
  expect(claims).toMatchObject({ token_use: 'access', client_id: web, scope: 'openid https://api.platform.test/orders.read', iss: `https://cognito-idp.${REGION}.amazonaws.com/${pool}` });
  // through the edge: a route in its scopes answers, one outside them does not
  const call = (method: string, path: string) => httpCall(`${s.edge}${path}`, { method, headers: { authorization: `Bearer ${body.access_token}`, 'user-agent': 'test' } });
  expect((await call('GET', '/orders/42')).status).toBe(200);
  expect((await call('POST', '/orders/42/items')).status).toBe(401);
  // the ID token is no access token: refused where scopes are required
  expect((await httpCall(`${s.edge}/orders/42`, { headers: { authorization: body.id_token, 'user-agent': 'test' } })).status).toBe(401);
}

/**
 * `npm run smoke` for a real environment, with local stand-ins for the AWS endpoints it calls (there is no AWS account
 * here): the deployed `local` plays the environment "standin" (local's file without the emulator, with https origins
 * and callbacks, as a real environment must have). The outputs come from a file (as CI saves them), the machine
 * client's secret from DescribeUserPoolClient through the SDK's default credential chain (AWS_ENDPOINT_URL: the
 * emulator), tokens from the Cognito domain's own host name and the execute-api host names, both sent to the emulator
 * by --connect-to; the viewer URL is the local edge; the ALB's name goes to a port where nothing listens.
 */
export async function expectRealModeSmoke(work: string, runScript: RunScript): Promise<void> {
  const s = await site(work);
  const dir = mkdtempSync(join(tmpdir(), 'smoke-standin-'));
  const policies = (await s.cloudfront.send(new ListResponseHeadersPoliciesCommand({ Type: 'custom' }))).ResponseHeadersPolicyList!.Items!;
  const cors = policies.find((p) => p.ResponseHeadersPolicy!.ResponseHeadersPolicyConfig!.CorsConfig)!.ResponseHeadersPolicy!;
  const current = await s.cloudfront.send(new GetResponseHeadersPolicyCommand({ Id: cors.Id! }));
  const config = current.ResponseHeadersPolicy!.ResponseHeadersPolicyConfig!;
  const origin = 'https://app.platform.test';
  // the stand-in deployment allows the stand-in environment's origin
  const moved = await s.cloudfront.send(new UpdateResponseHeadersPolicyCommand({ Id: cors.Id!, IfMatch: current.ETag!, ResponseHeadersPolicyConfig: { ...config, CorsConfig: { ...config.CorsConfig!, AccessControlAllowOrigins: { Quantity: 1, Items: [origin] } } } }));
  try {
    const local = JSON.parse(readFileSync(join(__dirname, '..', '..', 'environments', 'local.json'), 'utf8'));
    delete local.emulator;
    local.name = 'standin';
    local.apis[0].corsAllowOrigins = [origin];
    for (const client of local.identity.clients) {
      if (client.kind === 'web') Object.assign(client, { callbackUrls: [`${origin}/auth/callback`], logoutUrls: [`${origin}/`] });
    }
    local.identity.allowPasswordAuthForTests = false;
    writeFileSync(join(dir, 'standin.json'), JSON.stringify(local));
    writeFileSync(join(dir, 'outputs.json'), readFileSync(join(work, 'cdktf.out', 'stacks', 'local', 'outputs.json')));
    const closed = await freePort();
    const region = 'eu-west-1';
    const connectTo = [
      `${new URL(String(s.outputs.identity_token_endpoint_url)).hostname}=${s.emulator}`,
      ...['orders', 'profile'].map((api) => `${s.outputs[`api_${api}_rest_api_id`]}.execute-api.${region}.amazonaws.com=${s.emulator}`),
      `${s.outputs.edge_alb_dns_name}=http://127.0.0.1:${closed}`,
    ].join(',');
    const result = await runScript('scripts/smoke.ts', ['standin', '--outputs', join(dir, 'outputs.json'), '--base-url', s.edge, '--connect-to', connectTo], {
      PLATFORM_ENVIRONMENTS_DIR: dir,
      PLATFORM_WORK_DIR: work,
      AWS_ENDPOINT_URL: s.emulator,
      AWS_ACCESS_KEY_ID: 'standin',
      AWS_SECRET_ACCESS_KEY: 'standin',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expectExit(result, 0, 'npm run smoke -- standin');
    expect(result.stderr).toContain(`[smoke standin] ${s.edge}, tokens from ${s.outputs.identity_token_endpoint_url}`);
    expect(result.stdout).toMatch(/^ALB directly .* refused or unreachable +unreachable \(ECONNREFUSED\)/m);
    expect(result.stdout).toMatch(new RegExp(`^preflight, allowed origin +OPTIONS /orders Origin: ${origin}`, 'm'));
    expect(result.stdout).toMatch(/All \d+ probes answered as expected/);
  } finally {
    await s.cloudfront.send(new UpdateResponseHeadersPolicyCommand({ Id: cors.Id!, IfMatch: moved.ETag!, ResponseHeadersPolicyConfig: config }));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
