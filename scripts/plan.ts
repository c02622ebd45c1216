/** `npm run plan -- <environment> [--out DIR] [--allow-destroy] [--endpoint URL] [--ci]`: the reviewed plan of an environment. */
import { relative } from 'node:path';
import { parseArgs, UsageError } from './lib/args';
import { runPlanCommand, writeGithubOutputs } from './lib/ci';
import { Progress, table } from './lib/progress';
import { PROJECT_ROOT } from './lib/terraform';

const HELP = `
usage: npm run plan -- <environment> [--out DIR] [--allow-destroy] [--endpoint URL] [--ci]

Synthesizes the environment's platform stack, runs terraform init with its S3
backend, terraform plan -out and terraform show -json, and writes:

  DIR/<environment>.tfplan       the saved plan (terraform apply takes exactly this)
  DIR/<environment>.plan.json    its JSON; holds sensitive values in clear text: never publish it
  DIR/<environment>.summary.md   the summary for reviewers: totals (moves and imports too),
                                 security-relevant changes, the team's rule findings,
                                 destructive changes, output changes, a folded table per
                                 module (no sensitive values, at most 65,000 characters)

A plan that destroys or replaces a protected resource (user pools, buckets, KMS
keys, log groups, secrets, prevent_destroy resources, the state bucket) is
refused in prod and in every environment with protections.preventDestroy, unless
--allow-destroy is given after review. A plan that a "deny" rule of
review/team-rules.jsonc matches is refused too, unless an exception there still
applies (--allow-destroy does not lift it); a bad rules file fails the plan
before it runs.

Options
  --out DIR          output directory (default: plans/, gitignored)
  --allow-destroy    accept the destroys and replacements of protected resources
  --endpoint URL     the local emulator (emulator environments only), such as
                     http://127.0.0.1:4566; default: PLATFORM_EMULATOR_ENDPOINT,
                     else the one npm start left running, else emulator.endpoint
                     of the environment file
  --ci               for CI: exit 0 for "no changes" and "changes" alike, and write
                     changes=, fingerprint=, summary= to $GITHUB_OUTPUT and the
                     summary to $GITHUB_STEP_SUMMARY

Real accounts need AWS credentials for the environment's account (AWS_PROFILE,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or OIDC in CI).
Exit codes: 0 no changes, 2 changes, 1 error or refused, 64 usage error.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const { environments, flags } = parseArgs(argv, ['--out=', '--allow-destroy', '--endpoint=', '--ci']);
  const { DEFAULT_PLAN_DIR, planEnvironment, resolveCommandEnvironment } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  const { totalsLine } = require('../review/plan-summary') as typeof import('../review/plan-summary');
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ')}`);
  const name = environments[0]!;
  const endpoint = flags.get('--endpoint');
  const env = await resolveCommandEnvironment(name, typeof endpoint === 'string' ? endpoint : undefined);
  const out = flags.get('--out');
  const progress = new Progress(`plan ${name}`);
  const result = await planEnvironment({
    environment: env,
    outDir: typeof out === 'string' ? out : DEFAULT_PLAN_DIR,
    allowDestroy: flags.has('--allow-destroy'),
    progress,
  });
  const t = result.summary.totals;
  const shown = (file: string) => relative(process.cwd(), file) || file;
  process.stdout.write(
    [
      `Plan of ${name} in ${progress.elapsed()}: ${totalsLine(t, result.summary.outputs, String)}` +
        ` (${result.summary.entries.filter((e) => e.security.length > 0).length} security-relevant).`,
      '',
      table(
        ['file', 'path'],
        [
          ['summary', shown(result.summaryFile)],
          ['saved plan', shown(result.planFile)],
          ['plan JSON (private)', shown(result.jsonFile)],
        ],
      ),
      `fingerprint: ${result.fingerprint}`,
      result.summary.verdict.ok ? (result.summary.verdict.protectedDestroys.length > 0 ? `warning: ${result.summary.verdict.message}` : '') : `REFUSED: ${result.summary.verdict.message}`,
      '',
    ].join('\n'),
  );
  if (flags.has('--ci')) {
    writeGithubOutputs(
      { changes: String(result.exitCode === 2 || result.summary.hasChanges), fingerprint: result.fingerprint, summary: relative(PROJECT_ROOT, result.summaryFile), refused: String(!result.summary.verdict.ok) },
      result.summary.markdown,
    );
    return result.exitCode === 1 ? 1 : 0;
  }
  return result.exitCode;
}

if (require.main === module) runPlanCommand(main, HELP);
