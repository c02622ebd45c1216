/**
 * The probes a platform team runs after every deploy (`npm run smoke`): what a caller gets, per route, through
 * CloudFront, and what it gets going around it. The same probes run against `local` (the local edge, the emulator's
 * Cognito) and against a real environment (its CloudFront domain, its Cognito token endpoint): only the addresses
 * differ, and `connectTo` sends a host's requests to a stand-in (how `local` reaches its execute-api and Cognito
 * hosts on the emulator, and how the tests stand in for AWS's endpoints).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ApiConfig, Environment } from '../../environments/schema';
import { httpCall, type HttpAnswer } from './edge/http';

export interface SmokeTarget {
  readonly environment: Environment;
  /** Where viewers call the APIs: https://<edge domain> (or the local edge). */
  readonly baseUrl: string;
  /** The Cognito token endpoint. */
  readonly tokenUrl: string;
  readonly machineClient: { readonly name: string; readonly id: string; readonly secret: string; readonly scopes: readonly string[] };
  /** The resource server's identifier: a scope `read` is `<identifier>/read` in a token. */
  readonly scopePrefix: string;
  /** REST API ids by API name, and the stage they are deployed to. */
  readonly restApiIds: Readonly<Record<string, string>>;
  readonly stageName: string;
  readonly albDnsName?: string;
  /** The ALB is internal (DescribeLoadBalancers): nothing outside the VPC has a route to it. */
  readonly albInternal?: boolean;
  /** host -> http://127.0.0.1:<port>: requests for that host go there, with their Host header unchanged. */
  readonly connectTo: Readonly<Record<string, string>>;
}

export interface ProbeResult {
  readonly probe: string;
  readonly request: string;
  readonly expected: string;
  readonly got: string;
  readonly passed: boolean;
}

type Outcome = HttpAnswer | { readonly unreachable: string };

/** A request to `url`, through `connectTo` when its host is there; a network failure is "unreachable". */
async function send(target: SmokeTarget, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Outcome> {
  const parsed = new URL(url);
  const standIn = target.connectTo[parsed.hostname];
  try {
    if (standIn) return await httpCall(`${standIn}${parsed.pathname}${parsed.search}`, { ...init, host: parsed.host, timeoutMs: 15_000 });
    if (parsed.protocol === 'http:') return await httpCall(url, { ...init, timeoutMs: 15_000 });
    const response = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    return { status: response.status, headers: Object.fromEntries([...response.headers].map(([k, v]) => [k.toLowerCase(), v])), body: await response.text() };
  } catch (error) {
    // fetch wraps the network error in `cause`; node:http's carries its code itself
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { unreachable: (error as NodeJS.ErrnoException).code ?? cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)) };
  }
}

const describe = (o: Outcome): string => ('unreachable' in o ? `unreachable (${o.unreachable})` : `${o.status}${o.headers['x-local-edge-step'] ? ` [${o.headers['x-local-edge-step']}]` : ''}`);

/** A client-credentials token of the machine client for `scopes` (full names); undefined with the reason when refused. */
export async function machineToken(target: SmokeTarget, scopes: readonly string[]): Promise<{ token?: string; error?: string }> {
  const basic = Buffer.from(`${target.machineClient.id}:${target.machineClient.secret}`).toString('base64');
  const outcome = await send(target, target.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: scopes.join(' ') }).toString(),
  });
  if ('unreachable' in outcome) return { error: `token endpoint ${describe(outcome)}` };
  if (outcome.status !== 200) return { error: `token endpoint answered ${outcome.status} ${outcome.body.slice(0, 200)}` };
  return { token: JSON.parse(outcome.body).access_token };
}

const ALIEN_ORIGIN = 'https://not-an-allowed-origin.example';

/** Every probe of `target`, in order; none stops the others. */
export async function runSmoke(target: SmokeTarget, progress: (line: string) => void = () => undefined): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const record = (result: ProbeResult) => {
    results.push(result);
    progress(`${result.passed ? 'pass' : 'FAIL'}  ${result.probe}  ${result.request}: ${result.got}`);
  };
  const full = (scope: string) => `${target.scopePrefix}/${scope}`;
  const machineScopes = target.machineClient.scopes.map(full);
  const everything = await machineToken(target, machineScopes);
  if (!everything.token) {
    record({ probe: 'token', request: `client_credentials ${target.machineClient.name}`, expected: '200 and an access token', got: everything.error ?? '', passed: false });
    return results;
  }
  record({ probe: 'token', request: `client_credentials ${target.machineClient.name}`, expected: '200 and an access token', got: '200', passed: true });

  for (const api of target.environment.apis) {
    const origins = api.corsAllowOrigins ?? [];
    for (const route of api.routes) {
      const path = `/${api.name}${route.path === '/' ? '' : route.path.replace(/\{([^}]+)\}/g, 'smoke-$1')}`;
      const url = `${target.baseUrl}${path}`;
      const label = `${route.method} ${path}`;
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? '{}' : undefined;
      const call = (headers: Record<string, string>) => send(target, url, { method: route.method, headers: { 'user-agent': 'platform-smoke', ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body ? { body } : {}) });

      // No token: the Cognito authorizer refuses (401), and an allowed origin can still read why (CORS on the 401).
      const anonymous = await call(origins[0] ? { origin: origins[0] } : {});
      record({ probe: 'no token', request: label, expected: '401', got: describe(anonymous), passed: !('unreachable' in anonymous) && anonymous.status === 401 });
      if (origins[0]) {
        const allowed = !('unreachable' in anonymous) && anonymous.headers['access-control-allow-origin'] === origins[0];
        record({ probe: 'CORS on 401', request: `${label} Origin: ${origins[0]}`, expected: `Access-Control-Allow-Origin: ${origins[0]}`, got: 'unreachable' in anonymous ? describe(anonymous) : `${anonymous.headers['access-control-allow-origin'] ?? '(none)'}`, passed: allowed });
      }

      // A token without the route's scopes: API Gateway's Cognito authorizer answers 401 ("Otherwise, the call fails
      // with a 401 Unauthorized response": API Gateway developer guide, "Integrate a REST API with an Amazon Cognito
      // user pool").
      const others = target.machineClient.scopes.filter((s) => !route.scopes.includes(s));
      const without = others.length > 0 ? await machineToken(target, others.map(full)) : { error: `the machine client ${target.machineClient.name} has no scope outside ${route.scopes.join(', ')}` };
      if (without.token) {
        const refused = await call({ authorization: `Bearer ${without.token}` });
        record({ probe: 'token without scope', request: `${label} (${others.join(' ')})`, expected: '401', got: describe(refused), passed: !('unreachable' in refused) && refused.status === 401 });
      } else record({ probe: 'token without scope', request: label, expected: '401', got: `skipped: ${without.error}`, passed: true });

      // A token with the route's scope: the integration answers.
      const granted = route.scopes.filter((s) => target.machineClient.scopes.includes(s));
      if (granted.length > 0) {
        const withScope = await machineToken(target, granted.map(full));
        const ok = withScope.token ? await call({ authorization: `Bearer ${withScope.token}`, ...(origins[0] ? { origin: origins[0] } : {}) }) : { unreachable: withScope.error ?? '' };
        const expected = route.integration.type === 'MOCK' ? String(route.integration.statusCode ?? 200) : 'the backend\'s answer (not 401/403)';
        const passed = !('unreachable' in ok) && (route.integration.type === 'MOCK' ? ok.status === Number(route.integration.statusCode ?? 200) : ok.status !== 401 && ok.status !== 403);
        record({ probe: 'token with scope', request: `${label} (${granted.join(' ')})`, expected, got: describe(ok), passed });
        // The browser reads the integration's answer only with the CORS header on it, too.
        if (origins[0] && passed && !('unreachable' in ok) && ok.status < 300) {
          const header = ok.headers['access-control-allow-origin'];
          record({ probe: 'CORS on 2xx', request: `${label} Origin: ${origins[0]}`, expected: `Access-Control-Allow-Origin: ${origins[0]}`, got: header ?? '(none)', passed: header === origins[0] });
        }
      } else record({ probe: 'token with scope', request: label, expected: 'the integration\'s answer', got: `skipped: the machine client ${target.machineClient.name} may not have ${route.scopes.join(' or ')}`, passed: true });
    }
    results.push(...(await corsProbes(target, api, origins, progress)));
  }
  results.push(...(await bypassProbes(target, everything.token, progress)));
  return results;
}

/** A preflight from an allowed origin gets the CORS headers; from any other origin, none. */
async function corsProbes(target: SmokeTarget, api: ApiConfig, origins: readonly string[], progress: (line: string) => void): Promise<ProbeResult[]> {
  const route = api.routes[0]!;
  const path = `/${api.name}${route.path === '/' ? '' : route.path.replace(/\{([^}]+)\}/g, 'smoke-$1')}`;
  const preflight = (origin: string) =>
    send(target, `${target.baseUrl}${path}`, { method: 'OPTIONS', headers: { 'user-agent': 'platform-smoke', origin, 'access-control-request-method': route.method, 'access-control-request-headers': 'authorization' } });
  const results: ProbeResult[] = [];
  for (const origin of origins.filter((o) => o !== '*')) {
    const got = await preflight(origin);
    const header = 'unreachable' in got ? undefined : got.headers['access-control-allow-origin'];
    const ok = !('unreachable' in got) && got.status >= 200 && got.status < 300;
    results.push({ probe: 'preflight, allowed origin', request: `OPTIONS ${path} Origin: ${origin}`, expected: `2xx, Access-Control-Allow-Origin: ${origin}`, got: 'unreachable' in got ? describe(got) : `${describe(got)} ${header ?? '(no CORS header)'}`, passed: ok && header === origin });
  }
  const alien = await preflight(ALIEN_ORIGIN);
  const header = 'unreachable' in alien ? undefined : alien.headers['access-control-allow-origin'];
  results.push({ probe: 'preflight, other origin', request: `OPTIONS ${path} Origin: ${ALIEN_ORIGIN}`, expected: 'no Access-Control-Allow-Origin', got: 'unreachable' in alien ? describe(alien) : `${alien.status} ${header ?? '(no CORS header)'}`, passed: !('unreachable' in alien) && header === undefined });
  for (const r of results) progress(`${r.passed ? 'pass' : 'FAIL'}  ${r.probe}  ${r.request}: ${r.got}`);
  return results;
}

/**
 * Around CloudFront: each API's own execute-api URL with a valid token (a PRIVATE API answers a caller outside its
 * VPC 403 Forbidden, or its name leads nowhere), and the ALB (internal: private addresses only, so no route from
 * outside the VPC). "refused or unreachable" passes; any other answer means the API can be reached around the edge.
 */
async function bypassProbes(target: SmokeTarget, token: string, progress: (line: string) => void): Promise<ProbeResult[]> {
  const region = target.environment.account.region;
  const results: ProbeResult[] = [];
  for (const api of target.environment.apis) {
    const id = target.restApiIds[api.name];
    if (!id) {
      results.push({ probe: 'execute-api directly', request: api.name, expected: '403 or unreachable', got: 'no REST API id in the outputs', passed: false });
      continue;
    }
    const url = `https://${id}.execute-api.${region}.amazonaws.com/${target.stageName}${api.routes[0]!.path.replace(/\{([^}]+)\}/g, 'smoke-$1')}`;
    const got = await send(target, url, { headers: { authorization: `Bearer ${token}`, 'user-agent': 'platform-smoke' } });
    results.push({ probe: 'execute-api directly', request: `GET ${url}`, expected: '403 or unreachable', got: describe(got), passed: 'unreachable' in got || got.status === 403 });
  }
  if (target.albDnsName) {
    const url = `https://${target.albDnsName}/${target.environment.apis[0]!.name}`;
    let got: string;
    let passed: boolean;
    if (target.connectTo[target.albDnsName]) {
      const outcome = await send(target, url, { headers: { authorization: `Bearer ${token}` } });
      got = describe(outcome);
      passed = 'unreachable' in outcome || outcome.status === 403;
    } else if (target.albInternal !== undefined) {
      got = target.albInternal ? 'unreachable (scheme internal: private addresses only)' : 'scheme internet-facing: reachable from anywhere';
      passed = target.albInternal;
    } else {
      const addresses = await lookup(target.albDnsName, { all: true }).catch(() => []);
      const publicOnes = addresses.map((a) => a.address).filter((a) => !isPrivateAddress(a));
      got = addresses.length === 0 ? 'unreachable (no address)' : publicOnes.length === 0 ? `unreachable (private addresses only: ${addresses.map((a) => a.address).join(', ')})` : `public addresses ${publicOnes.join(', ')}`;
      passed = publicOnes.length === 0;
    }
    results.push({ probe: 'ALB directly', request: `GET ${url}`, expected: 'refused or unreachable', got, passed });
  }
  for (const r of results) progress(`${r.passed ? 'pass' : 'FAIL'}  ${r.probe}  ${r.request}: ${r.got}`);
  return results;
}

export function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 6) return /^(fc|fd|fe80|::1$)/i.test(address);
  const [a, b] = address.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}
