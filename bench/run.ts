/**
 * `npm run bench`: how fast the platform's tools are and how they grow, measured side by side in one run.
 * Prints a table and writes bench/RESULTS.md (with the machine's cores and memory).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs, runMain } from '../scripts/lib/args';
import { table } from '../scripts/lib/progress';
import { PROJECT_ROOT, terraformEnv } from '../scripts/lib/terraform';
import { measure, measureInterleaved, median, sample, type CaseResult } from './measure';
import { bootstrap } from '../scripts/lib/bootstrap';
import { startEmulator } from '../scripts/lib/emulator';
import { initBackend, synthForPlan } from '../scripts/lib/plan-run';
import { loadEnvironment } from '../environments/load';

const HELP = `
usage: npm run bench [-- --runs N] [--quick] [--only CASE[,CASE]] [--no-write]

Runs each case once to warm up, then N times (default 5; heavy cases 3), and
prints the median, the spread (min-max) and the peak memory of each.
Writes each measured section into bench/RESULTS.md in place of its previous
measurement (the text around it is kept) unless --no-write.

  --runs N      measured runs per light case (heavy cases use min(N, 3))
  --quick       1 measured run per case
  --only LIST   cases to run: synth, loader (what each part of scripts/ts-run.cjs
                earns), growth, tests (npm test by tier, and the ten slowest
                test files), plan, endpoints (the emulator profile against
                the provider's endpoints block), start (default: all)
`;

const CASES = ['synth', 'loader', 'growth', 'tests', 'plan', 'endpoints', 'start'] as const;
type CaseName = (typeof CASES)[number];

interface Section {
  readonly title: string;
  readonly results: CaseResult[];
  readonly notes: string[];
  /** A table of its own instead of the cases' (median, spread, memory). */
  readonly table?: { readonly headers: string[]; readonly rows: string[][] };
}

const node = process.execPath;
/** --quick: one measured run and no warm-up for the heavy cases (tests, plan, start). */
let quick = false;

function synthInto(outdir: string, environmentsDir?: string): () => ReturnType<typeof sample> {
  const env = { ...process.env, CDKTF_OUTDIR: outdir, ...(environmentsDir ? { PLATFORM_ENVIRONMENTS_DIR: environmentsDir } : {}) };
  return () => sample(node, ['scripts/ts-run.cjs', 'main.ts'], { cwd: PROJECT_ROOT, env });
}

/** The parts of scripts/ts-run.cjs that PLATFORM_TS_RUN_DISABLE turns off one by one. */
const LOADER_PARTS = ['transpile-cache', 'lazy'] as const;

/**
 * What each part of the loader earns: the synth of all environments with the whole loader, with each part off, and
 * with every part off (swc alone), interleaved; and a command's `--help` (the thin entry points: no cdktf loaded).
 */
function benchLoader(runs: number, work: string): Section {
  const synth = (name: string, env: NodeJS.ProcessEnv) => ({
    name,
    once: () => sample(node, ['scripts/ts-run.cjs', 'main.ts'], { cwd: PROJECT_ROOT, env: { ...process.env, CDKTF_OUTDIR: join(work, 'loader'), ...env } }),
  });
  const results = measureInterleaved(
    [
      synth('synth all environments: the whole loader', {}),
      ...LOADER_PARTS.map((part) => synth(`synth all environments: without ${part}`, { PLATFORM_TS_RUN_DISABLE: part })),
      synth('synth all environments: every part off (swc alone)', { PLATFORM_TS_RUN_CACHE: '0', PLATFORM_TS_RUN_LAZY: '0' }),
      { name: 'npm run plan -- --help (loads no cdktf)', once: () => sample(node, ['scripts/ts-run.cjs', 'scripts/plan.ts', '--help'], { cwd: PROJECT_ROOT }) },
    ],
    runs,
  );
  const whole = results[0]!;
  const rows = results.slice(1, 1 + LOADER_PARTS.length + 1).map((r) => {
    const cost = r.medianSeconds - whole.medianSeconds;
    return [r.name.replace('synth all environments: ', ''), `${r.medianSeconds.toFixed(2)} s`, `${cost >= 0 ? '+' : ''}${cost.toFixed(2)} s`, `${((r.medianSeconds / whole.medianSeconds - 1) * 100).toFixed(0)} %`];
  });
  return {
    title: 'What each part of the loader earns',
    results,
    table: { headers: ['synth of all environments', 'median', 'cost of going without', 'slower by'], rows: [['the whole loader', `${whole.medianSeconds.toFixed(2)} s`, '', ''], ...rows] },
    notes: [
      `the whole loader: ${whole.medianSeconds.toFixed(2)} s, ${whole.medianPeakMb.toFixed(0)} MB; a part earns its lines when going without it costs more than the spread of the whole loader's runs (${whole.minSeconds.toFixed(2)}-${whole.maxSeconds.toFixed(2)} s)`,
      `a command's --help: ${results.at(-1)!.medianSeconds.toFixed(2)} s, ${results.at(-1)!.medianPeakMb.toFixed(0)} MB (the commands read their arguments before they load cdktf and the stacks)`,
    ],
  };
}

function dirBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
}

function benchSynth(runs: number, work: string): Section {
  const tfEnv = terraformEnv();
  const cdktf = (output: string, extraArgs: string[] = []) => () =>
    sample(join(PROJECT_ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', join(work, output), ...extraArgs], { cwd: PROJECT_ROOT, env: tfEnv });
  const [fast, cli, cliFast] = measureInterleaved(
    [
      { name: 'synth all environments: npm run synth (fast path)', once: synthInto(join(work, 'fast')) },
      // As configured in cdktf.json: type-check the infrastructure code, then synthesize (scripts/cdktf-app.cjs).
      { name: 'synth all environments: npx cdktf synth (type-checks first)', once: cdktf('cli') },
      // The same cdktf-cli with the fast path as its app: what cdktf-cli itself costs.
      { name: 'synth all environments: npx cdktf synth --app "<fast path>"', once: cdktf('cli-fast', ['--app', 'node scripts/ts-run.cjs main.ts']) },
    ],
    runs,
  ) as [CaseResult, CaseResult, CaseResult];
  const ratio = cli.medianSeconds / fast.medianSeconds;
  const ratioFast = cliFast.medianSeconds / fast.medianSeconds;
  return {
    title: 'Synth of all environments',
    results: [fast, { ...cli, extra: { 'ratio to fast path': `${ratio.toFixed(1)}x` } }, { ...cliFast, extra: { 'ratio to fast path': `${ratioFast.toFixed(1)}x` } }],
    notes: [
      `fast path is ${ratio.toFixed(1)}x faster than npx cdktf synth (target: at least 8x); peak memory ${fast.medianPeakMb.toFixed(0)} MB (target: under 200 MB)`,
      `without its type check, npx cdktf synth would take ${cliFast.medianSeconds.toFixed(2)} s (${ratioFast.toFixed(1)}x the fast path): cdktf-cli's own start costs ${(cliFast.medianSeconds - fast.medianSeconds).toFixed(2)} s`,
    ],
  };
}

/** An environment file with `routes` routes in its first API: paths /r<i> with GET, POST and PUT each. */
function withRoutes(routes: number): unknown {
  const raw = JSON.parse(readFileSync(join(PROJECT_ROOT, 'environments', 'dev.json'), 'utf8'));
  const methods = ['GET', 'POST', 'PUT'];
  raw.apis[0].routes = Array.from({ length: routes }, (_, i) => ({
    path: `/r${Math.floor(i / methods.length)}`,
    method: methods[i % methods.length],
    scopes: ['orders.read'],
    integration: { type: 'MOCK' },
  }));
  return raw;
}

function benchGrowth(runs: number, work: string): Section {
  const results: CaseResult[] = [];
  const perUnit: { label: string; seconds: number; count: number }[] = [];
  for (const routes of [10, 100, 300]) {
    const dir = join(work, `routes-${routes}`, 'environments');
    cpSync(join(PROJECT_ROOT, 'environments'), dir, { recursive: true, filter: (f) => !f.endsWith('.ts') && !/\/(local|staging|prod)\.json$/.test(f) });
    writeFileSync(join(dir, 'dev.json'), JSON.stringify(withRoutes(routes)));
    const out = join(work, `routes-${routes}`, 'out');
    const r = measure(`synth 1 environment, ${routes} routes`, runs, synthInto(out, dir));
    results.push({ ...r, extra: { 'output size': `${(dirBytes(out) / 1024).toFixed(0)} KiB` } });
    perUnit.push({ label: 'routes', seconds: r.medianSeconds, count: routes });
  }
  for (const count of [3, 10, 30]) {
    const dir = join(work, `envs-${count}`, 'environments');
    cpSync(join(PROJECT_ROOT, 'environments'), dir, { recursive: true, filter: (f) => !f.endsWith('.json') && !f.endsWith('.ts') });
    const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'environments', 'dev.json'), 'utf8'));
    for (let i = 0; i < count; i++) {
      const name = `env${String(i).padStart(2, '0')}`;
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...base, name, tags: { ...base.tags, Environment: name } }));
    }
    const out = join(work, `envs-${count}`, 'out');
    const r = measure(`synth ${count} environments`, runs, synthInto(out, dir));
    results.push({ ...r, extra: { 'output size': `${(dirBytes(out) / 1024).toFixed(0)} KiB` } });
    perUnit.push({ label: 'environments', seconds: r.medianSeconds, count });
  }
  const notes = ['routes', 'environments'].map((label) => {
    const points = perUnit.filter((p) => p.label === label);
    const first = points[0]!;
    const last = points[points.length - 1]!;
    const growth = (last.seconds - first.seconds) / (last.count - first.count);
    const timeRatio = last.seconds / first.seconds;
    const countRatio = last.count / first.count;
    return `${label}: ${first.count} -> ${last.count} (${countRatio.toFixed(0)}x) costs ${timeRatio.toFixed(2)}x the time, ${(growth * 1000).toFixed(1)} ms per extra ${label === 'routes' ? 'route' : 'environment'} (linear or better: ${timeRatio <= countRatio ? 'yes' : 'NO'})`;
  });
  return { title: 'Cost of growth', results, notes };
}

/** Seconds per test file of one jest run, from its `--json` report (each file's startTime and endTime, in ms). */
export function fileSeconds(report: { testResults?: { name: string; startTime: number; endTime: number }[] }, root = PROJECT_ROOT): Map<string, number> {
  return new Map((report.testResults ?? []).map((r) => [relative(root, r.name), (r.endTime - r.startTime) / 1000]));
}

/** The `n` slowest files by their median over the runs, with their tier. */
export function slowestFiles(runsByTier: ReadonlyMap<string, readonly Map<string, number>[]>, n = 10): { file: string; tier: string; medianSeconds: number }[] {
  const all: { file: string; tier: string; medianSeconds: number }[] = [];
  for (const [tier, runs] of runsByTier) {
    const files = new Set(runs.flatMap((run) => [...run.keys()]));
    for (const file of files) all.push({ file, tier, medianSeconds: median(runs.map((run) => run.get(file)).filter((v): v is number => v !== undefined)) });
  }
  return all.sort((a, b) => b.medianSeconds - a.medianSeconds).slice(0, n);
}

/**
 * bench/RESULTS.md with each measured section in place of its previous measurement, between the markers the bench
 * writes around it (`<!-- bench: <title> -->`); a section not there yet is added at the end. Everything outside the
 * markers (analysis written by people, sections of cases not run this time) is kept as it is.
 */
export function mergeResults(existing: string | undefined, blocks: readonly { title: string; markdown: string }[]): string {
  let text = existing ?? '# Benchmark results\n';
  for (const block of blocks) {
    const open = `<!-- bench: ${block.title} -->`;
    const close = `<!-- /bench: ${block.title} -->`;
    const marked = `${open}\n${block.markdown}\n${close}`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    text = start >= 0 && end > start ? text.slice(0, start) + marked + text.slice(end + close.length) : `${text.trimEnd()}\n\n${marked}\n`;
  }
  return text;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The test tiers, in npm test's order: jest.config.js's projects (each has its `npm run test:<tier>` script). */
export function testTiers(): string[] {
  const config = require(join(PROJECT_ROOT, 'jest.config.js')) as { projects: { displayName: string }[] };
  return config.projects.map((project) => project.displayName);
}

/** `npm test` split by tier (each tier is its own jest project), and the ten slowest files over the tiers. */
function benchTests(runs: number, work: string): Section[] {
  // Each tier as npm test runs it: its npm script (the worker count is jest.config.js's).
  const runsByTier = new Map<string, Map<string, number>[]>();
  const results = testTiers().map((tier) => {
    let run = 0;
    const perRun: Map<string, number>[] = [];
    runsByTier.set(tier, perRun);
    return measure(
      `npm run test:${tier}`,
      runs,
      () => {
        const report = join(work, `jest-${tier}-${run++}.json`);
        const timed = sample('npm', ['run', '-s', `test:${tier}`, '--', '--silent', '--json', '--outputFile', report], { cwd: PROJECT_ROOT });
        perRun.push(fileSeconds(JSON.parse(readFileSync(report, 'utf8'))));
        return timed;
      },
      { warmUp: tier === 'unit' || !quick },
    );
  });
  // The warm-up's report is not a measured run.
  for (const [tier, perRun] of runsByTier) if (perRun.length > runs) runsByTier.set(tier, perRun.slice(perRun.length - runs));
  const total = results.reduce((sum, r) => sum + r.medianSeconds, 0);
  const cpu = results.reduce((sum, r) => sum + r.medianCpuSeconds, 0);
  const slowest = slowestFiles(runsByTier);
  return [
    {
      title: 'npm test by tier',
      results,
      notes: [
        `unit tier ${results[0]!.medianSeconds.toFixed(1)} s (target: under 20 s); all tiers ${total.toFixed(0)} s (target: npm test under 300 s)`,
        `the tiers used ${cpu.toFixed(0)} s of CPU (medians, user + system; daemons a test leaves to stop are not counted): on ${cpus().length} cores no order of the files finishes them in under ${(cpu / cpus().length).toFixed(0)} s`,
      ],
    },
    {
      title: 'npm test: the ten slowest files',
      results: [],
      table: { headers: ['file', 'tier', 'median'], rows: slowest.map((f) => [f.file, f.tier, `${f.medianSeconds.toFixed(1)} s`]) },
      notes: [`these ten add up to ${slowest.reduce((sum, f) => sum + f.medianSeconds, 0).toFixed(0)} s of file time; the tiers took ${total.toFixed(0)} s, each running two files at a time (medians of each file over the runs; spread and memory are per tier, above)`],
    },
  ];
}

/** A plan of `local` against a fresh emulator with the state bucket bootstrapped (the plan of a first deploy). */
async function benchPlan(runs: number, work: string): Promise<Section> {
  const emulator = await startEmulator();
  try {
    await bootstrap({ environment: 'local', emulatorEndpoint: emulator.endpoint, outdir: join(work, 'bootstrap-out'), stateFile: join(work, 'bootstrap.tfstate') });
    const args = ['scripts/ts-run.cjs', 'scripts/plan.ts', 'local', '--endpoint', emulator.endpoint, '--out', join(work, 'plans')];
    const result = measure('npm run plan -- local (first deploy, against the emulator)', runs, () => sample(node, args, { cwd: PROJECT_ROOT, okCodes: [2] }), { warmUp: !quick });
    return { title: 'Plan of one environment', results: [result], notes: ['exit code 2 (changes) expected: the plan of a first deploy of local'] };
  } finally {
    await emulator.stop();
  }
}

/** The services the emulator environment's providers named in their `endpoints` block until 2026-12-06. */
const BLOCK_SERVICES = ['acm', 'apigateway', 'cloudfront', 'cloudwatch', 'cloudwatchlogs', 'cognitoidp', 'ec2', 'elbv2', 'iam', 'kms', 'lambda', 'route53', 's3', 'secretsmanager', 'sts', 'wafv2'];

/**
 * How the emulator environment's providers find the emulator, and what it costs per Terraform command: the shared
 * config profile (stacks/providers.ts) against the provider's `endpoints` block, as the stack had it until 2026-12-06
 * (a stand-in: the synthesized stack with its providers rewritten). validate and the plan of a first deploy of
 * `local`, interleaved, against a fresh emulator with the state bucket bootstrapped.
 */
async function benchEndpoints(runs: number, work: string): Promise<Section> {
  const emulator = await startEmulator();
  try {
    await bootstrap({ environment: 'local', emulatorEndpoint: emulator.endpoint, outdir: join(work, 'bootstrap-out'), stateFile: join(work, 'bootstrap.tfstate') });
    const env = loadEnvironment('local', undefined, { emulatorEndpoint: emulator.endpoint });
    mkdirSync(join(work, 'profile'));
    const profile = synthForPlan(env, join(work, 'profile')).stackDir;
    const block = join(work, 'endpoints-block');
    cpSync(profile, block, { recursive: true });
    const stack = JSON.parse(readFileSync(join(block, 'cdk.tf.json'), 'utf8'));
    for (const provider of stack.provider.aws) {
      for (const key of ['profile', 'shared_config_files', 'shared_credentials_files']) delete provider[key];
      provider.endpoints = [Object.fromEntries(BLOCK_SERVICES.map((service) => [service, emulator.endpoint]))];
    }
    writeFileSync(join(block, 'cdk.tf.json'), JSON.stringify(stack, null, 2));
    const tfEnv = terraformEnv();
    for (const dir of [profile, block]) await initBackend(env, dir, tfEnv);
    const terraform = (dir: string, args: string[]) => () => sample('terraform', args, { cwd: dir, env: tfEnv, okCodes: [0, 2] });
    const validate = ['validate', '-no-color'];
    const plan = ['plan', '-input=false', '-lock=false', '-no-color', '-detailed-exitcode'];
    const results = measureInterleaved(
      [
        { name: 'terraform validate of local: the emulator profile', once: terraform(profile, validate), warmUp: !quick },
        { name: 'terraform validate of local: the endpoints block (before)', once: terraform(block, validate), warmUp: !quick },
        { name: 'terraform plan of local (first deploy): the emulator profile', once: terraform(profile, plan), warmUp: !quick },
        { name: 'terraform plan of local (first deploy): the endpoints block (before)', once: terraform(block, plan), warmUp: !quick },
      ],
      runs,
    );
    const saved = (k: number) => `${(results[k + 1]!.medianCpuSeconds - results[k]!.medianCpuSeconds).toFixed(1)} s of CPU and ${(results[k + 1]!.medianSeconds - results[k]!.medianSeconds).toFixed(1)} s`;
    return {
      title: 'The emulator\'s endpoints: a profile, not the provider\'s endpoints block',
      results,
      notes: [`the profile saves ${saved(0)} per validate, ${saved(2)} per plan (every Terraform command of the emulator environment validates, and plans and applies configure, each provider instance)`],
    };
  } finally {
    await emulator.stop();
  }
}

/** Cold `npm start` (emulator installed, npm ci done): a fresh emulator each run, stopped at the end (--stop). */
function benchStart(runs: number, work: string): Section {
  const result = measure('cold npm start (deploy local, re-plan, verify)', runs, () =>
    sample(node, ['scripts/ts-run.cjs', 'scripts/start.ts', '--stop'], { cwd: PROJECT_ROOT, env: { ...process.env, PLATFORM_WORK_DIR: join(work, `start-${Date.now()}`) } }),
    { warmUp: !quick },
  );
  return { title: 'Local deploy', results: [result], notes: [`cold npm start median ${result.medianSeconds.toFixed(0)} s (target: under 120 s)`] };
}

async function main(): Promise<number> {
  const { flags } = parseArgs(process.argv.slice(2), ['--runs=', '--quick', '--only=', '--no-write'], { environmentsRequired: false });
  quick = flags.has('--quick');
  const runs = quick ? 1 : Number(flags.get('--runs') ?? 5);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`--runs must be a whole number from 1 to 50, got ${flags.get('--runs')}`);
  const only = String(flags.get('--only') ?? CASES.join(',')).split(',') as CaseName[];
  const unknown = only.filter((c) => !CASES.includes(c));
  if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}; valid cases: ${CASES.join(', ')}`);

  const work = mkdtempSync(join(tmpdir(), 'platform-bench-'));
  const sections: Section[] = [];
  try {
    if (only.includes('synth')) sections.push(benchSynth(runs, work));
    if (only.includes('loader')) sections.push(benchLoader(runs, work));
    if (only.includes('growth')) sections.push(benchGrowth(Math.min(runs, 3), work));
    const heavyRuns = Math.min(runs, 3);
    if (only.includes('tests')) sections.push(...benchTests(heavyRuns, work));
    if (only.includes('plan')) sections.push(await benchPlan(heavyRuns, work));
    if (only.includes('endpoints')) sections.push(await benchEndpoints(runs, work));
    if (only.includes('start')) sections.push(benchStart(heavyRuns, work));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  const blocks = sections.map((section) => {
    const rows = section.table?.rows ?? section.results.map((r) => [
      r.name,
      String(r.runs),
      `${r.medianSeconds.toFixed(2)} s`,
      `${r.minSeconds.toFixed(2)}-${r.maxSeconds.toFixed(2)} s`,
      `${r.medianCpuSeconds.toFixed(1)} s`,
      `${r.medianPeakMb.toFixed(0)} MB`,
      Object.entries(r.extra ?? {}).map(([k, v]) => `${k} ${v}`).join(', '),
    ]);
    const headers = section.table?.headers ?? ['case', 'runs', 'median', 'spread', 'CPU (user + sys)', 'peak memory', 'notes'];
    process.stdout.write(`\n${section.title}\n${table(headers, rows)}\n${section.notes.map((n) => `- ${n}`).join('\n')}\n`);
    const markdown = [`## ${section.title}`, '', `${date}, ${machine}. ${quick ? 'One measured run per case (--quick; the heavy cases without a warm-up).' : 'Medians of the measured runs after one warm-up; spread is min-max.'}`, '', `| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`), '', ...section.notes.map((n) => `- ${n}`)];
    return { title: section.title, markdown: markdown.join('\n') };
  });
  const file = join(PROJECT_ROOT, 'bench', 'RESULTS.md');
  if (!flags.has('--no-write')) writeFileSync(file, mergeResults(readIfExists(file), blocks));
  return 0;
}

if (require.main === module) runMain(main, HELP);
