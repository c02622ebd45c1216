/**
 * The emulator's fidelity patches (emulator/patches, emulator/README.md), checked
 * through the real AWS provider, configured as stacks/providers.ts configures it
 * for the local environment. One configuration uses every patched API, so
 * the whole file costs one init, two applies, two plans and one destroy (each
 * Terraform command takes seconds); each patch has its own tests on the outcome.
 *
 * Each test fails without its patch. To watch one fail:
 *   EMULATOR_DISABLE_PATCHES=cognito_resource_server npx jest __tests__/emulator/patches.emulator.test.ts
 * (Without cloudfront_policies the data sources fail the whole plan, so every
 * Terraform test fails then.)
 */
import type { RunResult } from '../../scripts/lib/terraform';
import type { Emulator } from '../../scripts/lib/emulator';
import { awsRequest, xmlValue } from '../helpers/aws-request';
import { creationSeconds, EmulatorTerraform, errorsFor, expectApplied as expectAppliedBy, startWithTerraform, stopWithTerraform, type PlanResult } from '../helpers/emulator-terraform';

const PHASE_TIMEOUT = 600_000;
/** Published ids of the AWS managed CloudFront policies the platform uses. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
/** The emulator does not check that a VPC origin's endpoint exists (emulator/README.md). */
const ALB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/platform-local/0123456789abcdef';
const API_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
    { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } } },
  ],
};

/** Version 2 renames the VPC origin, adds a scope to the resource server and changes the route: all in-place updates. */
function configuration(version: 1 | 2): Record<string, unknown> {
  const scopes = version === 1 ? ['orders.read'] : ['orders.read', 'orders.write'];
  return {
    data: {
      aws_cloudfront_cache_policy: { disabled: { name: 'Managed-CachingDisabled' } },
      aws_cloudfront_origin_request_policy: { all: { name: 'Managed-AllViewerExceptHostHeader' } },
      aws_ec2_managed_prefix_list: { cloudfront: { name: 'com.amazonaws.global.cloudfront.origin-facing' } },
    },
    resource: {
      aws_cloudfront_vpc_origin: {
        alb: {
          vpc_origin_endpoint_config: [
            {
              name: version === 1 ? 'platform-local' : 'platform-local-2',
              arn: ALB_ARN,
              http_port: 80,
              https_port: 443,
              origin_protocol_policy: 'https-only',
              origin_ssl_protocols: [{ items: ['TLSv1.2'], quantity: 1 }],
            },
          ],
          tags: { Name: 'platform-local' },
        },
      },
      aws_cloudfront_response_headers_policy: {
        security: {
          name: 'platform-local-security-headers',
          security_headers_config: [
            {
              strict_transport_security: [{ access_control_max_age_sec: 31536000, include_subdomains: true, preload: true, override: true }],
              content_type_options: [{ override: true }],
              frame_options: [{ frame_option: 'DENY', override: true }],
              referrer_policy: [{ referrer_policy: 'no-referrer', override: true }],
            },
          ],
        },
      },
      aws_cloudfront_distribution: {
        api: {
          enabled: false, // destroy then needs no disable-and-wait step
          wait_for_deployment: false,
          comment: 'platform-local',
          price_class: 'PriceClass_100',
          origin: [
            {
              origin_id: 'api',
              domain_name: 'origin.api.platform.test',
              vpc_origin_config: [{ vpc_origin_id: '${aws_cloudfront_vpc_origin.alb.id}' }],
              custom_header: [{ name: 'x-apigw-api-id', value: '${aws_api_gateway_rest_api.api.id}' }],
            },
          ],
          default_cache_behavior: [
            {
              target_origin_id: 'api',
              viewer_protocol_policy: 'https-only',
              allowed_methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
              cached_methods: ['GET', 'HEAD'],
              cache_policy_id: '${data.aws_cloudfront_cache_policy.disabled.id}',
              origin_request_policy_id: '${data.aws_cloudfront_origin_request_policy.all.id}',
              response_headers_policy_id: '${aws_cloudfront_response_headers_policy.security.id}',
            },
          ],
          restrictions: [{ geo_restriction: [{ restriction_type: 'none' }] }],
          viewer_certificate: [{ cloudfront_default_certificate: true }],
        },
      },
      aws_api_gateway_rest_api: { api: { name: 'orders', endpoint_configuration: [{ types: ['REGIONAL'] }] } },
      aws_api_gateway_rest_api_policy: { api: { rest_api_id: '${aws_api_gateway_rest_api.api.id}', policy: JSON.stringify(API_POLICY) } },
      // A route as the private-api module builds it; version 2 changes each of its parts in place.
      aws_api_gateway_authorizer: {
        users: {
          name: 'users',
          rest_api_id: '${aws_api_gateway_rest_api.api.id}',
          type: 'COGNITO_USER_POOLS',
          provider_arns: ['${aws_cognito_user_pool.pool.arn}'],
        },
      },
      aws_api_gateway_resource: {
        orders: { rest_api_id: '${aws_api_gateway_rest_api.api.id}', parent_id: '${aws_api_gateway_rest_api.api.root_resource_id}', path_part: 'orders' },
      },
      aws_api_gateway_method: {
        get_orders: {
          rest_api_id: '${aws_api_gateway_rest_api.api.id}',
          resource_id: '${aws_api_gateway_resource.orders.id}',
          http_method: 'GET',
          authorization: 'COGNITO_USER_POOLS',
          authorizer_id: '${aws_api_gateway_authorizer.users.id}',
          // add one scope and remove another; make a header required
          authorization_scopes: version === 1 ? ['https://api.platform.test/orders.read'] : ['https://api.platform.test/orders.write'],
          request_parameters: { 'method.request.header.X-Request-Id': version === 2 },
        },
      },
      aws_api_gateway_method_response: {
        get_orders_200: {
          rest_api_id: '${aws_api_gateway_rest_api.api.id}',
          resource_id: '${aws_api_gateway_resource.orders.id}',
          http_method: '${aws_api_gateway_method.get_orders.http_method}',
          status_code: '200',
          response_parameters: { 'method.response.header.X-Trace-Id': version === 2 },
        },
      },
      aws_api_gateway_integration: {
        get_orders: {
          rest_api_id: '${aws_api_gateway_rest_api.api.id}',
          resource_id: '${aws_api_gateway_resource.orders.id}',
          http_method: '${aws_api_gateway_method.get_orders.http_method}',
          type: 'MOCK',
          request_templates: { 'application/json': version === 1 ? '{"statusCode": 200}' : '{"statusCode": 200, "v": 2}' },
        },
      },
      aws_api_gateway_integration_response: {
        get_orders_200: {
          rest_api_id: '${aws_api_gateway_rest_api.api.id}',
          resource_id: '${aws_api_gateway_resource.orders.id}',
          http_method: '${aws_api_gateway_method.get_orders.http_method}',
          status_code: '${aws_api_gateway_method_response.get_orders_200.status_code}',
          response_templates: { 'application/json': version === 1 ? '{"orders": []}' : '{"orders": [], "v": 2}' },
          depends_on: ['aws_api_gateway_integration.get_orders'],
        },
      },
      // As the identity module configures it: the provider follows CreateUserPool with an UpdateUserPool.
      aws_cognito_user_pool: {
        pool: {
          name: 'platform-local-users',
          user_pool_tier: 'ESSENTIALS',
          mfa_configuration: 'OFF',
          auto_verified_attributes: ['email'],
          username_attributes: ['email'],
          user_attribute_update_settings: [{ attributes_require_verification_before_update: ['email'] }],
        },
      },
      aws_cognito_resource_server: {
        api: {
          user_pool_id: '${aws_cognito_user_pool.pool.id}',
          identifier: 'https://api.platform.test',
          name: 'api',
          scope: scopes.map((scope) => ({ scope_name: scope, scope_description: `The ${scope} scope` })),
        },
      },
      aws_acm_certificate: { origin: { domain_name: 'origin.api.platform.test', validation_method: 'DNS' } },
      aws_acm_certificate_validation: { origin: { certificate_arn: '${aws_acm_certificate.origin.arn}' } },
      aws_iam_role: {
        apigw: {
          name: 'platform-local-apigw-cloudwatch',
          assume_role_policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        },
      },
      aws_api_gateway_account: {
        main: {
          cloudwatch_role_arn: '${aws_iam_role.apigw.arn}',
          reset_on_delete: true, // as the API module does: destroy clears the role again
          depends_on: ['aws_iam_role_policy_attachment.apigw'],
        },
      },
      aws_vpc: { main: { cidr_block: '10.42.0.0/16' } },
      aws_security_group: {
        alb: { name: 'platform-local-alb', description: 'ALB', vpc_id: '${aws_vpc.main.id}' },
        endpoint: { name: 'platform-local-endpoint', description: 'execute-api endpoint', vpc_id: '${aws_vpc.main.id}' },
      },
      aws_vpc_security_group_ingress_rule: {
        endpoint_from_alb: {
          security_group_id: '${aws_security_group.endpoint.id}',
          referenced_security_group_id: '${aws_security_group.alb.id}',
          ip_protocol: 'tcp',
          from_port: 443,
          to_port: 443,
        },
        alb_from_cloudfront: {
          security_group_id: '${aws_security_group.alb.id}',
          prefix_list_id: '${data.aws_ec2_managed_prefix_list.cloudfront.id}',
          description: 'HTTPS from CloudFront origin-facing servers',
          ip_protocol: 'tcp',
          from_port: 443,
          to_port: 443,
        },
      },
      aws_vpc_security_group_egress_rule: {
        alb_to_endpoint: {
          security_group_id: '${aws_security_group.alb.id}',
          referenced_security_group_id: '${aws_security_group.endpoint.id}',
          description: 'HTTPS to the execute-api endpoint',
          ip_protocol: 'tcp',
          from_port: 443,
          to_port: 443,
        },
      },
      aws_iam_role_policy_attachment: {
        apigw: { role: '${aws_iam_role.apigw.name}', policy_arn: 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' },
      },
    },
    output: {
      cache_policy_id: { value: '${data.aws_cloudfront_cache_policy.disabled.id}' },
      origin_request_policy_id: { value: '${data.aws_cloudfront_origin_request_policy.all.id}' },
    },
  };
}

let emulator: Emulator;
let tf: EmulatorTerraform;

beforeAll(async () => {
  ({ emulator, tf } = await startWithTerraform(configuration(1)));
}, 120_000);

afterAll(() => stopWithTerraform({ emulator, tf }));

const expectApplied = (apply: RunResult, plan: PlanResult, ...addresses: string[]) => expectAppliedBy(tf, apply, plan, ...addresses);

describe('GIVEN one configuration using every patched API, WHEN it is applied and re-planned', () => {
  let apply: RunResult;
  let plan: PlanResult;
  beforeAll(async () => {
    apply = await tf.apply({ allowFailure: true });
    plan = await tf.plan();
  }, PHASE_TIMEOUT);

  it('creates the aws_cloudfront_vpc_origin, Deployed, with its tags, and re-plans it unchanged (cloudfront_vpc_origins)', () => {
    expectApplied(apply, plan, 'aws_cloudfront_vpc_origin.alb');
    const origin = tf.state()['aws_cloudfront_vpc_origin.alb']!;
    expect(origin.id).toMatch(/^vo_/);
    expect(origin.arn).toBe(`arn:aws:cloudfront::123456789012:vpcorigin/${origin.id}`);
    expect(origin.tags).toEqual({ Name: 'platform-local' });
  });

  it('reads the distribution back as written: vpc_origin_config kept, no forwarded_values, no ssl_support_method (cloudfront_distribution_config)', () => {
    expectApplied(apply, plan, 'aws_cloudfront_distribution.api');
    const state = tf.state();
    const distribution = state['aws_cloudfront_distribution.api']!;
    expect(distribution.origin[0].vpc_origin_config).toEqual([expect.objectContaining({ vpc_origin_id: state['aws_cloudfront_vpc_origin.alb']!.id })]);
    expect(distribution.origin[0].custom_header).toEqual([{ name: 'x-apigw-api-id', value: state['aws_api_gateway_rest_api.api']!.id }]);
    expect(distribution.default_cache_behavior[0].forwarded_values).toEqual([]);
    expect(distribution.viewer_certificate[0].ssl_support_method).toBe('');
    expect(distribution.arn).toBe(`arn:aws:cloudfront::123456789012:distribution/${distribution.id}`);
  });

  it('finds the managed cache and origin request policies by name, and keeps the response headers policy (cloudfront_policies)', () => {
    expectApplied(apply, plan, 'aws_cloudfront_response_headers_policy.security');
    expect(tf.outputs()).toEqual({ cache_policy_id: CACHING_DISABLED, origin_request_policy_id: ALL_VIEWER_EXCEPT_HOST_HEADER });
    const policy = tf.state()['aws_cloudfront_response_headers_policy.security']!;
    expect(policy.security_headers_config[0].frame_options[0].frame_option).toBe('DENY');
    expect(policy.security_headers_config[0].strict_transport_security[0].access_control_max_age_sec).toBe(31536000);
  });

  it('applies the REST API resource policy and reads it back as the same document (apigateway_policy)', () => {
    expectApplied(apply, plan, 'aws_api_gateway_rest_api_policy.api');
    expect(JSON.parse(tf.state()['aws_api_gateway_rest_api_policy.api']!.policy)).toEqual(API_POLICY);
  });

  it('validates the DNS certificate at once instead of after 60 s (instant_transitions)', () => {
    expectApplied(apply, plan, 'aws_acm_certificate_validation.origin');
    expect(creationSeconds(apply, 'aws_acm_certificate_validation.origin')).toBeLessThan(20);
  });

  it('attaches the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs (iam_managed_policies)', () => {
    expectApplied(apply, plan, 'aws_iam_role_policy_attachment.apigw', 'aws_api_gateway_account.main');
  });

  it('reads a same-account security group reference back unchanged (stacks/providers.ts requests the account id)', () => {
    expectApplied(apply, plan, 'aws_vpc_security_group_ingress_rule.endpoint_from_alb');
    const state = tf.state();
    expect(state['aws_vpc_security_group_ingress_rule.endpoint_from_alb']!.referenced_security_group_id).toBe(state['aws_security_group.alb']!.id);
  });

  it('keeps the description of rules that reference a prefix list or a security group (ec2_security_group_rule_description)', () => {
    expectApplied(apply, plan, 'aws_vpc_security_group_ingress_rule.alb_from_cloudfront', 'aws_vpc_security_group_egress_rule.alb_to_endpoint');
    const state = tf.state();
    expect(state['aws_vpc_security_group_ingress_rule.alb_from_cloudfront']!.description).toBe('HTTPS from CloudFront origin-facing servers');
    expect(state['aws_vpc_security_group_egress_rule.alb_to_endpoint']!.description).toBe('HTTPS to the execute-api endpoint');
  });

  it('keeps the user pool on the ESSENTIALS tier after the provider updates the pool (cognito_user_pool_tier)', () => {
    expectApplied(apply, plan, 'aws_cognito_user_pool.pool');
    expect(tf.state()['aws_cognito_user_pool.pool']!.user_pool_tier).toBe('ESSENTIALS');
  });

  it('creates the route: method, responses and integration (moto does this without patches; the updates below need them)', () => {
    expectApplied(apply, plan, 'aws_api_gateway_method.get_orders', 'aws_api_gateway_method_response.get_orders_200', 'aws_api_gateway_integration.get_orders', 'aws_api_gateway_integration_response.get_orders_200');
    expect(tf.state()['aws_api_gateway_method.get_orders']!.authorization_scopes).toEqual(['https://api.platform.test/orders.read']);
  });

  it('creates the resource server (moto does this without patches; the update and destroy below need them)', () => {
    expectApplied(apply, plan, 'aws_cognito_resource_server.api');
  });
});

describe('WHEN the VPC origin is renamed, a scope is added to the resource server and the route changes', () => {
  let apply: RunResult;
  let plan: PlanResult;
  let before: Record<string, Record<string, any>>;
  beforeAll(async () => {
    before = tf.state();
    tf.write(emulator, configuration(2));
    apply = await tf.apply({ allowFailure: true });
    plan = await tf.plan();
  }, PHASE_TIMEOUT);

  it('updates the VPC origin in place with the current ETag (cloudfront_vpc_origins)', () => {
    expectApplied(apply, plan, 'aws_cloudfront_vpc_origin.alb');
    const after = tf.state()['aws_cloudfront_vpc_origin.alb']!;
    expect(after.id).toBe(before['aws_cloudfront_vpc_origin.alb']?.id);
    expect(after.vpc_origin_endpoint_config[0].name).toBe('platform-local-2');
    expect(after.etag).not.toBe(before['aws_cloudfront_vpc_origin.alb']?.etag);
  });

  it('updates the method in place: scopes added and removed, a request parameter made required (apigateway_method_updates)', () => {
    expectApplied(apply, plan, 'aws_api_gateway_method.get_orders');
    const method = tf.state()['aws_api_gateway_method.get_orders']!;
    expect(method.id).toBe(before['aws_api_gateway_method.get_orders']?.id);
    expect(method.authorization_scopes).toEqual(['https://api.platform.test/orders.write']);
    expect(method.request_parameters).toEqual({ 'method.request.header.X-Request-Id': true });
  });

  it('updates the method response, the integration and the integration response in place (apigateway_method_updates)', () => {
    expectApplied(apply, plan, 'aws_api_gateway_method_response.get_orders_200', 'aws_api_gateway_integration.get_orders', 'aws_api_gateway_integration_response.get_orders_200');
    const state = tf.state();
    expect(state['aws_api_gateway_method_response.get_orders_200']!.response_parameters).toEqual({ 'method.response.header.X-Trace-Id': true });
    expect(state['aws_api_gateway_integration.get_orders']!.request_templates).toEqual({ 'application/json': '{"statusCode": 200, "v": 2}' });
    expect(state['aws_api_gateway_integration_response.get_orders_200']!.response_templates).toEqual({ 'application/json': '{"orders": [], "v": 2}' });
  });

  it('updates the resource server in place: UpdateResourceServer (cognito_resource_server)', () => {
    expectApplied(apply, plan, 'aws_cognito_resource_server.api');
    expect([...tf.state()['aws_cognito_resource_server.api']!.scope_identifiers].sort()).toEqual([
      'https://api.platform.test/orders.read',
      'https://api.platform.test/orders.write',
    ]);
  });
});

describe('WHEN it is destroyed', () => {
  let destroy: RunResult;
  beforeAll(async () => {
    destroy = await tf.destroy({ allowFailure: true });
  }, PHASE_TIMEOUT);

  it('deletes the resource server: DeleteResourceServer (cognito_resource_server)', () => {
    expect(errorsFor(destroy, 'aws_cognito_resource_server.api')).toBe('');
    expect(tf.state()['aws_cognito_resource_server.api']).toBeUndefined();
  });

  it('resets the API Gateway account: UpdateAccount without a role (apigateway_account_reset)', async () => {
    expect(errorsFor(destroy, 'aws_api_gateway_account.main')).toBe('');
    const account = await awsRequest(emulator.endpoint, { service: 'apigateway', region: 'eu-west-1', path: '/account' });
    expect(JSON.parse(account.text).cloudwatchRoleArn ?? null).toBeNull();
  });

  it('deletes the VPC origin after the distribution that uses it (cloudfront_vpc_origins)', async () => {
    expect(errorsFor(destroy, 'aws_cloudfront_vpc_origin.alb')).toBe('');
    const list = await awsRequest(emulator.endpoint, { service: 'cloudfront', path: '/2020-05-31/vpc-origin' });
    expect(list.status).toBe(200);
    expect(xmlValue(list.text, 'Quantity')).toBe('0');
  });

  it('leaves nothing in the state', () => {
    expect(destroy.code).toBe(0);
    expect(Object.keys(tf.state()).filter((address) => !address.startsWith('data.'))).toEqual([]);
  });
});

describe('CloudFront VPC origin API details the provider does not exercise (cloudfront_vpc_origins)', () => {
  const createBody =
    '<CreateVpcOriginRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><VpcOriginEndpointConfig>' +
    `<Name>raw</Name><Arn>${ALB_ARN}</Arn><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>https-only</OriginProtocolPolicy>` +
    '</VpcOriginEndpointConfig></CreateVpcOriginRequest>';

  it('fails when Delete comes without the current ETag (If-Match), as AWS does', async () => {
    // GIVEN a new VPC origin: 202, Deploying
    const created = await awsRequest(emulator.endpoint, { service: 'cloudfront', method: 'POST', path: '/2020-05-31/vpc-origin', body: createBody });
    expect(created.status).toBe(202);
    expect(xmlValue(created.text, 'Status')).toBe('Deploying');
    const path = `/2020-05-31/vpc-origin/${xmlValue(created.text, 'Id')}`;

    // WHEN it is deleted without If-Match THEN 400 InvalidIfMatchVersion; with a stale one THEN 412 PreconditionFailed
    const missing = await awsRequest(emulator.endpoint, { service: 'cloudfront', method: 'DELETE', path });
    expect([missing.status, xmlValue(missing.text, 'Code')]).toEqual([400, 'InvalidIfMatchVersion']);
    const stale = await awsRequest(emulator.endpoint, { service: 'cloudfront', method: 'DELETE', path, headers: { 'if-match': 'STALE' } });
    expect([stale.status, xmlValue(stale.text, 'Code')]).toEqual([412, 'PreconditionFailed']);

    // WHEN it is read THEN it is Deployed; with its ETag it is deleted, and then EntityNotFound
    const read = await awsRequest(emulator.endpoint, { service: 'cloudfront', path });
    expect(xmlValue(read.text, 'Status')).toBe('Deployed');
    const deleted = await awsRequest(emulator.endpoint, { service: 'cloudfront', method: 'DELETE', path, headers: { 'if-match': read.headers.get('etag')! } });
    expect(deleted.status).toBe(202);
    const gone = await awsRequest(emulator.endpoint, { service: 'cloudfront', path });
    expect([gone.status, xmlValue(gone.text, 'Code')]).toEqual([404, 'EntityNotFound']);
  });

  it('fails when a distribution still uses the VPC origin that is being deleted (CannotDeleteEntityWhileInUse)', async () => {
    // GIVEN a VPC origin and a distribution whose origin uses it
    const created = await awsRequest(emulator.endpoint, { service: 'cloudfront', method: 'POST', path: '/2020-05-31/vpc-origin', body: createBody });
    const id = xmlValue(created.text, 'Id')!;
    const distribution = await awsRequest(emulator.endpoint, {
      service: 'cloudfront',
      method: 'POST',
      path: '/2020-05-31/distribution',
      body:
        '<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>in-use</CallerReference><Comment></Comment><Enabled>false</Enabled>' +
        `<Origins><Quantity>1</Quantity><Items><Origin><Id>api</Id><DomainName>origin.api.platform.test</DomainName><VpcOriginConfig><VpcOriginId>${id}</VpcOriginId></VpcOriginConfig></Origin></Items></Origins>` +
        `<DefaultCacheBehavior><TargetOriginId>api</TargetOriginId><ViewerProtocolPolicy>https-only</ViewerProtocolPolicy><CachePolicyId>${CACHING_DISABLED}</CachePolicyId></DefaultCacheBehavior>` +
        '</DistributionConfig>',
    });
    expect(distribution.status).toBe(201);

    // WHEN the VPC origin is deleted THEN 409 CannotDeleteEntityWhileInUse
    const path = `/2020-05-31/vpc-origin/${id}`;
    const etag = (await awsRequest(emulator.endpoint, { service: 'cloudfront', path })).headers.get('etag')!;
    const inUse = await awsRequest(emulator.endpoint, { service: 'cloudfront', method: 'DELETE', path, headers: { 'if-match': etag } });
    expect([inUse.status, xmlValue(inUse.text, 'Code')]).toEqual([409, 'CannotDeleteEntityWhileInUse']);
  });
});

describe('API Gateway update calls the provider does not exercise (apigateway_method_updates)', () => {
  const json = { 'content-type': 'application/json' };
  async function call(method: string, path: string, body?: unknown) {
    const response = await awsRequest(emulator.endpoint, { service: 'apigateway', method, path, headers: json, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: response.status, body: response.text ? JSON.parse(response.text) : undefined, type: response.headers.get('x-amzn-errortype') ?? '' };
  }

  let methodPath: string;
  beforeAll(async () => {
    const api = await call('POST', '/restapis', { name: 'raw' });
    const resources = await call('GET', `/restapis/${api.body.id}/resources`);
    const root = resources.body.item.find((r: { path: string }) => r.path === '/');
    methodPath = `/restapis/${api.body.id}/resources/${root.id}/methods/GET`;
    expect((await call('PUT', methodPath, { authorizationType: 'NONE' })).status).toBe(201);
  });

  it('answers 200 with the updated method; a removed scope or parameter is gone', async () => {
    const patch = (patchOperations: unknown[]) => call('PATCH', methodPath, { patchOperations });
    await patch([{ op: 'add', path: '/authorizationScopes', value: 'a' }, { op: 'add', path: '/authorizationScopes', value: 'b' }]);
    await patch([{ op: 'add', path: '/requestParameters/method.request.path.id', value: 'true' }]);
    const updated = await patch([{ op: 'remove', path: '/authorizationScopes', value: 'a' }, { op: 'replace', path: '/apiKeyRequired', value: 'true' }]);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ authorizationScopes: ['b'], apiKeyRequired: true, requestParameters: { 'method.request.path.id': true } });
    const removed = await patch([{ op: 'remove', path: '/requestParameters/method.request.path.id' }]);
    expect(removed.body.requestParameters).toEqual({});
  });

  it('fails with BadRequestException on a path the method does not have, and NotFoundException on an unknown response', async () => {
    const bad = await call('PATCH', methodPath, { patchOperations: [{ op: 'replace', path: '/noSuchField', value: 'x' }] });
    expect([bad.status, bad.type]).toEqual([400, 'BadRequestException']);
    const unknown = await call('PATCH', `${methodPath}/responses/418`, { patchOperations: [{ op: 'add', path: '/responseModels/application~1json', value: 'Empty' }] });
    expect([unknown.status, unknown.type]).toEqual([404, 'NotFoundException']);
  });
});
