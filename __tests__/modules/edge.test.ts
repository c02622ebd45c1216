/**
 * Edge module: CloudFront (WAF) -> VPC origin -> internal ALB (HTTPS) -> the
 * execute-api endpoint's private IPs -> the API named by x-apigw-api-id.
 * Per environment on the synthesized platform stack, then each rule of
 * scripts/lib/rules/edge.ts broken on purpose and seen to fail.
 */
import { DefaultTokenResolver, StringConcat, Testing, Tokenization, type App } from 'cdktf';
import type { Environment } from '../../environments/schema';
import {
  ALB_SSL_POLICY,
  CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST,
  EdgeConfigError,
  MANAGED_CACHE_POLICY_CACHING_DISABLED,
  MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER,
  ORIGIN_VERIFY_HEADER,
} from '../../modules/edge';
import {
  albIngressProblems,
  albProblems,
  apiBehaviourProblems,
  apiIdHeaderProblems,
  edgeProblems,
  originProblems,
  targetProblems,
  viewerProblems,
  wafProblems,
} from '../../scripts/lib/rules/edge';
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
  const apiIds = Object.fromEntries(Object.values(synth.stack.privateApis).map((api) => [api.name, synth.expr(api.restApi.id)]));

  test('every edge rule holds (the checker npm run verify uses)', () => {
    // GIVEN the environment  WHEN its platform stack is synthesized  THEN the edge checker finds nothing
    expect(edgeProblems(synth.json, { apiIds, region: env.account.region })).toEqual([]);
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
    expect(distribution.origin).toHaveLength(env.apis.length);
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

  test('each API is mounted at /<name> and /<name>/*: all 7 methods, caching disabled, every viewer header (Authorization) forwarded', () => {
    for (const api of env.apis) {
      const mine = distribution.ordered_cache_behavior.filter((b: any) => b.target_origin_id === `api-${api.name}`);
      expect(mine.map((b: any) => b.path_pattern)).toEqual([`/${api.name}`, `/${api.name}/*`]);
      for (const behaviour of mine) {
        expect([...behaviour.allowed_methods].sort()).toEqual(ALL_METHODS);
        expect([...behaviour.cached_methods].sort()).toEqual(['GET', 'HEAD']);
        expect(behaviour.cache_policy_id).toBe(MANAGED_CACHE_POLICY_CACHING_DISABLED);
        // AllViewerExceptHostHeader forwards every viewer header, Authorization included; nothing on the path removes it.
        expect(behaviour.origin_request_policy_id).toBe(MANAGED_ORIGIN_REQUEST_POLICY_ALL_VIEWER_EXCEPT_HOST_HEADER);
        expect(behaviour.forwarded_values).toBeUndefined();
        expect(behaviour.function_association).toBeUndefined();
        expect(behaviour.lambda_function_association).toBeUndefined();
        expect(behaviour.response_headers_policy_id).toBe(ref('aws_cloudfront_response_headers_policy', idOf(synth, 'aws_cloudfront_response_headers_policy'), 'id'));
      }
    }
    expect(apiBehaviourProblems(synth.json)).toEqual([]);
  });

  test('the default behaviour exposes nothing: GET/HEAD only, uncached, no viewer values forwarded', () => {
    const fallback = distribution.default_cache_behavior;
    expect([...fallback.allowed_methods].sort()).toEqual(['GET', 'HEAD']);
    expect(fallback.cache_policy_id).toBe(MANAGED_CACHE_POLICY_CACHING_DISABLED);
    expect(fallback.origin_request_policy_id).toBeUndefined();
    expect(fallback.forwarded_values).toBeUndefined();
  });

  test("x-apigw-api-id is each API's own REST API id, on its origin and on the ALB rule for its path; the origin path is its stage", () => {
    for (const api of Object.values(synth.stack.privateApis)) {
      const origin = distribution.origin.find((o: any) => o.origin_id === `api-${api.name}`);
      expect(origin.custom_header).toEqual([{ name: 'x-apigw-api-id', value: synth.expr(api.restApi.id) }]);
      expect(origin.origin_path).toBe(`/${synth.expr(api.stage.stageName)}`);
      const rule = Object.values(synth.resources('aws_lb_listener_rule')).find((r: any) => r.condition[0].path_pattern.values.some((p: string) => p.endsWith(`/${api.name}/*`)));
      expect(rule.condition).toEqual([
        { path_pattern: { values: [`/${synth.expr(api.stage.stageName)}/${api.name}`, `/${synth.expr(api.stage.stageName)}/${api.name}/*`] } },
        { http_header: { http_header_name: 'x-apigw-api-id', values: [synth.expr(api.restApi.id)] } },
      ]);
      expect(rule.action).toEqual([{ type: 'forward', target_group_arn: ref('aws_lb_target_group', idOf(synth, 'aws_lb_target_group'), 'arn') }]);
    }
    expect(apiIdHeaderProblems(synth.json, { apiIds })).toEqual([]);
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
    expect(wafProblems(synth.json, { region: env.account.region })).toEqual([]);
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
    const headers = synth.only('aws_cloudfront_response_headers_policy').security_headers_config;
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

  test('fails when the listener forwards by default, or a rule forwards without the API id header', () => {
    expect(albProblems(broken((j) => (first(j, 'aws_lb_listener').default_action = [{ type: 'forward', target_group_arn: 'x' }])))).toEqual([
      expect.stringMatching(/default_action/),
    ]);
    expect(albProblems(broken((j) => first(j, 'aws_lb_listener_rule').condition.splice(1, 1)))).toEqual([expect.stringMatching(/without a path pattern and an x-apigw-api-id/)]);
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
    const group = (j: any) => Object.values(j.resource.aws_security_group).find((g: any) => String(g.name).endsWith('-edge-alb')) as any;
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

  test("fails when x-apigw-api-id names another API's id (origins swapped)", () => {
    const problems = apiIdHeaderProblems(
      broken((j) => {
        const [orders, profile] = distributionOf(j).origin;
        [orders.custom_header, profile.custom_header] = [profile.custom_header, orders.custom_header];
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/origin "api-orders" \(\/orders\): x-apigw-api-id is .*profile.*; expected the id of the aws_api_gateway_rest_api named \*orders/),
        expect.stringMatching(/the ALB rule for \/orders requires/),
      ]),
    );
  });

  test('fails when x-apigw-api-id is not the expected id given by the caller', () => {
    expect(apiIdHeaderProblems(good, { apiIds: { orders: '${aws_api_gateway_rest_api.other.id}' } })).toEqual([expect.stringMatching(/expected \$\{aws_api_gateway_rest_api\.other\.id\}/)]);
  });

  test('fails when the ALB rule for an API accepts another id', () => {
    expect(apiIdHeaderProblems(broken((j) => (first(j, 'aws_lb_listener_rule').condition[1].http_header.values = ['abc123'])))).toEqual([
      expect.stringMatching(/the ALB rule for \/orders requires x-apigw-api-id \["abc123"\]/),
    ]);
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
  const expectError = (change: (raw: any) => void, message: RegExp) => {
    const env = environment('dev', change);
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
