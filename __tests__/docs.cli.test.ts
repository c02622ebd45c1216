/**
 * The constructs' API reference (packages/constructs/docs/api/, linked from each construct's README) is generated from their doc comments
 * by `npm run docs` (typedoc): it must be what the code says now, and each construct's README must link to its page.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers/run-script';

const PACKAGE = join(ROOT, 'packages', 'constructs');
const DOCS = join(PACKAGE, 'docs', 'api');

test('the package\'s docs/api is what npm run docs generates from the code now (run it after changing a construct\'s doc comments)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'api-docs-'));
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--logLevel', 'Warn'], { cwd: ROOT });
    const pages = readdirSync(out).sort();
    expect(readdirSync(DOCS).sort()).toEqual(pages);
    for (const page of pages) expect([page, readFileSync(join(DOCS, page), 'utf8')]).toEqual([page, readFileSync(join(out, page), 'utf8')]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);

test('every construct\'s README links to its API reference page', () => {
  const constructs = readdirSync(join(PACKAGE, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  expect(constructs.length).toBeGreaterThanOrEqual(7);
  for (const name of constructs) {
    expect([name, readFileSync(join(PACKAGE, 'src', name, 'README.md'), 'utf8')]).toEqual([name, expect.stringContaining(`(../../docs/api/${name}.md)`)]);
  }
});
