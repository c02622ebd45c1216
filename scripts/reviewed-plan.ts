/** `npm run reviewed-plan -- <environment> --commit SHA`: the fingerprint of the plan reviewed on the pull request merged as SHA. */
import { parseArgs, UsageError } from './lib/args';
import { findComment, githubContext, githubRequest, type PullRequest } from './lib/github';
import { runPlanCommand, writeGithubOutputs } from './lib/ci';
import { parseReviewedMarker, planMarker } from './pr-comment';

const HELP = `
usage: npm run reviewed-plan -- <environment> --commit SHA

Finds the pull request merged as commit SHA, and in it the plan comment of the
environment written by the workflow's bot (npm run pr-comment). Prints the
fingerprint of that reviewed plan and writes fingerprint= to $GITHUB_OUTPUT, for
npm run apply -- <environment> --reviewed <fingerprint>.

Refuses (exit 1) when there is no merged pull request for the commit, no plan
comment for the environment, or the comment's plan is of an older commit than
the pull request's last one: then nobody reviewed the plan of what was merged.

  --commit SHA   the merge commit (the workflow's github.sha); required

Environment: GITHUB_TOKEN (pull-requests: read), GITHUB_REPOSITORY, GITHUB_API_URL (optional).
Exit codes: 0 found, 1 not found or error, 64 usage error.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const { environments, flags } = parseArgs(argv, ['--commit=']);
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ')}`);
  const environment = environments[0]!;
  const commit = flags.get('--commit');
  if (typeof commit !== 'string' || !/^[0-9a-f]{40}$/.test(commit)) throw new UsageError(`--commit needs a full commit SHA (40 hex digits)${typeof commit === 'string' ? `; got ${commit}` : ''}`);
  const ctx = githubContext();
  const pulls = await githubRequest<PullRequest[]>(ctx, 'GET', `/repos/${ctx.repository}/commits/${commit}/pulls`);
  const merged = pulls.filter((p) => p.merged_at !== null);
  const pr = merged.find((p) => p.merge_commit_sha === commit) ?? merged[0];
  if (!pr) {
    process.stderr.write(`REFUSED: commit ${commit} was not merged through a pull request, so no plan of it was reviewed. Merge changes through pull requests, or deploy by workflow_dispatch (the environment's reviewers approve the plan).\n`);
    return 1;
  }
  const comment = await findComment(ctx, pr.number, planMarker(environment));
  const reviewed = comment ? parseReviewedMarker(comment.body ?? '', environment) : undefined;
  if (!reviewed) {
    process.stderr.write(`REFUSED: pull request #${pr.number} has no plan comment for ${environment} from the workflow (npm run pr-comment): re-run its plan workflow.\n`);
    return 1;
  }
  if (reviewed.headSha !== pr.head.sha) {
    process.stderr.write(`REFUSED: the ${environment} plan on #${pr.number} is of commit ${reviewed.headSha}, but the pull request's last commit is ${pr.head.sha}: its plan was never reviewed.\n`);
    return 1;
  }
  process.stdout.write(`${reviewed.fingerprint}\n`);
  writeGithubOutputs({ fingerprint: reviewed.fingerprint, pull_request: String(pr.number) });
  return 0;
}

if (require.main === module) runPlanCommand(main, HELP);
