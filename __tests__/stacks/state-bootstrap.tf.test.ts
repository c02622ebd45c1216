/**
 * `terraform validate`, offline, for the bootstrap stacks of real accounts: the
 * state bucket and key are valid against the AWS provider 5.100.0 schema.
 * dev and prod differ in region; staging is dev's shape in another account.
 * (The emulator environment's bootstrap stack is applied for real in
 * state-locking.emulator.test.ts.)
 */
import { App } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackDir } from '../../scripts/lib/synth';
import { terraformEnv } from '../../scripts/lib/terraform';
import { validateStack } from '../../scripts/validate';
import { bootstrapStackId, StateBootstrapStack } from '../../stacks/state-bootstrap-stack';
import { environment } from '../helpers/synth';

const REAL_ACCOUNTS = ['dev', 'prod'] as const;

describe('bootstrap stacks: terraform validate (offline)', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'platform-bootstrap-validate-'));
    const app = new App({ outdir });
    for (const name of REAL_ACCOUNTS) {
      const env = environment(name);
      new StateBootstrapStack(app, bootstrapStackId(env), { environment: env, stateFile: join(outdir, name, 'terraform.tfstate') });
    }
    app.synth();
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test.each(REAL_ACCOUNTS)('bootstrap-%s is valid', async (name) => {
    // GIVEN the synthesized bootstrap stack  WHEN terraform validates it  THEN there is no error
    const result = await validateStack(stackDir(`bootstrap-${name}`, outdir), terraformEnv());
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
  }, 180_000);
});
