/** `npm run drift -- <environment> [--out DIR] [--endpoint URL] [--ci]`: what changed outside Terraform. */
import { relative } from 'node:path';
import { parseArgs, UsageError } from './lib/args';
import { runPlanCommand, writeGithubOutputs } from './lib/ci';
import { Progress } from './lib/progress';
import { PROJECT_ROOT } from './lib/terraform';

const HELP = `
usage: npm run drift -- <environment> [--out DIR] [--endpoint URL] [--ci]

Runs terraform plan -refresh-only -detailed-exitcode against the environment's
state and reports every resource changed or deleted outside Terraform:

  DIR/<environment>.drift.md     the summary (security-relevant drift first; no sensitive values)
  DIR/<environment>.drift.json   the refresh-only plan as JSON (private: holds sensitive values)

Nothing is changed: neither the state nor the resources.

Options
  --out DIR          output directory (default: plans/, gitignored)
  --endpoint URL     the local emulator (emulator environments only); default:
                     PLATFORM_EMULATOR_ENDPOINT, else the one npm start left
                     running, else emulator.endpoint of the environment file
  --ci               for CI: exit 0 with or without drift, and write drift= and
                     summary= to $GITHUB_OUTPUT and the summary to $GITHUB_STEP_SUMMARY

Exit codes: 0 no drift, 2 drift, 1 error, 64 usage error.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const { environments, flags } = parseArgs(argv, ['--out=', '--endpoint=', '--ci']);
  const { DEFAULT_PLAN_DIR, driftEnvironment, resolveCommandEnvironment } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ')}`);
  const name = environments[0]!;
  const endpoint = flags.get('--endpoint');
  const env = await resolveCommandEnvironment(name, typeof endpoint === 'string' ? endpoint : undefined);
  const out = flags.get('--out');
  const progress = new Progress(`drift ${name}`);
  const result = await driftEnvironment({ environment: env, outDir: typeof out === 'string' ? out : DEFAULT_PLAN_DIR, progress });
  const drifted = result.summary.drift;
  process.stdout.write(
    [
      drifted.length === 0
        ? `No drift in ${name} (${progress.elapsed()}).`
        : `Drift in ${name}: ${drifted.length} resource${drifted.length === 1 ? '' : 's'} changed outside Terraform (${progress.elapsed()}):`,
      ...drifted.map((d) => `  ${d.kind === 'delete' ? 'deleted' : 'changed'}  ${d.address}${d.changes.length ? `  (${d.changes.map((c) => c.path).slice(0, 6).join(', ')})` : ''}`),
      `summary: ${relative(process.cwd(), result.summaryFile) || result.summaryFile}`,
      '',
    ].join('\n'),
  );
  if (flags.has('--ci')) {
    writeGithubOutputs({ drift: String(result.summary.hasDrift), summary: relative(PROJECT_ROOT, result.summaryFile) }, result.summary.markdown);
    return 0;
  }
  return result.exitCode;
}

if (require.main === module) runPlanCommand(main, HELP);
