/** `npm run -s outputs` from a saved file (what CI keeps after an apply): both formats, sensitive values masked. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'outputs-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const outputs = (args: string[]) => spawnSync(process.execPath, ['scripts/ts-run.cjs', 'scripts/outputs.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });

test.each([
  ['terraform output -json', { edge_distribution_id: { value: 'E123', sensitive: false, type: 'string' }, identity_machine_client_secrets: { value: { fulfilment: 's3cr3t' }, sensitive: true } }],
  ['cdktf deploy --outputs-file', { dev: { edge_distribution_id: 'E123', identity_machine_client_secrets: { fulfilment: 's3cr3t' } } }],
])('GIVEN the outputs of %s THEN the values, sensitive ones never printed', (_format, saved) => {
  writeFileSync(join(work, 'outputs.json'), JSON.stringify(saved));
  const result = outputs(['dev', '--outputs', join(work, 'outputs.json'), '--json']);
  expect(result.status).toBe(0);
  const values = JSON.parse(result.stdout);
  expect(values.edge_distribution_id).toBe('E123');
  expect(result.stdout).not.toContain('s3cr3t');
  expect(values.local_edge_url).toBeUndefined(); // a real environment has no local edge
});

test('GIVEN --outputs names no file THEN exit 64 with what to save', () => {
  const result = outputs(['dev', '--outputs', join(work, 'missing.json')]);
  expect(result.status).toBe(64);
  expect(result.stderr).toContain('no such file (save one with: terraform output -json > FILE)');
});
