/**
 * The few GitHub REST calls the workflows need (plan comments, the reviewed plan, drift issues),
 * with `fetch` and the job's GITHUB_TOKEN: no client library.
 *
 * Comments and issues are found by a hidden marker (`<!-- plan:<env> -->`) AND by their author:
 * only what the workflow's own bot wrote counts, so a marker pasted into a comment by anyone else
 * can neither be overwritten into a fake plan nor pass as a reviewed plan.
 */
import { readFileSync } from 'node:fs';

export interface GithubContext {
  /** `https://api.github.com`, or GITHUB_API_URL (GitHub Enterprise, a local test server). */
  readonly api: string;
  readonly token: string;
  /** `owner/name` */
  readonly repository: string;
  /** The login whose comments and issues are ours. */
  readonly botLogin: string;
}

/** The bot GITHUB_TOKEN writes as. */
export const ACTIONS_BOT = 'github-actions[bot]';

export class GithubError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GithubError';
  }
}

/** Reads GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL; names what is missing. */
export function githubContext(env: NodeJS.ProcessEnv = process.env): GithubContext {
  const missing = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new GithubError(`${missing.join(' and ')} must be set (GitHub Actions sets GITHUB_REPOSITORY; pass GITHUB_TOKEN: \${{ github.token }} in the step's env)`);
  }
  const repository = env.GITHUB_REPOSITORY!;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new GithubError(`GITHUB_REPOSITORY "${repository}" is not owner/name`);
  return { api: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, ''), token: env.GITHUB_TOKEN!, repository, botLogin: env.PLAN_BOT_LOGIN || ACTIONS_BOT };
}

export async function githubRequest<T>(ctx: GithubContext, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${ctx.api}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${ctx.token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'private-api-platform-plan',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    const message = (() => {
      try {
        return (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        return text;
      }
    })();
    const hint = response.status === 403 || response.status === 404 ? ' (does the job grant the permission: pull-requests: write / issues: write?)' : '';
    throw new GithubError(`GitHub ${method} ${path} failed: ${response.status} ${message.slice(0, 300)}${hint}`, response.status);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Every page of a list endpoint (100 a page). */
export async function githubList<T>(ctx: GithubContext, path: string, maxPages = 50): Promise<T[]> {
  const all: T[] = [];
  const separator = path.includes('?') ? '&' : '?';
  for (let page = 1; page <= maxPages; page++) {
    const items = await githubRequest<T[]>(ctx, 'GET', `${path}${separator}per_page=100&page=${page}`);
    all.push(...items);
    if (items.length < 100) break;
  }
  return all;
}

export interface IssueComment {
  readonly id: number;
  readonly body?: string;
  readonly user?: { readonly login: string; readonly type?: string } | null;
  readonly html_url?: string;
}

export interface Issue extends IssueComment {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly title: string;
  readonly pull_request?: unknown;
}

function ours(ctx: GithubContext, item: IssueComment, marker: string): boolean {
  return item.user?.login === ctx.botLogin && (item.body ?? '').includes(marker);
}

/** GitHub's limit for a comment or issue body. */
export const BODY_LIMIT = 65_536;

function fit(body: string): string {
  return body.length <= BODY_LIMIT ? body : `${body.slice(0, BODY_LIMIT - 200)}\n\n> ✂️ Cut to fit GitHub's ${BODY_LIMIT}-character limit.\n`;
}

/** Finds our comment with `marker` on issue or pull request `number`: updates it, or creates one. */
export async function upsertComment(ctx: GithubContext, number: number, marker: string, body: string): Promise<{ action: 'created' | 'updated'; comment: IssueComment }> {
  const comments = await githubList<IssueComment>(ctx, `/repos/${ctx.repository}/issues/${number}/comments`);
  const existing = comments.find((c) => ours(ctx, c, marker));
  if (existing) {
    const comment = await githubRequest<IssueComment>(ctx, 'PATCH', `/repos/${ctx.repository}/issues/comments/${existing.id}`, { body: fit(body) });
    return { action: 'updated', comment };
  }
  const comment = await githubRequest<IssueComment>(ctx, 'POST', `/repos/${ctx.repository}/issues/${number}/comments`, { body: fit(body) });
  return { action: 'created', comment };
}

/**
 * Makes the labels of pull request `number` that start with `prefix` exactly `wanted`: adds the missing ones (GitHub
 * creates a label the repository does not have yet) and removes the others, leaving every other label alone.
 */
export async function syncLabels(ctx: GithubContext, number: number, prefix: string, wanted: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
  const current = (await githubList<{ name: string }>(ctx, `/repos/${ctx.repository}/issues/${number}/labels`)).map((l) => l.name);
  const added = wanted.filter((name) => !current.includes(name));
  const removed = current.filter((name) => name.startsWith(prefix) && !wanted.includes(name));
  for (const name of removed) await githubRequest(ctx, 'DELETE', `/repos/${ctx.repository}/issues/${number}/labels/${encodeURIComponent(name)}`);
  if (added.length > 0) await githubRequest(ctx, 'POST', `/repos/${ctx.repository}/issues/${number}/labels`, { labels: added });
  return { added, removed };
}

/** Our comment with `marker` on issue or pull request `number`, if there is one. */
export async function findComment(ctx: GithubContext, number: number, marker: string): Promise<IssueComment | undefined> {
  const comments = await githubList<IssueComment>(ctx, `/repos/${ctx.repository}/issues/${number}/comments`);
  return comments.find((c) => ours(ctx, c, marker));
}

/** Our open issue with `marker` (pull requests left out). */
export async function findOpenIssue(ctx: GithubContext, marker: string): Promise<Issue | undefined> {
  const issues = await githubList<Issue>(ctx, `/repos/${ctx.repository}/issues?state=open&creator=${encodeURIComponent(ctx.botLogin)}`);
  return issues.find((i) => !i.pull_request && ours(ctx, i, marker));
}

export interface PullRequest {
  readonly number: number;
  readonly merged_at: string | null;
  readonly merge_commit_sha: string | null;
  readonly head: { readonly sha: string };
  readonly base: { readonly ref: string };
}

/** The pull request of a GitHub Actions `pull_request` event (GITHUB_EVENT_PATH). */
export function pullRequestFromEvent(env: NodeJS.ProcessEnv = process.env): { number: number; headSha: string } | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: { number: number; head: { sha: string } } };
  return event.pull_request ? { number: event.pull_request.number, headSha: event.pull_request.head.sha } : undefined;
}

/** The link to the current workflow run, when running in GitHub Actions. */
export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY) return undefined;
  return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}
