import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileSeconds, mergeResults, slowestFiles, testTiers } from '../bench/run';

describe('npm run bench: the slowest test files', () => {
  const report = (seconds: Record<string, number>) => ({
    testResults: Object.entries(seconds).map(([name, s]) => ({ name: `/repo/${name}`, startTime: 1_000, endTime: 1_000 + s * 1000 })),
  });

  it('reads each file\'s seconds from jest\'s --json report, relative to the project', () => {
    expect(fileSeconds(report({ '__tests__/a.test.ts': 2.5 }), '/repo')).toEqual(new Map([['__tests__/a.test.ts', 2.5]]));
  });

  it('ranks files over every tier by their median over the runs, and keeps the n slowest', () => {
    const unit = [fileSeconds(report({ 'u.test.ts': 1, 'v.test.ts': 9 }), '/repo'), fileSeconds(report({ 'u.test.ts': 3, 'v.test.ts': 1 }), '/repo'), fileSeconds(report({ 'u.test.ts': 2, 'v.test.ts': 1 }), '/repo')];
    const emulator = [fileSeconds(report({ 'e.emulator.test.ts': 100 }), '/repo'), fileSeconds(report({ 'e.emulator.test.ts': 120 }), '/repo'), fileSeconds(report({ 'e.emulator.test.ts': 90 }), '/repo')];
    expect(slowestFiles(new Map([['unit', unit], ['emulator', emulator]]), 2)).toEqual([
      { file: 'e.emulator.test.ts', tier: 'emulator', medianSeconds: 100 },
      { file: 'u.test.ts', tier: 'unit', medianSeconds: 2 }, // 1, 3, 2; v's one slow run (9, 1, 1) does not make it slow
    ]);
  });
});

describe('npm test and its tiers', () => {
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).scripts;

  it('runs every jest project through its own script, in the order the bench times them', () => {
    const tiers = testTiers();
    expect(tiers).toEqual(['unit', 'cli', 'terraform', 'emulator']);
    for (const tier of tiers) expect(scripts[`test:${tier}`]).toMatch(new RegExp(`^jest --selectProjects ${tier}( |$)`));
    expect(scripts.test).toBe(['npm run typecheck', ...tiers.map((tier) => `npm run -s test:${tier}`)].join(' && '));
  });
});

describe('bench/RESULTS.md: each run replaces only what it measured', () => {
  const existing = [
    '# Benchmark results',
    '',
    '<!-- bench: Synth of all environments -->',
    '## Synth of all environments',
    'old synth table',
    '<!-- /bench: Synth of all environments -->',
    '',
    '## Where the time goes',
    'analysis written by a person',
    '',
  ].join('\n');

  it('puts a measured section in place of its previous measurement and keeps the text around it', () => {
    const merged = mergeResults(existing, [{ title: 'Synth of all environments', markdown: '## Synth of all environments\nnew synth table' }]);
    expect(merged).toBe(existing.replace('old synth table', 'new synth table'));
  });

  it('adds a section measured for the first time at the end, and keeps the sections not measured this time', () => {
    const merged = mergeResults(existing, [{ title: 'npm test by tier', markdown: '## npm test by tier\ntiers' }]);
    expect(merged).toBe(`${existing.trimEnd()}\n\n<!-- bench: npm test by tier -->\n## npm test by tier\ntiers\n<!-- /bench: npm test by tier -->\n`);
    expect(merged).toContain('old synth table');
    expect(merged).toContain('analysis written by a person');
  });

  it('starts the file when there is none', () => {
    expect(mergeResults(undefined, [{ title: 'Local deploy', markdown: '## Local deploy' }])).toBe('# Benchmark results\n\n<!-- bench: Local deploy -->\n## Local deploy\n<!-- /bench: Local deploy -->\n');
  });
});
