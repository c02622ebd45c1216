/**
 * The one schema every environment file is parsed with (see `load.ts`).
 *
 * Field-level rules live next to each field; rules that span fields live in
 * `crossFieldRules` below. Every message says what would be valid, because the
 * loader prints it next to the environment, the field path and the value.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  AWS_REGIONS,
  awsLimit,
  checkAwsLimit,
  CLOUDWATCH_RETENTION_DAYS,
  COGNITO_DOMAIN_RESERVED_WORDS,
  countApiResources,
  ELB_NAME_MAX_LENGTH,
  HTTP_METHODS,
  MAX_API_GATEWAY_RESOURCES,
  MAX_CACHE_BEHAVIORS,
  MAX_RESPONSE_HEADERS_POLICIES,
  PRICE_CLASSES,
  TAG_LIMITS,
} from '@private-api-platform/constructs/aws-limits';
import { MANAGED_RULE_GROUPS, MANAGED_RULES } from '@private-api-platform/constructs/edge/waf-rules';
import { EMULATOR_ENVIRONMENTS, nameRules } from './name-rules';
import leven from 'leven';
import { carveSubnets, cidrContains, cidrsOverlap, parseCidr } from '@private-api-platform/constructs/network/cidr';

/**
 * The longest environment name whose derived names fit AWS's limits: the tightest is the edge's target group,
 * `platform-<name>-execute-api`, at most 32 characters (stacks/names.ts builds the `platform-<name>` prefix).
 */
export const MAX_ENVIRONMENT_NAME_LENGTH = ELB_NAME_MAX_LENGTH - 'platform-'.length - '-execute-api'.length;


const ACCOUNT_ID = /^\d{12}$/;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;
const NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
/** A path segment: a literal (`orders`) or a path parameter (`{orderId}`, `{proxy+}`). */
const PATH_SEGMENT = /^([A-Za-z0-9._-]+|\{[A-Za-z][A-Za-z0-9_]*\+?\})$/;
const SCOPE_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const SES_IDENTITY_ARN = /^arn:aws:ses:[a-z0-9-]+:\d{12}:identity\/[^\s]+$/;
const EMAIL_ADDRESS = /^([^<>]+ <[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/;

/** SES regions a user pool of any region may send through (Cognito's backwards-compatible regions). */
export const COGNITO_LEGACY_SES_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;
/** Length of the default prefix-domain suffix (hex characters). */
const DEFAULT_DOMAIN_SUFFIX_LENGTH = 8;

const regionSchema = z
  .string()
  .refine((region) => AWS_REGIONS.includes(region), {
    message: `an AWS region such as eu-west-1 or us-east-1 that exists in the aws partition (${AWS_REGIONS.length} in packages/constructs/src/aws-limits.ts AWS_REGIONS; add one AWS has opened since)`,
  });

const cidrSchema = z.string().refine((value) => parseCidr(value) !== undefined, {
  message: 'an IPv4 CIDR block such as 10.0.0.0/16',
});

const dnsNameSchema = z.string().regex(DNS_NAME, { message: 'a lower-case DNS name such as api.example.com' });

/** A string AWS accepts for `type`'s `attribute`: the row of packages/constructs/src/aws-limits.ts the stacks are checked by too. */
function awsLimited(type: string, attribute: string) {
  const limit = awsLimit(type, attribute);
  return z.string().superRefine((value, ctx) => {
    const problem = checkAwsLimit(limit, value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/**
 * The environment's tags go on every resource (the provider's default tags), beside at most one of the platform's own
 * (`Name`, or the log keys' tag): so at most 49 (TAG_LIMITS).
 */
const MAX_ENVIRONMENT_TAGS = TAG_LIMITS.perResource - 1;
const TAG_CHARACTERS = 'letters, digits, spaces and _ . : / = + - @';
const tagsSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(TAG_LIMITS.keyMax)
      .regex(TAG_LIMITS.characters, { message: `a tag key of ${TAG_CHARACTERS} (${TAG_LIMITS.page})` })
      .refine((key) => !key.toLowerCase().startsWith(TAG_LIMITS.reservedPrefix), { message: `a tag key that does not start with "aws:", which AWS reserves (${TAG_LIMITS.page})` }),
    z.string().max(TAG_LIMITS.valueMax).regex(TAG_LIMITS.characters, { message: `a tag value of ${TAG_CHARACTERS}: some services refuse other characters (${TAG_LIMITS.page})` }),
  )
  .refine((tags) => Object.keys(tags).length <= MAX_ENVIRONMENT_TAGS, {
    message: `at most ${MAX_ENVIRONMENT_TAGS} tags: AWS allows ${TAG_LIMITS.perResource} per resource and the platform adds one of its own`,
  });

const urlSchema = z.string().refine((value) => URL.canParse(value), { message: 'an absolute URL' });

/** Network: create a VPC, or use one a platform team already owns. */
const createNetworkSchema = z.strictObject({
  mode: z.literal('create'),
  /** The VPC's IPv4 CIDR block. */
  cidrBlock: cidrSchema,
  /** How many availability zones get a private subnet (the first N the region lists). */
  azCount: z.number().int().min(1).max(6),
  /**
   * One CIDR block per AZ.
   * @default - the VPC block cut into /20s (or the next size that fits), in order
   */
  privateSubnetCidrBlocks: z.array(cidrSchema).optional(),
});

const existingNetworkSchema = z.strictObject({
  mode: z.literal('existing'),
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: 'a VPC id such as vpc-0123456789abcdef0' }),
  /** Private subnets, one per AZ, that host the execute-api endpoint and the ALB. */
  privateSubnetIds: z
    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: 'a subnet id such as subnet-0123456789abcdef0' }))
    .min(1),
});

export const networkSchema = z.discriminatedUnion('mode', [createNetworkSchema, existingNetworkSchema], { error: 'one of "create", "existing"' });

/** A certificate given by ARN, or created by the platform with DNS validation in a Route 53 zone. */
const certificateSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('arn'),
    arn: z.string().regex(ACM_ARN, { message: 'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)' }),
  }),
  /** Created by the platform and validated through records in `edge.hostedZone`. */
  z.strictObject({ mode: z.literal('dns-validated') }),
], { error: 'one of "arn", "dns-validated"' });

/** The Route 53 zone for certificate validation and alias records: an existing one, or one the stack creates. */
const hostedZoneSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('existing'),
    zoneId: z.string().regex(/^Z[0-9A-Z]{4,32}$/, { message: 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ' }),
  }),
  z.strictObject({ mode: z.literal('create'), name: dnsNameSchema }),
], { error: 'one of "existing", "create"' });

const integrationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('MOCK'), statusCode: z.number().int().min(200).max(599).default(200) }),
  z.strictObject({ type: z.literal('HTTP_PROXY'), uri: urlSchema }),
  z.strictObject({
    type: z.literal('LAMBDA_PROXY'),
    functionArn: z.string().regex(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/, {
      message: 'a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)',
    }),
  }),
]);

const routeSchema = z.strictObject({
  /** Path below the API's base path: `/`, `/orders`, `/orders/{orderId}`. */
  path: z
    .string()
    .refine((p) => p === '/' || (p.startsWith('/') && !p.endsWith('/') && p.slice(1).split('/').every((s) => PATH_SEGMENT.test(s))), {
      message: 'a path such as / or /orders/{orderId}: segments of letters, digits, ._- or one {parameter}',
    }),
  method: z.enum(HTTP_METHODS),
  /** Scope names of the resource server (without its identifier); a token must carry one of them. */
  scopes: z.array(z.string().regex(SCOPE_NAME, { message: 'a scope name such as orders.read' })).min(1, {
    message: 'at least one scope: every route needs a token with its scopes',
  }),
  integration: integrationSchema,
});

const apiSchema = z.strictObject({
  /** Short name; also the CloudFront path prefix the API is mounted at (`/<name>/*`). */
  name: z.string().regex(NAME, { message: 'a lower-case name of 3 to 32 letters, digits and hyphens' }),
  routes: z.array(routeSchema).min(1),
  /**
   * Origins allowed by CORS preflight (`OPTIONS`, MOCK, unauthenticated).
   * @default - no CORS preflight methods at all
   */
  corsAllowOrigins: z.array(z.string()).optional(),
  /** Stage throttling applied to every method. */
  throttling: z.strictObject({
    rateLimit: z.number().positive().max(10000),
    burstLimit: z.number().int().positive().max(5000),
  }),
  /** @default false - no X-Ray tracing on the stage */
  xrayTracing: z.boolean().default(false),
});

const clientSchema = z.strictObject({
  name: z.string().regex(NAME, { message: 'a lower-case name of 3 to 32 letters, digits and hyphens' }),
  /** `web` and `mobile` are public clients (code + PKCE); `machine` clients are confidential (client credentials). */
  kind: z.enum(['web', 'mobile', 'machine']),
  /** Exact redirect URLs after sign-in (web and mobile only). */
  callbackUrls: z.array(z.string()).default([]),
  /** Exact redirect URLs after sign-out (web and mobile only). */
  logoutUrls: z.array(z.string()).default([]),
  /** Scope names of the resource server this client may request. */
  scopes: z.array(z.string().regex(SCOPE_NAME, { message: 'a scope name such as orders.read' })).min(1),
  /** @default - access and ID tokens 60 minutes, refresh tokens 30 days */
  tokenValidity: z
    .strictObject({
      accessTokenMinutes: z.number().int().min(5).max(1440),
      idTokenMinutes: z.number().int().min(5).max(1440),
      refreshTokenDays: z.number().int().min(1).max(3650),
    })
    .default({ accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 30 }),
});

const identitySchema = z.strictObject({
  /** @default false - only administrators create users */
  selfSignUp: z.boolean().default(false),
  mfa: z.enum(['OFF', 'OPTIONAL', 'ON']),
  passwordMinimumLength: z.number().int().min(8).max(99),
  /** Cognito hosted-UI domain: a prefix on amazoncognito.com, or a custom domain with a us-east-1 certificate. */
  domain: z.discriminatedUnion('mode', [
    z.strictObject({
      mode: z.literal('prefix'),
      prefix: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { message: 'a lower-case domain prefix' }),
      /**
       * Appended as `<prefix>-<suffix>`: a prefix domain is unique per region across every AWS customer, so a plain
       * name such as `myapp-auth` is often taken. `""` uses the prefix alone.
       * @default - 8 hex characters derived from the account id and the environment name (stable, not guessable as a name)
       */
      suffix: z.string().regex(/^[a-z0-9]{0,16}$/, { message: 'up to 16 lower-case letters and digits, or "" for none' }).optional(),
    }),
    z.strictObject({ mode: z.literal('custom'), domainName: dnsNameSchema, certificate: certificateSchema }),
  ], { error: 'one of "prefix", "custom"' }),
  resourceServer: z.strictObject({
    /** Usually `https://<api domain>`; scopes are `<identifier>/<scope>`. */
    identifier: awsLimited('aws_cognito_resource_server', 'identifier'),
    scopes: z
      .array(z.strictObject({ name: z.string().regex(SCOPE_NAME, { message: 'a scope name such as orders.read' }), description: z.string().min(1).max(256) }))
      .min(1),
  }),
  clients: z.array(clientSchema).min(1),
  /**
   * Email from Amazon SES instead of Cognito's default sender, which sends at most 50 emails a day per account
   * ("For typical production environments, the default email limit is below the required delivery volume",
   * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html). Required in prod.
   * @default - Cognito's default sender (COGNITO_DEFAULT)
   */
  email: z
    .strictObject({
      /** A verified SES identity (email address or domain) of this account: `arn:aws:ses:<region>:<account>:identity/<identity>`. */
      sesIdentityArn: z.string().regex(SES_IDENTITY_ARN, { message: 'an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<email or domain>)' }),
      /** The From address, on the identity (`no-reply@example.com`, or `Example <no-reply@example.com>`). */
      fromAddress: z.string().regex(EMAIL_ADDRESS, { message: 'an email address such as no-reply@example.com or Example <no-reply@example.com>' }),
      /** @default - none */
      replyToAddress: z.string().regex(/^[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+$/, { message: 'an email address' }).optional(),
      /** An SES configuration set (delivery events, suppression). @default - none */
      configurationSet: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'an SES configuration set name' }).optional(),
    })
    .optional(),
  /**
   * Lets the test client sign in with USER_PASSWORD_AUTH. Only the emulator environment may turn it on.
   * @default false
   */
  allowPasswordAuthForTests: z.boolean().default(false),
});

const edgeSchema = z.strictObject({
  /** The host name viewers use (the distribution's alias). */
  domainName: dnsNameSchema,
  /** The host name CloudFront uses towards the internal ALB; the regional certificate covers it. */
  originDomainName: dnsNameSchema,
  /**
   * Zone for DNS validation and the alias records of the distribution.
   * @default - no records are managed: certificates must be given by ARN and DNS is pointed by hand
   */
  hostedZone: hostedZoneSchema.optional(),
  /** Certificate for `domainName`; must be in us-east-1 (CloudFront). */
  viewerCertificate: certificateSchema,
  /** Certificate for `originDomainName`, in the environment's region (ALB). */
  originCertificate: certificateSchema,
  priceClass: z.enum(PRICE_CLASSES),
  /** WAF rate-based rule: requests per IP per 5-minute window. */
  wafRateLimit: z.number().int().min(10).max(2_000_000_000),
  /**
   * Managed WAF rules that count instead of block, one by one (packages/constructs/src/edge/web-acl.ts lists them). Each lets that kind
   * of request through: SizeRestrictions_BODY for bodies over 8 KB, NoUserAgent_HEADER for clients without a User-Agent.
   * @default - none: every managed rule blocks
   */
  wafRuleOverrides: z
    .array(z.strictObject({ ruleGroup: z.enum(MANAGED_RULE_GROUPS), rule: z.string().min(1), action: z.literal('count') }))
    .optional(),
  /**
   * Defence in depth only: CloudFront adds a secret header that an ALB listener rule requires.
   * @default false
   */
  originVerifyHeader: z.boolean().default(false),
});

const stateSchema = z.strictObject({
  /** The bucket the bootstrap stack creates; one per account. */
  bucket: awsLimited('aws_s3_bucket', 'bucket'),
  /** Region of the state bucket. */
  region: regionSchema,
  /** Alias of the KMS key the bootstrap stack creates for state encryption. */
  kmsKeyAlias: awsLimited('aws_kms_alias', 'name'),
});

const ciSchema = z.strictObject({
  /** `owner/name` of the repository whose workflows (.github/workflows) plan and apply this environment. */
  githubRepository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: 'owner/name of a GitHub repository, such as my-org/private-api-platform' }),
  /**
   * The account's GitHub OIDC provider, when it exists already (one per account: the second
   * environment in an account names the first one's).
   * @default - the bootstrap stack creates it
   */
  existingOidcProviderArn: z
    .string()
    .regex(/^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, {
      message: 'arn:aws:iam::<account id>:oidc-provider/token.actions.githubusercontent.com',
    })
    .optional(),
  /**
   * The branch whose pushes plan and apply.
   * @default 'main'
   */
  mainBranch: z
    .string()
    .regex(/^[A-Za-z0-9._/-]{1,100}$/, { message: 'a branch name (letters, digits, . _ / -)' })
    // GitHub's OIDC subject is `repo:<owner>/<repo>:ref:refs/heads/<branch>`: a full ref here would never match it.
    .refine((branch) => !branch.startsWith('refs/'), { message: 'the branch name alone, such as main: the role trusts ref:refs/heads/<branch>, so a full ref never matches' })
    .optional(),
});

export const environmentSchema = z.strictObject({
  name: z.string().regex(new RegExp(`^[a-z][a-z0-9-]{1,${MAX_ENVIRONMENT_NAME_LENGTH - 1}}$`), {
    message: `a lower-case name of 2 to ${MAX_ENVIRONMENT_NAME_LENGTH} letters, digits and hyphens (platform-<name>-execute-api, the target group's name, must fit AWS's ${ELB_NAME_MAX_LENGTH} characters)`,
  }),
  account: z.strictObject({
    id: z.string().regex(ACCOUNT_ID, { message: 'a 12-digit AWS account id' }),
    region: regionSchema,
  }),
  /** Only for the emulator environment: where the local AWS emulator listens (loopback only). */
  emulator: z
    .strictObject({
      endpoint: z.string().refine((v) => /^http:\/\/(127\.0\.0\.1|localhost):\d{2,5}$/.test(v), {
        message: 'http://127.0.0.1:<port>: the emulator listens on loopback only',
      }),
    })
    .optional(),
  network: networkSchema,
  apis: z.array(apiSchema).min(1),
  identity: identitySchema,
  edge: edgeSchema,
  logRetentionDays: z.number().refine((d) => (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `one of the retention periods CloudWatch accepts: ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`,
  }),
  /**
   * Encrypt every CloudWatch Logs log group (API, VPC flow logs, WAF, CloudFront) with customer managed KMS keys the
   * platform creates (one in the region, one in us-east-1); AWS's own encryption otherwise.
   * @default false
   */
  logKmsEncryption: z.boolean().default(false),
  protections: z.strictObject({
    /** Deletion protection on the user pool and the ALB. */
    deletionProtection: z.boolean(),
    /** `lifecycle.prevent_destroy` on stateful resources (user pool, log groups, buckets). */
    preventDestroy: z.boolean(),
  }),
  tags: tagsSchema.default({}),
  state: stateSchema,
  /**
   * GitHub Actions access: the bootstrap stack creates the read-only plan role and the apply role
   * the workflows assume (packages/constructs/src/github-oidc). Absent: no CI roles.
   */
  ci: ciSchema.optional(),
});

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type Environment = z.output<typeof environmentSchema>;
export type NetworkConfig = Environment['network'];
export type ApiConfig = Environment['apis'][number];
export type RouteConfig = ApiConfig['routes'][number];
export type IntegrationConfig = RouteConfig['integration'];
export type IdentityConfig = Environment['identity'];
export type ClientConfig = IdentityConfig['clients'][number];
export type EdgeConfig = Environment['edge'];
export type CertificateConfig = EdgeConfig['viewerCertificate'];
export type StateConfig = Environment['state'];

/** A problem the schema or a cross-field rule found: where, what was there, what would be valid. */
export interface ConfigIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Rules that span fields; each issue names the field to fix. */
/**
 * The Cognito prefix domain of an environment: `<prefix>-<suffix>`. A prefix domain is unique per region across every
 * AWS customer; the default suffix (from the account id and the environment name: stable across deploys, different
 * per account) makes a collision with someone else's unlikely. `suffix: ""` uses the prefix alone.
 */
export function cognitoDomainPrefix(env: Pick<Environment, 'name' | 'account' | 'identity'>): string | undefined {
  const domain = env.identity.domain;
  if (domain.mode !== 'prefix') return undefined;
  const suffix = domain.suffix ?? createHash('sha256').update(`${env.account.id}/${env.name}`).digest('hex').slice(0, DEFAULT_DOMAIN_SUFFIX_LENGTH);
  return suffix === '' ? domain.prefix : `${domain.prefix}-${suffix}`;
}

/**
 * What API Gateway refuses in an API's paths, known before apply
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html#setup-method-resources):
 * a greedy variable (`{proxy+}`) anywhere but last, two different variables under one parent (one variable path part
 * per level: "A sibling ({id}) of this resource already has a variable path part -- only one is allowed"), and a
 * variable name used twice in one path.
 */
function pathTemplateRules(routes: readonly { readonly path: string }[], at: readonly (string | number)[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const variables = new Map<string, { part: string; route: number }>();
  routes.forEach((route, r) => {
    const parts = route.path === '/' ? [] : route.path.slice(1).split('/');
    const field = [...at, r, 'path'];
    const names = new Set<string>();
    parts.forEach((part, i) => {
      if (!part.startsWith('{')) return;
      const name = part.slice(1, -1).replace(/\+$/, '');
      if (part.endsWith('+}') && i < parts.length - 1) {
        issues.push({ path: field, message: `a greedy variable (${part}) only as the last part of the path: it matches the rest of the path` });
      }
      if (names.has(name)) issues.push({ path: field, message: `each variable once per path ({${name}} is used twice)` });
      names.add(name);
      const parent = `/${parts.slice(0, i).join('/')}`;
      const sibling = variables.get(parent);
      if (!sibling) variables.set(parent, { part, route: r });
      else if (sibling.part !== part) {
        issues.push({
          path: field,
          message: `the variable ${sibling.part} under ${parent}, as routes[${sibling.route}] names it: API Gateway allows one variable path part per level, not ${part} beside it`,
        });
      }
    });
  });
  return issues;
}

export function crossFieldRules(env: Environment): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const rules = nameRules(env.name);
  const isEmulator = rules.emulator;

  if (isEmulator && !env.emulator) {
    issues.push({ path: ['emulator'], message: `the "${env.name}" environment runs on the local emulator and needs emulator.endpoint` });
  }
  if (!isEmulator && env.emulator) {
    issues.push({ path: ['emulator'], message: `only ${EMULATOR_ENVIRONMENTS.join(', ')} may target the emulator; remove this field` });
  }

  // CI
  if (env.ci && isEmulator) {
    issues.push({ path: ['ci'], message: `the "${env.name}" environment runs on the local emulator, which GitHub Actions cannot reach; remove this field` });
  }
  const providerAccount = env.ci?.existingOidcProviderArn?.split(':')[4];
  if (providerAccount !== undefined && providerAccount !== env.account.id) {
    issues.push({ path: ['ci', 'existingOidcProviderArn'], message: `the OIDC provider of this environment's account ${env.account.id}, not of account ${providerAccount}` });
  }

  // Network
  if (env.network.mode === 'create') {
    const { cidrBlock, azCount, privateSubnetCidrBlocks } = env.network;
    if (!isEmulator && azCount < 2) {
      issues.push({ path: ['network', 'azCount'], message: 'at least 2 availability zones outside local (the ALB needs two)' });
    }
    // "The allowed block size is between a /16 netmask (65,536 IP addresses) and /28 netmask (16 IP addresses)", for
    // VPCs and subnets alike (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
    const prefixOf = (block: string) => Number(block.split('/')[1]);
    if (prefixOf(cidrBlock) < 16 || prefixOf(cidrBlock) > 28) {
      issues.push({ path: ['network', 'cidrBlock'], message: 'a block from /16 (65,536 addresses) to /28 (16), the sizes AWS allows for a VPC' });
    } else if (!privateSubnetCidrBlocks) {
      try {
        carveSubnets(cidrBlock, azCount);
      } catch {
        issues.push({ path: ['network', 'cidrBlock'], message: `a block with room for ${azCount} subnets of /28 or larger (one per AZ), or privateSubnetCidrBlocks given` });
      }
    }
    if (privateSubnetCidrBlocks) {
      privateSubnetCidrBlocks.forEach((block, i) => {
        if (prefixOf(block) > 28) issues.push({ path: ['network', 'privateSubnetCidrBlocks', i], message: 'a block of /28 (16 addresses) or larger, the smallest subnet AWS allows' });
      });
      if (privateSubnetCidrBlocks.length !== azCount) {
        issues.push({ path: ['network', 'privateSubnetCidrBlocks'], message: `one block per AZ: ${azCount} blocks for azCount ${azCount}` });
      }
      privateSubnetCidrBlocks.forEach((block, i) => {
        if (!cidrContains(cidrBlock, block)) {
          issues.push({ path: ['network', 'privateSubnetCidrBlocks', i], message: `a block inside the VPC CIDR ${cidrBlock}` });
        }
        privateSubnetCidrBlocks.slice(0, i).forEach((other, j) => {
          if (cidrsOverlap(block, other)) {
            issues.push({ path: ['network', 'privateSubnetCidrBlocks', i], message: `a block that does not overlap privateSubnetCidrBlocks[${j}] (${other})` });
          }
        });
      });
    }
  } else {
    if (!isEmulator && env.network.privateSubnetIds.length < 2) {
      issues.push({ path: ['network', 'privateSubnetIds'], message: 'at least 2 subnets in different AZs outside local (the ALB needs two)' });
    }
    const ids = env.network.privateSubnetIds;
    ids.forEach((id, i) => {
      const first = ids.indexOf(id);
      if (first !== i) issues.push({ path: ['network', 'privateSubnetIds', i], message: `a subnet not already privateSubnetIds[${first}]: each AZ needs its own` });
    });
  }

  // APIs and routes: the edge's CloudFront quotas (packages/constructs/src/aws-limits.ts, the numbers the edge module checks too).
  const maxApis = Math.floor(MAX_CACHE_BEHAVIORS / 2);
  if (env.apis.length > maxApis) {
    issues.push({ path: ['apis'], message: `at most ${maxApis} APIs: each needs 2 CloudFront cache behaviours and a distribution holds ${MAX_CACHE_BEHAVIORS}` });
  }
  const originSets = new Set(env.apis.filter((api) => (api.corsAllowOrigins ?? []).length > 0).map((api) => [...api.corsAllowOrigins!].sort().join(' ')));
  if (originSets.size + 1 > MAX_RESPONSE_HEADERS_POLICIES) {
    issues.push({
      path: ['apis'],
      message: `at most ${MAX_RESPONSE_HEADERS_POLICIES - 1} different sets of corsAllowOrigins (each is a CloudFront response headers policy, an account holds ${MAX_RESPONSE_HEADERS_POLICIES}); these have ${originSets.size}`,
    });
  }
  const zone = env.edge.hostedZone;
  if (zone?.mode === 'create') {
    (['domainName', 'originDomainName'] as const).forEach((field) => {
      const name = env.edge[field];
      if (name !== zone.name && !name.endsWith(`.${zone.name}`)) issues.push({ path: ['edge', field], message: `a name in edge.hostedZone.name ${zone.name}, whose records the stack writes` });
    });
  }
  if (env.edge.originDomainName === env.edge.domainName) {
    issues.push({ path: ['edge', 'originDomainName'], message: `a name other than domainName (such as origin.${env.edge.domainName}): viewers must never reach the ALB's name` });
  }
  const definedScopes = new Set(env.identity.resourceServer.scopes.map((s) => s.name));
  const apiNames = new Set<string>();
  env.apis.forEach((api, a) => {
    if (apiNames.has(api.name)) issues.push({ path: ['apis', a, 'name'], message: 'a name no other API uses (each API is mounted at /<name>)' });
    apiNames.add(api.name);
    const seen = new Map<string, number>();
    api.routes.forEach((route, r) => {
      const key = `${route.method} ${route.path}`;
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({ path: ['apis', a, 'routes', r], message: `a route that is not already apis[${a}].routes[${first}] (${key})` });
      } else seen.set(key, r);
      if (route.method === 'OPTIONS') {
        issues.push({ path: ['apis', a, 'routes', r, 'method'], message: 'GET, POST, PUT, PATCH, DELETE, HEAD or ANY: OPTIONS is generated for CORS from corsAllowOrigins' });
      }
      issues.push(...integrationRules(env, route.integration, ['apis', a, 'routes', r, 'integration'], isEmulator));
      route.scopes.forEach((scope, s) => {
        if (!definedScopes.has(scope)) {
          issues.push({ path: ['apis', a, 'routes', r, 'scopes', s], message: `a scope the resource server defines: ${[...definedScopes].join(', ')}` });
        }
      });
    });
    issues.push(...pathTemplateRules(api.routes, ['apis', a, 'routes']));
    const resources = countApiResources(api);
    if (resources > MAX_API_GATEWAY_RESOURCES) {
      issues.push({ path: ['apis', a, 'routes'], message: `routes that need at most ${MAX_API_GATEWAY_RESOURCES} API Gateway resources (the AWS quota); these need ${resources}` });
    }
    api.corsAllowOrigins?.forEach((origin, o) => {
      const field = ['apis', a, 'corsAllowOrigins', o];
      if (origin === '*') {
        if (!isEmulator) issues.push({ path: field, message: 'an exact https origin such as https://app.example.com: "*" is allowed in local only' });
      } else if (!isOrigin(origin, isEmulator)) {
        issues.push({ path: field, message: originMessage(origin, isEmulator) });
      }
    });
  });

  // Identity
  env.identity.clients.forEach((client, c) => {
    client.scopes.forEach((scope, s) => {
      if (!definedScopes.has(scope)) {
        issues.push({ path: ['identity', 'clients', c, 'scopes', s], message: `a scope the resource server defines: ${[...definedScopes].join(', ')}` });
      }
    });
    (['callbackUrls', 'logoutUrls'] as const).forEach((field) => {
      if (client.kind === 'machine' && client[field].length > 0) {
        issues.push({ path: ['identity', 'clients', c, field], message: 'no redirect URLs: machine clients use client credentials, not a browser' });
      }
      client[field].forEach((url, u) => {
        const typo = schemeTypo(url);
        if (typo) issues.push({ path: ['identity', 'clients', c, field, u], message: typo });
        else if (!isExactUrl(url, isEmulator)) issues.push({ path: ['identity', 'clients', c, field, u], message: exactUrlMessage(isEmulator, 'URL') });
        else if (!isEmulator && isLoopback(url)) {
          issues.push({ path: ['identity', 'clients', c, field, u], message: `a URL of the deployed app: ${env.name} must not send users' codes to their own machine (localhost is for local)` });
        }
      });
    });
    if (client.kind !== 'machine' && client.callbackUrls.length === 0) {
      issues.push({ path: ['identity', 'clients', c, 'callbackUrls'], message: 'at least one exact callback URL for a web or mobile client' });
    }
  });
  const clientNames = env.identity.clients.map((c) => c.name);
  clientNames.forEach((name, c) => {
    if (clientNames.indexOf(name) !== c) issues.push({ path: ['identity', 'clients', c, 'name'], message: 'a name no other client uses' });
  });
  // Cognito prefix domain: unique per region across AWS; AWS refuses a prefix holding "aws", "amazon" or "cognito".
  if (env.identity.domain.mode === 'prefix') {
    const { prefix, suffix } = env.identity.domain;
    const full = cognitoDomainPrefix(env)!;
    if (full.length > 63) {
      issues.push({ path: ['identity', 'domain', 'prefix'], message: `a prefix of at most ${63 - (full.length - prefix.length)} characters: with its suffix the domain has ${full.length}, Cognito takes 63` });
    }
    const reserved = COGNITO_DOMAIN_RESERVED_WORDS.find((w) => full.includes(w));
    if (reserved) {
      issues.push({ path: ['identity', 'domain', suffix?.includes(reserved) ? 'suffix' : 'prefix'], message: `a prefix without "${reserved}": Cognito refuses aws, amazon and cognito in a prefix domain` });
    }
  }
  // Email: Cognito's default sender sends 50 emails a day per account; prod sends through SES.
  const email = env.identity.email;
  if (!email && rules.requiresSesEmail) {
    issues.push({ path: ['identity', 'email'], message: 'an SES identity (sesIdentityArn, fromAddress): prod must not depend on Cognito\'s default sender (50 emails a day)' });
  }
  if (email) {
    const [, , , sesRegion, sesAccount] = email.sesIdentityArn.split(':');
    if (sesAccount !== env.account.id) {
      issues.push({ path: ['identity', 'email', 'sesIdentityArn'], message: `an SES identity of this environment's account ${env.account.id} (Cognito cannot use another account's)` });
    }
    if (sesRegion !== env.account.region && !(COGNITO_LEGACY_SES_REGIONS as readonly string[]).includes(sesRegion!)) {
      issues.push({ path: ['identity', 'email', 'sesIdentityArn'], message: `an SES identity in ${env.account.region} (the user pool's region) or in ${COGNITO_LEGACY_SES_REGIONS.join(', ')}` });
    }
  }

  if (env.identity.allowPasswordAuthForTests && !isEmulator) {
    issues.push({ path: ['identity', 'allowPasswordAuthForTests'], message: 'false: password sign-in for tests is allowed in local only' });
  }

  // Certificates: CloudFront needs us-east-1, the ALB needs the environment's region.
  const certificateRegion = (c: CertificateConfig) => (c.mode === 'arn' ? c.arn.split(':')[3] : undefined);
  if (env.edge.viewerCertificate.mode === 'arn' && certificateRegion(env.edge.viewerCertificate) !== 'us-east-1') {
    issues.push({ path: ['edge', 'viewerCertificate', 'arn'], message: 'a certificate in us-east-1 (CloudFront only uses certificates from there)' });
  }
  if (env.edge.originCertificate.mode === 'arn' && certificateRegion(env.edge.originCertificate) !== env.account.region) {
    issues.push({ path: ['edge', 'originCertificate', 'arn'], message: `a certificate in ${env.account.region}, the region of the ALB` });
  }
  if (env.identity.domain.mode === 'custom' && env.identity.domain.certificate.mode === 'arn' && certificateRegion(env.identity.domain.certificate) !== 'us-east-1') {
    issues.push({ path: ['identity', 'domain', 'certificate', 'arn'], message: 'a certificate in us-east-1 (Cognito custom domains use CloudFront)' });
  }
  for (const [field, cert] of [['viewerCertificate', env.edge.viewerCertificate], ['originCertificate', env.edge.originCertificate]] as const) {
    if (cert.mode === 'arn' && cert.arn.split(':')[4] !== env.account.id) {
      issues.push({ path: ['edge', field, 'arn'], message: `a certificate of account ${env.account.id}` });
    }
  }

  const dnsValidated: [string[], CertificateConfig][] = [
    [['edge', 'viewerCertificate', 'mode'], env.edge.viewerCertificate],
    [['edge', 'originCertificate', 'mode'], env.edge.originCertificate],
  ];
  if (env.identity.domain.mode === 'custom') dnsValidated.push([['identity', 'domain', 'certificate', 'mode'], env.identity.domain.certificate]);
  for (const [path, cert] of dnsValidated) {
    if (cert.mode === 'dns-validated' && !env.edge.hostedZone) {
      issues.push({ path, message: '"arn", or set edge.hostedZone: a dns-validated certificate needs a Route 53 zone for its records' });
    }
  }

  // WAF rule overrides: a real rule of the group, each once (a misspelt one would override nothing).
  const overrides = env.edge.wafRuleOverrides ?? [];
  overrides.forEach((o, i) => {
    if (!MANAGED_RULES[o.ruleGroup].includes(o.rule)) {
      issues.push({ path: ['edge', 'wafRuleOverrides', i, 'rule'], message: `a rule of ${o.ruleGroup}: ${MANAGED_RULES[o.ruleGroup].join(', ')}` });
    }
    if (overrides.findIndex((p) => p.ruleGroup === o.ruleGroup && p.rule === o.rule) !== i) {
      issues.push({ path: ['edge', 'wafRuleOverrides', i], message: `a rule not already overridden (${o.ruleGroup}/${o.rule} is listed twice)` });
    }
  });

  // Protections
  if (rules.requiresDeletionProtection && !env.protections.deletionProtection) {
    issues.push({ path: ['protections', 'deletionProtection'], message: 'true: prod must have deletion protection on' });
  }
  if (rules.requiresPreventDestroy && !env.protections.preventDestroy) {
    issues.push({ path: ['protections', 'preventDestroy'], message: 'true: prod must prevent destroying stateful resources' });
  }
  return issues;
}

/**
 * An integration's target, known before apply: a backend reached over https outside local (the caller's bearer token
 * travels with the request), not the machine's own loopback, and a Lambda function of the environment's own account
 * and region (API Gateway's Lambda integrations call functions of the API's region).
 */
function integrationRules(env: Environment, integration: IntegrationConfig, field: (string | number)[], isEmulator: boolean): ConfigIssue[] {
  if (integration.type === 'HTTP_PROXY') {
    const typo = schemeTypo(integration.uri);
    if (typo) return [{ path: [...field, 'uri'], message: typo }];
    if (!/^https?:\/\//.test(integration.uri)) return [{ path: [...field, 'uri'], message: 'an https:// URL of the backend' }];
    if (integration.uri.startsWith('http://') && !isEmulator) {
      return [{ path: [...field, 'uri'], message: `an https:// URL: plain http would carry the caller's bearer token in clear (allowed in local only)` }];
    }
    if (!isEmulator && isLoopback(integration.uri)) return [{ path: [...field, 'uri'], message: 'a backend API Gateway can reach: localhost is the gateway itself' }];
  }
  if (integration.type === 'LAMBDA_PROXY') {
    const [, , , region, account] = integration.functionArn.split(':');
    if (region !== env.account.region || account !== env.account.id) {
      return [{ path: [...field, 'functionArn'], message: `a function of this environment's account ${env.account.id} in ${env.account.region} (this one is in account ${account}, ${region})` }];
    }
  }
  return [];
}

/** `htps://`, `http:/x`, `https//x`: a web URL with its scheme mistyped, which would otherwise pass as an app scheme. */
function schemeTypo(value: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (/^https?:[^/]|^https?:\/[^/]/i.test(value)) return 'a URL that starts with https:// (two slashes)';
  if (scheme === undefined) return /^https?\/\//i.test(value) ? 'a URL that starts with https:// (the colon is missing)' : undefined;
  if (scheme === 'http' || scheme === 'https') return undefined;
  return leven(scheme, 'https') <= 2 || leven(scheme, 'http') <= 1 ? `https:// (the scheme "${scheme}:" looks mistyped)` : undefined;
}

function isLoopback(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const host = new URL(value).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\./.test(host);
}

/**
 * What a browser sends as `Origin`: `https://host[:port]`, exactly: no path, no trailing slash, no query
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Origin); CloudFront compares it as a string.
 */
function isOrigin(value: string, isEmulator: boolean): boolean {
  const match = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?$/.exec(value);
  if (!match) return false;
  if (match[1] === 'http') return isEmulator && (match[2] === 'localhost' || match[2] === '127.0.0.1');
  return isEmulator || !isLoopback(value);
}

function originMessage(value: string, isEmulator: boolean): string {
  const exact = isEmulator ? 'https://host[:port] or http://localhost:<port>' : 'https://host[:port]';
  const hint = /^https?:\/\/[^/]+\/$/.test(value) ? ' (without the trailing slash)' : /^https?:\/\/[^/]+\/./.test(value) ? ' (an origin has no path)' : '';
  return `an origin as browsers send it, ${exact}${hint}: CloudFront compares it with the Origin header as a string`;
}

function isExactUrl(value: string, isEmulator: boolean): boolean {
  if (value.includes('*') || !URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return url.hash === '';
  if (url.protocol === 'http:') return isEmulator && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
  // Custom schemes are how mobile apps receive the redirect (myapp://callback).
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) && url.protocol !== 'javascript:' && url.protocol !== 'data:' && url.protocol !== 'file:';
}

function exactUrlMessage(isEmulator: boolean, what: string): string {
  return isEmulator
    ? `an exact ${what} without wildcards: https://..., http://localhost... or an app scheme (myapp://callback)`
    : `an exact https ${what} without wildcards (or an app scheme such as myapp://callback): http is allowed in local only`;
}
