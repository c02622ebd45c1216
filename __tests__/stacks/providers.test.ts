/**
 * The emulator environment's providers reach the emulator through a shared config profile (stacks/providers.ts), a
 * file the stack carries; real environments have neither the profile nor the file, and no endpoint of their own.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../environments/load';
import { synthForPlan } from '../../scripts/lib/plan-run';
import { EMULATOR_PROFILE, emulatorProfileText, providerConfig } from '../../stacks/providers';
import { environment } from '../helpers/synth';

const ENDPOINT = 'http://127.0.0.1:4566';

describe('the providers of the emulator environment and of real ones', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'platform-providers-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('local: every provider names the emulator profile in the one file the stack carries, which points every service at the emulator; no endpoints block', () => {
    const { stackDir, stackJson } = synthForPlan(loadEnvironment('local', undefined, { emulatorEndpoint: ENDPOINT }), work);
    const providers = stackJson.provider.aws as Record<string, unknown>[];
    expect(providers.map((p) => p.alias ?? 'default')).toEqual(['default', 'us_east_1']);
    const files = new Set(providers.flatMap((p) => [...(p.shared_config_files as string[]), ...(p.shared_credentials_files as string[])]));
    expect(files.size).toBe(1);
    const [file] = [...files];
    for (const provider of providers) {
      expect(provider).toMatchObject({ profile: EMULATOR_PROFILE, access_key: 'test', secret_key: 'test' });
      expect(provider).not.toHaveProperty('endpoints');
    }
    expect(readFileSync(join(stackDir, file!), 'utf8')).toBe(`[profile ${EMULATOR_PROFILE}]\nendpoint_url = ${ENDPOINT}\n`);
  });

  it('a real environment names no profile, no file and no endpoint, and only its own account', () => {
    const { stackJson } = synthForPlan(environment('dev'), work);
    for (const provider of stackJson.provider.aws as Record<string, unknown>[]) {
      for (const key of ['profile', 'shared_config_files', 'shared_credentials_files', 'endpoints', 'access_key']) expect(provider).not.toHaveProperty(key);
      expect(provider.allowed_account_ids).toEqual([environment('dev').account.id]);
    }
  });

  it('the emulator environment without its profile\'s file is refused, naming what to pass', () => {
    const local = loadEnvironment('local', undefined, { emulatorEndpoint: ENDPOINT });
    expect(() => providerConfig(local, 'eu-west-1')).toThrow('the emulator environment "local" needs its profile\'s file: pass emulatorConfigFile(scope, env)');
  });

  it('the profile with credentials signs with them (the IAM audit\'s roles)', () => {
    expect(emulatorProfileText(ENDPOINT, { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' })).toBe(
      `[profile ${EMULATOR_PROFILE}]\nendpoint_url = ${ENDPOINT}\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n`,
    );
  });
});
