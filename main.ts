/**
 * Reads the environments and creates their stacks; nothing else.
 *
 * `npm run synth -- dev prod` or PLATFORM_ENVIRONMENTS=local,dev limits the environments (default: all files
 * in environments/, or in PLATFORM_ENVIRONMENTS_DIR). PLATFORM_EMULATOR_ENDPOINT is where the local emulator
 * listens, set by the scripts that start it. Every environment is validated
 * before anything is synthesized: a bad file exits 1 and writes nothing.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { listEnvironments, loadEnvironment } from './environments/load';
import { EXIT_USAGE, parseArgs, UsageError } from './scripts/lib/args';

function main(): number {
  const outdir = resolve(process.env.CDKTF_OUTDIR || 'cdktf.out');
  const outdirExisted = existsSync(outdir);
  try {
    // `npm run synth -- dev prod` (or PLATFORM_ENVIRONMENTS=dev,prod, as cdktf-cli runs this file without arguments).
    const { environments: named } = parseArgs(process.argv.slice(2), [], { environmentsRequired: false });
    const fromVariable = process.env.PLATFORM_ENVIRONMENTS?.split(',').map((n) => n.trim()).filter(Boolean);
    if (named.length === 0 && fromVariable?.length === 0) throw new UsageError('PLATFORM_ENVIRONMENTS is set but names no environment: unset it, or name environments (dev,prod)');
    const selected = named.length > 0 ? named : (fromVariable ?? listEnvironments());
    const emulatorEndpoint = process.env.PLATFORM_EMULATOR_ENDPOINT;
    const environments = selected.map((name) => loadEnvironment(name, undefined, emulatorEndpoint ? { emulatorEndpoint } : {}));
    // cdktf and the stacks (about half a second to load) only once the arguments and environment files are good.
    const { App } = require('cdktf') as typeof import('cdktf');
    const { addEnvironmentStacks } = require('./stacks') as typeof import('./stacks');
    const app = new App({ outdir });
    for (const env of environments) addEnvironmentStacks(app, env);
    app.synth();
    return 0;
  } catch (error) {
    // cdktf's App creates its output directory: leave nothing behind that was not there.
    if (!outdirExisted && existsSync(outdir) && readdirSync(outdir, { recursive: true, withFileTypes: true }).every((e) => e.isDirectory())) rmSync(outdir, { recursive: true, force: true });
    // Every error is the environment's or the command's: its message says what to fix; a stack trace would not.
    process.stderr.write(`${error instanceof UsageError ? 'error: ' : ''}${error instanceof Error ? error.message : String(error)}\nNothing was synthesized.\n`);
    return error instanceof UsageError ? EXIT_USAGE : 1;
  }
}

// Run from the event loop rather than from inside Node's module loader: cdktf records the full
// call stack of every token it creates (thousands per synth), and the loader's frames would
// make each of those stacks nearly twice as deep, and as slow to record.
setImmediate(() => {
  process.exitCode = main();
});
