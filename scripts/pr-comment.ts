/** `npm run pr-comment -- <environment> [--summary FILE] [--pr N]`: the plan summary as ONE comment per environment, updated in place. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from './lib/args';
import { githubContext, pullRequestFromEvent, runUrl, syncLabels, upsertComment } from './lib/github';
import { labelName, labelPrefix, parseLabelsMarker, type LabelKind } from '../review/plan-labels';
import { fingerprintOf } from '../review/plan-compare';
import { runPlanCommand } from './lib/ci';
import { PROJECT_ROOT } from './lib/terraform';

const HELP = `
usage: npm run pr-comment -- <environment> [--summary FILE] [--pr N]

Posts the plan summary written by npm run plan to the pull request, as one
comment per environment found by its hidden marker <!-- plan:<environment> -->
and written by the workflow's bot: the comment is updated in place on every
push, never duplicated. When the plan wrote no summary (it failed), the comment
says so and links the workflow run, so no stale plan stays on the pull request.

The comment records the plan's fingerprint and the pull request's head commit;
npm run reviewed-plan reads them back when the merge is applied.

It also sets the pull request's labels for the environment from the summary:
"plan/<environment>: changes" or "plan/<environment>: no changes", plus
"plan/<environment>: destroys" and "plan/<environment>: security" when the plan
has them ("plan/<environment>: failed" without a summary); the environment's
other plan labels are removed, other labels left alone.

Options
  --summary FILE   default: plans/<environment>.summary.md
  --pr N           default: the pull request of the GitHub Actions event

Environment: GITHUB_TOKEN (pull-requests: write, issues: write for new labels), GITHUB_REPOSITORY, GITHUB_EVENT_PATH,
GITHUB_API_URL (optional).
Exit codes: 0 posted, 1 error, 64 usage error.
`;

/** The marker that finds an environment's plan comment. */
export function planMarker(environment: string): string {
  return `<!-- plan:${environment} -->`;
}

/** Records what was reviewed: the plan's fingerprint and the commit it was planned for. */
export function reviewedMarker(environment: string, fingerprint: string, headSha: string): string {
  return `<!-- plan-fingerprint:${environment} ${fingerprint} head:${headSha} -->`;
}

export function parseReviewedMarker(body: string, environment: string): { fingerprint: string; headSha: string } | undefined {
  const escaped = environment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`<!-- plan-fingerprint:${escaped} (sha256:[0-9a-f]{64}) head:([0-9a-f]{7,64}) -->`).exec(body);
  return match ? { fingerprint: match[1]!, headSha: match[2]! } : undefined;
}

export function commentBody(environment: string, summary: string | undefined, headSha: string | undefined, run: string | undefined): string {
  const runLink = run ? `[workflow run](${run})` : 'the workflow run';
  const fingerprint = summary ? fingerprintOf(summary) : undefined;
  const lines = [planMarker(environment)];
  if (summary && fingerprint && headSha) lines.push(reviewedMarker(environment, fingerprint, headSha));
  if (summary) lines.push(summary.trim());
  else lines.push(`## Terraform plan: \`${environment}\``, '', `> ❌ **The plan failed**: it wrote no summary. The error is in ${runLink}.`);
  lines.push('', `<sub>${headSha ? `Commit ${headSha.slice(0, 12)} · ` : ''}${runLink} · this comment is updated on every push</sub>`);
  return `${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { environments, flags } = parseArgs(argv, ['--summary=', '--pr=']);
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ')}`);
  const environment = environments[0]!;
  const summaryFlag = flags.get('--summary');
  const summaryFile = typeof summaryFlag === 'string' ? summaryFlag : join(PROJECT_ROOT, 'plans', `${environment}.summary.md`);
  const event = pullRequestFromEvent();
  const prFlag = flags.get('--pr');
  const number = typeof prFlag === 'string' ? Number(prFlag) : event?.number;
  if (!number || !Number.isInteger(number) || number < 1) {
    throw new UsageError(`no pull request: pass --pr N (a positive integer) or run in a pull_request workflow (GITHUB_EVENT_PATH)${typeof prFlag === 'string' ? `; got --pr ${prFlag}` : ''}`);
  }
  const ctx = githubContext();
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : undefined;
  const body = commentBody(environment, summary, event?.headSha, runUrl());
  const { action, comment } = await upsertComment(ctx, number, planMarker(environment), body);
  process.stdout.write(`${action} the ${environment} plan comment on #${number}${comment.html_url ? `: ${comment.html_url}` : ''}${summary ? '' : ' (the plan failed: no summary)'}\n`);
  const kinds: LabelKind[] = summary ? (parseLabelsMarker(summary, environment) ?? []) : ['failed'];
  const labels = await syncLabels(ctx, number, labelPrefix(environment), kinds.map((kind) => labelName(environment, kind)));
  process.stdout.write(`labels: ${kinds.map((kind) => labelName(environment, kind)).join(', ') || '(none)'}${labels.removed.length ? `; removed ${labels.removed.join(', ')}` : ''}\n`);
  return 0;
}

if (require.main === module) runPlanCommand(main, HELP);
