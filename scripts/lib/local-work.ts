/**
 * Where npm start and npm run destroy keep their files for the emulator environment. By default
 * in the project (cdktf.out, bootstrap-state/, .offline/emulator); PLATFORM_WORK_DIR moves all of
 * them, so a test's deploy cycle never meets a developer's running emulator or state.
 */
import { join } from 'node:path';
import type { Environment } from '../../environments/schema';
import { defaultBootstrapStateFile } from '../../stacks/state-bootstrap-stack';
import { DEFAULT_DAEMON_DIR } from './emulator-daemon';
import { DEFAULT_OUTDIR } from './synth';

export interface LocalWork {
  readonly outdir: string;
  readonly daemonDir: string;
  /** Held by npm start and npm run destroy (scripts/lib/work-lock.ts). */
  readonly lockFile: string;
  bootstrapStateFile(env: Environment): string;
}

export function localWork(workDir: string | undefined = process.env.PLATFORM_WORK_DIR || undefined): LocalWork {
  if (!workDir) return { outdir: DEFAULT_OUTDIR, daemonDir: DEFAULT_DAEMON_DIR, lockFile: join(DEFAULT_DAEMON_DIR, '..', 'local-work.lock'), bootstrapStateFile: defaultBootstrapStateFile };
  return {
    outdir: join(workDir, 'cdktf.out'),
    daemonDir: join(workDir, 'emulator'),
    lockFile: join(workDir, 'local-work.lock'),
    bootstrapStateFile: (env) => join(workDir, 'bootstrap-state', env.name, 'terraform.tfstate'),
  };
}
