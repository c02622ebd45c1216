/**
 * The plan summary on hand-built plans (`terraform show -json` shape): totals, module tables,
 * attribute paths, secrecy, replacements, the prod destroy rule, security flags and the size budget.
 */
import { changeKind, decideOutcome } from '../../review/classify';
import type { PlanJson, ResourceChange } from '../../review/plan-model';
import { SUMMARY_LIMIT, summarizeDrift, summarizePlan } from '../../review/plan-summary';
import { SECURITY_RULES } from '../../review/review-rules';

// ---------------------------------------------------------------- fixture helpers

interface ChangeSpec {
  readonly before?: unknown;
  readonly after?: unknown;
  readonly afterUnknown?: unknown;
  readonly beforeSensitive?: unknown;
  readonly afterSensitive?: unknown;
  readonly replacePaths?: (string | number)[][];
  readonly actionReason?: string;
  readonly mode?: 'managed' | 'data';
}

/** A resource change: `type.name` with the given actions. */
function rc(address: string, actions: string[], spec: ChangeSpec = {}): ResourceChange {
  const [type, name] = address.replace(/^data\./, '').split('.') as [string, string];
  const creates = actions.includes('create');
  return {
    address,
    mode: spec.mode ?? (address.startsWith('data.') ? 'data' : 'managed'),
    type,
    name: name.replace(/\[\d+\]$/, ''),
    action_reason: spec.actionReason,
    change: {
      actions,
      before: spec.before ?? (actions.includes('delete') || actions.includes('update') || actions.includes('no-op') ? {} : null),
      after: spec.after ?? (creates || actions.includes('update') || actions.includes('no-op') ? {} : null),
      after_unknown: spec.afterUnknown ?? {},
      before_sensitive: spec.beforeSensitive ?? {},
      after_sensitive: spec.afterSensitive ?? {},
      replace_paths: spec.replacePaths,
    },
  };
}

const create = (address: string, spec?: ChangeSpec) => rc(address, ['create'], spec);
const update = (address: string, before: unknown, after: unknown, spec: ChangeSpec = {}) => rc(address, ['update'], { ...spec, before, after });
const destroy = (address: string, before: unknown = {}) => rc(address, ['delete'], { before });
const replace = (address: string, before: unknown, after: unknown, spec: ChangeSpec = {}) => rc(address, ['delete', 'create'], { ...spec, before, after });
const noop = (address: string) => rc(address, ['no-op'], { before: { a: 1 }, after: { a: 1 } });

function plan(changes: ResourceChange[], drift: ResourceChange[] = []): PlanJson {
  return { format_version: '1.2', terraform_version: '1.11.4', resource_changes: changes, resource_drift: drift };
}

/** A synthesized stack (cdk.tf.json) that places each address at a construct path. */
function stack(resources: Record<string, { path: string; preventDestroy?: boolean }>): Record<string, any> {
  const json: Record<string, any> = { resource: {}, data: {} };
  for (const [address, meta] of Object.entries(resources)) {
    const isData = address.startsWith('data.');
    const [type, name] = address.replace(/^data\./, '').split('.') as [string, string];
    const section = isData ? json.data : json.resource;
    section[type] ??= {};
    section[type][name] = {
      '//': { metadata: { path: meta.path, uniqueId: name } },
      ...(meta.preventDestroy ? { lifecycle: { prevent_destroy: true } } : {}),
    };
  }
  return json;
}

const VPC = 'aws_vpc.network_vpc_4E8F0223';
const SG = 'aws_security_group.network_execute-api-endpoint-security-group_46ADB4E4';
const POOL = 'aws_cognito_user_pool.identity_user-pool_40B5B78A';
const CLIENT = 'aws_cognito_user_pool_client.identity_client-web_C7D0E3A6';
const POLICY = 'aws_api_gateway_rest_api_policy.api-orders_policy_0A1B2C3D';
const WAF = 'aws_wafv2_web_acl.edge_web-acl_11112222';

const STACK = stack({
  [VPC]: { path: 'dev/network/vpc' },
  [SG]: { path: 'dev/network/execute-api-endpoint-security-group' },
  [POOL]: { path: 'dev/identity/user-pool' },
  [CLIENT]: { path: 'dev/identity/client-web' },
  [POLICY]: { path: 'dev/api-orders/policy' },
  [WAF]: { path: 'dev/edge/web-acl', preventDestroy: true },
  'data.aws_region.network_region_17522769': { path: 'dev/network/region' },
});

function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`## ${title}`);
  if (start < 0) return '';
  const next = markdown.indexOf('\n## ', start + 3);
  return markdown.slice(start, next < 0 ? undefined : next);
}

// ---------------------------------------------------------------- totals and grouping

describe('totals', () => {
  test('GIVEN creates, an update, a replace, a destroy, a no-op and a data read WHEN summarized THEN each is counted once and reads are left out', () => {
    const summary = summarizePlan(
      plan([
        create(VPC),
        create(SG),
        update(POOL, { mfa_configuration: 'OFF' }, { mfa_configuration: 'ON' }),
        replace(CLIENT, { name: 'a' }, { name: 'b' }, { replacePaths: [['name']] }),
        destroy('aws_route_table.network_private-route-table_8FAD2D7B'),
        noop(POLICY),
        rc('data.aws_region.network_region_17522769', ['read']),
      ]),
      { environment: 'dev', stackJson: STACK },
    );
    expect(summary.totals).toEqual({ add: 2, change: 1, replace: 1, destroy: 1, noOp: 1, forget: 0, move: 0, import: 0 });
    expect(summary.markdown).toContain('## Terraform plan: `dev`');
    expect(summary.markdown).toContain('**2** to add, **1** to change, **1** to replace, **1** to destroy, 1 unchanged');
    expect(summary.entries.map((e) => e.address)).not.toContain('data.aws_region.network_region_17522769');
    expect(summary.hasChanges).toBe(true);
  });

  test('GIVEN only no-ops WHEN summarized THEN it says there are no changes', () => {
    const summary = summarizePlan(plan([noop(VPC), noop(SG)]), { environment: 'dev', stackJson: STACK });
    expect(summary.hasChanges).toBe(false);
    expect(summary.totals.noOp).toBe(2);
    expect(summary.markdown).toContain('No changes');
  });

  test('fails when Terraform reports actions the summary does not know', () => {
    expect(() => changeKind(['delete', 'update'])).toThrow(/unknown Terraform plan actions/);
  });
});

describe('module tables', () => {
  test('GIVEN resources of two modules WHEN summarized THEN each module has its table with construct paths, unchanged ones only counted', () => {
    const summary = summarizePlan(plan([create(VPC), update(SG, { description: 'a' }, { description: 'b' }), create(POOL), noop(CLIENT)]), {
      environment: 'dev',
      stackJson: STACK,
    });
    const modules = section(summary.markdown, 'Changes by module');
    expect(modules).toContain('<details><summary><code>identity</code>: 1 create, 1 unchanged</summary>');
    expect(modules).toContain('<details><summary><code>network</code>: 1 create, 1 update</summary>');
    const network = modules.slice(modules.indexOf('<code>network</code>'));
    expect(network).toContain('`aws_vpc.network_vpc_4E8F0223` | `network/vpc`');
    expect(network).toContain('`network/execute-api-endpoint-security-group`');
    expect(modules).not.toContain(CLIENT);
    expect(summary.entries.find((e) => e.address === POOL)?.module).toBe('identity');
  });

  test('GIVEN a destroyed resource no longer in the configuration WHEN summarized THEN its module comes from the cdktf logical id', () => {
    const summary = summarizePlan(plan([destroy('aws_subnet.network_private-subnet-2_0C797916')]), { environment: 'dev', stackJson: STACK });
    expect(summary.entries[0]).toMatchObject({ module: 'network', constructPath: '(not in the configuration)' });
  });
});

// ---------------------------------------------------------------- updates

describe('update attributes', () => {
  test('GIVEN an update WHEN summarized THEN every changed path is listed with old and new value, unchanged ones are not', () => {
    const summary = summarizePlan(
      plan([
        update(
          SG,
          { description: 'same', ingress: [{ cidr_blocks: ['10.0.0.0/16'], from_port: 443 }], tags: { Name: 'old' } },
          { description: 'same', ingress: [{ cidr_blocks: ['10.1.0.0/16'], from_port: 443 }], tags: { Name: 'new' }, arn: null },
          { afterUnknown: { arn: true } },
        ),
      ]),
      { environment: 'dev', stackJson: STACK },
    );
    const paths = summary.entries[0]!.changes.map((c) => c.path);
    expect(paths).toEqual(['ingress[0].cidr_blocks[0]', 'tags.Name', 'arn']);
    expect(summary.markdown).toContain('`ingress[0].cidr_blocks[0]`: `"10.0.0.0/16"` → `"10.1.0.0/16"`');
    expect(summary.markdown).toContain('`arn`: `null` → `(known after apply)`');
    expect(summary.markdown).not.toContain('`description`');
  });

  test('GIVEN a policy document in a string attribute WHEN it changes THEN the statement path inside the JSON is listed', () => {
    const doc = (effect: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke' }, { Effect: effect }] });
    const summary = summarizePlan(plan([update(POLICY, { policy: doc('Deny') }, { policy: doc('Allow') })]), { environment: 'dev', stackJson: STACK });
    expect(summary.entries[0]!.changes).toEqual([{ path: 'policy.Statement[1].Effect', before: '"Deny"', after: '"Allow"', sensitive: false, unknown: false }]);
  });
});

describe('sensitive values', () => {
  const SECRET_OLD = 'old-s3cr3t-7f1d9a';
  const SECRET_NEW = 'new-s3cr3t-2c8e4b';
  const HEADER_SECRET = 'origin-verify-9b7c5e';

  test('GIVEN sensitive and secret-looking attributes change WHEN summarized THEN no secret value appears, only "(sensitive)"', () => {
    const summary = summarizePlan(
      plan(
        [
          update(CLIENT, { client_secret: SECRET_OLD, generate_secret: false, name: 'web' }, { client_secret: SECRET_NEW, generate_secret: true, name: 'web' }, {
            beforeSensitive: { client_secret: true },
            afterSensitive: { client_secret: true },
          }),
          // Not marked sensitive by the provider: redacted by name and by place.
          update('aws_secretsmanager_secret_version.edge_origin-verify_1234ABCD', { secret_string: SECRET_OLD }, { secret_string: SECRET_NEW }),
          update(
            'aws_cloudfront_distribution.edge_distribution_1234ABCD',
            { origin: [{ custom_header: [{ name: 'x-origin-verify', value: SECRET_OLD }] }] },
            { origin: [{ custom_header: [{ name: 'x-origin-verify', value: HEADER_SECRET }] }] },
          ),
          // A whole new block holding a secret.
          update('aws_lb_listener_rule.edge_rule_1234ABCD', { condition: [] }, { condition: [{ http_header: [{ http_header_name: 'x-origin-verify', values: [HEADER_SECRET] }] }] }),
          // Marked sensitive by Terraform under an ordinary name (propagated from a sensitive input).
          update('aws_ssm_parameter.edge_param_1234ABCD', { value: SECRET_OLD, tier: 'Standard' }, { value: SECRET_NEW, tier: 'Standard' }, {
            beforeSensitive: { value: true },
            afterSensitive: { value: true },
          }),
          // A whole block marked sensitive.
          update('aws_lambda_function.api_fn_1234ABCD', { environment: [{ variables: { TOKEN: SECRET_OLD } }] }, { environment: [{ variables: { TOKEN: SECRET_NEW } }] }, {
            beforeSensitive: { environment: true },
            afterSensitive: { environment: true },
          }),
          // A resource that is sensitive as a whole, replaced.
          replace('aws_iam_access_key.ci_key_1234ABCD', { secret: SECRET_OLD, user: 'a' }, { secret: null, user: 'b' }, { beforeSensitive: true, afterSensitive: true, afterUnknown: { secret: true }, replacePaths: [['user']] }),
        ],
        [update(CLIENT, { client_secret: SECRET_OLD }, { client_secret: SECRET_NEW }, { beforeSensitive: { client_secret: true }, afterSensitive: { client_secret: true } })],
      ),
      { environment: 'dev', stackJson: STACK },
    );
    for (const secret of [SECRET_OLD, SECRET_NEW, HEADER_SECRET]) expect(summary.markdown).not.toContain(secret);
    expect(summary.markdown).toContain('`client_secret` (sensitive)');
    expect(summary.markdown).toContain('`secret_string` (sensitive)');
    expect(summary.markdown).toContain('`value` (sensitive)');
    expect(summary.markdown).toContain('`environment` (sensitive)');
    expect(summary.markdown).toContain('`origin[0].custom_header[0].value` (sensitive)');
    expect(summary.markdown).toContain('"http_header_name":"x-origin-verify"');
    // A boolean under a secret-sounding name says whether a client is confidential: it is shown.
    expect(summary.markdown).toContain('`generate_secret`: `false` → `true`');

    const drift = summarizeDrift(plan([], [update(CLIENT, { client_secret: SECRET_OLD }, { client_secret: SECRET_NEW }, { beforeSensitive: { client_secret: true }, afterSensitive: { client_secret: true } })]), {
      environment: 'dev',
      stackJson: STACK,
    });
    expect(drift.markdown).not.toContain(SECRET_OLD);
    expect(drift.markdown).not.toContain(SECRET_NEW);
  });
});

// ---------------------------------------------------------------- replacements and destroys

describe('replacements', () => {
  test('GIVEN a replacement WHEN summarized THEN the forcing attribute is called out in the module table and the destructive section', () => {
    const summary = summarizePlan(plan([replace(VPC, { cidr_block: '10.0.0.0/16' }, { cidr_block: '10.9.0.0/16', id: null }, { replacePaths: [['cidr_block']], afterUnknown: { id: true } })]), {
      environment: 'dev',
      stackJson: STACK,
    });
    expect(summary.totals.replace).toBe(1);
    expect(summary.markdown).toContain('**forces replacement:** `cidr_block`');
    expect(summary.markdown).toContain('`cidr_block`: `"10.0.0.0/16"` → `"10.9.0.0/16"`');
    const destructive = section(summary.markdown, '💥 Destructive');
    expect(destructive).toContain('♻️ replace | `aws_vpc.network_vpc_4E8F0223`');
    expect(destructive).not.toContain('protected**');
  });

  test('GIVEN a replacement without replace_paths WHEN summarized THEN Terraform\'s reason is given', () => {
    const summary = summarizePlan(plan([replace(VPC, {}, {}, { actionReason: 'replace_because_tainted' })]), { environment: 'dev', stackJson: STACK });
    expect(summary.entries[0]!.replaceReasons).toEqual(['tainted (a previous apply failed part-way)']);
  });
});

describe('protected destroys', () => {
  const prodPlan = plan([destroy(POOL, { name: 'platform-prod-users' }), create(VPC)]);

  test('fails when prod destroys a protected resource (a user pool) without allowDestroy', () => {
    const summary = summarizePlan(prodPlan, { environment: 'prod', stackJson: STACK, protections: { preventDestroy: true } });
    expect(summary.verdict.ok).toBe(false);
    expect(summary.verdict.message).toContain(POOL);
    expect(summary.verdict.message).toContain('--allow-destroy');
    expect(summary.markdown).toContain('⛔');
    expect(section(summary.markdown, '💥 Destructive')).toContain('🛡️ **protected**: user pool');
  });

  test('GIVEN the same plan WHEN allowDestroy is given THEN it passes and still says what is destroyed', () => {
    const summary = summarizePlan(prodPlan, { environment: 'prod', stackJson: STACK, protections: { preventDestroy: true }, allowDestroy: true });
    expect(summary.verdict.ok).toBe(true);
    expect(summary.verdict.message).toContain(POOL);
    expect(summary.markdown).not.toContain('⛔');
  });

  test('fails when any environment with protections.preventDestroy replaces a resource marked prevent_destroy', () => {
    const entries = summarizePlan(plan([replace(WAF, { name: 'a' }, { name: 'b' }, { replacePaths: [['name']] })]), { environment: 'staging', stackJson: STACK }).entries;
    expect(entries[0]!.protectedReason).toBe('lifecycle.prevent_destroy');
    expect(decideOutcome(entries, { environment: 'staging', protections: { preventDestroy: true } }).ok).toBe(false);
    expect(decideOutcome(entries, { environment: 'staging', protections: { preventDestroy: false } }).ok).toBe(true);
  });

  test('fails when prod destroys the state bucket, whatever the protections say', () => {
    const entries = summarizePlan(plan([destroy('aws_s3_bucket.state_bucket_1234ABCD', { bucket: 'platform-tfstate-333333333333' })]), {
      environment: 'prod',
      stateBucket: 'platform-tfstate-333333333333',
    }).entries;
    expect(entries[0]!.protectedReason).toBe('the Terraform state bucket');
    expect(decideOutcome(entries, { environment: 'prod', protections: { preventDestroy: false } }).ok).toBe(false);
  });

  test('GIVEN dev without preventDestroy WHEN a user pool is destroyed THEN the plan passes with a warning', () => {
    const summary = summarizePlan(prodPlan, { environment: 'dev', stackJson: STACK, protections: { preventDestroy: false } });
    expect(summary.verdict.ok).toBe(true);
    expect(summary.markdown).toContain('⚠️');
  });

  test('GIVEN prod destroys only unprotected resources THEN the plan passes', () => {
    const summary = summarizePlan(plan([destroy('aws_route_table.network_private-route-table_8FAD2D7B')]), { environment: 'prod', stackJson: STACK, protections: { preventDestroy: true } });
    expect(summary.verdict.ok).toBe(true);
  });
});

// ---------------------------------------------------------------- security

describe('security-relevant changes', () => {
  function flagged(change: ResourceChange): string[] {
    return summarizePlan(plan([change]), { environment: 'dev', stackJson: STACK }).entries[0]!.security as string[];
  }

  test('GIVEN a resource policy change and a security group rule change WHEN summarized THEN both are in the security section', () => {
    const summary = summarizePlan(
      plan([
        update(POLICY, { policy: '{"Statement":[{"Effect":"Deny"}]}' }, { policy: '{"Statement":[{"Effect":"Allow"}]}' }),
        update(SG, { ingress: [] }, { ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 443, to_port: 443, protocol: 'tcp' }] }),
        update(VPC, { tags: { a: '1' } }, { tags: { a: '2' } }),
      ]),
      { environment: 'dev', stackJson: STACK },
    );
    const security = section(summary.markdown, '🔐 Security-relevant');
    expect(security).toContain('API resource policy | 🔧 update | `' + POLICY + '` | `policy.Statement[0].Effect`');
    expect(security).toContain('security group rules | 🔧 update | `' + SG + '` | `ingress[0]`');
    expect(security).not.toContain(VPC);
  });

  test('GIVEN only the tags of a security group change THEN it is not security-relevant', () => {
    expect(flagged(update(SG, { tags: { Name: 'a' } }, { tags: { Name: 'b' } }))).toEqual([]);
  });

  test.each([
    ['an ALB TLS policy', update('aws_lb_listener.edge_https_1', { ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }, { ssl_policy: 'ELBSecurityPolicy-2016-08' })],
    ['the CloudFront minimum protocol version', update('aws_cloudfront_distribution.edge_d_1', { viewer_certificate: [{ minimum_protocol_version: 'TLSv1.2_2021' }] }, { viewer_certificate: [{ minimum_protocol_version: 'TLSv1' }] })],
    ['the VPC origin protocol policy', update('aws_cloudfront_vpc_origin.edge_o_1', { vpc_origin_endpoint_config: [{ origin_protocol_policy: 'https-only' }] }, { vpc_origin_endpoint_config: [{ origin_protocol_policy: 'http-only' }] })],
    ['method scopes', update('aws_api_gateway_method.api_m_1', { authorization_scopes: ['a/read'] }, { authorization_scopes: [] })],
    ['a Cognito client flow', update(CLIENT, { explicit_auth_flows: ['ALLOW_REFRESH_TOKEN_AUTH'] }, { explicit_auth_flows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'] })],
    ['user pool MFA', update(POOL, { mfa_configuration: 'ON' }, { mfa_configuration: 'OFF' })],
    ['a bucket public access block', update('aws_s3_bucket_public_access_block.edge_logs_1', { block_public_policy: true }, { block_public_policy: false })],
    ['a WAF association', destroy('aws_wafv2_web_acl_association.edge_a_1')],
    ['a new IAM role', create('aws_iam_role.api_logging_1')],
    ['a VPC endpoint policy', update('aws_vpc_endpoint.network_e_1', { policy: '{"a":1}' }, { policy: '{"a":2}' })],
    ['a KMS key', update('aws_kms_key.state_key_1', { enable_key_rotation: true }, { enable_key_rotation: false })],
  ])('GIVEN %s change THEN it is security-relevant', (_what, change) => {
    expect(flagged(change).length).toBeGreaterThan(0);
  });

  test('GIVEN a throttling-unrelated method setting change THEN it is not security-relevant', () => {
    expect(flagged(update('aws_api_gateway_method_settings.api_s_1', { settings: [{ metrics_enabled: false }] }, { settings: [{ metrics_enabled: true }] }))).toEqual([]);
  });

  test('every rule names a resource type and a control; no type is listed twice', () => {
    const types = SECURITY_RULES.map((r) => r.type);
    expect(new Set(types).size).toBe(types.length);
    for (const rule of SECURITY_RULES) {
      expect(rule.type).toMatch(/^aws_[a-z0-9_]+$/);
      expect(rule.control.length).toBeGreaterThan(3);
    }
  });
});

// ---------------------------------------------------------------- a REST API's OpenAPI document

describe('a changed REST API is shown route by route', () => {
  const API = 'aws_api_gateway_rest_api.api-orders_rest-api_1BF75B0C';
  const apiStack = stack({ [API]: { path: 'dev/api-orders/rest-api' } });
  const route = (scopes: string[], status = 200) => ({
    security: [{ 'cognito-user-pool': scopes }],
    responses: { [String(status)]: { description: 'x' } },
    'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': `{"statusCode":${status}}` }, responses: { default: { statusCode: String(status) } } },
  });
  const document = (paths: Record<string, Record<string, unknown>>, pool = 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_A') =>
    JSON.stringify({
      openapi: '3.0.1',
      servers: [{ url: '/', 'x-amazon-apigateway-endpoint-configuration': { vpcEndpointIds: ['vpce-1'] } }],
      paths,
      components: { securitySchemes: { 'cognito-user-pool': { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'cognito_user_pools', 'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [pool] } } } },
    });
  const BEFORE = document({ '/': { get: route(['rs/orders.read']) }, '/{orderId}': { get: route(['rs/orders.read']), delete: route(['rs/orders.write']) } });

  test('GIVEN a route added, one removed and one whose scopes change THEN the module table lists them as routes, never only "body"', () => {
    const after = document({ '/': { get: route(['rs/orders.read', 'rs/admin']) }, '/{orderId}': { get: route(['rs/orders.read']) }, '/search': { get: route(['rs/orders.read']) } });
    const summary = summarizePlan(plan([update(API, { body: BEFORE }, { body: after })]), { environment: 'dev', stackJson: apiStack });
    const entry = summary.entries[0]!;
    expect(entry.changes.map((c) => [c.route, c.path])).toEqual([
      ['changed', 'GET /'],
      ['added', 'GET /search'],
      ['removed', 'DELETE /{orderId}'],
    ]);
    const modules = section(summary.markdown, 'Changes by module');
    expect(modules).toContain('➕ `GET /search`: `cognito-user-pool [rs/orders.read]; MOCK');
    expect(modules).toContain('➖ `DELETE /{orderId}` (was `cognito-user-pool [rs/orders.write]; MOCK');
    expect(modules).toContain('🔧 `GET /`: `cognito-user-pool [rs/orders.read]; MOCK status {"application/json":"{\\"statusCode\\":200}"}` → `cognito-user-pool [rs/orders.read, rs/admin]; MOCK');
    expect(modules).not.toMatch(/`body[.`]/);
    // THEN the scope change and the new route are under Security-relevant; the removal is not a control
    const security = section(summary.markdown, '🔐 Security-relevant');
    expect(security).toContain('API routes: route authorization and scopes');
    expect(security).toContain('API routes: a new route: who may call it');
    expect(security).toContain('`GET /`, `GET /search`, `DELETE /{orderId}`');
  });

  test('GIVEN the authorizer trusts another user pool THEN it is security-relevant, named as the authorizer', () => {
    const after = document(JSON.parse(BEFORE).paths, 'arn:aws:cognito-idp:eu-west-1:999999999999:userpool/eu-west-1_Evil');
    const summary = summarizePlan(plan([update(API, { body: BEFORE }, { body: after })]), { environment: 'dev', stackJson: apiStack });
    expect(summary.entries[0]!.changes.map((c) => c.path)).toEqual(['authorizer cognito-user-pool']);
    expect(summary.entries[0]!.security).toEqual(['API routes: the API authorizer (whose tokens are accepted)']);
  });

  test('GIVEN only a MOCK status changes THEN the route is listed but nothing is security-relevant', () => {
    const after = document({ '/': { get: route(['rs/orders.read'], 204) }, '/{orderId}': { get: route(['rs/orders.read']), delete: route(['rs/orders.write']) } });
    const summary = summarizePlan(plan([update(API, { body: BEFORE }, { body: after })]), { environment: 'dev', stackJson: apiStack });
    expect(summary.entries[0]!.changes.map((c) => [c.route, c.path])).toEqual([['changed', 'GET /']]);
    expect(summary.entries[0]!.security).toEqual([]);
  });

  test('GIVEN the new document is known only after apply THEN the synthesized document is read, references as expressions', () => {
    const synthesized = document({ '/': { get: route(['rs/orders.read']) } }, '${aws_cognito_user_pool.identity_user-pool_40B5B78A.arn}');
    const withBody = stack({ [API]: { path: 'dev/api-orders/rest-api' } });
    withBody.resource.aws_api_gateway_rest_api['api-orders_rest-api_1BF75B0C'].body = synthesized;
    const summary = summarizePlan(plan([update(API, { body: BEFORE }, { body: null }, { afterUnknown: { body: true } })]), { environment: 'dev', stackJson: withBody });
    const paths = summary.entries[0]!.changes.map((c) => c.path);
    expect([...paths].sort()).toEqual(['DELETE /{orderId}', 'GET /{orderId}', 'authorizer cognito-user-pool']);
    expect(summary.entries[0]!.changes.find((c) => c.path === 'authorizer cognito-user-pool')!.after).toContain('${aws_cognito_user_pool.identity_user-pool_40B5B78A.arn}');
  });
});

// ---------------------------------------------------------------- size budget

describe('size budget', () => {
  test('GIVEN 3,000 changed resources WHEN summarized THEN the text stays under 65,000 characters, keeps totals and security first, and says what was cut', () => {
    const changes: ResourceChange[] = [update(POLICY, { policy: '{"a":1}' }, { policy: '{"a":2}' }), destroy(POOL)];
    for (let i = 0; i < 3000; i++) {
      changes.push(update(`aws_cloudwatch_log_group.api_route-${i}_ABCDEF12`, { tags: { Route: `r-${i}-old` } }, { tags: { Route: `r-${i}-new-${'x'.repeat(40)}` } }));
    }
    const summary = summarizePlan(plan(changes), { environment: 'prod', stackJson: STACK, protections: { preventDestroy: true } });
    expect(summary.markdown.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(summary.markdown).toContain('**0** to add, **3001** to change, **0** to replace, **1** to destroy');
    expect(section(summary.markdown, '🔐 Security-relevant')).toContain(POLICY);
    expect(section(summary.markdown, '💥 Destructive')).toContain(POOL);
    const note = /✂️ \*\*Cut to fit 65,000 characters:\*\* (\d+) more resources \(module tables\) not shown/.exec(summary.markdown);
    expect(note).not.toBeNull();
    const moduleRows = (section(summary.markdown, 'Changes by module').match(/^\| (🔧 update|❌ destroy) \|/gm) ?? []).length;
    expect(moduleRows).toBeGreaterThan(100);
    expect(moduleRows + Number(note![1])).toBe(3002);
    expect(summary.cut).toBe(Number(note![1]));
  });

  test('GIVEN a plan that fits WHEN summarized THEN nothing is cut', () => {
    const summary = summarizePlan(plan([create(VPC)]), { environment: 'dev', stackJson: STACK });
    expect(summary.cut).toBe(0);
    expect(summary.markdown).not.toContain('Cut to fit');
  });
});

describe('replacing a load balancer with deletion protection', () => {
  test('GIVEN an ALB replacement WHEN the old ALB has deletion protection THEN the plan is refused with the two steps that work; without it, it is an ordinary replacement', () => {
    const ALB = 'aws_lb.alb';
    const guarded = { environment: 'prod', protections: { preventDestroy: true } } as const;
    const protectedAlb = summarizePlan(plan([replace(ALB, { enable_deletion_protection: true, name_prefix: 'edge-' }, { enable_deletion_protection: true, name_prefix: 'edge2-' })]), guarded as any);
    expect(protectedAlb.verdict.ok).toBe(false);
    expect(protectedAlb.verdict.message).toMatch(/deletion protection is on.*first apply enable_deletion_protection = false, then this change/);
    const unprotected = summarizePlan(plan([replace(ALB, { enable_deletion_protection: false, name_prefix: 'edge-' }, { enable_deletion_protection: false, name_prefix: 'edge2-' })]), guarded as any);
    expect(unprotected.verdict.ok).toBe(true);
  });
});

// ---------------------------------------------------------------- drift

describe('drift', () => {
  test('GIVEN a refresh-only plan with a changed and a deleted resource WHEN summarized THEN both are reported with the changed paths', () => {
    const summary = summarizeDrift(
      plan([], [update(SG, { ingress: [] }, { ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 22 }] }), rc(VPC, ['delete'], { before: { cidr_block: '10.0.0.0/16' } })]),
      { environment: 'local', stackJson: STACK },
    );
    expect(summary.hasDrift).toBe(true);
    expect(summary.markdown).toContain('**2** resources changed outside Terraform (1 deleted)');
    expect(summary.markdown).toContain('🌫️ changed outside Terraform | `' + SG);
    expect(summary.markdown).toContain('`ingress[0]`');
    expect(section(summary.markdown, '🔐 Security-relevant')).toContain(SG);
  });

  test('GIVEN only differences between empty values (null, "", [], {}) WHEN summarized THEN nothing drifted', () => {
    const summary = summarizeDrift(
      plan([], [update(SG, { tags: null, ingress: null, description: '' }, { tags: {}, ingress: [], description: null }), update(VPC, { tags: null, cidr_block: '10.0.0.0/16' }, { tags: {}, cidr_block: '10.9.0.0/16' })]),
      { environment: 'local', stackJson: STACK },
    );
    expect(summary.drift.map((d) => d.address)).toEqual([VPC]);
    expect(summary.drift[0]!.changes.map((c) => c.path)).toEqual(['cidr_block']);
  });

  test('GIVEN a normal plan with drift WHEN summarized THEN only drift the planned changes depend on is shown (relevant_attributes)', () => {
    const withDrift: PlanJson = {
      ...plan([update(SG, { description: 'a' }, { description: 'b' })], [update(VPC, { cidr_block: '10.0.0.0/16', tags: { a: '1' } }, { cidr_block: '10.1.0.0/16', tags: { a: '2' } }), update(POOL, { mfa_configuration: 'ON' }, { mfa_configuration: 'OFF' })]),
      relevant_attributes: [{ resource: VPC, attribute: ['cidr_block'] }],
    };
    const summary = summarizePlan(withDrift, { environment: 'dev', stackJson: STACK });
    expect(summary.drift.map((d) => d.address)).toEqual([VPC]);
    const section = summary.markdown.slice(summary.markdown.indexOf('Changed outside Terraform'));
    expect(section).toContain('`cidr_block`: `"10.0.0.0/16"` → `"10.1.0.0/16"`');
    expect(section).not.toContain('tags.a');
    expect(summarizePlan({ ...withDrift, relevant_attributes: undefined }, { environment: 'dev', stackJson: STACK }).drift).toEqual([]);
  });

  describe('what a refresh reads that is not drift (review/drift-noise.ts)', () => {
    const GROUP = 'aws_security_group.endpoint';
    const RULE = { type: 'aws_vpc_security_group_ingress_rule', values: { security_group_id: 'sg-1', ip_protocol: 'tcp', from_port: 443, to_port: 443, referenced_security_group_id: 'sg-alb' } };
    const API = 'aws_api_gateway_rest_api.api';
    const ROLE = 'aws_iam_role.flow';
    const refreshed = (drift: ResourceChange[], resources: { type: string; values: Record<string, unknown> }[]) =>
      ({ ...plan([], drift), prior_state: { values: { root_module: { resources: resources.map((r, i) => ({ mode: 'managed', address: `${r.type}.r${i}`, ...r })) } } } }) as PlanJson;
    const ingress = (port: number, source: Record<string, unknown>) => ({ protocol: 'tcp', from_port: port, to_port: port, cidr_blocks: [], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], self: false, description: '', ...source });

    test('GIVEN the first refresh after a deploy (companions created after their parents) WHEN summarized THEN no drift, and each attribute left out is listed with why', () => {
      const summary = summarizeDrift(
        refreshed(
          [
            update(GROUP, { id: 'sg-1', ingress: [] }, { id: 'sg-1', ingress: [ingress(443, { security_groups: ['sg-alb'] })] }),
            update(API, { id: 'a1', policy: '' }, { id: 'a1', policy: '{"Statement":[]}' }),
            update(ROLE, { name: 'flow', inline_policy: [] }, { name: 'flow', inline_policy: [{ name: 'write', policy: '{}' }] }),
            update('aws_s3_bucket_server_side_encryption_configuration.sse', { rule: [{ bucket_key_enabled: null }] }, { rule: [{ bucket_key_enabled: false }] }),
            update('aws_lb_target_group.tg', { load_balancer_arns: [] }, { load_balancer_arns: ['arn:alb'] }),
          ],
          [RULE, { type: 'aws_api_gateway_rest_api_policy', values: { rest_api_id: 'a1', policy: '{"Statement":[]}' } }, { type: 'aws_iam_role_policy', values: { role: 'flow', name: 'write' } }],
        ),
        { environment: 'local', schemas: { aws_lb_target_group: { block: { attributes: { load_balancer_arns: { computed: true }, name: { optional: true, computed: true } } } } } },
      );
      expect(summary.drift).toEqual([]);
      expect(summary.explained.map((e) => `${e.address} ${e.attribute}`)).toEqual([`${GROUP} ingress`, `${API} policy`, `${ROLE} inline_policy`, 'aws_lb_target_group.tg load_balancer_arns']);
      expect(summary.markdown).toContain('4 refreshed attributes not counted as drift');
      expect(summary.markdown).toContain('computed by AWS (not a setting)');
    });

    test('GIVEN a rule, an inline policy and a default that no resource manages WHEN summarized THEN they are drift', () => {
      const summary = summarizeDrift(
        refreshed(
          [
            update(GROUP, { id: 'sg-1', ingress: [] }, { id: 'sg-1', ingress: [ingress(443, { security_groups: ['sg-alb'] }), ingress(22, { cidr_blocks: ['0.0.0.0/0'] })] }),
            update(ROLE, { name: 'flow', inline_policy: [] }, { name: 'flow', inline_policy: [{ name: 'write', policy: '{}' }, { name: 'backdoor', policy: '{}' }] }),
            update('aws_s3_bucket_server_side_encryption_configuration.sse', { rule: [{ bucket_key_enabled: null }] }, { rule: [{ bucket_key_enabled: true }] }),
            update(API, { id: 'a2', policy: '' }, { id: 'a2', policy: '{"Statement":[]}' }),
          ],
          [RULE, { type: 'aws_iam_role_policy', values: { role: 'flow', name: 'write' } }, { type: 'aws_api_gateway_rest_api_policy', values: { rest_api_id: 'a1', policy: '{}' } }],
        ),
        { environment: 'local' },
      );
      expect(summary.drift.map((d) => d.address).sort()).toEqual([GROUP, API, ROLE, 'aws_s3_bucket_server_side_encryption_configuration.sse'].sort());
      expect(summary.markdown).toContain('"0.0.0.0/0"');
      expect(summary.explained).toEqual([]);
    });

    test('GIVEN a policy changed behind Terraform\'s back WHEN summarized THEN the companion that manages it reports it (the parent copy is not counted twice)', () => {
      const summary = summarizeDrift(
        refreshed(
          [
            update(API, { id: 'a1', policy: '{"Statement":[{"Effect":"Deny"}]}' }, { id: 'a1', policy: '{"Statement":[{"Effect":"Allow"}]}' }),
            update('aws_api_gateway_rest_api_policy.p', { rest_api_id: 'a1', policy: '{"Statement":[{"Effect":"Deny"}]}' }, { rest_api_id: 'a1', policy: '{"Statement":[{"Effect":"Allow"}]}' }),
          ],
          [{ type: 'aws_api_gateway_rest_api_policy', values: { rest_api_id: 'a1', policy: '{"Statement":[{"Effect":"Allow"}]}' } }],
        ),
        { environment: 'local' },
      );
      expect(summary.drift.map((d) => d.address)).toEqual(['aws_api_gateway_rest_api_policy.p']);
      expect(summary.drift[0]!.changes.map((c) => `${c.path}: ${c.before} -> ${c.after}`)).toEqual(['policy.Statement[0].Effect: "Deny" -> "Allow"']);
    });
  });

  test('GIVEN no drift WHEN summarized THEN it says so', () => {
    const summary = summarizeDrift(plan([]), { environment: 'local' });
    expect(summary.hasDrift).toBe(false);
    expect(summary.markdown).toContain('No drift');
  });
});

describe('moves, imports and outputs', () => {
  const moved = (address: string, from: string): ResourceChange => ({ ...noop(address), previous_address: from });
  const imported = (address: string, id: string): ResourceChange => {
    const change = noop(address);
    return { ...change, change: { ...change.change, importing: { id } } };
  };

  test('GIVEN a plan that only moves and imports WHEN summarized THEN both are counted and listed, and it is never "No changes"', () => {
    const summary = summarizePlan(plan([moved(VPC, 'aws_vpc.old'), imported(SG, 'sg-0123'), noop(POOL)]), { environment: 'dev', stackJson: STACK });
    expect(summary.hasChanges).toBe(true);
    expect(summary.totals).toMatchObject({ add: 0, change: 0, noOp: 1, move: 1, import: 1 });
    expect(summary.markdown).not.toContain('No changes');
    expect(summary.markdown).toContain('**1** to move, **1** to import, 1 unchanged');
    expect(summary.markdown).toContain(`| 🚚 move | \`${VPC}\` | \`network/vpc\` | **moved from** \`aws_vpc.old\` |`);
    expect(summary.markdown).toContain(`| 📥 import | \`${SG}\``);
    expect(summary.markdown).toContain('<details><summary><code>network</code>: 1 move, 1 import</summary>');
  });

  test('GIVEN a moved resource that is also updated WHEN summarized THEN it is one row with both actions, counted in both totals', () => {
    const change = { ...update(SG, { description: 'a' }, { description: 'b' }), previous_address: 'aws_security_group.old' };
    const summary = summarizePlan(plan([change]), { environment: 'dev', stackJson: STACK });
    expect(summary.totals).toMatchObject({ change: 1, move: 1 });
    expect(summary.markdown).toContain(`| 🔧 update, 🚚 move | \`${SG}\``);
  });

  test('GIVEN only output changes WHEN summarized THEN they are changes, listed with values, sensitive and unknown ones masked', () => {
    const summary = summarizePlan(
      {
        ...plan([noop(VPC)]),
        output_changes: {
          same: { actions: ['no-op'], before: 'x', after: 'x' },
          url: { actions: ['update'], before: 'https://a', after: 'https://b' },
          ids: { actions: ['create'], after: ['a', 'b'] },
          token: { actions: ['update'], before: 'old-secret', after: 'new-secret', before_sensitive: true, after_sensitive: true },
          nested: { actions: ['create'], after: { key: 'k-secret' }, after_sensitive: { key: true } },
          pending: { actions: ['create'], after_unknown: true },
          gone: { actions: ['delete'], before: 'bye' },
        },
      },
      { environment: 'dev', stackJson: STACK },
    );
    expect(summary.hasChanges).toBe(true);
    expect(summary.markdown).not.toContain('No changes');
    expect(summary.outputs.map((o) => [o.name, o.kind, o.before, o.after])).toEqual([
      ['gone', 'delete', 'bye', undefined],
      ['ids', 'create', undefined, '["a","b"]'],
      ['nested', 'create', undefined, '(sensitive)'],
      ['pending', 'create', undefined, '(known after apply)'],
      ['token', 'update', '(sensitive)', '(sensitive)'],
      ['url', 'update', 'https://a', 'https://b'],
    ]);
    expect(summary.markdown).toContain('; **6** outputs to change');
    expect(summary.markdown).toContain('<details><summary>Outputs: 3 added, 2 changed, 1 removed</summary>');
    for (const secret of ['old-secret', 'new-secret', 'k-secret']) expect(summary.markdown).not.toContain(secret);
  });

  test('GIVEN a summary cut inside a folded module table WHEN rendered THEN the table is closed before the cut note, security and destructive open on top', () => {
    const many = Array.from({ length: 300 }, (_, i) => create(`terraform_data.bulk_${i}`));
    const summary = summarizePlan(plan([...many, update(SG, { ingress: [] }, { ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 443, to_port: 443, protocol: 'tcp' }] }), destroy(VPC)]), { environment: 'dev', stackJson: STACK, maxChars: 12_000 });
    expect(summary.cut).toBeGreaterThan(0);
    expect(summary.markdown.length).toBeLessThanOrEqual(12_000);
    expect(summary.markdown).toMatch(/<details><summary><code>\(stack\)<\/code>: 300 create<\/summary>/);
    expect(summary.markdown.split('<details>').length).toBe(summary.markdown.split('</details>').length);
    const cutNote = summary.markdown.indexOf('✂️');
    expect(summary.markdown.lastIndexOf('</details>')).toBeLessThan(cutNote);
    expect(summary.markdown.indexOf('## 🔐 Security-relevant')).toBeLessThan(summary.markdown.indexOf('<details>'));
    expect(summary.markdown.indexOf('## 💥 Destructive')).toBeLessThan(summary.markdown.indexOf('<details>'));
  });

  test('GIVEN a resource with many changed attributes WHEN rendered THEN the first are not hidden behind a count, more than three are folded', () => {
    const before = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`a${i}`, 'x']));
    const after = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`a${i}`, 'y']));
    const summary = summarizePlan(plan([update(SG, before, after), update(VPC, { a: 1 }, { a: 2 })]), { environment: 'dev', stackJson: STACK });
    expect(summary.markdown).toContain('<details><summary>5 attributes</summary>`a0`: `"x"` → `"y"`');
    expect(summary.markdown).toContain('| `a`: `1` → `2` |');
  });
});
