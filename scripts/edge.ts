/** `npm run edge -- local [--port N] [--endpoint URL] [--distribution ID]`: the local edge in the foreground. */
import { parseArgs, runMain, UsageError } from './lib/args';

const HELP = `
usage: npm run edge -- local [--port N] [--endpoint URL] [--distribution ID]

Serves the deployed "local" environment on 127.0.0.1 as AWS would answer it:
CloudFront (WAF, behaviours, origin headers) -> VPC origin -> ALB (listener
rules, the target group's addresses) -> the private custom domain, its base
path mappings -> the stage's deployment (resource policy, Cognito authorizer,
integration) -> CloudFront's response headers policy (security headers, CORS).
Every decision reads what the emulator holds (README: "The local edge").
npm start starts one in the background; this runs one in the foreground
(Ctrl-C stops it) and prints one line per request.

  --port N           port on 127.0.0.1 (default 0: a free port)
  --endpoint URL     the emulator (default: the one npm start left running)
  --distribution ID  the CloudFront distribution (default: the
                     edge_distribution_id output of local's state)

Prints "EDGE READY http://127.0.0.1:<port>" when it listens.
Exit codes: 0 stopped, 1 error, 64 usage error.
`;

async function main(): Promise<number> {
  const { environments, flags } = parseArgs(process.argv.slice(2), ['--port=', '--endpoint=', '--distribution=']);
  const { startEdge } = require('./lib/edge/server') as typeof import('./lib/edge/server');
  const { outputValue, readOutputs } = require('./lib/outputs') as typeof import('./lib/outputs');
  const { loadCommandEnvironment, resolveCommandEnvironment } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ') || 'none'}`);
  const port = Number(flags.get('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${flags.get('--port')}: use 0 (a free port) or 1-65535`);
  const named = loadCommandEnvironment(environments[0]!, undefined);
  if (!named.emulator) throw new UsageError(`the local edge serves an emulator environment; "${named.name}" deploys to AWS account ${named.account.id}`);
  const given = flags.get('--endpoint');
  const env = await resolveCommandEnvironment(named.name, typeof given === 'string' ? given : undefined, { requireRunning: true });
  const endpoint = env.emulator!.endpoint;
  const distribution = flags.get('--distribution');
  const distributionId = typeof distribution === 'string' ? distribution : outputValue(await readOutputs(env), 'edge_distribution_id');
  const edge = await startEdge({
    emulatorEndpoint: endpoint,
    distributionId,
    accountId: env.account.id,
    region: env.account.region,
    port,
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(`EDGE READY ${edge.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await edge.close();
  return 0;
}

if (require.main === module) runMain(main, HELP);
