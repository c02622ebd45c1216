/**
 * `terraform validate`, offline, for the platform stack of every environment:
 * the synthesized JSON is valid against the AWS provider 5.100.0 schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../environments/load';
import { validateStack } from '../../scripts/validate';
import { stackDir, synthEnvironments } from '../../scripts/lib/synth';
import { terraformEnv } from '../../scripts/lib/terraform';
import { platformStackId } from '../../stacks';
import { ENVIRONMENT_NAMES } from '../helpers/synth';

describe('terraform validate (offline)', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'platform-validate-'));
    synthEnvironments(ENVIRONMENT_NAMES, outdir);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test.each(ENVIRONMENT_NAMES)('the %s platform stack is valid', async (name) => {
    // GIVEN the synthesized platform stack  WHEN terraform validates it  THEN there is no error
    const result = await validateStack(stackDir(platformStackId(loadEnvironment(name)), outdir), terraformEnv());
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
  }, 180_000);
});
