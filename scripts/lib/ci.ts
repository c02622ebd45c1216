/** What the command-line scripts share with CI: exit-code discipline and GitHub Actions outputs. Light: no cdktf. */
import { appendFileSync } from 'node:fs';
import { runMain } from './args';

/** For CI: `name=value` lines for later steps ($GITHUB_OUTPUT), and Markdown for the run's page ($GITHUB_STEP_SUMMARY). */
export function writeGithubOutputs(outputs: Record<string, string>, stepSummary?: string): void {
  const outputFile = process.env.GITHUB_OUTPUT;
  if (outputFile) appendFileSync(outputFile, Object.entries(outputs).map(([k, v]) => `${k}=${v.replace(/[\r\n]/g, ' ')}\n`).join(''));
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile && stepSummary) appendFileSync(summaryFile, `${stepSummary}\n`);
}

/** Runs a plan-like command: a failure exits 1, a usage error EXIT_USAGE (64), never 2, which means "changes" to a CI. */
export function runPlanCommand(run: (argv: readonly string[]) => Promise<number>, help: string): void {
  runMain(() => run(process.argv.slice(2)), help);
}

