/** The local edge's pure decisions: path patterns, API Gateway's route precedence, the WAF rules it evaluates. */
import { globMatch, matchRoute, wafBlock, type EdgeRequest } from '../../scripts/lib/edge/walk';
import { isPrivateAddress } from '../../scripts/lib/smoke';

describe('path patterns (CloudFront behaviours, ALB path-pattern)', () => {
  test.each([
    ['/orders', '/orders', true],
    ['/orders/*', '/orders/42/items', true],
    ['/orders/*', '/orders', false],
    ['/orders', '/Orders', false], // case-sensitive
    ['/a??', '/abc', true],
    ['/a??', '/ab', false],
    ['orders/*', '/orders/1', true], // the leading slash is optional
    ['*', '/anything/at/all', true],
    ['/orders.v1', '/ordersXv1', false], // a dot is a dot
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globMatch(pattern, path)).toBe(expected);
  });
});

describe('route precedence (API Gateway)', () => {
  const op = (name: string) => ({ operationId: name });
  const api = {
    paths: {
      '/': { get: op('root') },
      '/{id}': { get: op('param'), 'x-amazon-apigateway-any-method': op('param-any') },
      '/latest': { get: op('exact') },
      '/{id}/items': { post: op('items') },
      '/files/{proxy+}': { get: op('greedy') },
      '/files/readme': { get: op('readme') },
    },
  };
  test.each([
    ['GET', '/', 'root', {}],
    ['GET', '/latest', 'exact', {}],
    ['GET', '/42', 'param', { id: '42' }],
    ['DELETE', '/42', 'param-any', { id: '42' }],
    ['POST', '/42/items', 'items', { id: '42' }],
    ['GET', '/files/a/b/c', 'greedy', { proxy: 'a/b/c' }],
    ['GET', '/files/readme', 'readme', {}],
    // "a method request against a specific resource takes precedence over a method request against a generic
    // resource": /latest has no PUT method request, so the generic resource's ANY takes it
    ['PUT', '/latest', 'param-any', { id: 'latest' }],
  ])('%s %s -> %s', (method, path, operation, params) => {
    const route = matchRoute(api, method, path);
    expect(route?.operation.operationId).toBe(operation);
    expect(route?.params).toEqual(params);
  });
  test('no resource or no method: no route (API Gateway answers MISSING_AUTHENTICATION_TOKEN)', () => {
    expect(matchRoute(api, 'GET', '/42/items')).toBeUndefined();
    expect(matchRoute(api, 'GET', '/42/items/7')).toBeUndefined();
    expect(matchRoute(api, 'PUT', '/files/readme')).toBeUndefined();
  });
});

describe('WAF rules the edge evaluates', () => {
  const request = (over: Partial<EdgeRequest> = {}): EdgeRequest => ({ method: 'GET', url: '/orders', headers: { 'user-agent': 'app/1.0' }, body: Buffer.alloc(0), clientIp: '127.0.0.1', ...over });
  const acl = (overrides: string[] = [], limit = 1000) => ({
    ARN: `acl-${overrides.join()}-${limit}-${Math.random()}`,
    Rules: [
      { Name: 'rate', Priority: 1, Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: limit, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } } },
      { Name: 'common', Priority: 2, OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet', RuleActionOverrides: overrides.map((Name) => ({ Name, ActionToUse: { Count: {} } })) } } },
    ],
  });
  test('a body over 8 KB is blocked, unless SizeRestrictions_BODY only counts', () => {
    const big = request({ method: 'POST', body: Buffer.alloc(8193) });
    expect(wafBlock(acl(), big, '/orders', '')).toBe('AWSManagedRulesCommonRuleSet/SizeRestrictions_BODY');
    expect(wafBlock(acl(['SizeRestrictions_BODY']), big, '/orders', '')).toBeUndefined();
    expect(wafBlock(acl(), request({ method: 'POST', body: Buffer.alloc(8192) }), '/orders', '')).toBeUndefined();
  });
  test('no User-Agent is blocked (NoUserAgent_HEADER); a long query string too', () => {
    expect(wafBlock(acl(), request({ headers: {} }), '/orders', '')).toBe('AWSManagedRulesCommonRuleSet/NoUserAgent_HEADER');
    expect(wafBlock(acl(), request(), '/orders', 'q='.padEnd(2049, 'x'))).toBe('AWSManagedRulesCommonRuleSet/SizeRestrictions_QUERYSTRING');
  });
  test('the rate-based rule blocks an IP past its limit within the window, not another IP', () => {
    const limited = acl([], 10);
    for (let i = 0; i < 10; i++) expect(wafBlock(limited, request(), '/orders', '')).toBeUndefined();
    expect(wafBlock(limited, request(), '/orders', '')).toMatch(/^rate: more than 10 requests from 127\.0\.0\.1/);
    expect(wafBlock(limited, request({ clientIp: '127.0.0.2' }), '/orders', '')).toBeUndefined();
  });
});

test('private addresses (an internal ALB resolves to these; nothing outside the VPC reaches them)', () => {
  expect(['10.0.1.5', '172.16.0.1', '172.31.255.1', '192.168.1.1', 'fd00::1'].every(isPrivateAddress)).toBe(true);
  expect(['52.95.110.1', '172.32.0.1', '8.8.8.8', '2600:1f18::1'].some(isPrivateAddress)).toBe(false);
});
