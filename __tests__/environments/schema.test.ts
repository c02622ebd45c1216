/**
 * Environment files: every shipped environment is valid, and each kind of bad
 * file fails with an error that names the environment, the field, the value
 * and what would be valid.
 */
import { EnvironmentError, listEnvironments, loadEnvironment, parseEnvironment } from '../../environments/load';
import { MAX_ENVIRONMENT_NAME_LENGTH } from '../../environments/schema';
import { countApiResources } from '@private-api-platform/constructs/aws-limits';
import { platformNamePrefix } from '../../stacks/names';
import { carveSubnets, cidrContains, cidrsOverlap } from '@private-api-platform/constructs/network/cidr';
import { ENVIRONMENT_NAMES, rawEnvironment } from '../helpers/synth';

function errorOf(name: string, change: (raw: any) => void): EnvironmentError {
  const raw = rawEnvironment(name);
  change(raw);
  try {
    parseEnvironment(name, raw);
  } catch (error) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new Error(`expected environment "${name}" to be rejected`);
}

/** The one problem at `path`: its value and message (and no problem anywhere else). */
function problemAt(error: EnvironmentError, path: string) {
  expect(error.issues.map((i) => i.path)).toEqual([path]);
  return error.issues[0]!;
}

describe('shipped environments', () => {
  it('lists the four environments in deploy order', () => {
    expect(listEnvironments()).toEqual([...ENVIRONMENT_NAMES]);
  });

  it.each(ENVIRONMENT_NAMES)('%s is valid', (name) => {
    const env = loadEnvironment(name);
    expect(env.name).toBe(name);
    expect(env.apis.length).toBeGreaterThan(0);
  });

  it('prod has deletion protection and prevent-destroy on', () => {
    expect(loadEnvironment('prod').protections).toEqual({ deletionProtection: true, preventDestroy: true });
  });

  it('only local targets the emulator, and the loader can move it to another loopback port', () => {
    expect(loadEnvironment('local', undefined, { emulatorEndpoint: 'http://127.0.0.1:45123' }).emulator?.endpoint).toBe('http://127.0.0.1:45123');
    for (const name of ['dev', 'staging', 'prod']) expect(loadEnvironment(name).emulator).toBeUndefined();
  });
});

describe('bad environment files', () => {
  // GIVEN a valid environment WHEN one field is broken THEN the error names that field, its value and what is valid.
  const cases: [string, string, (raw: any) => void, string, RegExp][] = [
    ['account id of 11 digits', 'dev', (e) => (e.account.id = '12345678901'), 'account.id', /12-digit AWS account id/],
    ['region that does not exist', 'dev', (e) => (e.account.region = 'europe-1'), 'account.region', /AWS region such as eu-west-1/],
    ['name that is not the file name', 'dev', (e) => (e.name = 'develop'), 'name', /"dev", the name of the file/],
    ['VPC CIDR that is not a network', 'dev', (e) => (e.network.cidrBlock = '10.10.0.1/16'), 'network.cidrBlock', /IPv4 CIDR block/],
    ['subnet outside the VPC CIDR', 'staging', (e) => (e.network.privateSubnetCidrBlocks[2] = '10.99.0.0/20'), 'network.privateSubnetCidrBlocks[2]', /inside the VPC CIDR 10.20.0.0\/16/],
    ['overlapping subnets', 'staging', (e) => (e.network.privateSubnetCidrBlocks[1] = '10.20.8.0/21'), 'network.privateSubnetCidrBlocks[1]', /does not overlap privateSubnetCidrBlocks\[0\]/],
    ['subnet count that is not the AZ count', 'staging', (e) => e.network.privateSubnetCidrBlocks.pop(), 'network.privateSubnetCidrBlocks', /one block per AZ: 3 blocks/],
    ['one AZ outside local', 'prod', (e) => (e.network.azCount = 1), 'network.azCount', /at least 2 availability zones outside local/],
    ['unknown network mode', 'dev', (e) => (e.network.mode = 'shared'), 'network.mode', /"create", "existing"/],
    ['existing VPC with a malformed id', 'dev', (e) => (e.network = { mode: 'existing', vpcId: 'vpc-xyz', privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] }), 'network.vpcId', /VPC id such as vpc-/],
    ['route scope the resource server does not define', 'dev', (e) => (e.apis[0].routes[0].scopes = ['orders.delete']), 'apis[0].routes[0].scopes[0]', /scope the resource server defines: orders.read/],
    ['route without scopes', 'dev', (e) => (e.apis[0].routes[1].scopes = []), 'apis[0].routes[1].scopes', /at least one scope/],
    ['duplicate route', 'dev', (e) => e.apis[0].routes.push({ ...e.apis[0].routes[1] }), 'apis[0].routes[4]', /not already apis\[0\].routes\[1\] \(GET \/\{orderId\}\)/],
    ['route path with a trailing slash', 'dev', (e) => (e.apis[0].routes[1].path = '/orders/'), 'apis[0].routes[1].path', /a path such as/],
    ['unknown HTTP method', 'dev', (e) => (e.apis[0].routes[0].method = 'FETCH'), 'apis[0].routes[0].method', /"GET", "POST"/],
    ['OPTIONS route (CORS is generated)', 'dev', (e) => (e.apis[0].routes[0].method = 'OPTIONS'), 'apis[0].routes[0].method', /OPTIONS is generated for CORS/],
    ['Lambda integration with a malformed ARN', 'dev', (e) => (e.apis[0].routes[2].integration.functionArn = 'orders-update'), 'apis[0].routes[2].integration.functionArn', /Lambda function ARN/],
    ['callback URL over http outside local', 'dev', (e) => (e.identity.clients[0].callbackUrls = ['http://app.dev.example.com/cb']), 'identity.clients[0].callbackUrls[0]', /exact https URL without wildcards/],
    ['callback URL with a wildcard', 'prod', (e) => (e.identity.clients[0].callbackUrls = ['https://*.example.com/cb']), 'identity.clients[0].callbackUrls[0]', /without wildcards/],
    ['logout URL with a wildcard in local', 'local', (e) => (e.identity.clients[0].logoutUrls = ['http://localhost:3000/*']), 'identity.clients[0].logoutUrls[0]', /without wildcards/],
    ['machine client with a callback URL', 'dev', (e) => (e.identity.clients[2].callbackUrls = ['https://svc.example.com/cb']), 'identity.clients[2].callbackUrls', /machine clients use client credentials/],
    ['web client without callback URLs', 'dev', (e) => (e.identity.clients[0].callbackUrls = []), 'identity.clients[0].callbackUrls', /at least one exact callback URL/],
    ['client kind that does not exist', 'dev', (e) => (e.identity.clients[1].kind = 'desktop'), 'identity.clients[1].kind', /"web", "mobile", "machine"/],
    ['client scope the resource server does not define', 'dev', (e) => (e.identity.clients[2].scopes = ['admin']), 'identity.clients[2].scopes[0]', /scope the resource server defines/],
    ['password sign-in for tests outside local', 'staging', (e) => (e.identity.allowPasswordAuthForTests = true), 'identity.allowPasswordAuthForTests', /allowed in local only/],
    ['prod without deletion protection', 'prod', (e) => (e.protections.deletionProtection = false), 'protections.deletionProtection', /prod must have deletion protection on/],
    ['log retention CloudWatch does not accept', 'dev', (e) => (e.logRetentionDays = 10), 'logRetentionDays', /one of the retention periods CloudWatch accepts: 1, 3, 5, 7, 14/],
    ['WAF rate limit below the minimum', 'dev', (e) => (e.edge.wafRateLimit = 5), 'edge.wafRateLimit', /at least 10/],
    ['viewer certificate outside us-east-1', 'staging', (e) => (e.edge.viewerCertificate.arn = e.edge.viewerCertificate.arn.replace('us-east-1', 'eu-west-1')), 'edge.viewerCertificate.arn', /certificate in us-east-1/],
    ['origin certificate outside the region', 'prod', (e) => (e.edge.originCertificate.arn = e.edge.originCertificate.arn.replace('eu-central-1', 'eu-west-1')), 'edge.originCertificate.arn', /certificate in eu-central-1, the region of the ALB/],
    ['dns-validated certificate without a hosted zone', 'dev', (e) => {
      delete e.edge.hostedZone;
      e.edge.originCertificate = { mode: 'arn', arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d' };
    }, 'edge.viewerCertificate.mode', /needs a Route 53 zone/],
    ['CORS origin "*" outside local', 'dev', (e) => (e.apis[0].corsAllowOrigins = ['*']), 'apis[0].corsAllowOrigins[0]', /"\*" is allowed in local only/],
    ['unknown field (a typo)', 'dev', (e) => (e.logRetentionDay = 14), '', /no unknown fields/],
    ['emulator endpoint on a non-loopback address', 'local', (e) => (e.emulator.endpoint = 'http://10.0.0.5:4566'), 'emulator.endpoint', /loopback only/],
    ['emulator outside local', 'dev', (e) => (e.emulator = { endpoint: 'http://127.0.0.1:4566' }), 'emulator', /only local may target the emulator/],
    ['tag value over 256 characters', 'dev', (e) => (e.tags.Owner = 'x'.repeat(257)), 'tags.Owner', /at most 256 characters/],
    ['state bucket with upper-case letters', 'dev', (e) => (e.state.bucket = 'Platform-State'), 'state.bucket', /lower-case letters, digits, "." and "-", .*this one has 14 \(AWS: https:\/\/docs.aws.amazon.com\/AmazonS3\/latest\/userguide\/bucketnamingrules.html\)/],
    ['missing required field', 'dev', (e) => delete e.edge.priceClass, 'edge.priceClass', /"PriceClass_100", "PriceClass_200", "PriceClass_All"/],
    ['CI repository that is not owner/name', 'dev', (e) => (e.ci.githubRepository = 'https://github.com/my-org/platform'), 'ci.githubRepository', /owner\/name of a GitHub repository/],
    ['CI roles for the emulator', 'local', (e) => (e.ci = { githubRepository: 'my-org/private-api-platform' }), 'ci', /GitHub Actions cannot reach; remove this field/],
    ['CI OIDC provider of another account', 'prod', (e) => (e.ci.existingOidcProviderArn = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com'), 'ci.existingOidcProviderArn', /this environment's account 333333333333, not of account 111111111111/],
    ['CI OIDC provider that is not GitHub\'s', 'staging', (e) => (e.ci.existingOidcProviderArn = 'arn:aws:iam::222222222222:oidc-provider/gitlab.com'), 'ci.existingOidcProviderArn', /oidc-provider\/token\.actions\.githubusercontent\.com/],
  ];

  it.each(cases)('fails when the file has a %s', (_what, env, change, path, expected) => {
    const error = errorOf(env, change);
    const problem = problemAt(error, path);
    expect(problem.message).toMatch(expected);
    expect(error.message).toContain(`environment "${env}" is not valid`);
    expect(error.message).toContain(`${path || '(root)'}: got `);
  });

  it('fails when an API needs more than 300 API Gateway resources, and says how many', () => {
    const error = errorOf('dev', (e) => {
      e.apis[0].routes = Array.from({ length: 300 }, (_, i) => ({ path: `/r${i}`, method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK' } }));
    });
    expect(problemAt(error, 'apis[0].routes').message).toMatch(/at most 300 API Gateway resources \(the AWS quota\); these need 301/);
  });

  it('accepts exactly 300 API Gateway resources', () => {
    const raw = rawEnvironment('dev');
    // the root and 299 paths: the API's name is the base path mapping's, not a resource of the API
    raw.apis[0].routes = Array.from({ length: 299 }, (_, i) => ({ path: `/r${i}`, method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK' } }));
    expect(countApiResources(parseEnvironment('dev', raw).apis[0]!)).toBe(300);
  });

  it('fails when the environment name is too long for the names built from it (AWS caps a target group name at 32)', () => {
    expect(MAX_ENVIRONMENT_NAME_LENGTH).toBe(11);
    // the longest name passes, and its target group name is exactly 32 characters
    const longest = 'a'.repeat(MAX_ENVIRONMENT_NAME_LENGTH);
    expect(`${platformNamePrefix({ name: longest })}-execute-api`).toHaveLength(32);
    const error = errorOf('dev', (e) => (e.name = 'integration-1'));
    expect(problemAt(error, 'name').message).toMatch(/a lower-case name of 2 to 11 letters, digits and hyphens \(platform-<name>-execute-api, the target group's name, must fit AWS's 32 characters\)/);
  });

  it('shows the value it got, quoted, in the message', () => {
    const error = errorOf('dev', (e) => (e.account.region = 'europe-1'));
    expect(error.message).toContain('account.region: got "europe-1"; expected an AWS region');
  });

  it('reports every field problem of a file at once', () => {
    const error = errorOf('prod', (e) => {
      e.account.region = 'mars-1';
      e.logRetentionDays = 10;
    });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['account.region', 'logRetentionDays']);
    expect(error.message).toMatch(/2 problems/);
  });

  it('checks cross-field rules once every field parses', () => {
    // GIVEN a field error and a cross-field error WHEN loaded THEN the field error comes first...
    const first = errorOf('prod', (e) => {
      e.protections.deletionProtection = false;
      e.logRetentionDays = 10;
    });
    expect(first.issues.map((i) => i.path)).toEqual(['logRetentionDays']);
    // ...and fixing it shows the cross-field one.
    const second = errorOf('prod', (e) => (e.protections.deletionProtection = false));
    expect(second.issues.map((i) => i.path)).toEqual(['protections.deletionProtection']);
  });

  it('fails when the environment file does not exist, and lists the ones that do', () => {
    expect(() => loadEnvironment('qa')).toThrow(/environment "qa" is not valid[\s\S]*one of the environments: local, dev, staging, prod/);
  });
});

describe('CIDR arithmetic', () => {
  it('carves consecutive /20 subnets and keeps them inside and apart', () => {
    const subnets = carveSubnets('10.42.0.0/16', 3);
    expect(subnets).toEqual(['10.42.0.0/20', '10.42.16.0/20', '10.42.32.0/20']);
    expect(subnets.every((s) => cidrContains('10.42.0.0/16', s))).toBe(true);
    expect(cidrsOverlap(subnets[0]!, subnets[1]!)).toBe(false);
  });

  it('carves smaller subnets out of a small VPC, and fails when they cannot fit', () => {
    expect(carveSubnets('10.0.0.0/24', 2)).toEqual(['10.0.0.0/25', '10.0.0.128/25']);
    expect(() => carveSubnets('10.0.0.0/28', 4)).toThrow(/cannot hold 4 subnets/);
  });
});

describe('API Gateway path rules, before apply', () => {
  const routes = (raw: any) => raw.apis[0].routes as { path: string; method: string; scopes: string[]; integration: object }[];
  const route = (path: string, method = 'GET') => ({ path, method, scopes: ['orders.read'], integration: { type: 'MOCK' } });

  it('fails when a greedy variable is not the last part of the path', () => {
    const issue = problemAt(errorOf('dev', (raw) => routes(raw).push(route('/files/{proxy+}/items'))), 'apis[0].routes[4].path');
    expect(issue.value).toBe('"/files/{proxy+}/items"');
    expect(issue.message).toBe('a greedy variable ({proxy+}) only as the last part of the path: it matches the rest of the path');
  });

  it('fails when two routes put different variables under one parent (API Gateway allows one per level)', () => {
    // dev's orders API has /{orderId}; /{id}/history puts {id} beside it.
    const issue = problemAt(errorOf('dev', (raw) => routes(raw).push(route('/{id}/history'))), 'apis[0].routes[4].path');
    expect(issue.message).toBe('the variable {orderId} under /, as routes[1] names it: API Gateway allows one variable path part per level, not {id} beside it');
  });

  it('fails when a path uses one variable name twice', () => {
    const issue = problemAt(errorOf('dev', (raw) => routes(raw).push(route('/{orderId}/items/{orderId}'))), 'apis[0].routes[4].path');
    expect(issue.message).toBe('each variable once per path ({orderId} is used twice)');
  });

  it.each(['/orders/{id', '/orders/{}', '/orders/{order-id}', '/orders//items', 'orders', '/orders/'])('fails on the malformed template %s', (path) => {
    const issue = problemAt(errorOf('dev', (raw) => routes(raw).push(route(path))), 'apis[0].routes[4].path');
    expect(issue.message).toBe('a path such as / or /orders/{orderId}: segments of letters, digits, ._- or one {parameter}');
  });

  it('accepts the same variable under one parent across routes, and a greedy variable last', () => {
    const raw = rawEnvironment('dev');
    routes(raw).push(route('/{orderId}/history'), route('/files/{proxy+}'));
    expect(() => parseEnvironment('dev', raw)).not.toThrow();
  });
});

describe('GitHub settings that would never match', () => {
  it('fails when the main branch is given as a full ref: the OIDC subject adds refs/heads/ itself', () => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.ci.mainBranch = 'refs/heads/main')), 'ci.mainBranch');
    expect(issue.message).toBe('the branch name alone, such as main: the role trusts ref:refs/heads/<branch>, so a full ref never matches');
  });
});

describe('URLs that can never work, or would leak a token', () => {
  const orders = (raw: any) => raw.apis[0];
  const putRoute = (raw: any) => orders(raw).routes[2]; // dev: PUT /{orderId}, LAMBDA_PROXY

  it.each([
    ['htps://app.dev.example.com/auth/callback', 'https:// (the scheme "htps:" looks mistyped)'],
    ['https:/app.dev.example.com/auth/callback', 'a URL that starts with https:// (two slashes)'],
    ['https//app.dev.example.com/auth/callback', 'a URL that starts with https:// (the colon is missing)'],
  ])('fails on the callback %s: a mistyped scheme, not an app scheme', (url, message) => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.identity.clients[0].callbackUrls[0] = url)), 'identity.clients[0].callbackUrls[0]');
    expect(issue.message).toBe(message);
  });

  it('fails on a callback to the user\'s own machine outside local, even over https', () => {
    const issue = problemAt(errorOf('prod', (raw) => (raw.identity.clients[0].callbackUrls[0] = 'https://localhost:3000/auth/callback')), 'identity.clients[0].callbackUrls[0]');
    expect(issue.message).toBe("a URL of the deployed app: prod must not send users' codes to their own machine (localhost is for local)");
  });

  it.each([
    ['https://app.dev.example.com/', ' (without the trailing slash)'],
    ['https://app.dev.example.com/app', ' (an origin has no path)'],
    ['platformapp://callback', ''],
    ['http://app.dev.example.com', ''],
    ['https://localhost:3000', ''],
  ])('fails on the CORS origin %s, which a browser never sends (or only on a developer\'s machine)', (origin, hint) => {
    const issue = problemAt(errorOf('dev', (raw) => (orders(raw).corsAllowOrigins = [origin])), 'apis[0].corsAllowOrigins[0]');
    expect(issue.message).toBe(`an origin as browsers send it, https://host[:port]${hint}: CloudFront compares it with the Origin header as a string`);
  });

  it('accepts origins with a port, and http://localhost in local', () => {
    const raw = rawEnvironment('dev');
    orders(raw).corsAllowOrigins = ['https://app.dev.example.com:8443'];
    expect(() => parseEnvironment('dev', raw)).not.toThrow();
    expect(loadEnvironment('local').apis[0]!.corsAllowOrigins).toEqual(['http://localhost:3000']);
  });

  it('fails on a plain http backend outside local: the bearer token would travel in clear', () => {
    const issue = problemAt(errorOf('dev', (raw) => (putRoute(raw).integration = { type: 'HTTP_PROXY', uri: 'http://orders.internal.example.com/{orderId}' })), 'apis[0].routes[2].integration.uri');
    expect(issue.message).toBe("an https:// URL: plain http would carry the caller's bearer token in clear (allowed in local only)");
  });

  it('fails on a backend with a mistyped scheme or on localhost', () => {
    const typo = problemAt(errorOf('dev', (raw) => (putRoute(raw).integration = { type: 'HTTP_PROXY', uri: 'htttps://orders.example.com/x' })), 'apis[0].routes[2].integration.uri');
    expect(typo.message).toBe('https:// (the scheme "htttps:" looks mistyped)');
    const loopback = problemAt(errorOf('dev', (raw) => (putRoute(raw).integration = { type: 'HTTP_PROXY', uri: 'https://localhost:8080/x' })), 'apis[0].routes[2].integration.uri');
    expect(loopback.message).toBe('a backend API Gateway can reach: localhost is the gateway itself');
  });

  it('fails on a Lambda function of another account or region than the environment\'s', () => {
    const other = problemAt(errorOf('dev', (raw) => (putRoute(raw).integration.functionArn = 'arn:aws:lambda:eu-west-1:999999999999:function:orders-update')), 'apis[0].routes[2].integration.functionArn');
    expect(other.message).toBe("a function of this environment's account 111111111111 in eu-west-1 (this one is in account 999999999999, eu-west-1)");
    const region = problemAt(errorOf('dev', (raw) => (putRoute(raw).integration.functionArn = 'arn:aws:lambda:us-east-1:111111111111:function:orders-update')), 'apis[0].routes[2].integration.functionArn');
    expect(region.message).toContain('(this one is in account 111111111111, us-east-1)');
  });
});

describe('AWS\'s own rules, known before apply', () => {
  it.each([['account.region', 'eu-west-9'], ['state.region', 'us-east-7'], ['account.region', 'us-gov-west-1']])('fails on %s %s: no such region in the aws partition', (field, region) => {
    const issue = problemAt(
      errorOf('dev', (raw) => {
        const [section, key] = field.split('.') as [string, string];
        raw[section][key] = region;
      }),
      field,
    );
    expect(issue.message).toBe('an AWS region such as eu-west-1 or us-east-1 that exists in the aws partition (34 in packages/constructs/src/aws-limits.ts AWS_REGIONS; add one AWS has opened since)');
  });

  it.each([
    ['10.0.0.0/8', 'a block from /16 (65,536 addresses) to /28 (16), the sizes AWS allows for a VPC'],
    ['10.0.0.0/29', 'a block from /16 (65,536 addresses) to /28 (16), the sizes AWS allows for a VPC'],
    ['10.0.0.0/28', 'a block with room for 2 subnets of /28 or larger (one per AZ), or privateSubnetCidrBlocks given'],
  ])('fails on the VPC block %s', (block, message) => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.network.cidrBlock = block)), 'network.cidrBlock');
    expect(issue.message).toBe(message);
  });

  it('fails on a subnet smaller than /28, and on a subnet given twice', () => {
    const small = problemAt(
      errorOf('staging', (raw) => (raw.network.privateSubnetCidrBlocks[2] = '10.20.32.0/29')),
      'network.privateSubnetCidrBlocks[2]',
    );
    expect(small.message).toBe('a block of /28 (16 addresses) or larger, the smallest subnet AWS allows');
    const twice = problemAt(errorOf('staging', (raw) => (raw.network.privateSubnetCidrBlocks[2] = '10.20.0.0/20')), 'network.privateSubnetCidrBlocks[2]');
    expect(twice.message).toBe('a block that does not overlap privateSubnetCidrBlocks[0] (10.20.0.0/20)');
    const ids = problemAt(
      errorOf('dev', (raw) => (raw.network = { mode: 'existing', vpcId: 'vpc-0123456789abcdef0', privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef0'] })),
      'network.privateSubnetIds[1]',
    );
    expect(ids.message).toBe('a subnet not already privateSubnetIds[0]: each AZ needs its own');
  });

  it('fails on a KMS alias AWS reserves, naming the rule the stacks are checked by', () => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.state.kmsKeyAlias = 'alias/aws/terraform-state')), 'state.kmsKeyAlias');
    expect(issue.message).toContain('not "alias/aws/"');
    expect(issue.message).toContain('(AWS: https://docs.aws.amazon.com/kms/');
  });

  it.each(['my..bucket', 'xn--bucket', '192.168.0.1', 'bucket-s3alias'])('fails on the bucket name %s, which S3 refuses', (bucket) => {
    problemAt(errorOf('dev', (raw) => (raw.state.bucket = bucket)), 'state.bucket');
  });

  it('fails on a resource server identifier Cognito refuses (a space)', () => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.identity.resourceServer.identifier = 'https://api dev')), 'identity.resourceServer.identifier');
    expect(issue.message).toContain('printable ASCII without spaces');
  });

  it('fails on tag keys AWS reserves, characters services refuse, and more tags than a resource can hold', () => {
    const reserved = problemAt(errorOf('dev', (raw) => (raw.tags['aws:owner'] = 'x')), 'tags.aws:owner');
    expect(reserved.message).toBe('a tag key that does not start with "aws:", which AWS reserves (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html)');
    const value = problemAt(errorOf('dev', (raw) => (raw.tags.Team = 'platform & ops')), 'tags.Team');
    expect(value.message).toMatch(/^a tag value of letters, digits, spaces and _ \. : \/ = \+ - @: some services refuse other characters/);
    const many = problemAt(
      errorOf('dev', (raw) => {
        for (let i = 0; i < 50; i++) raw.tags[`Extra${i}`] = 'x';
      }),
      'tags',
    );
    expect(many.message).toBe('at most 49 tags: AWS allows 50 per resource and the platform adds one of its own');
  });
});

describe('what the edge module would refuse, refused by the schema first (the same quotas)', () => {
  const copies = (raw: any, count: number, origins?: (i: number) => string[]) =>
    Array.from({ length: count }, (_, i) => ({ ...structuredClone(raw.apis[0]), name: `api-${String(i).padStart(2, '0')}`, ...(origins ? { corsAllowOrigins: origins(i) } : {}) }));

  it('fails on more APIs than a distribution has cache behaviours for', () => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.apis = copies(raw, 38))), 'apis');
    expect(issue.message).toBe('at most 37 APIs: each needs 2 CloudFront cache behaviours and a distribution holds 75');
  });

  it('fails on more different sets of CORS origins than an account has response headers policies for', () => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.apis = copies(raw, 20, (i) => [`https://app${i}.dev.example.com`]))), 'apis');
    expect(issue.message).toBe('at most 19 different sets of corsAllowOrigins (each is a CloudFront response headers policy, an account holds 20); these have 20');
    const raw = rawEnvironment('dev');
    raw.apis = copies(raw, 20, (i) => [`https://app${i % 19}.dev.example.com`]);
    expect(() => parseEnvironment('dev', raw)).not.toThrow();
  });

  it('fails when a name is outside the hosted zone the stack creates (its records could not be written)', () => {
    const issue = problemAt(errorOf('local', (raw) => (raw.edge.originDomainName = 'origin.api.platform.example')), 'edge.originDomainName');
    expect(issue.message).toBe('a name in edge.hostedZone.name platform.test, whose records the stack writes');
  });

  it('fails when the origin name is the viewers\' name', () => {
    const issue = problemAt(errorOf('dev', (raw) => (raw.edge.originDomainName = raw.edge.domainName)), 'edge.originDomainName');
    expect(issue.message).toBe("a name other than domainName (such as origin.api.dev.example.com): viewers must never reach the ALB's name");
  });
});
