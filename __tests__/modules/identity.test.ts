/**
 * Identity module: the guardrails of the user pool and its clients, per
 * environment, on the synthesized platform stack; and one `fails when ...`
 * test for each rule, breaking it and watching the module refuse.
 */
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import type { IdentityConfig } from '../../environments/schema';
import { addIdentityOutputs, Identity, type IdentityProps } from '@private-api-platform/constructs/identity';
import { COGNITO_SECURITY_SCHEME, authorizerOf, operationsOf } from '@private-api-platform/constructs/private-api/openapi';
import { cognitoDomainPrefix } from '../../environments/schema';
import { ENVIRONMENT_NAMES, environment, synthPlatform, wrap, type SynthesizedStack } from '../helpers/synth';

const CLIENT = 'aws_cognito_user_pool_client';

function clientsByConfigName(synth: SynthesizedStack, config: IdentityConfig): Record<string, any> {
  const all = Object.values(synth.resources(CLIENT));
  return Object.fromEntries(
    config.clients.map((client) => {
      const matches = all.filter((c: any) => typeof c.name === 'string' && c.name.endsWith(`-${client.name}`));
      if (matches.length !== 1) throw new Error(`expected one synthesized client for "${client.name}", found ${matches.length}`);
      return [client.name, matches[0]];
    }),
  );
}

/** A stack with only providers and an Identity, synthesized with validations on. */
function synthIdentity(envName: string, change?: (props: IdentityProps) => IdentityProps, after?: (identity: Identity) => void): SynthesizedStack {
  const env = environment(envName);
  const app = Testing.app();
  const stack = new TerraformStack(app, 'identity-only');
  new AwsProvider(stack, 'aws', { region: env.account.region });
  const base: IdentityProps = { config: env.identity, namePrefix: `platform-${env.name}`, deletionProtection: false, preventDestroy: false, region: env.account.region };
  const identity = new Identity(stack, 'identity', change ? change(base) : base);
  addIdentityOutputs(stack, identity);
  after?.(identity);
  return wrap(JSON.parse(Testing.synth(stack, true)));
}

/** A copy of an environment's identity config, changed (bypassing the schema: the module must defend itself). */
function identityConfig(envName: string, change: (config: any) => void): IdentityConfig {
  const config = structuredClone(environment(envName).identity);
  change(config);
  return config;
}

describe.each(ENVIRONMENT_NAMES)('identity in the %s environment', (envName) => {
  const env = environment(envName);
  const synth = synthPlatform(env);
  const clients = clientsByConfigName(synth, env.identity);
  const resourceServer = synth.only('aws_cognito_resource_server');
  const definedScopes = resourceServer.scope.map((s: any) => `${resourceServer.identifier}/${s.scope_name}`);

  test('public clients have no secret, only the code flow and no implicit grant', () => {
    // GIVEN the environment's web and mobile clients
    const people = env.identity.clients.filter((c) => c.kind !== 'machine');
    expect(people.length).toBeGreaterThan(0);
    for (const client of people) {
      // WHEN synthesized THEN they are public, code-only clients with exact redirect URLs
      const c = clients[client.name];
      expect(c.generate_secret).toBe(false);
      expect(c.allowed_oauth_flows).toEqual(['code']);
      expect(c.allowed_oauth_flows).not.toContain('implicit');
      expect(c.allowed_oauth_flows_user_pool_client).toBe(true);
      expect(c.callback_urls).toEqual(client.callbackUrls);
      expect(c.logout_urls).toEqual(client.logoutUrls);
      expect(c.supported_identity_providers).toEqual(['COGNITO']);
      expect(c.prevent_user_existence_errors).toBe('ENABLED');
      expect(c.enable_token_revocation).toBe(true);
      expect(c.allowed_oauth_scopes).toEqual(['openid', 'email', 'profile', ...client.scopes.map((s) => `${env.identity.resourceServer.identifier}/${s}`)]);
      expect(c.token_validity_units).toEqual([{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'days' }]);
      expect(c.access_token_validity).toBe(client.tokenValidity.accessTokenMinutes);
    }
  });

  test('machine clients are confidential with client credentials only and resource-server scopes only', () => {
    const machines = env.identity.clients.filter((c) => c.kind === 'machine');
    expect(machines.length).toBeGreaterThan(0);
    for (const client of machines) {
      const c = clients[client.name];
      expect(c.generate_secret).toBe(true);
      expect(c.allowed_oauth_flows).toEqual(['client_credentials']);
      expect(c.callback_urls).toBeUndefined();
      expect(c.logout_urls).toBeUndefined();
      expect(c.explicit_auth_flows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
      expect(c.allowed_oauth_scopes.every((s: string) => definedScopes.includes(s))).toBe(true);
      expect(c.allowed_oauth_scopes).not.toContain('openid');
    }
  });

  test('no client anywhere allows the implicit grant', () => {
    for (const c of Object.values(synth.resources(CLIENT))) expect((c as any).allowed_oauth_flows).not.toContain('implicit');
  });

  test('every scope a route or a client requires exists on the resource server', () => {
    // GIVEN the scopes the resource server defines
    // THEN every route's scope (config, and synthesized methods once the API module is wired) is one of them
    for (const api of env.apis) {
      for (const route of api.routes) for (const scope of route.scopes) expect(definedScopes).toContain(`${resourceServer.identifier}/${scope}`);
    }
    // AND every operation of every API's document except CORS preflight requires this pool's tokens with defined scopes
    const poolId = Object.keys(synth.resources('aws_cognito_user_pool'))[0];
    const documents = (Object.values(synth.resources('aws_api_gateway_rest_api')) as any[]).map((api) => JSON.parse(api.body));
    const operations = documents.flatMap((document) => operationsOf(document));
    const routeCount = env.apis.reduce((n, api) => n + api.routes.length, 0);
    const guarded = operations.filter((o) => o.method !== 'OPTIONS');
    expect(guarded).toHaveLength(routeCount);
    for (const operation of guarded) {
      expect(operation.security).toHaveLength(1);
      expect(operation.security[0]!.scopes.length).toBeGreaterThan(0);
      for (const scope of operation.security[0]!.scopes) expect(definedScopes).toContain(scope);
    }
    for (const document of documents) {
      expect(authorizerOf(document, COGNITO_SECURITY_SCHEME)).toEqual({ type: 'cognito_user_pools', providerARNs: [`\${aws_cognito_user_pool.${poolId}.arn}`] });
    }
    // AND every client scope outside the OIDC ones too
    for (const c of Object.values(synth.resources(CLIENT)) as any[]) {
      for (const scope of c.allowed_oauth_scopes) if (!['openid', 'email', 'profile'].includes(scope)) expect(definedScopes).toContain(scope);
    }
  });

  test('USER_PASSWORD_AUTH only in local, and only on people clients', () => {
    for (const client of env.identity.clients) {
      const flows: string[] = clients[client.name].explicit_auth_flows;
      const expected = envName === 'local' && client.kind !== 'machine';
      expect(flows.includes('ALLOW_USER_PASSWORD_AUTH')).toBe(expected);
      expect(flows).not.toContain('ALLOW_ADMIN_USER_PASSWORD_AUTH');
      expect(flows).not.toContain('ALLOW_CUSTOM_AUTH');
    }
  });

  test('the user pool: password policy, MFA, recovery, email usernames, admin-only sign-up, protections', () => {
    const pool = synth.only('aws_cognito_user_pool');
    expect(pool.password_policy).toEqual({
      minimum_length: env.identity.passwordMinimumLength,
      require_lowercase: true,
      require_uppercase: true,
      require_numbers: true,
      require_symbols: true,
      temporary_password_validity_days: 3,
    });
    expect(pool.mfa_configuration).toBe(env.identity.mfa);
    expect(pool.software_token_mfa_configuration).toEqual(env.identity.mfa === 'OFF' ? undefined : { enabled: true });
    expect(pool.account_recovery_setting).toEqual({ recovery_mechanism: [{ name: 'verified_email', priority: 1 }] });
    expect(pool.username_attributes).toEqual(['email']);
    expect(pool.auto_verified_attributes).toEqual(['email']);
    expect(pool.username_configuration).toEqual({ case_sensitive: false });
    expect(pool.admin_create_user_config).toEqual({ allow_admin_create_user_only: !env.identity.selfSignUp });
    expect(pool.deletion_protection).toBe(env.protections.deletionProtection ? 'ACTIVE' : 'INACTIVE');
    expect(pool.lifecycle?.prevent_destroy ?? false).toBe(env.protections.preventDestroy);
  });

  test('a prefix domain is unique per region across AWS customers: the environment\'s prefix gets a stable suffix from the account and environment', () => {
    if (env.identity.domain.mode !== 'prefix') return;
    const domain = synth.only('aws_cognito_user_pool_domain').domain as string;
    expect(domain).toMatch(new RegExp(`^${env.identity.domain.prefix}-[0-9a-f]{8}$`));
    // stable: the same environment gives the same domain; another account another one
    expect(cognitoDomainPrefix(env)).toBe(domain);
    expect(cognitoDomainPrefix({ ...env, account: { ...env.account, id: '999999999999' } })).not.toBe(domain);
    // an environment may choose its suffix, or none
    expect(cognitoDomainPrefix({ ...env, identity: { ...env.identity, domain: { ...env.identity.domain, suffix: '' } } })).toBe(env.identity.domain.prefix);
    expect(cognitoDomainPrefix({ ...env, identity: { ...env.identity, domain: { ...env.identity.domain, suffix: 'eu1' } } })).toBe(`${env.identity.domain.prefix}-eu1`);
  });

  test(envName === 'prod' ? 'email goes through SES (Cognito\'s default sender sends 50 a day)' : 'email goes through SES when the environment names an identity, else Cognito\'s default sender', () => {
    const pool = synth.only('aws_cognito_user_pool');
    if (env.identity.email) {
      expect(pool.email_configuration).toEqual({
        email_sending_account: 'DEVELOPER',
        source_arn: env.identity.email.sesIdentityArn,
        from_email_address: env.identity.email.fromAddress,
      });
    } else {
      expect(envName).not.toBe('prod');
      expect(pool.email_configuration).toEqual({ email_sending_account: 'COGNITO_DEFAULT' });
    }
  });

  test('the domain, and the outputs (secrets only as a sensitive output)', () => {
    const domain = synth.only('aws_cognito_user_pool_domain');
    const expectedDomain = env.identity.domain.mode === 'prefix' ? cognitoDomainPrefix(env)! : env.identity.domain.domainName;
    expect(domain.domain).toBe(expectedDomain);
    const out = synth.json.output;
    expect(out.identity_issuer_url.value).toMatch(new RegExp(`^https://cognito-idp\\.${env.account.region}\\.amazonaws\\.com/\\$\\{aws_cognito_user_pool\\.`));
    expect(out.identity_jwks_url.value).toMatch(/\/\.well-known\/jwks\.json$/);
    expect(out.identity_token_endpoint_url.value).toBe(`https://${expectedDomain}.auth.${env.account.region}.amazoncognito.com/oauth2/token`);
    expect(Object.keys(out.identity_client_ids.value).sort()).toEqual(env.identity.clients.map((c) => c.name).sort());
    expect(out.identity_machine_client_secrets.sensitive).toBe(true);
    expect(Object.keys(out.identity_machine_client_secrets.value)).toEqual(env.identity.clients.filter((c) => c.kind === 'machine').map((c) => c.name));
    for (const [name, o] of Object.entries(out) as [string, any][]) {
      if (JSON.stringify(o.value ?? '').includes('client_secret')) expect({ name, sensitive: o.sensitive }).toEqual({ name, sensitive: true });
    }
  });
});

test('prod has deletion protection ACTIVE and prevent_destroy', () => {
  const pool = synthPlatform(environment('prod')).only('aws_cognito_user_pool');
  expect(pool.deletion_protection).toBe('ACTIVE');
  expect(pool.lifecycle).toEqual({ prevent_destroy: true });
});

test('scope() gives the full scope name a route lists; without a region the URLs read it from the pool ARN', () => {
  let identity!: Identity;
  const synth = synthIdentity('dev', (p) => ({ ...p, region: undefined }), (i) => (identity = i));
  expect(identity.scope('orders.read')).toBe('https://api.dev.example.com/orders.read');
  expect(synth.json.output.identity_issuer_url.value).toMatch(
    /^https:\/\/cognito-idp\.\$\{element\(split\(":", aws_cognito_user_pool\.(identity_user-pool_\w+)\.arn\), 3\)\}\.amazonaws\.com\/\$\{aws_cognito_user_pool\.\1\.id\}$/,
  );
});

test('threat protection switches the pool to the Plus feature plan', () => {
  const off = synthIdentity('staging').only('aws_cognito_user_pool');
  expect(off.user_pool_tier).toBe('ESSENTIALS');
  expect(off.user_pool_add_ons).toBeUndefined();
  const on = synthIdentity('staging', (p) => ({ ...p, threatProtection: 'ENFORCED' })).only('aws_cognito_user_pool');
  expect(on.user_pool_tier).toBe('PLUS');
  expect(on.user_pool_add_ons).toEqual({ advanced_security_mode: 'ENFORCED' });
});

test('a custom domain takes its certificate by ARN', () => {
  const arn = 'arn:aws:acm:us-east-1:222222222222:certificate/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
  const synth = synthIdentity('staging', (p) => ({ ...p, config: identityConfig('staging', (c) => (c.domain = { mode: 'custom', domainName: 'auth.staging.example.com', certificate: { mode: 'arn', arn } })) }));
  expect(synth.only('aws_cognito_user_pool_domain')).toMatchObject({ domain: 'auth.staging.example.com', certificate_arn: arn });
  expect(synth.json.output.identity_hosted_ui_url.value).toBe('https://auth.staging.example.com');
});

describe('fails when', () => {
  test('fails when a route names a scope the resource server does not define', () => {
    const env = environment('dev');
    const app = Testing.app();
    const identity = new Identity(new TerraformStack(app, 's'), 'identity', { config: env.identity, namePrefix: 'p', deletionProtection: false, preventDestroy: false });
    expect(() => identity.scope('orders.delete')).toThrow(/scope "orders.delete" is not defined by the resource server https:\/\/api\.dev\.example\.com; defined scopes: orders\.read/);
  });

  test('fails when a client asks for a scope the resource server does not define', () => {
    const config = identityConfig('dev', (c) => c.clients[0].scopes.push('admin'));
    expect(() => synthIdentity('dev', (p) => ({ ...p, config }))).toThrow(/config\.clients\[0\] \("web"\)\.scopes\[4\]: got "admin"; expected a scope the resource server defines/);
  });

  test('fails when a machine client has a callback URL', () => {
    const config = identityConfig('dev', (c) => (c.clients[2].callbackUrls = ['https://app.dev.example.com/cb']));
    expect(() => synthIdentity('dev', (p) => ({ ...p, config }))).toThrow(/config\.clients\[2\] \("fulfilment"\)\.callbackUrls: .*machine clients use client credentials/);
  });

  test('fails when a public client has no callback URL', () => {
    const config = identityConfig('dev', (c) => (c.clients[1].callbackUrls = []));
    expect(() => synthIdentity('dev', (p) => ({ ...p, config }))).toThrow(/\("mobile"\)\.callbackUrls: got none/);
  });

  test('fails when a callback URL has a wildcard', () => {
    const config = identityConfig('dev', (c) => (c.clients[0].callbackUrls = ['https://*.example.com/cb']));
    expect(() => synthIdentity('dev', (p) => ({ ...p, config }))).toThrow(/without wildcards/);
  });

  test('fails when two clients share a name', () => {
    const config = identityConfig('dev', (c) => (c.clients[1].name = 'web'));
    expect(() => synthIdentity('dev', (p) => ({ ...p, config }))).toThrow(/clients\[1\] \("web"\)\.name: got "web", already used/);
  });

  test('fails when SES email is required but the configuration names no identity (the module on its own)', () => {
    const config = identityConfig('prod', (c) => delete c.email);
    expect(() => synthIdentity('prod', (p) => ({ ...p, config, requireSesEmail: true }))).toThrow(/config\.email: got none; expected an SES identity/);
  });

  test('fails when prod names no SES identity, or one of another account or of a region Cognito cannot use', () => {
    expect(() => environment('prod', (raw) => delete raw.identity.email)).toThrow(/identity\.email: got nothing; expected an SES identity .*prod must not depend on Cognito's default sender/);
    expect(() => environment('prod', (raw) => (raw.identity.email.sesIdentityArn = 'arn:aws:ses:eu-west-1:999999999999:identity/example.com'))).toThrow(
      /identity\.email\.sesIdentityArn: got "arn:aws:ses:eu-west-1:999999999999:identity\/example\.com"; expected an SES identity of this environment's account 333333333333/,
    );
    expect(() => environment('prod', (raw) => (raw.identity.email.sesIdentityArn = 'arn:aws:ses:ap-south-1:333333333333:identity/example.com'))).toThrow(
      /expected an SES identity in eu-central-1 \(the user pool's region\) or in us-east-1, us-west-2, eu-west-1/,
    );
  });

  test('fails when a prefix domain holds a word Cognito reserves, or is too long with its suffix', () => {
    expect(() => environment('dev', (raw) => (raw.identity.domain.prefix = 'my-cognito-login'))).toThrow(/identity\.domain\.prefix: got .*expected a prefix without "cognito"/);
    expect(() => environment('dev', (raw) => (raw.identity.domain.prefix = 'a'.repeat(60)))).toThrow(/identity\.domain\.prefix: .*expected a prefix of at most 54 characters/);
    expect(() => environment('dev', (raw) => (raw.identity.domain.suffix = 'Upper'))).toThrow(/identity\.domain\.suffix: got "Upper"; expected up to 16 lower-case letters and digits/);
  });

  test('fails when deletion protection is required but off', () => {
    expect(() => synthIdentity('prod', (p) => ({ ...p, deletionProtection: false, requireDeletionProtection: true }))).toThrow(
      /deletionProtection: got false; expected true/,
    );
  });

  test('fails when deletion protection is required and overridden off', () => {
    expect(() =>
      synthIdentity('prod', (p) => ({ ...p, deletionProtection: true, requireDeletionProtection: true }), (identity) => identity.userPool.addOverride('deletion_protection', 'INACTIVE')),
    ).toThrow(/deletion_protection is "INACTIVE"; expected "ACTIVE"/);
  });

  test('fails when prod turns deletion protection off in its environment file', () => {
    expect(() => environment('prod', (raw) => (raw.protections.deletionProtection = false))).toThrow(/protections\.deletionProtection.*true: prod must have deletion protection on/);
  });

  test('fails when a custom domain asks for a dns-validated certificate', () => {
    const config = identityConfig('staging', (c) => (c.domain = { mode: 'custom', domainName: 'auth.staging.example.com', certificate: { mode: 'dns-validated' } }));
    expect(() => synthIdentity('staging', (p) => ({ ...p, config }))).toThrow(/config\.domain\.certificate\.mode: got "dns-validated"; expected "arn"/);
  });

  test('fails when an escape hatch turns on the implicit grant', () => {
    expect(() => synthIdentity('dev', undefined, (identity) => identity.clients.web.addOverride('allowed_oauth_flows', ['code', 'implicit']))).toThrow(
      /client "web" \(web\): allowed_oauth_flows contains "implicit"/,
    );
  });

  test('fails when a public client is given a secret', () => {
    expect(() => synthIdentity('dev', undefined, (identity) => identity.clients.mobile.addOverride('generate_secret', true))).toThrow(/client "mobile" \(mobile\): generate_secret is true/);
  });

  test('fails when a machine client gets another flow or loses its secret', () => {
    expect(() => synthIdentity('dev', undefined, (identity) => identity.clients.fulfilment.addOverride('allowed_oauth_flows', ['client_credentials', 'code']))).toThrow(
      /client "fulfilment" \(machine\): allowed_oauth_flows \[.*"code"\]; expected only \["client_credentials"\]/,
    );
    expect(() => synthIdentity('dev', undefined, (identity) => identity.clients.fulfilment.addOverride('generate_secret', false))).toThrow(/generate_secret is false; a machine client must be confidential/);
  });

  test('fails when a machine client gets a callback URL or an OIDC scope through an escape hatch', () => {
    expect(() => synthIdentity('dev', undefined, (i) => i.clients.fulfilment.addOverride('callback_urls', ['https://x.example.com/cb']))).toThrow(/never uses a browser redirect/);
    expect(() => synthIdentity('dev', undefined, (i) => i.clients.fulfilment.addOverride('allowed_oauth_scopes', ['openid']))).toThrow(/allowed_oauth_scopes openid are not resource-server scopes/);
  });

  test('fails when USER_PASSWORD_AUTH is added outside local', () => {
    expect(() => synthIdentity('dev', undefined, (i) => i.clients.web.addOverride('explicit_auth_flows', ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']))).toThrow(
      /client "web" \(web\): explicit_auth_flows contains ALLOW_USER_PASSWORD_AUTH/,
    );
  });

  test('fails when a non-local environment turns on password sign-in for tests', () => {
    expect(() => environment('staging', (raw) => (raw.identity.allowPasswordAuthForTests = true))).toThrow(/identity\.allowPasswordAuthForTests.*allowed in local only/);
  });

  test('fails when a client gets an auth flow beyond the minimum', () => {
    expect(() => synthIdentity('local', undefined, (i) => i.clients.web.addOverride('explicit_auth_flows', ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH']))).toThrow(
      /explicit_auth_flows ALLOW_ADMIN_USER_PASSWORD_AUTH not allowed/,
    );
    expect(() => synthIdentity('local', undefined, (i) => i.clients.fulfilment.addOverride('explicit_auth_flows', ['ALLOW_USER_PASSWORD_AUTH']))).toThrow(
      /client "fulfilment" \(machine\): explicit_auth_flows contains ALLOW_USER_PASSWORD_AUTH/,
    );
  });

  test('fails when user existence errors are revealed', () => {
    expect(() => synthIdentity('dev', undefined, (i) => i.clients.web.addOverride('prevent_user_existence_errors', 'LEGACY'))).toThrow(/prevent_user_existence_errors is "LEGACY"; expected "ENABLED"/);
  });
});

// Keeps the import honest: the module's clients are the provider's resource class.
test('clients are aws_cognito_user_pool_client resources keyed by configured name', () => {
  const env = environment('local');
  const app = Testing.app();
  const identity = new Identity(new TerraformStack(app, 's'), 'identity', { config: env.identity, namePrefix: 'p', deletionProtection: false, preventDestroy: false });
  expect(Object.keys(identity.clients)).toEqual(['web', 'mobile', 'fulfilment']);
  for (const client of Object.values(identity.clients)) expect(client).toBeInstanceOf(CognitoUserPoolClient);
});
