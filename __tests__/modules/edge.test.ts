/**
 * Edge module: CloudFront (WAF) -> VPC origin -> internal ALB (HTTPS) -> the
 * execute-api endpoint's private IPs -> the private custom domain name CloudFront's
 * Host names -> the API mapped at the path's first segment.
 * Per environment on the synthesized platform stack, then each rule of
 * review/rules/edge.ts broken on purpose and seen to fail.
 */
import { DefaultTokenResolver, StringConcat, Testing, Tokenization, type App } from 'cdktf';
import type { Environment } from '../../environments/schema';
import {
  ALB_SSL_POLICY,
  API_ORIGIN_ID,
  CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
  CORS_RESPONSE_HEADERS,
  EdgeConfigError,
  MAX_DISTRIBUTION_COMMENT,
  distributionComment,
  MANAGED_CACHE_POLICY_CACHING_DISABLED,
  MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER,
  ORIGIN_VERIFY_HEADER,
} from '@private-api-platform/constructs/edge';
import {
  albIngressProblems,
  albProblems,
  apiBehaviourProblems,
  apiRoutingProblems,
  corsProblems,
  edgeProblems,
  originProblems,
  targetProblems,
  viewerProblems,
  wafProblems,
} from '../../review/rules/edge';
import { addEnvironmentStacks } from '../../stacks';
import type { PlatformStack } from '../../stacks/platform-stack';
import { ENVIRONMENT_NAMES, environment, wrap, type SynthesizedStack } from '../helpers/synth';

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

interface Synthesized extends SynthesizedStack {
  readonly stack: PlatformStack;
  /** The Terraform expression a construct attribute synthesizes to. */
  expr(token: string): string;
}

function synthesize(env: Environment): Synthesized {
  const app: App = Testing.app();
  const { platform } = addEnvironmentStacks(app, env);
  const synth = wrap(JSON.parse(Testing.synth(platform, true)));
  const resolver = new DefaultTokenResolver(new StringConcat());
  return { ...synth, stack: platform, expr: (token) => Tokenization.resolve(token, { scope: platform, preparing: false, resolver }) };
}

const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;
const idOf = (synth: SynthesizedStack, type: string): string => {
  const ids = Object.keys(synth.resources(type));
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  return ids[0]!;
};
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe.each(ENVIRONMENT_NAMES)('edge in the %s environment', (envName) => {
  const env = environment(envName);
  const synth = synthesize(env);
  const distribution = synth.only('aws_cloudfront_distribution');
  const albId = idOf(synth, 'aws_lb');
  const alb = synth.only('aws_lb');
  const albGroup = alb.security_groups[0];
  const endpointGroup = synth.only('aws_vpc_endpoint').security_group_ids[0];
  const allowOrigins = Object.fromEntries(env.apis.map((a) => [a.name, a.corsAllowOrigins ?? []]));

  test('every edge rule holds (the checker npm run verify uses)', () => {
    // GIVEN the environment  WHEN its platform stack is synthesized  THEN the edge checker finds nothing
    expect(edgeProblems(synth.json, { region: env.account.region, wafRuleOverrides: env.edge.wafRuleOverrides })).toEqual([]);
    expect(corsProblems(synth.json, { allowOrigins, emulator: envName === 'local' })).toEqual([]);
  });

  test(envName === 'local' ? 'the deploy does not wait for CloudFront to propagate (the emulator has no edge locations)' : 'the deploy waits until CloudFront has deployed the distribution', () => {
    expect(distribution.wait_for_deployment).toBe(envName !== 'local');
  });

  test('the ALB is internal, in the private subnets, drops invalid headers and logs to its own bucket', () => {
    expect(alb.internal).toBe(true);
    expect(alb.load_balancer_type).toBe('application');
    expect(alb.drop_invalid_header_fields).toBe(true);
    expect(alb.enable_deletion_protection).toBe(env.protections.deletionProtection);
    expect([...alb.subnets].sort()).toEqual([...synth.expr(synth.stack.network.privateSubnetIds as any)].sort());
    expect(alb.access_logs).toEqual({ bucket: ref('aws_s3_bucket', idOf(synth, 'aws_s3_bucket'), 'bucket'), prefix: 'alb', enabled: true });
    expect(albProblems(synth.json)).toEqual([]);
  });

  test('the ALB log bucket: SSE-S3, no public access, owner enforced, expiry, writable by ELB log delivery only over TLS', () => {
    const bucket = ref('aws_s3_bucket', idOf(synth, 'aws_s3_bucket'), 'id');
    expect(synth.only('aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
      bucket,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(synth.only('aws_s3_bucket_public_access_block')).toMatchObject({
      bucket, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    expect(synth.only('aws_s3_bucket_ownership_controls').rule.object_ownership).toBe('BucketOwnerEnforced');
    expect(synth.only('aws_s3_bucket_lifecycle_configuration').rule[0].expiration[0].days).toBe(env.logRetentionDays);
    const policy = JSON.parse(synth.only('aws_s3_bucket_policy').policy);
    const [writer, tls] = policy.Statement;
    expect(writer.Action).toBe('s3:PutObject');
    expect(writer.Resource).toBe(`${ref('aws_s3_bucket', idOf(synth, 'aws_s3_bucket'), 'arn')}/alb/AWSLogs/${env.account.id}/*`);
    // eu-west-1 and eu-central-1 predate August 2022: their regional ELB account writes the logs.
    expect(writer.Principal.AWS).toBe(ref('data.aws_elb_service_account', Object.keys(synth.data('aws_elb_service_account'))[0]!, 'arn'));
    expect(tls).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  test('the ALB listens on HTTPS 443 only, TLS 1.2+, with the origin certificate, and answers 404 to anything not an API', () => {
    const listener = synth.only('aws_lb_listener');
    expect(listener).toMatchObject({ port: 443, protocol: 'HTTPS', ssl_policy: ALB_SSL_POLICY });
    expect(listener.default_action).toEqual([{ type: 'fixed-response', fixed_response: { content_type: 'text/plain', message_body: 'Not Found', status_code: '404' } }]);
    if (env.edge.originCertificate.mode === 'arn') expect(listener.certificate_arn).toBe(env.edge.originCertificate.arn);
    else expect(listener.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.edge_dns_origin-certificate-validated_\w+\.certificate_arn\}$/);
  });

  test("the ALB's only ingress is HTTPS from CloudFront's origin-facing prefix list; its only egress HTTPS to the endpoint", () => {
    const ingress = Object.values(synth.resources('aws_vpc_security_group_ingress_rule')).filter((r: any) => r.security_group_id === albGroup);
    expect(ingress).toHaveLength(1);
    const [rule] = ingress as any[];
    expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 443, to_port: 443 });
    const listId = /^\$\{data\.aws_ec2_managed_prefix_list\.([\w-]+)\.id\}$/.exec(rule.prefix_list_id)![1]!;
    expect(synth.data('aws_ec2_managed_prefix_list')[listId].name).toBe(CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST);
    expect(rule.cidr_ipv4).toBeUndefined();
    const group = Object.entries(synth.resources('aws_security_group')).find(([id]) => ref('aws_security_group', id, 'id') === albGroup)![1];
    expect(group.ingress).toBeUndefined();
    const egress = Object.values(synth.resources('aws_vpc_security_group_egress_rule')).filter((r: any) => r.security_group_id === albGroup);
    expect(egress).toEqual([expect.objectContaining({ referenced_security_group_id: endpointGroup, ip_protocol: 'tcp', from_port: 443, to_port: 443 })]);
    expect(synth.resources('aws_security_group_rule')).toEqual({});
    expect(albIngressProblems(synth.json)).toEqual([]);
  });

  test("the endpoint admits HTTPS from the ALB's group only", () => {
    const ingress = Object.values(synth.resources('aws_vpc_security_group_ingress_rule')).filter((r: any) => r.security_group_id === endpointGroup);
    expect(ingress).toEqual([expect.objectContaining({ referenced_security_group_id: albGroup, ip_protocol: 'tcp', from_port: 443, to_port: 443 })]);
  });

  test("the distribution's only origins are VPC origins to the internal ALB over HTTPS and TLS 1.2 (no custom origin anywhere)", () => {
    const vpcOriginId = idOf(synth, 'aws_cloudfront_vpc_origin');
    // one origin for every API: the private custom domain behind the ALB picks the API by its base path
    expect(distribution.origin).toHaveLength(1);
    for (const origin of distribution.origin) {
      expect(origin.vpc_origin_config.vpc_origin_id).toBe(ref('aws_cloudfront_vpc_origin', vpcOriginId, 'id'));
      expect(origin.domain_name).toBe(env.edge.originDomainName);
    }
    expect(JSON.stringify(synth.json)).not.toMatch(/custom_origin_config|s3_origin_config/);
    const endpoint = synth.only('aws_cloudfront_vpc_origin').vpc_origin_endpoint_config[0];
    expect(endpoint).toMatchObject({ arn: ref('aws_lb', albId, 'arn'), origin_protocol_policy: 'https-only', https_port: 443 });
    expect(endpoint.origin_ssl_protocols).toEqual([{ items: ['TLSv1.2'], quantity: 1 }]);
    expect(distribution.depends_on).toContain(`aws_cloudfront_vpc_origin.${vpcOriginId}`);
    // CloudFront refuses updates to a VPC origin in use: a settings change replaces it, new one first.
    expect(synth.only('aws_cloudfront_vpc_origin').lifecycle).toEqual({
      create_before_destroy: true,
      replace_triggered_by: [`terraform_data.${idOf(synth, 'terraform_data')}`],
    });
    expect(originProblems(synth.json)).toEqual([]);
  });

  test('viewers get HTTPS only, TLS 1.2 (2021) with SNI, on the configured name', () => {
    expect(distribution.aliases).toEqual([env.edge.domainName]);
    expect(distribution.viewer_certificate).toMatchObject({ ssl_support_method: 'sni-only', minimum_protocol_version: 'TLSv1.2_2021' });
    if (env.edge.viewerCertificate.mode === 'arn') expect(distribution.viewer_certificate.acm_certificate_arn).toBe(env.edge.viewerCertificate.arn);
    const all = [distribution.default_cache_behavior, ...distribution.ordered_cache_behavior];
    for (const behaviour of all) expect(behaviour.viewer_protocol_policy).toBe('https-only');
    expect(viewerProblems(synth.json)).toEqual([]);
  });

  test('each API is mounted at /<name> and /<name>/*: all 7 methods, caching disabled, every viewer header (Authorization) forwarded, Host the origin name', () => {
    for (const api of env.apis) {
      const mine = distribution.ordered_cache_behavior.filter((b: any) => b.path_pattern === `/${api.name}` || b.path_pattern === `/${api.name}/*`);
      expect(mine.map((b: any) => b.path_pattern)).toEqual([`/${api.name}`, `/${api.name}/*`]);
      for (const behaviour of mine) {
        expect(behaviour.target_origin_id).toBe(API_ORIGIN_ID);
        expect([...behaviour.allowed_methods].sort()).toEqual(ALL_METHODS);
        expect([...behaviour.cached_methods].sort()).toEqual(['GET', 'HEAD']);
        expect(behaviour.cache_policy_id).toBe(MANAGED_CACHE_POLICY_CACHING_DISABLED);
        // AllViewerExceptHostHeader forwards every viewer header, Authorization included, and sends the origin's name as Host.
        expect(behaviour.origin_request_policy_id).toBe(MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER);
        expect(behaviour.forwarded_values).toBeUndefined();
        expect(behaviour.function_association).toBeUndefined();
        expect(behaviour.lambda_function_association).toBeUndefined();
      }
    }
    expect(apiBehaviourProblems(synth.json)).toEqual([]);
  });

  test('CloudFront adds CORS headers to every answer it forwards (200, 401, 403, 5xx) for the API\'s allowed origins only: a response headers policy per set of origins, the origin\'s own CORS headers removed', () => {
    const policies = synth.resources('aws_cloudfront_response_headers_policy');
    for (const api of env.apis) {
      for (const behaviour of distribution.ordered_cache_behavior.filter((b: any) => b.path_pattern.split('/')[1] === api.name)) {
        const policy = policies[/\.([^.]+)\.id\}$/.exec(behaviour.response_headers_policy_id)![1]!];
        expect(policy.remove_headers_config.items.map((i: any) => i.header)).toEqual(CORS_RESPONSE_HEADERS);
        if (!api.corsAllowOrigins?.length) {
          expect(policy.cors_config).toBeUndefined();
          continue;
        }
        const methods = [...new Set(env.apis.filter((a) => JSON.stringify(a.corsAllowOrigins) === JSON.stringify(api.corsAllowOrigins)).flatMap((a) => a.routes.map((r) => r.method)))];
        expect(policy.cors_config).toEqual({
          access_control_allow_origins: { items: [...api.corsAllowOrigins].sort() },
          access_control_allow_methods: { items: [...new Set([...methods, 'OPTIONS'])].sort() },
          access_control_allow_headers: { items: ['Authorization', 'Content-Type'] },
          access_control_max_age_sec: 600,
          access_control_allow_credentials: false,
          origin_override: true,
        });
      }
    }
    // The default behaviour answers nobody cross-origin.
    const fallback = policies[/\.([^.]+)\.id\}$/.exec(distribution.default_cache_behavior.response_headers_policy_id)![1]!];
    expect(fallback.cors_config).toBeUndefined();
  });

  test('the VPC origin may take longer than the provider\'s 15-minute default to be Deployed (AWS: up to 15 minutes; provider tests about 21)', () => {
    expect(synth.only('aws_cloudfront_vpc_origin').timeouts).toEqual({ create: '45m', update: '45m', delete: '45m' });
  });

  test('the distribution comment fits CloudFront\'s 128 characters', () => {
    expect(distribution.comment.length).toBeLessThanOrEqual(MAX_DISTRIBUTION_COMMENT);
  });

  test('the default behaviour exposes nothing: GET/HEAD only, uncached, no viewer values forwarded', () => {
    const fallback = distribution.default_cache_behavior;
    expect([...fallback.allowed_methods].sort()).toEqual(['GET', 'HEAD']);
    expect(fallback.cache_policy_id).toBe(MANAGED_CACHE_POLICY_CACHING_DISABLED);
    expect(fallback.origin_request_policy_id).toBeUndefined();
    expect(fallback.forwarded_values).toBeUndefined();
  });

  test('API Gateway selects the API by Host through a private custom domain name: the origin name is a PRIVATE domain name associated with the endpoint, one base path per API on its stage', () => {
    // GIVEN the one origin: CloudFront sends its name as Host; no origin path (the base path mapping selects the stage)
    expect(distribution.origin).toHaveLength(1);
    const [origin] = distribution.origin;
    expect(origin).toMatchObject({ origin_id: API_ORIGIN_ID, domain_name: env.edge.originDomainName });
    expect(origin.origin_path).toBeUndefined();
    expect(JSON.stringify(origin)).not.toContain('x-apigw-api-id');
    // THEN that name is a PRIVATE custom domain name with the origin certificate, TLS 1.2 and its own endpoint-only policy
    const domainId = idOf(synth, 'aws_api_gateway_domain_name');
    const domain = synth.only('aws_api_gateway_domain_name');
    expect(domain).toMatchObject({ domain_name: env.edge.originDomainName, endpoint_configuration: { types: ['PRIVATE'] }, security_policy: 'TLS_1_2' });
    const listener = synth.only('aws_lb_listener');
    expect(domain.certificate_arn).toBe(listener.certificate_arn);
    const endpointRef = ref('aws_vpc_endpoint', idOf(synth, 'aws_vpc_endpoint'), 'id');
    expect(JSON.parse(domain.policy).Statement[1]).toMatchObject({ Effect: 'Deny', Condition: { StringNotEquals: { 'aws:SourceVpce': endpointRef } } });
    expect(synth.only('aws_api_gateway_domain_name_access_association')).toMatchObject({
      domain_name_arn: ref('aws_api_gateway_domain_name', domainId, 'arn'),
      access_association_source: endpointRef,
      access_association_source_type: 'VPCE',
    });
    // AND each API is mapped at its name, to its own stage; the ALB forwards its path for that host only
    const mappings = Object.values(synth.resources('aws_api_gateway_base_path_mapping'));
    expect(mappings).toHaveLength(env.apis.length);
    for (const api of Object.values(synth.stack.privateApis)) {
      expect(mappings).toContainEqual({
        domain_name: ref('aws_api_gateway_domain_name', domainId, 'domain_name'),
        domain_name_id: ref('aws_api_gateway_domain_name', domainId, 'domain_name_id'),
        base_path: api.name,
        api_id: synth.expr(api.restApi.id),
        stage_name: synth.expr(api.stage.stageName),
      });
      const rule = Object.values(synth.resources('aws_lb_listener_rule')).find((r: any) => r.condition[0].path_pattern.values.includes(`/${api.name}/*`));
      expect(rule.condition).toEqual([{ path_pattern: { values: [`/${api.name}`, `/${api.name}/*`] } }, { host_header: { values: [env.edge.originDomainName] } }]);
      expect(rule.action).toEqual([{ type: 'forward', target_group_arn: ref('aws_lb_target_group', idOf(synth, 'aws_lb_target_group'), 'arn') }]);
    }
    expect(apiRoutingProblems(synth.json)).toEqual([]);
  });

  test('WAF (CLOUDFRONT scope, us-east-1) is attached with a blocking per-IP rate limit from the environment and the managed groups', () => {
    const aclId = idOf(synth, 'aws_wafv2_web_acl');
    const acl = synth.only('aws_wafv2_web_acl');
    expect(distribution.web_acl_id).toBe(ref('aws_wafv2_web_acl', aclId, 'arn'));
    expect(acl.scope).toBe('CLOUDFRONT');
    expect(acl.provider).toBe('aws.us_east_1');
    const rate = acl.rule.find((r: any) => r.statement.rate_based_statement);
    expect(rate.statement.rate_based_statement).toEqual({ limit: env.edge.wafRateLimit, aggregate_key_type: 'IP', evaluation_window_sec: 300 });
    expect(rate.action).toEqual({ block: {} });
    expect(acl.rule.map((r: any) => r.statement.managed_rule_group_statement?.name).filter(Boolean)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    for (const rule of [acl, ...acl.rule]) expect(rule.visibility_config).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
    const logging = synth.only('aws_wafv2_web_acl_logging_configuration');
    expect(logging.redacted_fields).toEqual([{ single_header: { name: 'authorization' } }]);
    const group = Object.entries(synth.resources('aws_cloudwatch_log_group')).find(([id]) => logging.log_destination_configs[0] === ref('aws_cloudwatch_log_group', id, 'arn'))![1];
    expect(group).toMatchObject({ name: `aws-waf-logs-platform-${env.name}-edge`, retention_in_days: env.logRetentionDays, provider: 'aws.us_east_1' });
    expect(wafProblems(synth.json, { region: env.account.region, wafRuleOverrides: env.edge.wafRuleOverrides })).toEqual([]);
  });

  test('one target per endpoint interface: count = number of private subnets over the sorted interface ids (never for_each)', () => {
    const subnets = synth.stack.network.privateSubnetIds.length;
    const attachment = synth.only('aws_lb_target_group_attachment');
    const [eniId, eni] = Object.entries(synth.data('aws_network_interface'))[0]!;
    expect(attachment.count).toBe(subnets);
    expect(attachment.for_each).toBeUndefined();
    expect(attachment.target_id).toBe(`\${data.aws_network_interface.${eniId}[count.index].private_ip}`);
    expect(eni.count).toBe(subnets);
    const endpointId = idOf(synth, 'aws_vpc_endpoint');
    expect(eni.id).toBe(`\${element(sort(tolist(aws_vpc_endpoint.${endpointId}.network_interface_ids)), count.index)}`);
    expect(synth.only('aws_lb_target_group')).toMatchObject({ target_type: 'ip', protocol: 'HTTPS', port: 443, health_check: { protocol: 'HTTPS', matcher: '200,403' } });
    expect(targetProblems(synth.json)).toEqual([]);
  });

  test('security headers on every response: HSTS 2 years with preload, nosniff, DENY frames, strict referrer, XSS', () => {
    const all = Object.values(synth.resources('aws_cloudfront_response_headers_policy'));
    expect(all.length).toBeGreaterThanOrEqual(1);
    for (const policy of all) expect(policy.security_headers_config).toEqual(all[0].security_headers_config);
    const headers = all[0].security_headers_config;
    expect(headers.strict_transport_security).toEqual({ access_control_max_age_sec: 63072000, include_subdomains: true, preload: true, override: true });
    expect(headers.content_type_options).toEqual({ override: true });
    expect(headers.frame_options).toEqual({ frame_option: 'DENY', override: true });
    expect(headers.referrer_policy).toEqual({ referrer_policy: 'strict-origin-when-cross-origin', override: true });
    expect(headers.xss_protection).toEqual({ protection: true, mode_block: true, override: true });
  });

  test('price class from the environment, HTTP/2 and 3, IPv6, no geo restriction, access logs delivered (v2) in us-east-1', () => {
    expect(distribution).toMatchObject({ price_class: env.edge.priceClass, http_version: 'http2and3', is_ipv6_enabled: true, enabled: true });
    expect(distribution.restrictions).toEqual({ geo_restriction: { restriction_type: 'none' } });
    const source = synth.only('aws_cloudwatch_log_delivery_source');
    expect(source).toMatchObject({ log_type: 'ACCESS_LOGS', resource_arn: ref('aws_cloudfront_distribution', idOf(synth, 'aws_cloudfront_distribution'), 'arn'), provider: 'aws.us_east_1' });
    expect(synth.only('aws_cloudwatch_log_delivery')).toMatchObject({ provider: 'aws.us_east_1' });
  });

  test('certificates: given by ARN, or requested for exactly the edge names and DNS-validated (viewer in us-east-1, origin in the region)', () => {
    const certs = Object.values(synth.resources('aws_acm_certificate'));
    const expected = [
      ...(env.edge.viewerCertificate.mode === 'dns-validated' ? [{ domain_name: env.edge.domainName, provider: 'aws.us_east_1' }] : []),
      ...(env.edge.originCertificate.mode === 'dns-validated' ? [{ domain_name: env.edge.originDomainName, provider: undefined }] : []),
    ];
    expect(certs.map((c: any) => ({ domain_name: c.domain_name, provider: c.provider }))).toEqual(expect.arrayContaining(expected));
    expect(certs).toHaveLength(expected.length);
    for (const cert of certs as any[]) expect(cert.validation_method).toBe('DNS');
    expect(Object.keys(synth.resources('aws_acm_certificate_validation'))).toHaveLength(expected.length);
  });

  test('alias records A and AAAA for the viewer name point at the distribution when a zone is given; none for the origin name', () => {
    const records = Object.values(synth.resources('aws_route53_record')).filter((r: any) => r.alias);
    if (!env.edge.hostedZone) return expect(records).toEqual([]);
    const distributionId = idOf(synth, 'aws_cloudfront_distribution');
    expect(records.map((r: any) => r.type).sort()).toEqual(['A', 'AAAA']);
    for (const record of records as any[]) {
      expect(record.name).toBe(env.edge.domainName);
      expect(record.alias).toEqual({ name: ref('aws_cloudfront_distribution', distributionId, 'domain_name'), zone_id: ref('aws_cloudfront_distribution', distributionId, 'hosted_zone_id'), evaluate_target_health: false });
    }
    expect(Object.values(synth.resources('aws_route53_record')).some((r: any) => r.name === env.edge.originDomainName)).toBe(false);
  });

  test('the origin-verify header is off by default: no secret, no extra header', () => {
    expect(synth.resources('aws_secretsmanager_secret')).toEqual({});
    expect(JSON.stringify(distribution)).not.toContain(ORIGIN_VERIFY_HEADER);
  });

  test('outputs: distribution, VPC origin, ALB, target group and WAF', () => {
    expect(Object.keys(synth.json.output)).toEqual(
      expect.arrayContaining([
        'edge_distribution_id', 'edge_distribution_domain_name', 'edge_distribution_arn', 'edge_vpc_origin_id',
        'edge_alb_arn', 'edge_alb_dns_name', 'edge_target_group_arn', 'edge_waf_web_acl_arn',
      ]),
    );
  });
});

describe('edge with the origin-verify header (defence in depth)', () => {
  const synth = synthesize(environment('dev', (raw) => (raw.edge.originVerifyHeader = true)));
  const distribution = synth.only('aws_cloudfront_distribution');

  test('the value is generated by Secrets Manager, stored there, and kept across plans', () => {
    const version = synth.only('aws_secretsmanager_secret_version');
    const generatorId = Object.keys(synth.data('aws_secretsmanager_random_password'))[0]!;
    expect(version.secret_string).toBe(ref('data.aws_secretsmanager_random_password', generatorId, 'random_password'));
    expect(version.lifecycle.ignore_changes).toEqual(['secret_string']);
    expect(synth.data('aws_secretsmanager_random_password')[generatorId]).toMatchObject({ password_length: 64, exclude_punctuation: true });
  });

  test('CloudFront sends it on every origin and every ALB forwarding rule requires it', () => {
    const value = ref('aws_secretsmanager_secret_version', idOf(synth, 'aws_secretsmanager_secret_version'), 'secret_string');
    for (const origin of distribution.origin) expect(origin.custom_header).toContainEqual({ name: ORIGIN_VERIFY_HEADER, value });
    for (const rule of Object.values(synth.resources('aws_lb_listener_rule')) as any[]) {
      expect(rule.condition).toContainEqual({ http_header: { http_header_name: ORIGIN_VERIFY_HEADER, values: [value] } });
    }
    expect(edgeProblems(synth.json)).toEqual([]);
  });
});

describe('edge rules fail when the edge is broken', () => {
  // GIVEN a correct synthesized stack; WHEN one property is broken; THEN the rule names it.
  const good = synthesize(environment('dev')).json;
  const broken = (change: (json: any) => void) => {
    const json = clone(good);
    change(json);
    return json;
  };
  const first = (json: any, type: string) => Object.values(json.resource[type])[0] as any;
  const distributionOf = (json: any) => first(json, 'aws_cloudfront_distribution');

  test('the unbroken stack passes', () => {
    expect(edgeProblems(good)).toEqual([]);
  });

  test('fails when the ALB is internet-facing', () => {
    expect(albProblems(broken((j) => (first(j, 'aws_lb').internal = false)))).toEqual([expect.stringMatching(/internal is false; expected true/)]);
  });

  test('fails when the ALB keeps invalid header fields', () => {
    expect(albProblems(broken((j) => delete first(j, 'aws_lb').drop_invalid_header_fields))).toEqual([expect.stringMatching(/drop_invalid_header_fields/)]);
  });

  test('fails when the listener speaks HTTP or allows TLS 1.0', () => {
    expect(albProblems(broken((j) => (first(j, 'aws_lb_listener').protocol = 'HTTP')))).toEqual([expect.stringMatching(/protocol is "HTTP"/)]);
    expect(albProblems(broken((j) => (first(j, 'aws_lb_listener').ssl_policy = 'ELBSecurityPolicy-2016-08')))).toEqual([expect.stringMatching(/ssl_policy/)]);
  });

  test('fails when the listener forwards by default, or a rule forwards without the origin host', () => {
    expect(albProblems(broken((j) => (first(j, 'aws_lb_listener').default_action = [{ type: 'forward', target_group_arn: 'x' }])))).toEqual([
      expect.stringMatching(/default_action/),
    ]);
    expect(albProblems(broken((j) => first(j, 'aws_lb_listener_rule').condition.splice(1, 1)))).toEqual([expect.stringMatching(/host header \[\]; expected a path pattern and the host of a private custom domain name/)]);
    expect(albProblems(broken((j) => (first(j, 'aws_lb_listener_rule').condition[1].host_header.values = ['evil.example.com'])))).toEqual([expect.stringMatching(/host header \["evil\.example\.com"\]/)]);
  });

  test('fails when the ALB admits the internet, another prefix list, or another port', () => {
    const alb = (j: any) => first(j, 'aws_lb').security_groups[0];
    const addRule = (rule: object) => (j: any) => (j.resource.aws_vpc_security_group_ingress_rule.extra = { security_group_id: alb(j), ip_protocol: 'tcp', from_port: 443, to_port: 443, ...rule });
    expect(albIngressProblems(broken(addRule({ cidr_ipv4: '0.0.0.0/0' })))).toEqual([expect.stringMatching(/extra: admits "0\.0\.0\.0\/0"/)]);
    expect(
      albIngressProblems(
        broken((j) => {
          (Object.values(j.data.aws_ec2_managed_prefix_list)[0] as any).name = 'com.amazonaws.eu-west-1.s3';
        }),
      ),
    ).toEqual([expect.stringMatching(/admits "com\.amazonaws\.eu-west-1\.s3"; expected only the com\.amazonaws\.global\.cloudfront\.origin-facing/)]);
    const fromCloudFront = (j: any) => Object.values(j.resource.aws_vpc_security_group_ingress_rule).find((r: any) => r.prefix_list_id) as any;
    expect(albIngressProblems(broken((j) => Object.assign(fromCloudFront(j), { from_port: 0, to_port: 65535 })))).toEqual([expect.stringMatching(/expected tcp 443 only/)]);
  });

  test('fails when the ALB group gets inline ingress or egress to the internet', () => {
    const group = (j: any) => Object.values(j.resource.aws_security_group).find((g: any) => String(g.name_prefix).endsWith('-edge-alb-')) as any;
    expect(albIngressProblems(broken((j) => (group(j).ingress = [{ cidr_blocks: ['10.0.0.0/8'], from_port: 443, to_port: 443, protocol: 'tcp' }])))).toEqual([
      expect.stringMatching(/inline ingress/),
    ]);
    expect(
      albIngressProblems(
        broken((j) => {
          const rule = Object.values(j.resource.aws_vpc_security_group_egress_rule)[0] as any;
          delete rule.referenced_security_group_id;
          rule.cidr_ipv4 = '0.0.0.0/0';
        }),
      ),
    ).toEqual([expect.stringMatching(/allows "0\.0\.0\.0\/0".*expected tcp 443 to the execute-api endpoint's group only/)]);
  });

  test('fails when an origin is a custom (public) origin', () => {
    const problems = originProblems(
      broken((j) => {
        const origin = distributionOf(j).origin[0];
        delete origin.vpc_origin_config;
        origin.custom_origin_config = { http_port: 80, https_port: 443, origin_protocol_policy: 'https-only', origin_ssl_protocols: ['TLSv1.2'] };
      }),
    );
    expect(problems).toEqual([expect.stringMatching(/has custom_origin_config; expected vpc_origin_config only/), expect.stringMatching(/vpc_origin_config is nothing/)]);
  });

  test('fails when the VPC origin talks HTTP or allows TLS 1.1', () => {
    const endpoint = (j: any) => first(j, 'aws_cloudfront_vpc_origin').vpc_origin_endpoint_config[0];
    expect(originProblems(broken((j) => (endpoint(j).origin_protocol_policy = 'match-viewer')))).toEqual([expect.stringMatching(/origin_protocol_policy/)]);
    expect(originProblems(broken((j) => (endpoint(j).origin_ssl_protocols = [{ items: ['TLSv1.1', 'TLSv1.2'], quantity: 2 }])))).toEqual([expect.stringMatching(/origin_ssl_protocols/)]);
  });

  test('fails when viewers may use HTTP, an old TLS policy, or the default certificate', () => {
    expect(viewerProblems(broken((j) => (distributionOf(j).ordered_cache_behavior[1].viewer_protocol_policy = 'allow-all')))).toEqual([
      expect.stringMatching(/behaviour \/orders\/\*: viewer_protocol_policy is "allow-all"/),
    ]);
    expect(viewerProblems(broken((j) => (distributionOf(j).viewer_certificate.minimum_protocol_version = 'TLSv1_2016')))).toEqual([expect.stringMatching(/minimum_protocol_version/)]);
    expect(viewerProblems(broken((j) => (distributionOf(j).viewer_certificate = { cloudfront_default_certificate: true })))).toEqual([
      expect.stringMatching(/viewer_certificate/),
      expect.stringMatching(/ssl_support_method/),
      expect.stringMatching(/minimum_protocol_version/),
    ]);
  });

  test('fails when an API path is cached', () => {
    expect(apiBehaviourProblems(broken((j) => (distributionOf(j).ordered_cache_behavior[0].cache_policy_id = '658327ea-f89d-4fab-a63d-7e88639e58f6')))).toEqual([
      expect.stringMatching(/behaviour \/orders: cache_policy_id .* expected Managed-CachingDisabled/),
    ]);
  });

  test('fails when Authorization would not reach the API (no policy, a policy that drops it, or an edge function)', () => {
    expect(apiBehaviourProblems(broken((j) => delete distributionOf(j).ordered_cache_behavior[2].origin_request_policy_id))).toEqual([
      expect.stringMatching(/behaviour \/profile: origin_request_policy_id is nothing; expected Managed-AllViewerExceptHostHeader/),
    ]);
    // Managed-CORS-CustomOrigin forwards the Origin header only.
    expect(apiBehaviourProblems(broken((j) => (distributionOf(j).ordered_cache_behavior[3].origin_request_policy_id = '59781a5b-3903-41f3-afcb-af62929ccde1')))).toEqual([
      expect.stringMatching(/origin_request_policy_id/),
    ]);
    expect(apiBehaviourProblems(broken((j) => (distributionOf(j).ordered_cache_behavior[0].function_association = [{ event_type: 'viewer-request', function_arn: 'x' }])))).toEqual([
      expect.stringMatching(/edge function/),
    ]);
  });

  test('fails when an API path refuses a method', () => {
    expect(apiBehaviourProblems(broken((j) => (distributionOf(j).ordered_cache_behavior[1].allowed_methods = ['GET', 'HEAD', 'OPTIONS'])))).toEqual([
      expect.stringMatching(/allowed_methods .* expected all 7/),
    ]);
  });

  test('fails when WAF is detached, scoped REGIONAL, or created outside us-east-1', () => {
    expect(wafProblems(broken((j) => delete distributionOf(j).web_acl_id))).toEqual([expect.stringMatching(/web_acl_id is nothing/)]);
    expect(wafProblems(broken((j) => (first(j, 'aws_wafv2_web_acl').scope = 'REGIONAL')))).toEqual([expect.stringMatching(/scope is "REGIONAL"/)]);
    expect(wafProblems(broken((j) => delete first(j, 'aws_wafv2_web_acl').provider))).toEqual([expect.stringMatching(/expected the us-east-1 provider/)]);
  });

  test('fails when the rate-based rule is missing or only counts', () => {
    const rules = (j: any) => first(j, 'aws_wafv2_web_acl').rule as any[];
    expect(wafProblems(broken((j) => first(j, 'aws_wafv2_web_acl').rule.splice(rules(j).findIndex((r) => r.statement.rate_based_statement), 1)))).toEqual([
      expect.stringMatching(/no rate-based rule/),
    ]);
    expect(wafProblems(broken((j) => (rules(j).find((r) => r.statement.rate_based_statement).action = { count: {} })))).toEqual([expect.stringMatching(/action is .*count.*expected block/)]);
  });

  test('AWS\'s common rule set blocks bodies over 8 KB and requests without a User-Agent: an environment may let named rules count, one by one, and nothing else', () => {
    const overrides = [
      { ruleGroup: 'AWSManagedRulesCommonRuleSet' as const, rule: 'SizeRestrictions_BODY' },
      { ruleGroup: 'AWSManagedRulesCommonRuleSet' as const, rule: 'NoUserAgent_HEADER' },
    ];
    const json = synthesize(environment('dev', (raw) => (raw.edge.wafRuleOverrides = overrides.map((o) => ({ ...o, action: 'count' }))))).json;
    const common = (Object.values(json.resource.aws_wafv2_web_acl)[0] as any).rule.find((r: any) => r.name === 'AWSManagedRulesCommonRuleSet');
    // THEN the group still blocks (override_action none); just these two rules count
    expect(common.override_action).toEqual({ none: {} });
    expect(common.statement.managed_rule_group_statement.rule_action_override).toEqual([
      { name: 'NoUserAgent_HEADER', action_to_use: { count: {} } },
      { name: 'SizeRestrictions_BODY', action_to_use: { count: {} } },
    ]);
    expect(wafProblems(json, { wafRuleOverrides: overrides })).toEqual([]);
    // AND the check refuses an override the environment did not ask for, and any action but count
    expect(wafProblems(json, { wafRuleOverrides: overrides.slice(0, 1) })).toEqual([expect.stringMatching(/overrides NoUserAgent_HEADER to \["count"\]; expected only the rules edge\.wafRuleOverrides lets count/)]);
    common.statement.managed_rule_group_statement.rule_action_override[1].action_to_use = { allow: {} };
    expect(wafProblems(json, { wafRuleOverrides: overrides })).toEqual([expect.stringMatching(/overrides SizeRestrictions_BODY to \["allow"\]/)]);
  });

  test('fails when an override names a rule the group does not have (it would override nothing, silently)', () => {
    expect(() => environment('dev', (raw) => (raw.edge.wafRuleOverrides = [{ ruleGroup: 'AWSManagedRulesCommonRuleSet', rule: 'SizeRestriction_BODY', action: 'count' }]))).toThrow(
      /edge\.wafRuleOverrides\[0\]\.rule: got "SizeRestriction_BODY"; expected a rule of AWSManagedRulesCommonRuleSet: NoUserAgent_HEADER, .*SizeRestrictions_BODY/,
    );
    expect(() => environment('dev', (raw) => (raw.edge.wafRuleOverrides = [{ ruleGroup: 'AWSManagedRulesCommonRuleSet', rule: 'SizeRestrictions_BODY', action: 'allow' }]))).toThrow(/edge\.wafRuleOverrides\[0\]\.action/);
  });

  test('fails when a managed rule group is missing or overridden to count, or WAF logs keep Authorization', () => {
    const rules = (j: any) => first(j, 'aws_wafv2_web_acl').rule as any[];
    expect(wafProblems(broken((j) => first(j, 'aws_wafv2_web_acl').rule.splice(rules(j).findIndex((r) => r.name === 'AWSManagedRulesKnownBadInputsRuleSet'), 1)))).toEqual([
      expect.stringMatching(/no AWSManagedRulesKnownBadInputsRuleSet rule/),
    ]);
    expect(wafProblems(broken((j) => (rules(j).find((r) => r.name === 'AWSManagedRulesCommonRuleSet').override_action = { count: {} })))).toEqual([
      expect.stringMatching(/override_action is count/),
    ]);
    expect(wafProblems(broken((j) => (first(j, 'aws_wafv2_web_acl_logging_configuration').redacted_fields = [])))).toEqual([expect.stringMatching(/authorization header redacted/)]);
  });

  test('fails when an origin relies on x-apigw-api-id (AWS documents it only with the endpoint\'s own host name)', () => {
    expect(apiRoutingProblems(broken((j) => (distributionOf(j).origin[0].custom_header = [{ name: 'x-apigw-api-id', value: 'abc123' }])))).toEqual([
      expect.stringMatching(/origin "private-apis": sends x-apigw-api-id; expected the private custom domain name to select the API/),
    ]);
  });

  test('fails when the origin host is not a private custom domain name, or a stage is in the origin path', () => {
    expect(apiRoutingProblems(broken((j) => (distributionOf(j).origin[0].domain_name = 'alb.internal.example.com')))).toEqual(
      expect.arrayContaining([expect.stringMatching(/behaviour \/orders: origin "private-apis" is "alb\.internal\.example\.com"; expected a private custom domain name of this stack/)]),
    );
    expect(apiRoutingProblems(broken((j) => (distributionOf(j).origin[0].origin_path = '/v1')))).toEqual(
      expect.arrayContaining([expect.stringMatching(/has origin_path "\/v1"; expected none/)]),
    );
    // a public (regional) custom domain name would be a way in from the internet
    expect(apiRoutingProblems(broken((j) => (first(j, 'aws_api_gateway_domain_name').endpoint_configuration.types = ['REGIONAL'])))).toEqual(
      expect.arrayContaining([expect.stringMatching(/expected a private custom domain name of this stack/)]),
    );
  });

  test('fails when an API has no base path mapping, or is mapped to another API\'s stage', () => {
    expect(
      apiRoutingProblems(
        broken((j) => {
          const mappings = j.resource.aws_api_gateway_base_path_mapping;
          delete mappings[Object.keys(mappings).find((k) => mappings[k].base_path === 'profile')!];
        }),
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/profile_rest-api_\w+: no base path mapping/)]));
    expect(
      apiRoutingProblems(
        broken((j) => {
          const mappings = Object.values(j.resource.aws_api_gateway_base_path_mapping) as any[];
          const [orders, profile] = [mappings.find((m) => m.base_path === 'orders'), mappings.find((m) => m.base_path === 'profile')];
          orders.stage_name = profile.stage_name;
        }),
      ),
    ).toEqual([expect.stringMatching(/stage_name is .*profile.*; expected a stage of aws_api_gateway_rest_api\.api-orders/)]);
  });

  test('fails when the ALB rule for an API accepts another host', () => {
    expect(apiRoutingProblems(broken((j) => (first(j, 'aws_lb_listener_rule').condition[1].host_header.values = ['abc.example.com'])))).toEqual([
      expect.stringMatching(/the ALB rule for \/orders requires host \["abc\.example\.com"\]/),
    ]);
  });

  test('fails when Managed-AllViewer forwards the viewer\'s Host (no private custom domain answers it)', () => {
    expect(apiBehaviourProblems(broken((j) => (distributionOf(j).ordered_cache_behavior[0].origin_request_policy_id = '216adef6-5c7f-47e4-b989-5492eafa07d3')))).toEqual([
      expect.stringMatching(/behaviour \/orders: origin_request_policy_id is "216adef6.*Host names the private custom domain/),
    ]);
  });

  test('CORS: fails when an API answers other origins than its own, when the policy does not override the backend, or when it allows credentials or "*"', () => {
    const allowOrigins = { orders: ['https://app.dev.example.com'], profile: [] };
    const check = (json: any, emulator = false) => corsProblems(json, { allowOrigins, emulator });
    const corsPolicy = (j: any) => Object.values(j.resource.aws_cloudfront_response_headers_policy).find((p: any) => p.cors_config) as any;
    expect(check(good)).toEqual([]);
    expect(check(broken((j) => (corsPolicy(j).cors_config.access_control_allow_origins.items = ['https://evil.example.com'])))).toEqual([
      expect.stringMatching(/behaviour \/orders\): CORS origins \["https:\/\/evil\.example\.com"\]; expected exactly \["https:\/\/app\.dev\.example\.com"\]/),
      expect.stringMatching(/behaviour \/orders\/\*\): CORS origins/),
    ]);
    expect(check(broken((j) => (corsPolicy(j).cors_config.origin_override = false)))).toEqual(expect.arrayContaining([expect.stringMatching(/origin_override is false/)]));
    expect(check(broken((j) => (corsPolicy(j).cors_config.access_control_allow_credentials = true)))).toEqual(expect.arrayContaining([expect.stringMatching(/allow_credentials is true/)]));
    expect(check(broken((j) => (corsPolicy(j).cors_config.access_control_allow_headers.items = ['*'])))).toEqual(expect.arrayContaining([expect.stringMatching(/expected Authorization/)]));
    expect(check(broken((j) => delete corsPolicy(j).remove_headers_config))).toEqual(expect.arrayContaining([expect.stringMatching(/Access-Control-Allow-Origin removed from the origin's answer/)]));
    // an API without origins answering CORS: the profile API gets the orders policy
    expect(
      check(
        broken((j) => {
          const behaviours = distributionOf(j).ordered_cache_behavior;
          behaviours[2].response_headers_policy_id = behaviours[0].response_headers_policy_id;
        }),
      ),
    ).toEqual([expect.stringMatching(/behaviour \/profile\): CORS origins \["https:\/\/app\.dev\.example\.com"\]; expected exactly \[\]/)]);
    // "*" outside local
    const star = { orders: ['*'], profile: [] };
    expect(corsProblems(broken((j) => (corsPolicy(j).cors_config.access_control_allow_origins.items = ['*'])), { allowOrigins: star, emulator: false })).toEqual(
      expect.arrayContaining([expect.stringMatching(/CORS allows "\*"; expected exact origins outside local/)]),
    );
  });

  test('CORS: fails when the API sets CORS headers itself (two owners: a disallowed origin could get one)', () => {
    const check = (json: any) => corsProblems(json, { allowOrigins: { orders: ['https://app.dev.example.com'], profile: [] }, emulator: false });
    const withGatewayHeader = broken((j) => {
      const api = first(j, 'aws_api_gateway_rest_api');
      const document = JSON.parse(api.body);
      document['x-amazon-apigateway-gateway-responses'].DEFAULT_4XX = { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } };
      api.body = JSON.stringify(document);
    });
    expect(check(withGatewayHeader)).toEqual([expect.stringMatching(/gateway response DEFAULT_4XX sets \["gatewayresponse\.header\.Access-Control-Allow-Origin"\]/)]);
  });

  test('the distribution comment is cut to CloudFront\'s 128 characters, whatever the APIs\' names', () => {
    const names = Array.from({ length: 12 }, (_, i) => `api-with-a-long-name-${i}`);
    expect(distributionComment('platform-prod', names).length).toBeLessThanOrEqual(MAX_DISTRIBUTION_COMMENT);
    expect(distributionComment('platform-prod', ['orders'])).toBe('platform-prod: private APIs (/orders)');
  });

  test('fails when targets use for_each or the interfaces are not counted', () => {
    expect(
      targetProblems(
        broken((j) => {
          const attachment = first(j, 'aws_lb_target_group_attachment');
          delete attachment.count;
          attachment.for_each = '${toset(aws_vpc_endpoint.x.network_interface_ids)}';
        }),
      ),
    ).toEqual([expect.stringMatching(/expected count = the interfaces' count/)]);
    expect(targetProblems(broken((j) => (first(j, 'aws_lb_target_group').health_check.matcher = '200')))).toEqual([expect.stringMatching(/matcher "200,403"/)]);
  });
});

describe('edge module props', () => {
  // The schema refuses these first (environments/schema.ts); the module refuses them on its own for callers that build
  // props by hand, so the environment is changed after the schema.
  const expectError = (change: (env: any) => void, message: RegExp) => {
    const env = structuredClone(environment('dev'));
    change(env);
    expect(() => synthesize(env)).toThrow(EdgeConfigError);
    expect(() => synthesize(env)).toThrow(message);
  };

  test('fails when the origin name is the viewer name', () => {
    expectError((raw) => (raw.edge.originDomainName = raw.edge.domainName), /originDomainName "api\.dev\.example\.com" equals domainName/);
  });

  test('fails when a name is outside the zone the stack creates', () => {
    expectError(
      (raw) => (raw.edge.hostedZone = { mode: 'create', name: 'other.example.org' }),
      /domainName "api\.dev\.example\.com" is not in hostedZone\.name "other\.example\.org"/,
    );
  });

  test('fails when there are not two subnets for the ALB', () => {
    // local may run in one AZ on the emulator; an ALB cannot.
    const env = environment('local', (raw) => (raw.network.azCount = 1));
    expect(() => synthesize(env)).toThrow(/network has 1 private subnet\(s\): an ALB needs subnets in at least 2 availability zones/);
  });

  test('fails when a certificate is in the wrong region', () => {
    // The schema refuses this too; the module refuses it on its own for callers that build props by hand.
    const env = environment('staging');
    const app = Testing.app();
    const certificate = { mode: 'arn' as const, arn: 'arn:aws:acm:eu-west-1:222222222222:certificate/2b1d3c4e-5f60-4a7b-8c9d-0e1f2a3b4c5d' };
    expect(() => addEnvironmentStacks(app, { ...env, edge: { ...env.edge, viewerCertificate: certificate } })).toThrow(
      /viewerCertificate\.arn .* is in eu-west-1: give a certificate in us-east-1/,
    );
  });
});
