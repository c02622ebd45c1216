/** `npm run smoke -- <environment> [--base-url URL] [--outputs FILE] [--connect-to HOST=URL,...] [--client NAME]`. */
import { parseArgs, runMain, UsageError } from './lib/args';
import { table } from './lib/progress';
import type { SmokeTarget } from './lib/smoke';

// The SDK is pinned; its warning is about versions published after January 2027, which need Node 22 (engines: >=20.9).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `
usage: npm run smoke -- <environment> [--base-url URL] [--outputs FILE]
                        [--connect-to HOST=URL,...] [--client NAME] [--endpoint URL]

The probes to run after every deploy. For each route of each API, through
CloudFront:
  no token                                  -> 401 (and, from an allowed
                                               origin, CORS headers on it)
  a machine token without the route's scope -> 401
  a machine token with the route's scope    -> the integration's answer
and per API a preflight from each allowed origin (CORS headers) and from
another origin (none); then around CloudFront: each API's own execute-api
URL, with a valid token, and the ALB -> refused or unreachable.
Tokens come from the environment's Cognito token endpoint (client
credentials of its machine client, whose secret is read with the AWS SDK:
DescribeUserPoolClient, with the usual AWS credentials).

"local": the local edge npm start left running and the emulator's Cognito.
A real environment: https://<edge.domainName> and the outputs of its state.

  --base-url URL      where viewers call the APIs (default: the local edge,
                      or https://<edge.domainName>)
  --outputs FILE      the deployment's outputs (terraform output -json);
                      default: read from the environment's state
  --connect-to H=URL  send requests for host H to URL (http://127.0.0.1:PORT)
                      with Host: H unchanged, comma-separated for several: a
                      stand-in for an AWS endpoint
  --client NAME       the machine client (default: the first one)
  --endpoint URL      the emulator (local only; default: the running one)

Prints a table of every probe. Exit 0 when every answer is the expected
one, 1 when any is not (the table names it), 64 on a usage error.
`;

async function main(): Promise<number> {
  const { environments, flags } = parseArgs(process.argv.slice(2), ['--base-url=', '--outputs=', '--connect-to=', '--client=', '--endpoint=']);
  const { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } = require('@aws-sdk/client-cognito-identity-provider') as typeof import('@aws-sdk/client-cognito-identity-provider');
  const { DEFAULT_STAGE_NAME } = require('@private-api-platform/constructs/private-api') as typeof import('@private-api-platform/constructs/private-api');
  const { Deployed } = require('./lib/edge/deployed') as typeof import('./lib/edge/deployed');
  const { localEdgeUrl, outputValue, readOutputs } = require('./lib/outputs') as typeof import('./lib/outputs');
  const { resolveCommandEnvironment } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  const { runSmoke } = require('./lib/smoke') as typeof import('./lib/smoke');
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ') || 'none'}`);
  const text = (name: string) => (typeof flags.get(name) === 'string' ? (flags.get(name) as string) : undefined);
  const connectTo: Record<string, string> = {};
  for (const pair of (text('--connect-to') ?? '').split(',').filter(Boolean)) {
    const [host, url] = pair.split('=', 2);
    if (!host || !url || !/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new UsageError(`--connect-to ${pair}: use HOST=http://127.0.0.1:PORT`);
    connectTo[host] = url;
  }
  const env = await resolveCommandEnvironment(environments[0]!, text('--endpoint'), { requireRunning: true });
  const emulatorEndpoint = env.emulator?.endpoint;
  const outputs = await readOutputs(env, text('--outputs'));

  const machines = env.identity.clients.filter((c) => c.kind === 'machine');
  const machine = text('--client') ? machines.find((c) => c.name === text('--client')) : machines[0];
  if (!machine) throw new UsageError(`${env.name} has no machine client${text('--client') ? ` named "${text('--client')}"` : ''}; machine clients: ${machines.map((c) => c.name).join(', ') || 'none'}`);
  const clientId = outputValue<Record<string, string>>(outputs, 'identity_client_ids')[machine.name];
  if (!clientId) throw new Error(`the outputs name no client id for "${machine.name}"`);
  const userPoolId = outputValue(outputs, 'identity_user_pool_id');
  // The secret, as an operator's credentials read it (the emulator takes any; AWS_ENDPOINT_URL points a test at a stand-in).
  const cognito = new CognitoIdentityProviderClient({ region: env.account.region, ...(emulatorEndpoint ? { endpoint: emulatorEndpoint, credentials: { accessKeyId: 'smoke', secretAccessKey: 'smoke' } } : {}) });
  const described = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
  const secret = described.UserPoolClient?.ClientSecret;
  if (!secret) throw new Error(`DescribeUserPoolClient gave no secret for ${machine.name} (${clientId}): is it a confidential client?`);

  const restApiIds = Object.fromEntries(env.apis.map((api) => [api.name, outputs[`api_${api.name}_rest_api_id`]?.value as string]));
  const tokenUrl = outputValue(outputs, 'identity_token_endpoint_url');
  const albDnsName = outputs.edge_alb_dns_name?.value as string | undefined;
  let albInternal: boolean | undefined;
  if (emulatorEndpoint) {
    // Locally the execute-api and Cognito hosts are the emulator's; the ALB has no address outside the VPC: its scheme says whether AWS would give it one.
    for (const id of Object.values(restApiIds)) if (id) connectTo[`${id}.execute-api.${env.account.region}.amazonaws.com`] ??= emulatorEndpoint;
    connectTo[new URL(tokenUrl).hostname] ??= emulatorEndpoint;
    const lb = await new Deployed({ endpoint: emulatorEndpoint, region: env.account.region }).loadBalancer(outputValue(outputs, 'edge_alb_arn'));
    albInternal = lb?.Scheme === 'internal';
  }
  const target: SmokeTarget = {
    environment: env,
    baseUrl: (text('--base-url') ?? (emulatorEndpoint ? await localEdgeUrl() : `https://${env.edge.domainName}`)).replace(/\/$/, ''),
    tokenUrl,
    machineClient: { name: machine.name, id: clientId, secret, scopes: machine.scopes },
    scopePrefix: env.identity.resourceServer.identifier,
    restApiIds,
    stageName: DEFAULT_STAGE_NAME,
    ...(albDnsName ? { albDnsName } : {}),
    ...(albInternal !== undefined && !connectTo[albDnsName ?? ''] ? { albInternal } : {}),
    connectTo,
  };
  process.stderr.write(`[smoke ${env.name}] ${target.baseUrl}, tokens from ${tokenUrl} (client ${machine.name})\n`);
  const results = await runSmoke(target, (line) => process.stderr.write(`[smoke ${env.name}] ${line}\n`));
  const failed = results.filter((r) => !r.passed);
  process.stdout.write(`${table(['probe', 'request', 'expected', 'got', ''], results.map((r) => [r.probe, r.request, r.expected, r.got, r.passed ? 'ok' : 'FAIL']))}\n`);
  process.stdout.write(failed.length === 0 ? `\nAll ${results.length} probes answered as expected.\n` : `\n${failed.length} of ${results.length} probes failed: ${failed.map((r) => `${r.probe} (${r.request})`).join('; ')}\n`);
  return failed.length === 0 ? 0 : 1;
}

if (require.main === module) runMain(main, HELP);
