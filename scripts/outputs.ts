/** `npm run -s outputs -- <environment> [--json] [--outputs FILE] [--endpoint URL]`: what a deployment exposes. */
import { parseArgs, runMain, UsageError } from './lib/args';
import { table } from './lib/progress';

const HELP = `
usage: npm run -s outputs -- <environment> [--json] [--outputs FILE] [--endpoint URL]

Prints the environment's deployed outputs, read from its Terraform state
(terraform output -json of its stack, S3 backend), sensitive values masked.
For "local" also:
  local_edge_url            the local edge (npm start leaves it running):
                            call the APIs here, as through CloudFront
  local_token_endpoint_url  the emulator's Cognito token endpoint
  local_hosted_ui_url       its /oauth2/authorize and /login (sign-in form)

  --json           one JSON object: name -> value
  --outputs FILE   read the outputs from FILE (terraform output -json) instead
  --endpoint URL   the emulator (local only; default: the one npm start left)

Exit codes: 0, 1 error (not deployed, state unreadable), 64 usage error.
`;

async function main(): Promise<number> {
  const { environments, flags } = parseArgs(process.argv.slice(2), ['--json', '--outputs=', '--endpoint=']);
  const { runningDaemon } = require('./lib/emulator-daemon') as typeof import('./lib/emulator-daemon');
  const { localWork } = require('./lib/local-work') as typeof import('./lib/local-work');
  const { edgeDaemonDir, localCognitoBaseUrl, outputValue, readOutputs } = require('./lib/outputs') as typeof import('./lib/outputs');
  const { resolveCommandEnvironment } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ') || 'none'}`);
  const given = flags.get('--endpoint');
  const work = localWork();
  const env = await resolveCommandEnvironment(environments[0]!, typeof given === 'string' ? given : undefined, { requireRunning: !flags.has('--outputs') });
  const endpoint = env.emulator && (typeof given === 'string' || (await runningDaemon(work.daemonDir))) ? env.emulator.endpoint : undefined;
  const file = flags.get('--outputs');
  const outputs = await readOutputs(env, typeof file === 'string' ? file : undefined);
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.sensitive ? '(sensitive)' : o.value]));
  if (env.emulator && endpoint) {
    const edge = await runningDaemon(edgeDaemonDir(work.daemonDir));
    values.local_edge_url = edge?.endpoint ?? '(not running: npm start, or npm run edge -- local)';
    const cognito = localCognitoBaseUrl(endpoint, outputValue(outputs, 'identity_hosted_ui_url'));
    values.local_token_endpoint_url = `${cognito}/oauth2/token`;
    values.local_hosted_ui_url = cognito;
  }
  if (flags.has('--json')) process.stdout.write(`${JSON.stringify(values, null, 2)}\n`);
  else process.stdout.write(`${table(['output', 'value'], Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))}\n`);
  return 0;
}

if (require.main === module) runMain(main, HELP);
