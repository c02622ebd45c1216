/**
 * scripts/ts-run.cjs, the runner of `npm run synth` and every script: its transpile cache must never change
 * what a run does, only how long it takes; cdktf's lazily loaded dependencies must still work.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

interface Stats {
  transpiled: number;
  transpileHits: number;
  lazyLoaded: string[];
}

function run(entry: string, env: Record<string, string>, args: string[] = []) {
  const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', PLATFORM_TS_RUN_STATS: '1', ...env },
    encoding: 'utf8',
  });
  const line = result.stderr.split('\n').find((l) => l.startsWith('ts-run stats: '));
  const stats = line ? (JSON.parse(line.slice('ts-run stats: '.length)) as Stats) : undefined;
  return { ...result, stats };
}

describe('ts-run', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'platform-ts-run-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  // A probe that loads cdktf from the project and reports which of cdktf's dependencies are loaded.
  function writeProbe(body: string): string {
    const probe = join(work, 'probe.cjs');
    writeFileSync(
      probe,
      `const { createRequire } = require('node:module');
const projectRequire = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
const loaded = (name) => Object.keys(require.cache).some((f) => f.includes('/node_modules/' + name + '/'));
const cdktf = projectRequire('cdktf');
${body}`,
    );
    return probe;
  }

  it('loads archiver and semver only when cdktf uses them, and they then work', () => {
    // GIVEN a stack with a directory asset (cdktf zips it in a child process of its own) and a
    // DataResource (cdktf checks `terraform version` against its constraint with semver at synth)
    const assetDir = join(work, 'asset');
    const outdir = join(work, 'out');
    const probe = writeProbe(`
const fs = require('node:fs');
fs.mkdirSync(${JSON.stringify(assetDir)});
fs.writeFileSync(${JSON.stringify(join(assetDir, 'index.js'))}, 'exports.handler = 1;');
const before = { archiver: loaded('archiver'), semver: loaded('semver') };
const app = new cdktf.App({ outdir: ${JSON.stringify(outdir)} });
const stack = new cdktf.TerraformStack(app, 'probe');
new cdktf.TerraformAsset(stack, 'code', { path: ${JSON.stringify(assetDir)}, type: cdktf.AssetType.ARCHIVE });
new cdktf.DataResource(stack, 'trigger', { input: 'x' });
app.synth();
process.stdout.write(JSON.stringify({ before, after: { archiver: loaded('archiver'), semver: loaded('semver') } }));`);
    // WHEN it runs under ts-run
    const result = run(probe, { PLATFORM_TS_RUN_CACHE_DIR: join(work, 'cache') });
    // THEN neither was loaded with cdktf; semver was loaded when the version check called it, and
    // the check passed; archiver was never needed in this process, and the zip exists
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ before: { archiver: false, semver: false }, after: { archiver: false, semver: true } });
    expect(result.stats?.lazyLoaded).toEqual(['semver']);
    const assets = join(outdir, 'stacks', 'probe', 'assets');
    const zips = readdirSync(assets, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.zip'));
    expect(zips).toHaveLength(1);
  });

  it('loads them with cdktf, as Node does, when PLATFORM_TS_RUN_LAZY=0', () => {
    const probe = writeProbe(`process.stdout.write(JSON.stringify({ archiver: loaded('archiver'), semver: loaded('semver') }));`);
    const result = run(probe, { PLATFORM_TS_RUN_CACHE_DIR: join(work, 'cache'), PLATFORM_TS_RUN_LAZY: '0' });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ archiver: true, semver: true });
  });

  it('gives the same synth with caches cold, warm and off', () => {
    const cache = join(work, 'cache');
    const outputs = ['cold', 'warm', 'off'].map((name) => {
      const outdir = join(work, name);
      const env = { PLATFORM_TS_RUN_CACHE_DIR: cache, CDKTF_OUTDIR: outdir, PLATFORM_ENVIRONMENTS: 'dev', ...(name === 'off' ? { PLATFORM_TS_RUN_CACHE: '0' } : {}) };
      const result = run('main.ts', env);
      expect(result.status).toBe(0);
      return { outdir, stats: result.stats! };
    });
    const [cold, warm, off] = outputs as [(typeof outputs)[0], (typeof outputs)[0], (typeof outputs)[0]];
    expect(cold.stats.transpiled).toBeGreaterThan(10); // the project's TypeScript
    expect(warm.stats.transpiled).toBe(0);
    expect(warm.stats.transpileHits).toBe(cold.stats.transpiled);
    expect(off.stats.transpileHits).toBe(0);
    expect(off.stats.transpiled).toBe(cold.stats.transpiled);
    const read = (dir: string) => spawnSync('cat', [join(dir, 'stacks', 'dev', 'cdk.tf.json'), join(dir, 'manifest.json')], { encoding: 'utf8' }).stdout;
    expect(read(warm.outdir)).toBe(read(cold.outdir));
    expect(read(off.outdir)).toBe(read(cold.outdir));
    expect(existsSync(join(off.outdir, 'stacks', 'dev', 'cdk.tf.json'))).toBe(true);
  });

  /** A TypeScript probe (transpiled, so cached) that prints `text`. */
  function writeTypeScript(name: string, text: string): string {
    const file = join(work, name);
    writeFileSync(file, `const text: string = ${JSON.stringify(text)};\nprocess.stdout.write(text);\n`);
    return file;
  }

  it('runs as usual when cache entries are damaged (a truncated file), and rewrites them', () => {
    const cache = join(work, 'cache');
    const probe = writeTypeScript('probe.ts', 'ok');
    expect(run(probe, { PLATFORM_TS_RUN_CACHE_DIR: cache }).stats!.transpiled).toBe(1);
    for (const entry of readdirSync(cache)) writeFileSync(join(cache, entry), '// trunc\nprocess.stdout.write(');
    const damaged = run(probe, { PLATFORM_TS_RUN_CACHE_DIR: cache });
    expect(damaged.status).toBe(0);
    expect(damaged.stdout).toBe('ok');
    expect(damaged.stats).toMatchObject({ transpiled: 1, transpileHits: 0 });
    const repaired = run(probe, { PLATFORM_TS_RUN_CACHE_DIR: cache });
    expect(repaired.stats).toMatchObject({ transpiled: 0, transpileHits: 1 });
  });

  it('removes cache entries not written for a week when it writes new ones, and keeps the rest', () => {
    const cache = join(work, 'cache');
    expect(run(writeTypeScript('stale.ts', 'stale'), { PLATFORM_TS_RUN_CACHE_DIR: cache }).status).toBe(0);
    expect(run(writeTypeScript('recent.ts', 'recent'), { PLATFORM_TS_RUN_CACHE_DIR: cache }).status).toBe(0);
    const entries = readdirSync(cache);
    expect(entries).toHaveLength(2);
    // GIVEN one entry last written 8 days ago, and a new file for the run to cache
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    const staleEntry = entries[0]!;
    utimesSync(join(cache, staleEntry), eightDaysAgo, eightDaysAgo);
    // WHEN a run writes an entry
    expect(run(writeTypeScript('other.ts', 'other'), { PLATFORM_TS_RUN_CACHE_DIR: cache }).status).toBe(0);
    // THEN the stale entry (unused by that run) is gone, and the recent one stays though that run did not use it either
    const after = readdirSync(cache);
    expect(after).not.toContain(staleEntry);
    expect(after).toContain(entries[1]);
    expect(after).toHaveLength(2);
  });
});
