/**
 * The GitHub workflows: they parse, every `run:` step is one call of a script that exists in this
 * repository (no shell logic hidden in YAML), and the review rules hold (the saved plan is never
 * uploaded, each job asks only for the permissions it needs, prod applies behind its environment).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APPLY_SESSION_SECONDS } from '@private-api-platform/constructs/github-oidc';

const ROOT = join(__dirname, '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const PACKAGE_SCRIPTS: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly if?: string;
  readonly id?: string;
}
interface Job {
  readonly steps?: Step[];
  readonly 'timeout-minutes'?: number;
  readonly uses?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly environment?: string;
  readonly strategy?: { matrix?: Record<string, unknown> };
  readonly with?: Record<string, unknown>;
  readonly if?: string;
}
interface Workflow {
  readonly name?: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
}

function load(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow;
}

/**
 * Problems with one `run:` value: it must be a single call of `npm ci`, `npm test`, `npm run <script>`
 * (defined in package.json), `node <file>` or `bash <file>` (files in the repository), with plain
 * arguments, `${{ }}` expressions and quoted "$VARIABLES" only.
 */
export function runProblems(run: string, scripts: Record<string, string> = PACKAGE_SCRIPTS, root: string = ROOT): string[] {
  const lines = run.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length !== 1) return [`"${run.trim()}" has ${lines.length} commands; a run step is one script call`];
  const line = lines[0]!;
  const plain = line.replace(/\$\{\{[^}]*\}\}/g, 'EXPR').replace(/"\$[A-Z_][A-Z0-9_]*"/g, 'VAR');
  if (/[;&|<>`\\]|\$\(|\$[A-Za-z_{]|\bif\b|\bthen\b|\bfor\b/.test(plain)) return [`"${line}" contains shell logic; move it into a script`];
  const [command, ...args] = plain.split(/\s+/);
  if (command === 'npm') {
    if (args[0] === 'ci' && args.length === 1) return [];
    if (args[0] === 'test' && args.length === 1) return scripts.test ? [] : ['npm test, but package.json has no "test" script'];
    if (args[0] === 'run' && args[1]) return scripts[args[1]] ? [] : [`npm run ${args[1]}: package.json has no script "${args[1]}"`];
    return [`"${line}": only npm ci, npm test and npm run <script> are allowed`];
  }
  if (command === 'node' || command === 'bash') {
    const file = args[0];
    if (!file || !/^scripts\//.test(file)) return [`"${line}": ${command} must run a file under scripts/`];
    return existsSync(join(root, file)) ? [] : [`"${line}": ${file} does not exist`];
  }
  return [`"${line}": ${command} is not a script of this repository`];
}

function allSteps(): { file: string; job: string; step: Step }[] {
  return workflowFiles().flatMap((file) =>
    Object.entries(load(file).jobs).flatMap(([job, j]) => (j.steps ?? []).map((step) => ({ file, job, step }))),
  );
}

describe('workflow files', () => {
  test('GIVEN .github/workflows THEN plan, apply, drift (and the deploy workflow apply calls) are there', () => {
    expect(workflowFiles()).toEqual(expect.arrayContaining(['apply.yml', 'deploy-environment.yml', 'drift.yml', 'plan.yml']));
  });

  test.each(workflowFiles())('%s parses as YAML with triggers and jobs', (file) => {
    const workflow = load(file);
    expect(typeof workflow.on).toBe('object');
    expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
    // Each job asks for its own permissions; the workflow default grants nothing.
    expect(workflow.permissions).toEqual({});
  });

  test('every run step calls a script that exists in the repository', () => {
    const problems = allSteps()
      .filter(({ step }) => step.run !== undefined)
      .flatMap(({ file, job, step }) => runProblems(step.run!).map((p) => `${file} ${job}: ${p}`));
    expect(problems).toEqual([]);
    expect(allSteps().filter(({ step }) => step.run).length).toBeGreaterThan(10);
  });

  test('every npm script a workflow runs points at files that exist', () => {
    const used = new Set(allSteps().flatMap(({ step }) => (step.run ? [/npm run ([\w:-]+)/.exec(step.run)?.[1] ?? (/npm test/.test(step.run) ? 'test' : '')] : [])).filter(Boolean));
    for (const name of used) {
      for (const path of PACKAGE_SCRIPTS[name]!.split(/\s+/).filter((t) => /^(scripts|bench)\/.+\.(ts|cjs|sh)$/.test(t))) {
        expect(`${name}: ${path} ${existsSync(join(ROOT, path)) ? 'exists' : 'is missing'}`).toBe(`${name}: ${path} exists`);
      }
    }
  });

  test('every local reusable workflow a job uses exists', () => {
    for (const file of workflowFiles()) {
      for (const job of Object.values(load(file).jobs)) {
        if (job.uses?.startsWith('./')) expect(existsSync(join(ROOT, job.uses))).toBe(true);
      }
    }
  });

  test('fails when a run step holds shell logic or calls a script that does not exist', () => {
    const scripts = { test: 'jest', plan: 'node scripts/ts-run.cjs scripts/plan.ts' };
    expect(runProblems('npm run plan -- dev --out plans --ci', scripts)).toEqual([]);
    expect(runProblems('npm run apply -- prod --reviewed "$REVIEWED" ${{ inputs.allow_destroy && \'--allow-destroy\' || \'\' }}', { apply: 'x' })).toEqual([]);
    expect(runProblems('npm run plan -- dev && curl https://example.com', scripts)).toEqual([expect.stringContaining('shell logic')]);
    expect(runProblems('npm run plan -- dev | tee out', scripts)).toEqual([expect.stringContaining('shell logic')]);
    expect(runProblems('npm run plan -- $(cat env)', scripts)).toEqual([expect.stringContaining('shell logic')]);
    expect(runProblems('npm run deploy', scripts)).toEqual([expect.stringContaining('no script "deploy"')]);
    expect(runProblems('terraform apply -auto-approve', scripts)).toEqual([expect.stringContaining('not a script')]);
    expect(runProblems('node scripts/nowhere.ts', scripts)).toEqual([expect.stringContaining('does not exist')]);
    expect(runProblems('npm ci\nnpm test', scripts)).toEqual([expect.stringContaining('2 commands')]);
  });
});

describe('plan review rules', () => {
  test('the saved plan is never uploaded: no workflow uploads artifacts or caches plans', () => {
    const uploads = allSteps().filter(({ step }) => /upload-artifact|actions\/cache/.test(step.uses ?? ''));
    expect(uploads).toEqual([]);
  });

  test('plan.yml: pull requests run the tests, then a plan per environment with OIDC and one comment each', () => {
    const workflow = load('plan.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.jobs.test!.steps!.map((s) => s.run).filter(Boolean)).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
    const plan = workflow.jobs.plan!;
    expect(plan.needs).toBe('test');
    expect(plan.strategy?.matrix?.environment).toEqual(['dev', 'staging', 'prod']);
    expect(plan.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write', issues: 'write' });
    const credentials = plan.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(credentials.with?.['role-to-assume']).toMatch(/matrix\.environment/);
    expect(plan.steps!.map((s) => s.run)).toEqual(
      expect.arrayContaining(['npm run plan -- ${{ matrix.environment }} --out plans --ci', expect.stringMatching(/^npm run pr-comment -- \$\{\{ matrix\.environment \}\}/)]),
    );
  });

  test('apply.yml: main deploys dev, staging, prod in order; prod applies in its GitHub environment after re-planning against the reviewed plan', () => {
    const apply = load('apply.yml');
    expect(Object.keys(apply.on)).toEqual(['push', 'workflow_dispatch']);
    expect(apply.jobs.prod!.needs).toBe('staging');
    expect(apply.jobs.staging!.needs).toBe('dev');
    expect(apply.jobs.prod!.uses).toBe('./.github/workflows/deploy-environment.yml');
    expect(apply.jobs.prod!.with?.environment).toBe('prod');

    const deploy = load('deploy-environment.yml');
    const applyJob = deploy.jobs.apply!;
    expect(applyJob.environment).toBe('${{ inputs.environment }}');
    expect(applyJob.needs).toBe('plan');
    expect(applyJob.steps!.map((s) => s.run).filter(Boolean)).toContainEqual(expect.stringMatching(/^npm run apply -- .* --reviewed "\$REVIEWED"/));
    // the smoke probes run right after the apply, in the same job (its credentials read the machine client's secret)
    const runs = applyJob.steps!.map((s) => s.run ?? '');
    const applied = runs.findIndex((r) => /^npm run apply -- /.test(r));
    expect(runs.slice(applied + 1)).toContain('npm run smoke -- ${{ inputs.environment }}');
    const planRuns = deploy.jobs.plan!.steps!.map((s) => s.run).filter(Boolean);
    expect(planRuns).toEqual(expect.arrayContaining([expect.stringMatching(/^npm run reviewed-plan --/), expect.stringMatching(/^npm run plan-compare -- "\$REVIEWED" "\$CURRENT"$/)]));
    expect(deploy.jobs.plan!.permissions?.['pull-requests']).toBe('read');
  });

  test('the test jobs give npm test the time the README quotes for it, with half again as margin', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quoted = Number(/A full `npm test` \(\d+ tests\) takes about (\d+) minutes/.exec(readme)?.[1]);
    expect(quoted).toBeGreaterThan(0);
    for (const file of ['plan.yml', 'apply.yml']) {
      const job = load(file).jobs.test!;
      expect(job.steps!.map((s) => s.run)).toContain('npm test');
      expect([file, job['timeout-minutes']! >= quoted * 1.5]).toEqual([file, true]);
    }
  });

  test('an apply outlasts CloudFront\'s waits: the job may run for hours, its role session lasts longer than the job, and the role allows that session', () => {
    const apply = load('deploy-environment.yml').jobs.apply!;
    const minutes = apply['timeout-minutes']!;
    // a first deploy or a VPC-origin replacement chains several CloudFront waits (about 2.5 hours at the slow end)
    expect(minutes).toBeGreaterThanOrEqual(180);
    // GitHub-hosted runners stop a job after 6 hours
    expect(minutes).toBeLessThanOrEqual(360);
    const credentials = apply.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    const session = Number(credentials.with?.['role-duration-seconds']);
    // configure-aws-credentials asks for 1 hour unless told otherwise; the role's maximum caps what it may ask
    expect(session).toBeGreaterThan(minutes * 60);
    expect(session).toBeLessThanOrEqual(APPLY_SESSION_SECONDS);
  });

  test('drift.yml: scheduled and on demand, a refresh-only check per environment that opens or closes an issue', () => {
    const drift = load('drift.yml');
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const job = drift.jobs.drift!;
    expect(job.strategy?.matrix?.environment).toEqual(['dev', 'staging', 'prod']);
    expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read', issues: 'write' });
    expect(job.steps!.map((s) => s.run).filter(Boolean)).toEqual(
      expect.arrayContaining(['npm run drift -- ${{ matrix.environment }} --out plans --ci', expect.stringMatching(/^npm run drift-issue --/)]),
    );
  });
});
