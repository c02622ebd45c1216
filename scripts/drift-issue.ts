/** `npm run drift-issue -- <environment> --drift true|false [--summary FILE]`: one open issue per drifted environment. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from './lib/args';
import { findOpenIssue, githubContext, githubRequest, runUrl, type Issue } from './lib/github';
import { runPlanCommand } from './lib/ci';
import { PROJECT_ROOT } from './lib/terraform';

const HELP = `
usage: npm run drift-issue -- <environment> --drift true|false [--summary FILE]

With --drift true, opens an issue "Drift in <environment>" with the drift summary
written by npm run drift, or updates the one already open (found by its hidden
marker <!-- drift:<environment> --> and the workflow's bot as author).
With --drift false, closes that issue, if open, with a note that the drift is gone.

Options
  --drift true|false  the drift output of npm run drift -- <environment> --ci
  --summary FILE      default: plans/<environment>.drift.md

Environment: GITHUB_TOKEN (issues: write), GITHUB_REPOSITORY, GITHUB_API_URL (optional).
Exit codes: 0 done, 1 error, 64 usage error.
`;

export function driftMarker(environment: string): string {
  return `<!-- drift:${environment} -->`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { environments, flags } = parseArgs(argv, ['--drift=', '--summary=']);
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ')}`);
  const environment = environments[0]!;
  const drift = flags.get('--drift');
  if (drift !== 'true' && drift !== 'false') throw new UsageError(`--drift must be true or false; got ${drift === true ? 'nothing' : String(drift)}`);
  const summaryFlag = flags.get('--summary');
  const summaryFile = typeof summaryFlag === 'string' ? summaryFlag : join(PROJECT_ROOT, 'plans', `${environment}.drift.md`);
  const ctx = githubContext();
  const marker = driftMarker(environment);
  const open = await findOpenIssue(ctx, marker);
  const run = runUrl();
  if (drift === 'false') {
    if (!open) {
      process.stdout.write(`No drift in ${environment}, and no drift issue open.\n`);
      return 0;
    }
    await githubRequest(ctx, 'POST', `/repos/${ctx.repository}/issues/${open.number}/comments`, { body: `No drift in \`${environment}\` any more${run ? ` ([check](${run}))` : ''}: closing.` });
    await githubRequest(ctx, 'PATCH', `/repos/${ctx.repository}/issues/${open.number}`, { state: 'closed', state_reason: 'completed' });
    process.stdout.write(`No drift in ${environment}: closed issue #${open.number}.\n`);
    return 0;
  }
  if (!existsSync(summaryFile)) throw new Error(`${summaryFile} does not exist: run npm run drift -- ${environment} first`);
  const body = `${marker}\n${readFileSync(summaryFile, 'utf8').trim()}\n\n<sub>Last checked${run ? ` by [this run](${run})` : ''}. Closed automatically when a check finds no drift.</sub>\n`;
  const title = `Drift in ${environment}: resources changed outside Terraform`;
  if (open) {
    await githubRequest<Issue>(ctx, 'PATCH', `/repos/${ctx.repository}/issues/${open.number}`, { body, title });
    process.stdout.write(`Drift in ${environment}: updated issue #${open.number}.\n`);
  } else {
    const issue = await githubRequest<Issue>(ctx, 'POST', `/repos/${ctx.repository}/issues`, { title, body, labels: ['drift'] });
    process.stdout.write(`Drift in ${environment}: opened issue #${issue.number}.\n`);
  }
  return 0;
}

if (require.main === module) runPlanCommand(main, HELP);
