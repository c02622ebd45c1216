/**
 * npm run verify: every environment passes every rule, and for every rule a mutation that breaks
 * exactly that rule in an otherwise valid synthesized stack makes exactly that rule fail.
 */
import { Testing } from 'cdktf';
import type { Environment } from '../../environments/schema';
import { addEnvironmentStacks } from '../../stacks';
import { RULES, overlayPlan, verify, type VerifyInput } from '../../review/verify';
import { resourcePolicyProblems, type PolicyEvaluation } from '../../review/rules/access';
import { operationsOf } from '@private-api-platform/constructs/private-api/openapi';
import { ENVIRONMENT_NAMES, environment } from '../helpers/synth';

type Json = Record<string, any>;

function synthesize(env: Environment): VerifyInput {
  const { platform, bootstrap } = addEnvironmentStacks(Testing.app(), env);
  return { environment: env, platform: JSON.parse(Testing.synth(platform, true)), bootstrap: JSON.parse(Testing.synth(bootstrap, true)) };
}

const inputs = new Map<string, VerifyInput>(ENVIRONMENT_NAMES.map((name) => [name, synthesize(environment(name))]));
const fresh = (name: string): VerifyInput => JSON.parse(JSON.stringify(inputs.get(name)!)) as VerifyInput;
const all = (json: Json, type: string): Json[] => Object.values(json.resource[type] ?? {});
const first = (json: Json, type: string): Json => all(json, type)[0]!;
const failing = async (input: VerifyInput) => (await verify(input)).filter((r) => !r.passed).map((r) => r.id);

/** Changes the OpenAPI document of the first REST API. */
const editDocument = (i: VerifyInput, change: (document: Json) => void) => {
  const api = first(i.platform, 'aws_api_gateway_rest_api');
  const document = JSON.parse(api.body);
  change(document);
  api.body = JSON.stringify(document);
};
/** The first authenticated operation of a document. */
const firstRoute = (document: Json): Json => Object.values<Json>(document.paths).flatMap((item) => Object.entries<Json>(item)).find(([method]) => method !== 'options')![1];

describe('npm run verify rules', () => {
  it('has the eleven rules, each with an id, a name and a one-line reason', () => {
    expect(RULES.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const rule of RULES) {
      expect(rule.name).toMatch(/^[a-z-]+$/);
      expect(rule.reason.length).toBeGreaterThan(20);
      expect(rule.reason).not.toContain('\n');
    }
  });

  it.each(ENVIRONMENT_NAMES)('%s passes every rule', async (name) => {
    const results = await verify(fresh(name));
    expect(results.filter((r) => !r.passed).map((r) => `${r.id} ${JSON.stringify(r.violations)}`)).toEqual([]);
  });

  // GIVEN a valid synthesized environment WHEN exactly one rule is broken THEN exactly that rule fails, naming the resource.
  const mutations: [number, string, (i: VerifyInput) => void, RegExp][] = [
    [1, 'the REST API is made REGIONAL', (i) => (first(i.platform, 'aws_api_gateway_rest_api').endpoint_configuration.types = ['REGIONAL']), /^aws_api_gateway_rest_api\./],
    [1, 'the REST API is bound to a second endpoint', (i) => first(i.platform, 'aws_api_gateway_rest_api').endpoint_configuration.vpc_endpoint_ids.push('vpce-0badbadbadbadbad0'), /^aws_api_gateway_rest_api\./],
    [
      2,
      'the policy loses its SourceVpce deny',
      (i) => {
        const policy = first(i.platform, 'aws_api_gateway_rest_api_policy');
        const doc = JSON.parse(policy.policy);
        doc.Statement = doc.Statement.filter((s: Json) => s.Effect !== 'Deny');
        policy.policy = JSON.stringify(doc);
      },
      /^aws_api_gateway_rest_api_policy\./,
    ],
    [2, 'the deny names another endpoint', (i) => (first(i.platform, 'aws_api_gateway_rest_api_policy').policy = first(i.platform, 'aws_api_gateway_rest_api_policy').policy.replace(/\$\{aws_vpc_endpoint\.[^}]+\.id\}/, 'vpce-0fedcba9876543210')), /^aws_api_gateway_rest_api_policy\./],
    [1, 'the REST API is imported in merge mode (removed routes would stay)', (i) => (first(i.platform, 'aws_api_gateway_rest_api').put_rest_api_mode = 'merge'), /^aws_api_gateway_rest_api\./],
    [1, 'the document names another endpoint', (i) => editDocument(i, (d) => (d.servers[0]['x-amazon-apigateway-endpoint-configuration'].vpcEndpointIds = ['vpce-0badbadbadbadbad0'])), /^aws_api_gateway_rest_api\./],
    [1, 'the REST API gets an inline policy besides its policy resource', (i) => (first(i.platform, 'aws_api_gateway_rest_api').policy = first(i.platform, 'aws_api_gateway_rest_api_policy').policy), /^aws_api_gateway_rest_api\./],
    [1, 'the REST API disables its execute-api endpoint', (i) => (first(i.platform, 'aws_api_gateway_rest_api').disable_execute_api_endpoint = true), /^aws_api_gateway_rest_api\./],
    [
      1,
      'a route is added as a separate aws_api_gateway_method (the overwrite would not remove it)',
      (i) => {
        const api = Object.keys(i.platform.resource.aws_api_gateway_rest_api)[0];
        i.platform.resource.aws_api_gateway_method = {
          extra: { rest_api_id: `\${aws_api_gateway_rest_api.${api}.id}`, resource_id: `\${aws_api_gateway_rest_api.${api}.root_resource_id}`, http_method: 'DELETE', authorization: 'NONE' },
        };
      },
      /^aws_api_gateway_method\.extra$/,
    ],
    [1, 'the private custom domain name loses its access association', (i) => delete i.platform.resource.aws_api_gateway_domain_name_access_association, /^aws_api_gateway_domain_name\./],
    [1, 'the private custom domain name is associated with another endpoint', (i) => (first(i.platform, 'aws_api_gateway_domain_name_access_association').access_association_source = 'vpce-0badbadbadbadbad0'), /^aws_api_gateway_domain_name_access_association\./],
    [
      2,
      'the private custom domain name admits every endpoint',
      (i) => {
        const domain = first(i.platform, 'aws_api_gateway_domain_name');
        const doc = JSON.parse(domain.policy);
        doc.Statement = doc.Statement.filter((s: Json) => s.Effect !== 'Deny');
        domain.policy = JSON.stringify(doc);
      },
      /^aws_api_gateway_domain_name\./,
    ],
    [3, 'an operation has no scopes', (i) => editDocument(i, (d) => (Object.values<any>(firstRoute(d).security[0])[0].length = 0)), /^aws_api_gateway_rest_api\./],
    [3, 'an operation needs no authorization', (i) => editDocument(i, (d) => delete firstRoute(d).security), /^aws_api_gateway_rest_api\./],
    [3, 'an operation requires a scope the resource server lacks', (i) => editDocument(i, (d) => Object.values<any>(firstRoute(d).security[0])[0].push('https://api.example.com/admin')), /^aws_api_gateway_rest_api\./],
    [3, 'the authorizer trusts another user pool', (i) => editDocument(i, (d) => (Object.values<any>(d.components.securitySchemes)[0]['x-amazon-apigateway-authorizer'].providerARNs = ['arn:aws:cognito-idp:eu-west-1:999999999999:userpool/eu-west-1_Evil'])), /^aws_api_gateway_rest_api\./],
    [4, 'the ALB is internet-facing', (i) => (first(i.platform, 'aws_lb').internal = false), /^aws_lb\./],
    [
      4,
      'the ALB admits the internet',
      (i) => {
        const rule = all(i.platform, 'aws_vpc_security_group_ingress_rule').find((r) => r.prefix_list_id)!;
        delete rule.prefix_list_id;
        rule.cidr_ipv4 = '0.0.0.0/0';
      },
      /^aws_vpc_security_group_ingress_rule\./,
    ],
    [
      4,
      'the endpoint admits the VPC, not just the ALB',
      (i) => {
        const rule = all(i.platform, 'aws_vpc_security_group_ingress_rule').find((r) => r.referenced_security_group_id)!;
        delete rule.referenced_security_group_id;
        rule.cidr_ipv4 = '10.0.0.0/8';
      },
      /^aws_vpc_security_group_ingress_rule\./,
    ],
    [5, 'an origin becomes a public custom origin', (i) => (first(i.platform, 'aws_cloudfront_distribution').origin[0].custom_origin_config = { http_port: 80, https_port: 443, origin_protocol_policy: 'http-only', origin_ssl_protocols: ['TLSv1.2'] }), /^aws_cloudfront_distribution\./],
    [5, 'viewers may use http', (i) => (first(i.platform, 'aws_cloudfront_distribution').ordered_cache_behavior[0].viewer_protocol_policy = 'allow-all'), /^aws_cloudfront_distribution\./],
    [5, 'viewers may use TLS 1.0', (i) => (first(i.platform, 'aws_cloudfront_distribution').viewer_certificate.minimum_protocol_version = 'TLSv1'), /^aws_cloudfront_distribution\./],
    [
      6,
      'WAF loses its rate-based rule',
      (i) => {
        const acl = first(i.platform, 'aws_wafv2_web_acl');
        acl.rule = acl.rule.filter((r: Json) => !r.statement?.rate_based_statement);
      },
      /^aws_wafv2_web_acl\./,
    ],
    [6, 'the distribution has no web ACL', (i) => delete first(i.platform, 'aws_cloudfront_distribution').web_acl_id, /^aws_cloudfront_distribution\./],
    [7, 'the web client allows the implicit flow', (i) => all(i.platform, 'aws_cognito_user_pool_client').find((c) => !c.generate_secret)!.allowed_oauth_flows.push('implicit'), /^aws_cognito_user_pool_client\./],
    [7, 'the machine client allows the code flow', (i) => all(i.platform, 'aws_cognito_user_pool_client').find((c) => c.generate_secret)!.allowed_oauth_flows.push('code'), /^aws_cognito_user_pool_client\./],
    [8, 'the state bucket stops versioning', (i) => (first(i.bootstrap, 'aws_s3_bucket_versioning').versioning_configuration.status = 'Suspended'), /^aws_s3_bucket_versioning\./],
    [8, 'the backend drops the lockfile', (i) => delete i.platform.terraform.backend.s3.use_lockfile, /^terraform\.backend/],
    [9, 'a stage stops access logging', (i) => delete first(i.platform, 'aws_api_gateway_stage').access_log_settings, /^aws_api_gateway_stage\./],
    [9, 'the ALB stops access logging', (i) => (first(i.platform, 'aws_lb').access_logs.enabled = false), /^aws_lb\./],
    [9, 'the VPC loses its flow log', (i) => delete i.platform.resource.aws_flow_log, /^aws_vpc\./],
    [
      11,
      'the CORS policy allows another origin',
      (i) => {
        const policy = all(i.platform, 'aws_cloudfront_response_headers_policy').find((p) => p.cors_config)!;
        policy.cors_config.access_control_allow_origins.items = ['https://evil.example.com'];
      },
      /^aws_cloudfront_response_headers_policy\./,
    ],
    [
      11,
      'the origin\'s own CORS headers reach the browser',
      (i) => {
        for (const policy of all(i.platform, 'aws_cloudfront_response_headers_policy')) delete policy.remove_headers_config;
      },
      /^aws_cloudfront_response_headers_policy\./,
    ],
  ];

  describe.each(ENVIRONMENT_NAMES)('%s', (name) => {
    it.each(mutations)('rule %i fails, alone, when %s', async (id, _what, mutate, resource) => {
      const input = fresh(name);
      mutate(input);
      const results = await verify(input);
      expect(results.filter((r) => !r.passed).map((r) => r.id)).toEqual([id]);
      const broken = results.find((r) => r.id === id)!;
      expect(broken.violations.length).toBeGreaterThan(0);
      for (const v of broken.violations) expect(v.resource).toMatch(resource);
    });
  });

  it.each([
    ['missing', undefined],
    ['not an OpenAPI document', '{"paths": "GET /"}'],
  ])('rule 1 fails, naming the REST API, when its body is %s (rules 2 and 3 have no operations to check then)', async (_what, body) => {
    const input = fresh('dev');
    const api = first(input.platform, 'aws_api_gateway_rest_api');
    if (body === undefined) delete api.body;
    else api.body = body;
    const results = await verify(input);
    expect(results.filter((r) => !r.passed).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(results.find((r) => r.id === 1)!.violations.map((v) => `${v.resource}: ${v.problem}`)).toEqual([
      expect.stringMatching(/^aws_api_gateway_rest_api\.\S+: body is (missing|not an OpenAPI document); expected the API's OpenAPI document/),
    ]);
  });

  it('rule 1 fails, naming the domain name, when the custom domain name is made REGIONAL (rules 4 and 5 see the public way in too)', async () => {
    const input = fresh('dev');
    first(input.platform, 'aws_api_gateway_domain_name').endpoint_configuration.types = ['REGIONAL'];
    const results = await verify(input);
    expect(results.filter((r) => !r.passed).map((r) => r.id)).toEqual([1, 4, 5]);
    expect(results.find((r) => r.id === 1)!.violations.map((v) => `${v.resource}: ${v.problem}`)).toEqual([
      expect.stringMatching(/^aws_api_gateway_domain_name\.\S+: endpoint_configuration\.types is \["REGIONAL"\]; expected \["PRIVATE"\]/),
    ]);
  });

  it('rule 9 fails, alone, when prod (logKmsEncryption) has a log group without its KMS key', async () => {
    const input = fresh('prod');
    delete first(input.platform, 'aws_cloudwatch_log_group').kms_key_id;
    expect(await failing(input)).toEqual([9]);
  });

  it('rule 10 fails, alone, when prod loses deletion protection on the user pool', async () => {
    const input = fresh('prod');
    first(input.platform, 'aws_cognito_user_pool').deletion_protection = 'INACTIVE';
    expect(await failing(input)).toEqual([10]);
  });

  it('rule 10 fails, alone, when prod loses prevent_destroy on a log group', async () => {
    const input = fresh('prod');
    delete first(input.platform, 'aws_cloudwatch_log_group').lifecycle;
    expect(await failing(input)).toEqual([10]);
  });

  it('rule 10 does not ask local for protections the environment turns off', async () => {
    const input = fresh('local');
    expect(input.environment.protections).toEqual({ deletionProtection: false, preventDestroy: false });
    first(input.platform, 'aws_cognito_user_pool').deletion_protection = 'INACTIVE';
    expect(await failing(input)).toEqual([]);
  });

  it('rule 2 evaluates every operation of every API, and the private custom domain, through the endpoint, another endpoint and none', async () => {
    const evaluations: PolicyEvaluation[] = [];
    expect(await resourcePolicyProblems(fresh('dev').platform, evaluations)).toEqual([]);
    const operations = all(fresh('dev').platform, 'aws_api_gateway_rest_api').reduce((n, api) => n + operationsOf(JSON.parse(api.body)).length, 0);
    const domains = all(fresh('dev').platform, 'aws_api_gateway_domain_name').length;
    expect(domains).toBe(1);
    expect(evaluations).toHaveLength((operations + domains) * 3);
    expect(new Set(evaluations.filter((e) => e.via === 'the endpoint').map((e) => e.result))).toEqual(new Set(['Allowed']));
    expect(new Set(evaluations.filter((e) => e.via !== 'the endpoint').map((e) => e.result))).toEqual(new Set(['ExplicitlyDenied']));
  });
});

describe('a plan laid over the synthesized configuration', () => {
  it('lets a value the plan knows break a rule (a REGIONAL API in the plan fails rule 1)', async () => {
    const input = fresh('dev');
    const [apiName] = Object.keys(input.platform.resource.aws_api_gateway_rest_api);
    const plan = {
      planned_values: {
        root_module: {
          resources: [{ mode: 'managed', type: 'aws_api_gateway_rest_api', name: apiName, values: { endpoint_configuration: [{ types: ['REGIONAL'], vpc_endpoint_ids: null }] } }],
        },
      },
    };
    const overlaid = { ...input, platform: overlayPlan(input.platform, plan) };
    expect(await failing(overlaid)).toEqual([1]);
    // unknown values (null in planned_values) leave the synthesized reference in place
    expect(overlaid.platform.resource.aws_api_gateway_rest_api[apiName].endpoint_configuration.vpc_endpoint_ids).toEqual(input.platform.resource.aws_api_gateway_rest_api[apiName].endpoint_configuration.vpc_endpoint_ids);
  });

  it('keeps references as synthesized when a state knows the real ids, and takes its literals', async () => {
    const input = fresh('local');
    const [apiName] = Object.keys(input.platform.resource.aws_api_gateway_rest_api);
    const state = { planned_values: { root_module: { resources: [{ mode: 'managed', type: 'aws_api_gateway_rest_api', name: apiName, values: { endpoint_configuration: [{ types: ['PRIVATE'], vpc_endpoint_ids: ['vpce-05733d6d938f1bea2'] }], name: 'renamed-by-hand-orders' } }] } } };
    const overlaid = overlayPlan(input.platform, state);
    const api = overlaid.resource.aws_api_gateway_rest_api[apiName];
    expect(api.endpoint_configuration.vpc_endpoint_ids).toEqual(input.platform.resource.aws_api_gateway_rest_api[apiName].endpoint_configuration.vpc_endpoint_ids);
    expect(api.name).toBe('renamed-by-hand-orders');
    expect(await failing({ ...input, platform: overlaid })).toEqual([]);
  });

  it('does not mix blocks of a list whose order the state does not keep (the distribution origins)', async () => {
    const input = fresh('local');
    const [name, distribution] = Object.entries(input.platform.resource.aws_cloudfront_distribution)[0] as [string, Json];
    const reversed = [...distribution.origin, { ...distribution.origin[0], origin_id: 'a-second-origin' }].reverse();
    const state = { planned_values: { root_module: { resources: [{ mode: 'managed', type: 'aws_cloudfront_distribution', name, values: { origin: reversed } }] } } };
    expect(await failing({ ...input, platform: overlayPlan(input.platform, state) })).toEqual([]);
  });

  it('keeps every rule passing when the plan agrees with the configuration', async () => {
    const input = fresh('staging');
    const resources = Object.entries(input.platform.resource).flatMap(([type, byName]) =>
      Object.entries(byName as Json).map(([name, values]) => ({ mode: 'managed', type, name, values: Object.fromEntries(Object.entries(values as Json).filter(([k]) => k !== '//')) })),
    );
    expect(await failing({ ...input, platform: overlayPlan(input.platform, { planned_values: { root_module: { resources } } }) })).toEqual([]);
  });
});
