/**
 * The emulator's user pool domain endpoints (emulator/patches/cognito_oauth_endpoints.py) and its execute-api hosts
 * (apigateway_private_invoke.py), called as an app and an attacker would: over HTTP, by the domain's own Host name.
 * Tokens are checked with aws-jwt-verify against the pool's JWKS, as an API would check them.
 */
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, CreateResourceServerCommand, CreateUserPoolClientCommand, CreateUserPoolCommand, CreateUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { createHash, randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { httpCall, type HttpAnswer } from '../../scripts/lib/edge/http';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const REGION = 'eu-west-1';
const API = 'https://api.test';
const CALLBACK = 'https://app.test/callback';
const PASSWORD = 'Correct-Horse-9-battery';

interface Pool {
  id: string;
  domain: string;
  machine: { id: string; secret: string };
  web: string;
}

let emulator: Emulator;
let cognito: CognitoIdentityProviderClient;
let pool: Pool;
let other: Pool;

async function createPool(name: string): Promise<Pool> {
  const id = (await cognito.send(new CreateUserPoolCommand({ PoolName: name }))).UserPool!.Id!;
  await cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: id, Domain: `${name}-auth` }));
  await cognito.send(new CreateResourceServerCommand({ UserPoolId: id, Identifier: API, Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }, { ScopeName: 'write', ScopeDescription: 'w' }] }));
  const machine = (await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'machine', GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [`${API}/read`], AllowedOAuthFlowsUserPoolClient: true, AccessTokenValidity: 15, TokenValidityUnits: { AccessToken: 'minutes' } }))).UserPoolClient!;
  const web = (await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'web', GenerateSecret: false, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', `${API}/read`, `${API}/write`], CallbackURLs: [CALLBACK], AllowedOAuthFlowsUserPoolClient: true }))).UserPoolClient!;
  await cognito.send(new AdminCreateUserCommand({ UserPoolId: id, Username: 'alice', MessageAction: 'SUPPRESS' }));
  await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: id, Username: 'alice', Password: PASSWORD, Permanent: true }));
  return { id, domain: `${name}-auth`, machine: { id: machine.ClientId!, secret: machine.ClientSecret! }, web: web.ClientId! };
}

/** A request to the pool's domain, by its own Host name, as a client that resolved it would send. */
function domainCall(p: Pool, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
  return httpCall(`${emulator.endpoint}${path}`, { ...init, host: `${p.domain}.auth.${REGION}.amazoncognito.com` });
}

const form = (fields: Record<string, string>) => ({ 'content-type': 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() });
function token(p: Pool, fields: Record<string, string>, basic?: string): Promise<HttpAnswer> {
  const { body, ...headers } = form(fields);
  return domainCall(p, '/oauth2/token', { method: 'POST', headers: { ...headers, ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}) }, body });
}
const errorOf = (answer: HttpAnswer) => [answer.status, JSON.parse(answer.body).error];

async function verifier(p: Pool, tokenUse: 'access' | 'id', scope?: string[]) {
  const jwks = JSON.parse((await httpCall(`${emulator.endpoint}/${p.id}/.well-known/jwks.json`, { host: `cognito-idp.${REGION}.amazonaws.com` })).body);
  const v = CognitoJwtVerifier.create({ userPoolId: p.id, tokenUse, clientId: null, ...(scope ? { scope } : {}) });
  v.cacheJwks(jwks);
  return v;
}

/** authorize -> the sign-in form -> the callback's code. */
async function signIn(p: Pool, query: Record<string, string>, password = PASSWORD): Promise<HttpAnswer> {
  const authorize = await domainCall(p, `/oauth2/authorize?${new URLSearchParams(query)}`);
  expect(authorize.status).toBe(302);
  expect(authorize.headers.location).toMatch(/^\/login\?/);
  const page = await domainCall(p, authorize.headers.location!);
  expect(page.body).toContain('<form method="post"');
  const { body, ...headers } = form({ username: 'alice', password });
  return domainCall(p, authorize.headers.location!, { method: 'POST', headers, body });
}

beforeAll(async () => {
  emulator = await startEmulator();
  cognito = new CognitoIdentityProviderClient({ region: REGION, endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  pool = await createPool('first');
  other = await createPool('second');
}, 120_000);
afterAll(async () => {
  await emulator?.stop();
});

describe('client credentials', () => {
  test('GIVEN the machine client and its secret (Basic) WHEN no scope is asked THEN an access token with all its custom scopes, for the client\'s token validity, signed by the pool', async () => {
    const answer = await token(pool, { grant_type: 'client_credentials' }, `${pool.machine.id}:${pool.machine.secret}`);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(body.id_token).toBeUndefined();
    expect(body.refresh_token).toBeUndefined();
    const claims = await (await verifier(pool, 'access', [`${API}/read`])).verify(body.access_token);
    expect(claims).toMatchObject({ sub: pool.machine.id, client_id: pool.machine.id, token_use: 'access', scope: `${API}/read`, version: 2 });
    expect(claims.exp - claims.iat).toBe(900);
    // another pool's keys do not verify it: each pool signs with its own key
    await expect((await verifier(other, 'access')).verify(body.access_token)).rejects.toThrow();
  });

  test('GIVEN the secret in the body THEN a token; a wrong secret: invalid_client; only scopes the client may not have: invalid_scope', async () => {
    expect((await token(pool, { grant_type: 'client_credentials', client_id: pool.machine.id, client_secret: pool.machine.secret })).status).toBe(200);
    expect(errorOf(await token(pool, { grant_type: 'client_credentials' }, `${pool.machine.id}:wrong`))).toEqual([400, 'invalid_client']);
    expect(errorOf(await token(pool, { grant_type: 'client_credentials', scope: `${API}/write` }, `${pool.machine.id}:${pool.machine.secret}`))).toEqual([400, 'invalid_scope']);
    // a scope it may not have, next to one it may: the other is ignored
    const mixed = JSON.parse((await token(pool, { grant_type: 'client_credentials', scope: `${API}/read ${API}/write` }, `${pool.machine.id}:${pool.machine.secret}`)).body);
    expect(JSON.parse(Buffer.from(mixed.access_token.split('.')[1], 'base64url').toString()).scope).toBe(`${API}/read`);
  });

  test('GIVEN a public client WHEN it asks for client credentials THEN unauthorized_client; an unknown grant: unsupported_grant_type; JSON instead of a form: invalid_request', async () => {
    expect(errorOf(await token(pool, { grant_type: 'client_credentials', client_id: pool.web }))).toEqual([400, 'unauthorized_client']);
    expect(errorOf(await token(pool, { grant_type: 'password', client_id: pool.web }))).toEqual([400, 'unsupported_grant_type']);
    const json = await domainCall(pool, '/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(errorOf(json)).toEqual([400, 'invalid_request']);
  });
});

describe('authorization code with PKCE', () => {
  const pkce = () => {
    const codeVerifier = randomBytes(32).toString('base64url');
    return { codeVerifier, challenge: createHash('sha256').update(codeVerifier).digest('base64url') };
  };
  const query = (challenge: string, extra: Record<string, string> = {}) => ({ response_type: 'code', client_id: pool.web, redirect_uri: CALLBACK, state: 's-1', scope: `openid ${API}/read`, code_challenge: challenge, code_challenge_method: 'S256', ...extra });
  const exchange = (code: string, codeVerifier: string, redirectUri = CALLBACK) => token(pool, { grant_type: 'authorization_code', client_id: pool.web, code, redirect_uri: redirectUri, code_verifier: codeVerifier });

  test('GIVEN a sign-in WHEN the code is exchanged with its verifier THEN access, ID and refresh tokens; the code works once; refresh gives new tokens', async () => {
    const { codeVerifier, challenge } = pkce();
    const back = await signIn(pool, query(challenge, { nonce: 'n-1' }));
    expect(back.status).toBe(302);
    const location = new URL(back.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('s-1');
    const code = location.searchParams.get('code')!;
    const answer = await exchange(code, codeVerifier);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body);
    const access = await (await verifier(pool, 'access', [`${API}/read`])).verify(body.access_token);
    expect(access).toMatchObject({ client_id: pool.web, username: 'alice', token_use: 'access', scope: `openid ${API}/read` });
    expect(access.origin_jti).toEqual(expect.any(String));
    const id = await (await verifier(pool, 'id')).verify(body.id_token);
    expect(id).toMatchObject({ aud: pool.web, 'cognito:username': 'alice', token_use: 'id', nonce: 'n-1' });
    expect(errorOf(await exchange(code, codeVerifier))).toEqual([400, 'invalid_grant']);
    const refreshed = await token(pool, { grant_type: 'refresh_token', client_id: pool.web, refresh_token: body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(JSON.parse(refreshed.body).access_token).not.toBe(body.access_token);
  });

  test('GIVEN a code WHEN the verifier is wrong, missing, or the redirect URI differs THEN invalid_grant', async () => {
    for (const mistake of ['wrong', 'missing', 'redirect'] as const) {
      const { codeVerifier, challenge } = pkce();
      const code = new URL((await signIn(pool, query(challenge))).headers.location!).searchParams.get('code')!;
      const answer = mistake === 'wrong' ? await exchange(code, pkce().codeVerifier) : mistake === 'missing' ? await exchange(code, '') : await exchange(code, codeVerifier, 'https://app.test/other');
      expect([mistake, ...errorOf(answer)]).toEqual([mistake, 400, 'invalid_grant']);
    }
  });

  test('GIVEN a bad authorize request THEN an error page for an unknown client or callback, an error redirect otherwise; a wrong password shows the form again', async () => {
    const { challenge } = pkce();
    const unknown = await domainCall(pool, `/oauth2/authorize?${new URLSearchParams(query(challenge, { client_id: 'nope' }))}`);
    expect([unknown.status, unknown.headers.location]).toEqual([400, undefined]);
    const elsewhere = await domainCall(pool, `/oauth2/authorize?${new URLSearchParams(query(challenge, { redirect_uri: 'https://evil.test/cb' }))}`);
    expect([elsewhere.status, elsewhere.headers.location]).toEqual([400, undefined]);
    const plain = await domainCall(pool, `/oauth2/authorize?${new URLSearchParams(query(challenge, { code_challenge_method: 'plain' }))}`);
    expect(new URL(plain.headers.location!).searchParams.get('error')).toBe('invalid_request');
    const scope = await domainCall(pool, `/oauth2/authorize?${new URLSearchParams(query(challenge, { scope: `${API}/admin` }))}`);
    expect(new URL(scope.headers.location!).searchParams.get('error')).toBe('invalid_scope');
    const refused = await signIn(pool, query(challenge), 'not-the-password');
    expect([refused.status, refused.body]).toEqual([200, expect.stringContaining('Incorrect username or password.')]);
  });

  test('the same endpoints answer at /_cognito/<domain>/ on the emulator\'s own address', async () => {
    const answer = await httpCall(`${emulator.endpoint}/_cognito/${pool.domain}/oauth2/token`, { method: 'POST', ...form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${pool.machine.id}:${pool.machine.secret}`).toString('base64')}` } });
    expect(answer.status).toBe(200);
  });
});

test('a request to an execute-api host that does not come through its VPC endpoint: 403 Forbidden', async () => {
  const answer = await httpCall(`${emulator.endpoint}/v1/orders`, { host: `abc123defg.execute-api.${REGION}.amazonaws.com` });
  expect([answer.status, JSON.parse(answer.body)]).toEqual([403, { message: 'Forbidden' }]);
  expect(answer.headers['x-amzn-errortype']).toBe('ForbiddenException');
});

test('without the patches, the emulator has neither: no token endpoint, and execute-api hosts fall through to another service', async () => {
  const bare = await startEmulator({ disablePatches: ['cognito_oauth_endpoints', 'apigateway_private_invoke'] });
  try {
    const answer = await httpCall(`${bare.endpoint}/_cognito/first-auth/oauth2/token`, { method: 'POST', ...form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.body).not.toContain('access_token');
    const direct = await httpCall(`${bare.endpoint}/v1/orders`, { host: `abc123defg.execute-api.${REGION}.amazonaws.com` });
    expect(direct.body).not.toBe(JSON.stringify({ message: 'Forbidden' }));
  } finally {
    await bare.stop();
  }
}, 60_000);
