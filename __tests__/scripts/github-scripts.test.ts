/**
 * The GitHub side of plan review (pr-comment, reviewed-plan, drift-issue) against a small
 * stand-in of the GitHub REST API on 127.0.0.1: one comment per environment updated in place,
 * only the bot's own comments count, the reviewed plan is the one of the merged head.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as driftIssue } from '../../scripts/drift-issue';
import { fingerprintLine } from '../../review/plan-compare';
import { main as prComment } from '../../scripts/pr-comment';
import { main as reviewedPlan } from '../../scripts/reviewed-plan';
import { labelsMarker, parseLabelsMarker } from '../../review/plan-labels';
import { summarizePlan } from '../../review/plan-summary';

const BOT = 'github-actions[bot]';
const FINGERPRINT = `sha256:${'a1'.repeat(32)}`;
const HEAD = 'c'.repeat(40);
const MERGE = 'd'.repeat(40);

interface Item {
  id: number;
  number?: number;
  body: string;
  user: { login: string; type: string };
  state?: string;
  title?: string;
}

/** The endpoints the scripts call, over in-memory comments, issues and pull requests. */
class FakeGithub {
  comments = new Map<number, Item[]>();
  issues: Item[] = [];
  pulls: unknown[] = [];
  labels = new Map<number, string[]>();
  requests: string[] = [];
  private nextId = 100;
  server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ([status, body]) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (error: Error) => {
          res.writeHead(500);
          res.end(JSON.stringify({ message: error.message }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  comment(pr: number, login: string, body: string): Item {
    const item = { id: this.nextId++, body, user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' } };
    this.comments.set(pr, [...(this.comments.get(pr) ?? []), item]);
    return item;
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    if (req.headers.authorization !== 'Bearer test-token') return [401, { message: 'Bad credentials' }];
    const url = new URL(req.url!, 'http://x');
    const text = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push(`${req.method} ${url.pathname}`);
    const page = Number(url.searchParams.get('page') ?? '1');
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/o\/r\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const pr = Number(m[1]);
      if (req.method === 'GET') return [200, page === 1 ? (this.comments.get(pr) ?? []) : []];
      return [201, this.comment(pr, BOT, body.body)];
    }
    if ((m = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
      const item = [...this.comments.values()].flat().find((c) => c.id === Number(m![1]))!;
      item.body = body.body;
      return [200, item];
    }
    if ((m = /^\/repos\/o\/r\/issues\/(\d+)\/labels$/.exec(url.pathname))) {
      const pr = Number(m[1]);
      const names = this.labels.get(pr) ?? [];
      if (req.method === 'POST') this.labels.set(pr, [...names, ...(body.labels as string[]).filter((n) => !names.includes(n))]);
      else if (req.method !== 'GET') return [405, { message: 'method' }];
      return [200, page === 1 ? (this.labels.get(pr) ?? []).map((name) => ({ name })) : []];
    }
    if ((m = /^\/repos\/o\/r\/issues\/(\d+)\/labels\/(.+)$/.exec(url.pathname)) && req.method === 'DELETE') {
      const pr = Number(m[1]);
      const name = decodeURIComponent(m[2]!);
      if (!(this.labels.get(pr) ?? []).includes(name)) return [404, { message: 'Label does not exist' }];
      this.labels.set(pr, this.labels.get(pr)!.filter((n) => n !== name));
      return [200, this.labels.get(pr)!.map((n) => ({ name: n }))];
    }
    if ((m = /^\/repos\/o\/r\/commits\/([0-9a-f]+)\/pulls$/.exec(url.pathname))) return [200, this.pulls];
    if (url.pathname === '/repos/o/r/issues' && req.method === 'GET') {
      return [200, page === 1 ? this.issues.filter((i) => i.state === url.searchParams.get('state') && i.user.login === url.searchParams.get('creator')) : []];
    }
    if (url.pathname === '/repos/o/r/issues' && req.method === 'POST') {
      const issue = { id: this.nextId++, number: this.issues.length + 1, title: body.title, body: body.body, state: 'open', user: { login: BOT, type: 'Bot' } };
      this.issues.push(issue);
      return [201, issue];
    }
    if ((m = /^\/repos\/o\/r\/issues\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
      const issue = this.issues.find((i) => i.number === Number(m![1]))!;
      Object.assign(issue, body);
      return [200, issue];
    }
    return [404, { message: `no route ${req.method} ${url.pathname}` }];
  }
}

let github: FakeGithub;
let dir: string;
const saved = { ...process.env };
let stdout: string[];
let writeSpy: jest.SpyInstance;
let errSpy: jest.SpyInstance;

beforeEach(async () => {
  github = new FakeGithub();
  const api = await github.start();
  dir = mkdtempSync(join(tmpdir(), 'gh-scripts-'));
  const event = join(dir, 'event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 7, head: { sha: HEAD } } }));
  Object.assign(process.env, { GITHUB_API_URL: api, GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_PATH: event, GITHUB_RUN_ID: '42', GITHUB_SERVER_URL: 'https://github.example' });
  delete process.env.GITHUB_OUTPUT;
  delete process.env.PLAN_BOT_LOGIN;
  stdout = [];
  writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
});

afterEach(async () => {
  writeSpy.mockRestore();
  errSpy.mockRestore();
  process.env = { ...saved };
  await github.stop();
  rmSync(dir, { recursive: true, force: true });
});

function summaryFile(text: string): string {
  const file = join(dir, 'dev.summary.md');
  writeFileSync(file, `${text}\n${fingerprintLine(FINGERPRINT)}\n`);
  return file;
}

describe('pr-comment', () => {
  test('GIVEN two plan runs WHEN each posts THEN there is one comment for the environment, updated in place', async () => {
    expect(await prComment(['dev', '--summary', summaryFile('## first plan')])).toBe(0);
    expect(await prComment(['dev', '--summary', summaryFile('## second plan')])).toBe(0);
    const comments = github.comments.get(7)!;
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('<!-- plan:dev -->');
    expect(comments[0]!.body).toContain('## second plan');
    expect(comments[0]!.body).not.toContain('## first plan');
    expect(comments[0]!.body).toContain(`<!-- plan-fingerprint:dev ${FINGERPRINT} head:${HEAD} -->`);
    expect(comments[0]!.body).toContain('https://github.example/o/r/actions/runs/42');
    expect(github.requests.filter((r) => r.startsWith('POST /repos/o/r/issues/7/comments'))).toHaveLength(1);
  });

  test('GIVEN plans of two environments THEN each has its own comment', async () => {
    await prComment(['dev', '--summary', summaryFile('## dev plan')]);
    await prComment(['prod', '--summary', summaryFile('## prod plan')]);
    expect(github.comments.get(7)!.map((c) => c.body.split('\n')[0])).toEqual(['<!-- plan:dev -->', '<!-- plan:prod -->']);
  });

  test('fails when someone else\'s comment carries the marker: it is left alone and the bot writes its own', async () => {
    const planted = github.comment(7, 'mallory', '<!-- plan:dev --> all fine, nothing to see');
    await prComment(['dev', '--summary', summaryFile('## real plan')]);
    expect(planted.body).toBe('<!-- plan:dev --> all fine, nothing to see');
    expect(github.comments.get(7)!.filter((c) => c.user.login === BOT)).toHaveLength(1);
  });

  test('GIVEN the plan wrote no summary WHEN posting THEN the comment says the plan failed and carries no fingerprint', async () => {
    await prComment(['dev', '--summary', summaryFile('## old plan')]);
    await prComment(['dev', '--summary', join(dir, 'missing.md')]);
    const [comment] = github.comments.get(7)!;
    expect(comment!.body).toContain('The plan failed');
    expect(comment!.body).not.toContain('old plan');
    expect(comment!.body).not.toContain('plan-fingerprint');
  });
});

describe('pull-request labels', () => {
  test('GIVEN plans of the same pull request WHEN posted THEN the environment\'s labels follow the latest summary, other labels left alone', async () => {
    github.labels.set(7, ['needs-review', 'plan/prod: no changes']);
    // A plan with changes, a destroy and a security finding.
    await prComment(['dev', '--summary', summaryFile(`${labelsMarker('dev', ['changes', 'destroys', 'security'])}\n## plan`)]);
    expect(github.labels.get(7)).toEqual(['needs-review', 'plan/prod: no changes', 'plan/dev: changes', 'plan/dev: destroys', 'plan/dev: security']);
    // The next push plans no change: the dev labels that no longer hold are removed.
    await prComment(['dev', '--summary', summaryFile(`${labelsMarker('dev', ['no changes'])}\n## plan`)]);
    expect(github.labels.get(7)).toEqual(['needs-review', 'plan/prod: no changes', 'plan/dev: no changes']);
    // A failed plan (no summary) says so.
    await prComment(['dev', '--summary', join(dir, 'missing.md')]);
    expect(github.labels.get(7)).toEqual(['needs-review', 'plan/prod: no changes', 'plan/dev: failed']);
    expect(stdout.join('')).toContain('labels: plan/dev: failed; removed plan/dev: no changes');
  });

  test('the summary of a plan names its labels: changes, destroys, security; or no changes', () => {
    const change = (address: string, actions: string[], before: unknown, after: unknown) => ({ address, type: address.split('.')[0]!, name: address.split('.')[1]!, change: { actions, before, after } });
    const risky = summarizePlan(
      { resource_changes: [change('aws_vpc.a', ['delete'], {}, null), change('aws_security_group.b', ['update'], { ingress: [] }, { ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 443, to_port: 443, protocol: 'tcp' }] })] },
      { environment: 'dev' },
    );
    expect(parseLabelsMarker(risky.markdown, 'dev')).toEqual(['changes', 'destroys', 'security']);
    const quiet = summarizePlan({ resource_changes: [change('aws_vpc.a', ['no-op'], {}, {})] }, { environment: 'dev' });
    expect(parseLabelsMarker(quiet.markdown, 'dev')).toEqual(['no changes']);
    expect(parseLabelsMarker(quiet.markdown, 'prod')).toBeUndefined();
  });
});

describe('reviewed-plan', () => {
  beforeEach(() => {
    github.pulls = [{ number: 7, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: MERGE, head: { sha: HEAD }, base: { ref: 'main' } }];
  });

  test('GIVEN the bot\'s plan comment of the merged head WHEN asked for the merge commit THEN it prints the reviewed fingerprint', async () => {
    await prComment(['dev', '--summary', summaryFile('## plan')]);
    stdout = [];
    expect(await reviewedPlan(['dev', '--commit', MERGE])).toBe(0);
    expect(stdout.join('')).toBe(`${FINGERPRINT}\n`);
  });

  test('fails when the plan comment is of an older commit than the merged head', async () => {
    github.comment(7, BOT, `<!-- plan:dev -->\n<!-- plan-fingerprint:dev ${FINGERPRINT} head:${'e'.repeat(40)} -->`);
    expect(await reviewedPlan(['dev', '--commit', MERGE])).toBe(1);
    expect(stdout.join('')).toContain('was never reviewed');
  });

  test('fails when only someone else wrote a plan comment', async () => {
    github.comment(7, 'mallory', `<!-- plan:dev -->\n<!-- plan-fingerprint:dev ${FINGERPRINT} head:${HEAD} -->`);
    expect(await reviewedPlan(['dev', '--commit', MERGE])).toBe(1);
  });

  test('fails when the commit was not merged through a pull request', async () => {
    github.pulls = [];
    expect(await reviewedPlan(['dev', '--commit', MERGE])).toBe(1);
    expect(stdout.join('')).toContain('not merged through a pull request');
  });
});

describe('drift-issue', () => {
  test('GIVEN drift twice, then none WHEN reported THEN one issue is opened, updated, then closed', async () => {
    const file = join(dir, 'dev.drift.md');
    writeFileSync(file, '## Drift: `dev`\n\nfirst');
    await driftIssue(['dev', '--drift', 'true', '--summary', file]);
    writeFileSync(file, '## Drift: `dev`\n\nsecond');
    await driftIssue(['dev', '--drift', 'true', '--summary', file]);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]!.body).toContain('<!-- drift:dev -->');
    expect(github.issues[0]!.body).toContain('second');
    expect(github.issues[0]!.state).toBe('open');
    await driftIssue(['dev', '--drift', 'false']);
    expect(github.issues[0]!.state).toBe('closed');
  });

  test('fails when --drift is not true or false', async () => {
    await expect(driftIssue(['dev', '--drift', 'maybe'])).rejects.toThrow(/--drift must be true or false/);
  });
});
