/**
 * `terraform validate` (offline) of the edge variants the environment files do
 * not use: the origin-verify header (Secrets Manager data source, ignored
 * changes, a third ALB rule condition). The environments themselves are
 * validated by __tests__/stacks/validate.tf.test.ts.
 */
import { App } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateStack } from '../../scripts/validate';
import { stackDir } from '../../scripts/lib/synth';
import { terraformEnv } from '../../scripts/lib/terraform';
import { addEnvironmentStacks } from '../../stacks';
import { environment } from '../helpers/synth';

let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'edge-validate-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('the edge with the origin-verify header is valid Terraform', async () => {
  // GIVEN dev with edge.originVerifyHeader on, synthesized
  const env = environment('dev', (raw) => (raw.edge.originVerifyHeader = true));
  const app = new App({ outdir });
  const { platform } = addEnvironmentStacks(app, env);
  app.synth();
  // WHEN terraform validates it  THEN there is no error
  const result = await validateStack(stackDir(platform.node.id, outdir), terraformEnv());
  expect(result.diagnostics).toEqual([]);
  expect(result.valid).toBe(true);
}, 300_000);
