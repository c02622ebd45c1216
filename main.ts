/**
 * Reads the environments and creates their stacks; nothing else.
 *
 * PLATFORM_ENVIRONMENTS=local,dev limits the environments (default: all files
 * in environments/, or in PLATFORM_ENVIRONMENTS_DIR). PLATFORM_EMULATOR_ENDPOINT is where the local emulator
 * listens, set by the scripts that start it. Every environment is validated
 * before anything is synthesized: a bad file exits 1 and writes nothing.
 */
import { App } from 'cdktf';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { EnvironmentError, listEnvironments, loadEnvironment } from './environments/load';
import { addEnvironmentStacks } from './stacks';

function main(): void {
  const dir = process.env.PLATFORM_ENVIRONMENTS_DIR || undefined;
  const selected = process.env.PLATFORM_ENVIRONMENTS?.split(',').map((n) => n.trim()).filter(Boolean) ?? listEnvironments(dir);
  const emulatorEndpoint = process.env.PLATFORM_EMULATOR_ENDPOINT;
  let environments;
  try {
    environments = selected.map((name) => loadEnvironment(name, dir, emulatorEndpoint ? { emulatorEndpoint } : {}));
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    process.stderr.write(`${error.message}\nNothing was synthesized.\n`);
    process.exit(1);
  }
  const outdir = resolve(process.env.CDKTF_OUTDIR || 'cdktf.out');
  const outdirExisted = existsSync(outdir);
  const app = new App({ outdir });
  try {
    for (const env of environments) addEnvironmentStacks(app, env);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    // cdktf's App creates its output directory: leave nothing behind that was not there.
    if (!outdirExisted && readdirSync(outdir, { recursive: true, withFileTypes: true }).every((e) => e.isDirectory())) rmSync(outdir, { recursive: true, force: true });
    process.stderr.write(`${error.message}\nNothing was synthesized.\n`);
    process.exit(1);
  }
  app.synth();
}

// Run from the event loop rather than from inside Node's module loader: cdktf records the full
// call stack of every token it creates (thousands per synth), and the loader's frames would
// make each of those stacks nearly twice as deep, and as slow to record.
setImmediate(main);
