/**
 * Identity against the local emulator: the module is applied with real
 * Terraform, a test user signs in, and the tokens verify with aws-jwt-verify
 * against the pool's JWKS as the emulator serves it.
 *
 * Emulator facts this test relies on (moto 5.2.1), and how it handles them:
 * - moto issues tokens with `iss = https://cognito-idp.<region>.amazonaws.com/<pool id>`,
 *   the same issuer AWS uses, so the verifier checks the real issuer (it is
 *   also the module's `issuer_url` output). Only the JWKS download is
 *   redirected: the verifier asks for `<issuer>/.well-known/jwks.json` and the
 *   fetcher below answers it from the emulator's `/<pool id>/.well-known/jwks.json`
 *   (plain HTTP on 127.0.0.1), so every key the verifier trusts comes from the emulator.
 * - moto signs the tokens of EVERY pool with one and the same key (kid "dummy").
 *   A token of another pool therefore has a valid signature; it is refused by
 *   its issuer (another pool id) and its client id. AWS would also refuse it
 *   on the key. A tampered token is refused on its signature.
 * - moto does not enforce a client's explicit auth flows, so "USER_PASSWORD_AUTH
 *   on the client that allows it only" is shown by reading the applied clients
 *   back (DescribeUserPoolClient) and by the unit tests, not by a refusal here.
 * - moto picks its regional backend from the credential scope of the
 *   Authorization header and does not verify signatures: the calls below send
 *   a SigV4-shaped header with the test credentials and a dummy signature.
 */
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../environments/schema';
import { addIdentityOutputs, Identity } from '@private-api-platform/constructs/identity';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { terraform, terraformEnv } from '../../scripts/lib/terraform';
import { createProviders } from '../../stacks/providers';
import { environment } from '../helpers/synth';

jest.setTimeout(300_000);

const PASSWORD = 'Correct-Horse-9-Battery';

let emulator: Emulator;
let env: Environment;
let workDir: string;
let stackDir: string;
let tfEnv: NodeJS.ProcessEnv;
let outputs: Record<string, any>;

/** An AWS JSON-protocol call to the emulator's Cognito user pools API. */
async function cognito(action: string, body: Record<string, unknown>): Promise<any> {
  const response = await fetch(emulator.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/${env.account.region}/cognito-idp/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = new Error(`${action} failed (${response.status}): ${text}`) as Error & { type?: string };
    error.type = String(json.__type ?? '').split('#').pop();
    throw error;
  }
  return json;
}

/** Answers the verifier's JWKS request for `<issuer>/.well-known/jwks.json` from the emulator. */
function emulatorJwksFetcher(requested: string[]): Fetcher {
  return {
    async fetch(uri: string): Promise<ArrayBuffer> {
      requested.push(uri);
      const match = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([\w-]+)\/\.well-known\/jwks\.json$/.exec(uri);
      if (!match) throw new Error(`unexpected JWKS URI ${uri}`);
      const response = await fetch(`${emulator.endpoint}/${match[1]}/.well-known/jwks.json`);
      if (!response.ok) throw new Error(`JWKS ${uri}: HTTP ${response.status}`);
      return response.arrayBuffer();
    },
  };
}

function verifiers(userPoolId: string, clientId: string, requested: string[] = []) {
  const jwksCache = new SimpleJwksCache({ fetcher: emulatorJwksFetcher(requested) });
  return {
    id: CognitoJwtVerifier.create({ userPoolId, tokenUse: 'id', clientId }, { jwksCache }),
    access: CognitoJwtVerifier.create({ userPoolId, tokenUse: 'access', clientId }, { jwksCache }),
  };
}

async function signIn(clientId: string, username: string, password: string): Promise<{ IdToken: string; AccessToken: string }> {
  const result = await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } });
  if (!result.AuthenticationResult) throw new Error(`no tokens, got ${JSON.stringify(result)}`);
  return result.AuthenticationResult;
}

function claims(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

beforeAll(async () => {
  emulator = await startEmulator();
  env = environment('local', (raw) => (raw.emulator.endpoint = emulator.endpoint));

  // GIVEN a stack with only the environment's providers and the identity module, synthesized to a temp dir
  workDir = mkdtempSync(join(tmpdir(), 'identity-emulator-'));
  const app = new App({ outdir: join(workDir, 'cdktf.out') });
  const stack = new TerraformStack(app, 'identity');
  new LocalBackend(stack, { path: join(workDir, 'terraform.tfstate') });
  createProviders(stack, env);
  const identity = new Identity(stack, 'identity', {
    config: env.identity,
    namePrefix: `platform-${env.name}`,
    region: env.account.region,
    deletionProtection: env.protections.deletionProtection,
    preventDestroy: env.protections.preventDestroy,
  });
  addIdentityOutputs(stack, identity);
  app.synth();
  stackDir = join(workDir, 'cdktf.out', 'stacks', 'identity');

  // WHEN it is applied with real Terraform against the emulator
  tfEnv = terraformEnv();
  await terraform(stackDir, ['init', '-input=false', '-no-color'], { env: tfEnv });
  await terraform(stackDir, ['apply', '-auto-approve', '-input=false', '-no-color'], { env: tfEnv });
  const out = await terraform(stackDir, ['output', '-json'], { env: tfEnv });
  outputs = Object.fromEntries(Object.entries(JSON.parse(out.stdout)).map(([k, v]: [string, any]) => [k, v.value]));
});

afterAll(async () => {
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the applied pool, resource server and clients are what the module asked for', async () => {
  const poolId: string = outputs.identity_user_pool_id;
  expect(outputs.identity_issuer_url).toBe(`https://cognito-idp.${env.account.region}.amazonaws.com/${poolId}`);
  expect(outputs.identity_jwks_url).toBe(`${outputs.identity_issuer_url}/.well-known/jwks.json`);
  expect(outputs.identity_user_pool_arn).toBe(`arn:aws:cognito-idp:${env.account.region}:${env.account.id}:userpool/${poolId}`);
  expect(Object.keys(outputs.identity_client_ids).sort()).toEqual(['fulfilment', 'mobile', 'web']);

  const { UserPool: pool } = await cognito('DescribeUserPool', { UserPoolId: poolId });
  expect(pool.Policies.PasswordPolicy).toMatchObject({ MinimumLength: env.identity.passwordMinimumLength, RequireSymbols: true, RequireUppercase: true });
  expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
  expect(pool.DeletionProtection).toBe('INACTIVE');

  const { ResourceServer: server } = await cognito('DescribeResourceServer', { UserPoolId: poolId, Identifier: env.identity.resourceServer.identifier });
  expect(server.Scopes.map((s: any) => s.ScopeName).sort()).toEqual(env.identity.resourceServer.scopes.map((s) => s.name).sort());

  const client = async (name: string) => (await cognito('DescribeUserPoolClient', { UserPoolId: poolId, ClientId: outputs.identity_client_ids[name] })).UserPoolClient;
  const web = await client('web');
  expect(web.ClientSecret).toBeUndefined();
  expect(web.AllowedOAuthFlows).toEqual(['code']);
  expect(web.ExplicitAuthFlows.sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']);
  const machine = await client('fulfilment');
  expect(machine.AllowedOAuthFlows).toEqual(['client_credentials']);
  expect(machine.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  // The secret reached the sensitive output, and it is the client's secret.
  expect(outputs.identity_machine_client_secrets.fulfilment).toBe(machine.ClientSecret);
});

describe('a test user', () => {
  const username = 'alice@example.com';
  let poolId: string;
  let webClientId: string;

  beforeAll(async () => {
    poolId = outputs.identity_user_pool_id;
    webClientId = outputs.identity_client_ids.web;
    // GIVEN a user created by an administrator, with a permanent password
    await cognito('AdminCreateUser', {
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: username },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    await cognito('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true });
  });

  test('signs in with USER_PASSWORD_AUTH; the ID and access tokens verify against the JWKS the emulator serves', async () => {
    // WHEN the user signs in on the web client (password sign-in is on in local only)
    const tokens = await signIn(webClientId, username, PASSWORD);
    const requested: string[] = [];
    const verify = verifiers(poolId, webClientId, requested);

    // THEN both tokens verify: signature with the emulator's JWKS, issuer = the module's issuer_url, client, token use, expiry
    const id = await verify.id.verify(tokens.IdToken);
    expect(id.iss).toBe(outputs.identity_issuer_url);
    expect(id.aud).toBe(webClientId);
    expect(id.email).toBe(username);
    const access = await verify.access.verify(tokens.AccessToken);
    expect(access.iss).toBe(outputs.identity_issuer_url);
    expect(access.client_id).toBe(webClientId);
    // AND the keys came from the pool's JWKS URL (the module's jwks_url output), served by the emulator
    expect([...new Set(requested)]).toEqual([outputs.identity_jwks_url]);
  });

  test('fails when the token comes from another user pool', async () => {
    // GIVEN another pool with its own client and user (created directly, outside the module)
    const { UserPool: other } = await cognito('CreateUserPool', { PoolName: 'another-pool', UsernameAttributes: ['email'] });
    const { UserPoolClient: otherClient } = await cognito('CreateUserPoolClient', {
      UserPoolId: other.Id,
      ClientName: 'another-client',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    await cognito('AdminCreateUser', { UserPoolId: other.Id, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: username }] });
    await cognito('AdminSetUserPassword', { UserPoolId: other.Id, Username: username, Password: PASSWORD, Permanent: true });
    try {
      await checkForeignTokenRefused(other.Id, otherClient.ClientId);
    } finally {
      await cognito('DeleteUserPool', { UserPoolId: other.Id });
    }
  });

  async function checkForeignTokenRefused(otherPoolId: string, otherClientId: string): Promise<void> {
    const foreign = await signIn(otherClientId, username, PASSWORD);
    // (the foreign token is a good token of its own pool: the rejection below is about the pool, not a broken token)
    await expect(verifiers(otherPoolId, otherClientId).access.verify(foreign.AccessToken)).resolves.toMatchObject({ iss: `https://cognito-idp.${env.account.region}.amazonaws.com/${otherPoolId}` });

    // WHEN our pool's verifiers see it THEN they refuse it: another issuer
    const ours = verifiers(poolId, webClientId);
    const notOurs = new RegExp(`issuer not configured: https://cognito-idp\\.${env.account.region}\\.amazonaws\\.com/${otherPoolId}`);
    await expect(ours.access.verify(foreign.AccessToken)).rejects.toThrow(notOurs);
    await expect(ours.id.verify(foreign.IdToken)).rejects.toThrow(notOurs);
    // AND even a verifier told to accept any client of our pool refuses it (the issuer, not the client id, decides)
    await expect(CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'access', clientId: null }, { jwksCache: new SimpleJwksCache({ fetcher: emulatorJwksFetcher([]) }) }).verify(foreign.AccessToken)).rejects.toThrow(
      notOurs,
    );
  }

  test('fails when a token is tampered with (the signature is checked)', async () => {
    const tokens = await signIn(webClientId, username, PASSWORD);
    const [header, payload, signature] = tokens.AccessToken.split('.');
    const changed = Buffer.from(JSON.stringify({ ...claims(tokens.AccessToken), username: 'mallory' })).toString('base64url');
    await expect(verifiers(poolId, webClientId).access.verify(`${header}.${changed}.${signature}`)).rejects.toThrow(/Invalid signature/);
    expect(payload).not.toBe(changed);
  });

  test('fails when the password breaks the pool password policy', async () => {
    await expect(cognito('AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: 'short1!A', Permanent: true })).rejects.toMatchObject({
      type: 'InvalidPasswordException',
    });
  });

  test('fails when the token is for another client of the pool', async () => {
    const tokens = await signIn(webClientId, username, PASSWORD);
    await expect(verifiers(poolId, outputs.identity_client_ids.mobile).access.verify(tokens.AccessToken)).rejects.toThrow(/Client ID not allowed/);
  });
});

// Terraform's provider start alone takes 20-40 s on a busy 2-core machine.
test('destroy removes the pool', async () => {
  const poolId: string = outputs.identity_user_pool_id;
  await terraform(stackDir, ['destroy', '-auto-approve', '-input=false', '-no-color'], { env: tfEnv });
  const { UserPools } = await cognito('ListUserPools', { MaxResults: 60 });
  expect(UserPools.map((p: any) => p.Id)).not.toContain(poolId);
}, 600_000);
