/**
 * Identity: one Cognito user pool that turns "only my website and my mobile
 * app (and my named services)" into tokens.
 *
 * - People sign in through the `web` and `mobile` clients: public clients (no
 *   secret), authorization code grant only; the implicit grant is never allowed.
 *   PKCE is the apps' part: Cognito supports it (S256) but does not enforce it
 *   ("code_challenge ... Required only when the code_challenge_method is
 *   specified", Authorize endpoint,
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html),
 *   and no client setting can require it. A public client that skips it can still
 *   redeem a code, so every app must send `code_challenge` (S256) to
 *   `/oauth2/authorize` and the matching `code_verifier` to `/oauth2/token`,
 *   and a `state` against CSRF.
 * - Email: Cognito's default sender (50 emails a day per account) unless the
 *   configuration names an SES identity; `requireSesEmail` (prod) refuses the
 *   default sender.
 * - Services use `machine` clients: confidential (a secret), client
 *   credentials only, resource-server scopes only.
 * - The resource server defines the scopes that API routes require; `scope()`
 *   turns a scope name into the full `<identifier>/<name>` a route lists.
 *
 * Guardrails are checked twice: on the configuration when the construct is
 * created (clear errors for people), and on the synthesized resources in a
 * validation (so an escape hatch such as `addOverride` cannot quietly turn on
 * the implicit grant or a secretless machine client).
 */
import { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { Fn, TerraformOutput, type TerraformElement } from 'cdktf';
import { Construct } from 'constructs';

/** An app client: `web` and `mobile` are public clients (code + PKCE), `machine` clients confidential (client credentials). */
export interface ClientConfig {
  /** Unique among the pool's clients; the client's name is `<namePrefix>-<name>`. */
  readonly name: string;
  readonly kind: 'web' | 'mobile' | 'machine';
  /**
   * Exact redirect URLs after sign-in; at least one for `web` and `mobile`, none for `machine`.
   * @default []
   */
  readonly callbackUrls?: readonly string[];
  /**
   * Exact redirect URLs after sign-out (`web` and `mobile` only).
   * @default []
   */
  readonly logoutUrls?: readonly string[];
  /** Scope names of the resource server this client may request (without the identifier). */
  readonly scopes: readonly string[];
  /** @default - access and ID tokens 60 minutes, refresh tokens 30 days */
  readonly tokenValidity?: { readonly accessTokenMinutes: number; readonly idTokenMinutes: number; readonly refreshTokenDays: number };
}

/** The user pool: sign-up, MFA, password length, its domain, the resource server and its scopes, the app clients, email. */
export interface IdentityConfig {
  /** @default false - only administrators create users */
  readonly selfSignUp?: boolean;
  readonly mfa: 'OFF' | 'OPTIONAL' | 'ON';
  /** 8 to 99. */
  readonly passwordMinimumLength: number;
  /** The managed login domain: a prefix on amazoncognito.com, or a custom domain with a us-east-1 certificate (by ARN). */
  readonly domain: { readonly mode: 'prefix'; readonly prefix: string } | { readonly mode: 'custom'; readonly domainName: string; readonly certificate: { readonly mode: 'arn'; readonly arn: string } | { readonly mode: 'dns-validated' } };
  /** Scopes are `<identifier>/<name>`; the identifier is usually `https://<api domain>`. */
  readonly resourceServer: { readonly identifier: string; readonly scopes: readonly { readonly name: string; readonly description: string }[] };
  readonly clients: readonly ClientConfig[];
  /**
   * Email from Amazon SES instead of Cognito's default sender (at most 50 emails a day per account).
   * @default - Cognito's default sender (COGNITO_DEFAULT)
   */
  readonly email?: { readonly sesIdentityArn: string; readonly fromAddress: string; readonly replyToAddress?: string; readonly configurationSet?: string };
  /**
   * Lets people clients sign in with USER_PASSWORD_AUTH (tests against an emulator only).
   * @default false
   */
  readonly allowPasswordAuthForTests?: boolean;
}

/** The client's defaults filled in. */
type ResolvedClient = ClientConfig & Required<Pick<ClientConfig, 'callbackUrls' | 'logoutUrls' | 'tokenValidity'>>;
type ResolvedConfig = Omit<IdentityConfig, 'clients'> & { readonly clients: readonly ResolvedClient[] };

const DEFAULT_TOKEN_VALIDITY = { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 30 } as const;

function withDefaults(config: IdentityConfig): ResolvedConfig {
  return {
    ...config,
    clients: config.clients.map((client) => ({
      ...client,
      callbackUrls: client.callbackUrls ?? [],
      logoutUrls: client.logoutUrls ?? [],
      tokenValidity: client.tokenValidity ?? DEFAULT_TOKEN_VALIDITY,
    })),
  };
}

/** Cognito threat protection (formerly "advanced security"); anything but OFF needs the Plus feature plan. */
export type ThreatProtectionMode = 'OFF' | 'AUDIT' | 'ENFORCED';

/** OIDC scopes people clients may request besides the resource server's scopes (`openid` gives the ID token). */
export const PEOPLE_OIDC_SCOPES = ['openid', 'email', 'profile'] as const;

/** Explicit auth flows per client kind: the minimum each kind needs. */
export const PEOPLE_AUTH_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'] as const;
/** Client credentials issue no refresh token; Cognito needs at least one flow, this one is inert for such a client. */
export const MACHINE_AUTH_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH'] as const;
/** Only with `config.allowPasswordAuthForTests` (the schema allows it in the emulator environment only). */
export const TEST_PASSWORD_AUTH_FLOW = 'ALLOW_USER_PASSWORD_AUTH';

export interface IdentityProps {
  /** The user pool's settings: sign-up, MFA, domain, resource server and scopes, app clients, email. */
  readonly config: IdentityConfig;
  /** Prefix of every Cognito name (`<prefix>-users`, `<prefix>-<client name>`), e.g. `platform-prod`. */
  readonly namePrefix: string;
  /** `deletion_protection = "ACTIVE"` on the user pool. */
  readonly deletionProtection: boolean;
  /** `lifecycle.prevent_destroy` on the user pool (users and their passwords cannot be recreated). */
  readonly preventDestroy: boolean;
  /**
   * Refuse to build a pool without deletion protection (the platform stack sets it for `prod`).
   * @default false - `deletionProtection` is taken as given
   */
  readonly requireDeletionProtection?: boolean;
  /**
   * The region the pool lives in; used for the issuer, JWKS and hosted-UI URLs.
   * @default - read from the pool's ARN at apply time (the URLs are then Terraform expressions)
   */
  readonly region?: string;
  /**
   * Cognito threat protection. AUDIT and ENFORCED switch the pool to the Plus feature plan
   * (`user_pool_tier = "PLUS"`, priced per monthly active user).
   * @default 'OFF' - Essentials feature plan, no threat protection
   */
  readonly threatProtection?: ThreatProtectionMode;
  /**
   * Refuse to build a pool that sends email through Cognito's default sender (at most 50 emails a day per account):
   * `config.email` must name an SES identity.
   * @default false
   */
  readonly requireSesEmail?: boolean;
  /**
   * Days an administrator-issued temporary password stays valid.
   * @default 3 - shorter than Cognito's 7: an unused invitation is a live credential
   */
  readonly temporaryPasswordValidityDays?: number;
}

/** A route's view of the identity module: what an API authorizer needs (structurally CognitoAuthorization). */
export class Identity extends Construct {
  readonly userPool: CognitoUserPool;
  readonly userPoolArn: string;
  readonly userPoolId: string;
  readonly resourceServer: CognitoResourceServer;
  readonly domain: CognitoUserPoolDomain;
  /** App clients by their configured name (`web`, `mobile`, `fulfilment`, ...). */
  readonly clients: Readonly<Record<string, CognitoUserPoolClient>>;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the `iss` claim of every token of the pool. */
  readonly issuerUrl: string;
  /** `<issuer>/.well-known/jwks.json`: the keys tokens are signed with. */
  readonly jwksUrl: string;
  /** The hosted UI / managed login base URL (prefix domain on amazoncognito.com, or the custom domain). */
  readonly hostedUiUrl: string;
  /** `<hosted UI>/oauth2/authorize`: where people clients send the browser (with a PKCE code challenge). */
  readonly authorizeEndpointUrl: string;
  /** `<hosted UI>/oauth2/token`: code exchange, refresh and client credentials. */
  readonly tokenEndpointUrl: string;
  /** The resource server identifier (`https://api.example.com`). */
  readonly resourceServerIdentifier: string;

  private readonly config: ResolvedConfig;
  private readonly definedScopes: ReadonlySet<string>;
  private readonly requireDeletionProtection: boolean;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const config = withDefaults(props.config);
    this.config = config;
    this.requireDeletionProtection = props.requireDeletionProtection ?? false;
    this.definedScopes = new Set(config.resourceServer.scopes.map((s) => s.name));
    this.resourceServerIdentifier = config.resourceServer.identifier;
    validateProps(props, config);

    const threatProtection = props.threatProtection ?? 'OFF';
    const mfaOn = config.mfa !== 'OFF';
    this.userPool = new CognitoUserPool(this, 'user-pool', {
      name: `${props.namePrefix}-users`,
      deletionProtection: props.deletionProtection ? 'ACTIVE' : 'INACTIVE',
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      // Keep the verified address until the new one is verified too (no account takeover through an unverified email).
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdate: ['email'] },
      adminCreateUserConfig: { allowAdminCreateUserOnly: !config.selfSignUp },
      passwordPolicy: {
        minimumLength: config.passwordMinimumLength,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: props.temporaryPasswordValidityDays ?? 3,
      },
      mfaConfiguration: config.mfa,
      softwareTokenMfaConfiguration: mfaOn ? { enabled: true } : undefined,
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      // SES ("DEVELOPER"): the identity's own sending quota; otherwise Cognito's default sender.
      emailConfiguration: config.email
        ? {
            emailSendingAccount: 'DEVELOPER',
            sourceArn: config.email.sesIdentityArn,
            fromEmailAddress: config.email.fromAddress,
            replyToEmailAddress: config.email.replyToAddress,
            configurationSet: config.email.configurationSet,
          }
        : { emailSendingAccount: 'COGNITO_DEFAULT' },
      userPoolTier: threatProtection === 'OFF' ? 'ESSENTIALS' : 'PLUS',
      userPoolAddOns: threatProtection === 'OFF' ? undefined : { advancedSecurityMode: threatProtection },
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.userPoolId = this.userPool.id;
    this.userPoolArn = this.userPool.arn;

    this.resourceServer = new CognitoResourceServer(this, 'resource-server', {
      userPoolId: this.userPool.id,
      identifier: config.resourceServer.identifier,
      name: `${props.namePrefix}-api`,
      scope: config.resourceServer.scopes.map((s) => ({ scopeName: s.name, scopeDescription: s.description })),
    });

    const clients: Record<string, CognitoUserPoolClient> = {};
    for (const client of config.clients) {
      clients[client.name] = this.createClient(client, props.namePrefix);
    }
    this.clients = clients;

    const domainConfig = config.domain;
    this.domain = new CognitoUserPoolDomain(this, 'domain', {
      userPoolId: this.userPool.id,
      ...(domainConfig.mode === 'prefix'
        ? { domain: domainConfig.prefix }
        : { domain: domainConfig.domainName, certificateArn: (domainConfig.certificate as { arn: string }).arn }),
    });

    const region = props.region ?? Fn.element(Fn.split(':', this.userPool.arn), 3);
    this.issuerUrl = `https://cognito-idp.${region}.amazonaws.com/${this.userPool.id}`;
    this.jwksUrl = `${this.issuerUrl}/.well-known/jwks.json`;
    this.hostedUiUrl = domainConfig.mode === 'prefix' ? `https://${domainConfig.prefix}.auth.${region}.amazoncognito.com` : `https://${domainConfig.domainName}`;
    this.authorizeEndpointUrl = `${this.hostedUiUrl}/oauth2/authorize`;
    this.tokenEndpointUrl = `${this.hostedUiUrl}/oauth2/token`;

    this.node.addValidation({ validate: () => this.checkSynthesized() });
  }

  /** `<resource server identifier>/<name>`; throws for a scope the resource server does not define. */
  scope(name: string): string {
    if (!this.definedScopes.has(name)) {
      throw new Error(
        `Identity ${this.node.path}: scope "${name}" is not defined by the resource server ${this.resourceServerIdentifier}; ` +
          `defined scopes: ${[...this.definedScopes].join(', ')} (add it to identity.resourceServer.scopes)`,
      );
    }
    return `${this.resourceServerIdentifier}/${name}`;
  }

  /** The configured kind of a client (`web`, `mobile` or `machine`). */
  clientKind(name: string): ClientConfig['kind'] {
    const client = this.config.clients.find((c) => c.name === name);
    if (!client) throw new Error(`Identity ${this.node.path}: no client named "${name}"; clients: ${Object.keys(this.clients).join(', ')}`);
    return client.kind;
  }

  /** Every full scope name the resource server defines. */
  get scopes(): string[] {
    return [...this.definedScopes].map((name) => this.scope(name));
  }

  private createClient(client: ResolvedClient, namePrefix: string): CognitoUserPoolClient {
    const tokenValidity = {
      accessTokenValidity: client.tokenValidity.accessTokenMinutes,
      idTokenValidity: client.tokenValidity.idTokenMinutes,
      refreshTokenValidity: client.tokenValidity.refreshTokenDays,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }],
    };
    const common = {
      userPoolId: this.userPool.id,
      name: `${namePrefix}-${client.name}`,
      allowedOauthFlowsUserPoolClient: true,
      supportedIdentityProviders: ['COGNITO'],
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      ...tokenValidity,
      // The scopes are plain strings (plan-time known); the resource server must exist before a client names them.
      dependsOn: [this.resourceServer],
    };
    const resourceScopes = client.scopes.map((name) => this.scope(name));
    if (client.kind === 'machine') {
      return new CognitoUserPoolClient(this, `client-${client.name}`, {
        ...common,
        generateSecret: true,
        allowedOauthFlows: ['client_credentials'],
        allowedOauthScopes: resourceScopes,
        explicitAuthFlows: [...MACHINE_AUTH_FLOWS],
      });
    }
    return new CognitoUserPoolClient(this, `client-${client.name}`, {
      ...common,
      generateSecret: false,
      allowedOauthFlows: ['code'],
      allowedOauthScopes: [...PEOPLE_OIDC_SCOPES, ...resourceScopes],
      callbackUrls: [...client.callbackUrls],
      logoutUrls: [...client.logoutUrls],
      explicitAuthFlows: [...PEOPLE_AUTH_FLOWS, ...(this.config.allowPasswordAuthForTests ? [TEST_PASSWORD_AUTH_FLOW] : [])],
    });
  }

  /** The rules again, on what will actually be synthesized (escape hatches included). */
  private checkSynthesized(): string[] {
    const errors: string[] = [];
    const pool = synthesized(this.userPool);
    if (this.requireDeletionProtection && pool.deletion_protection !== 'ACTIVE') {
      errors.push(`user pool: deletion_protection is ${JSON.stringify(pool.deletion_protection)}; expected "ACTIVE" (deletion protection is required here)`);
    }
    for (const client of this.config.clients) {
      const c = synthesized(this.clients[client.name]);
      const where = `client "${client.name}" (${client.kind})`;
      const flows: string[] = c.allowed_oauth_flows ?? [];
      const authFlows: string[] = c.explicit_auth_flows ?? [];
      if (flows.includes('implicit')) errors.push(`${where}: allowed_oauth_flows contains "implicit"; the implicit grant is never allowed (tokens in URLs)`);
      if (c.prevent_user_existence_errors !== 'ENABLED') errors.push(`${where}: prevent_user_existence_errors is ${JSON.stringify(c.prevent_user_existence_errors)}; expected "ENABLED"`);
      if (authFlows.includes(TEST_PASSWORD_AUTH_FLOW) && (client.kind === 'machine' || !this.config.allowPasswordAuthForTests)) {
        errors.push(`${where}: explicit_auth_flows contains ${TEST_PASSWORD_AUTH_FLOW}; only people clients with identity.allowPasswordAuthForTests (local only) may have it`);
      }
      const allowedAuthFlows: readonly string[] =
        client.kind === 'machine' ? MACHINE_AUTH_FLOWS : [...PEOPLE_AUTH_FLOWS, ...(this.config.allowPasswordAuthForTests ? [TEST_PASSWORD_AUTH_FLOW] : [])];
      const extra = authFlows.filter((f) => !allowedAuthFlows.includes(f) && f !== TEST_PASSWORD_AUTH_FLOW);
      if (extra.length > 0) errors.push(`${where}: explicit_auth_flows ${extra.join(', ')} not allowed; expected only ${allowedAuthFlows.join(', ')}`);
      if (client.kind === 'machine') {
        if (c.generate_secret !== true) errors.push(`${where}: generate_secret is ${JSON.stringify(c.generate_secret)}; a machine client must be confidential (true)`);
        if (!sameSet(flows, ['client_credentials'])) errors.push(`${where}: allowed_oauth_flows ${JSON.stringify(flows)}; expected only ["client_credentials"]`);
        if ((c.callback_urls ?? []).length > 0 || (c.logout_urls ?? []).length > 0) errors.push(`${where}: has callback or logout URLs; a machine client never uses a browser redirect`);
        const notResourceScopes = ((c.allowed_oauth_scopes ?? []) as string[]).filter((s) => !this.scopes.includes(s));
        if (notResourceScopes.length > 0) errors.push(`${where}: allowed_oauth_scopes ${notResourceScopes.join(', ')} are not resource-server scopes`);
      } else {
        if (c.generate_secret) errors.push(`${where}: generate_secret is true; web and mobile clients are public (a secret in an app is not a secret)`);
        if (!sameSet(flows, ['code'])) errors.push(`${where}: allowed_oauth_flows ${JSON.stringify(flows)}; expected only ["code"] (authorization code + PKCE)`);
      }
    }
    return errors;
  }
}

/** Terraform outputs of an identity module, named `<prefix>_...`; secrets only as a sensitive output. */
export function addIdentityOutputs(scope: Construct, identity: Identity, prefix = 'identity'): Record<string, TerraformOutput> {
  const clientNames = Object.keys(identity.clients);
  const machineNames = clientNames.filter((name) => identity.clientKind(name) === 'machine');
  const outputs: Record<string, TerraformOutput> = {
    user_pool_id: new TerraformOutput(scope, `${prefix}_user_pool_id`, { value: identity.userPoolId, description: 'Cognito user pool id' }),
    user_pool_arn: new TerraformOutput(scope, `${prefix}_user_pool_arn`, { value: identity.userPoolArn, description: 'Cognito user pool ARN (the API authorizer uses it)' }),
    issuer_url: new TerraformOutput(scope, `${prefix}_issuer_url`, { value: identity.issuerUrl, description: 'OIDC issuer: the iss claim of every token' }),
    jwks_url: new TerraformOutput(scope, `${prefix}_jwks_url`, { value: identity.jwksUrl, description: 'JWKS URL to verify tokens' }),
    hosted_ui_url: new TerraformOutput(scope, `${prefix}_hosted_ui_url`, { value: identity.hostedUiUrl, description: 'Hosted UI / managed login base URL' }),
    token_endpoint_url: new TerraformOutput(scope, `${prefix}_token_endpoint_url`, { value: identity.tokenEndpointUrl, description: 'OAuth 2.0 token endpoint' }),
    client_ids: new TerraformOutput(scope, `${prefix}_client_ids`, {
      value: Object.fromEntries(clientNames.map((name) => [name, identity.clients[name].id])),
      description: 'App client ids by client name',
    }),
  };
  if (machineNames.length > 0) {
    outputs.machine_client_secrets = new TerraformOutput(scope, `${prefix}_machine_client_secrets`, {
      value: Object.fromEntries(machineNames.map((name) => [name, identity.clients[name].clientSecret])),
      description: 'Client secrets of the machine (client credentials) clients, by client name',
      sensitive: true,
    });
  }
  return outputs;
}

function validateProps(props: IdentityProps, config: ResolvedConfig): void {
  const errors: string[] = [];
  const defined = config.resourceServer.scopes.map((s) => s.name);
  if (!props.namePrefix) errors.push('namePrefix: got ""; expected a non-empty prefix such as platform-dev');
  defined.forEach((name, i) => {
    if (defined.indexOf(name) !== i) errors.push(`config.resourceServer.scopes[${i}].name: got "${name}" twice; expected each scope once`);
  });
  config.clients.forEach((client, c) => {
    const at = `config.clients[${c}] ("${client.name}")`;
    if (config.clients.findIndex((other) => other.name === client.name) !== c) errors.push(`${at}.name: got "${client.name}", already used; expected a name no other client uses`);
    client.scopes.forEach((scope, s) => {
      if (!defined.includes(scope)) errors.push(`${at}.scopes[${s}]: got "${scope}"; expected a scope the resource server defines: ${defined.join(', ')}`);
    });
    (['callbackUrls', 'logoutUrls'] as const).forEach((field) => {
      if (client.kind === 'machine' && client[field].length > 0) {
        errors.push(`${at}.${field}: got ${JSON.stringify(client[field])}; expected none: machine clients use client credentials, never a browser redirect`);
      }
      client[field].forEach((url, u) => {
        if (url.includes('*')) errors.push(`${at}.${field}[${u}]: got "${url}"; expected an exact URL without wildcards`);
      });
    });
    if (client.kind !== 'machine' && client.callbackUrls.length === 0) errors.push(`${at}.callbackUrls: got none; expected at least one exact callback URL for a ${client.kind} client`);
  });
  if (config.domain.mode === 'custom' && config.domain.certificate.mode !== 'arn') {
    errors.push(
      `config.domain.certificate.mode: got "${config.domain.certificate.mode}"; expected "arn": the identity module takes a custom domain's ` +
        'certificate by ARN (a us-east-1 ACM certificate); a dns-validated one needs the edge hosted zone and is not supported here',
    );
  }
  if (props.requireSesEmail && !config.email) {
    errors.push('config.email: got none; expected an SES identity (sesIdentityArn, fromAddress): Cognito\'s default sender sends at most 50 emails a day');
  }
  if (props.requireDeletionProtection && !props.deletionProtection) {
    errors.push('deletionProtection: got false; expected true: this environment requires deletion protection on the user pool');
  }
  if (props.temporaryPasswordValidityDays !== undefined && !(Number.isInteger(props.temporaryPasswordValidityDays) && props.temporaryPasswordValidityDays >= 1 && props.temporaryPasswordValidityDays <= 365)) {
    errors.push(`temporaryPasswordValidityDays: got ${props.temporaryPasswordValidityDays}; expected a whole number of days from 1 to 365`);
  }
  if (errors.length > 0) throw new Error(`Identity "${props.namePrefix}" is not valid:\n  - ${errors.join('\n  - ')}`);
}

/** The resource's attributes as they will be written (overrides included), snake_case. */
function synthesized(resource: TerraformElement): Record<string, any> {
  const json = resource.toTerraform() as { resource: Record<string, Record<string, Record<string, any>>> };
  return Object.values(Object.values(json.resource)[0])[0];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
