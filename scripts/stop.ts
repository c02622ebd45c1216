/** `npm run stop`: stops the local emulator and edge that npm start left running, whatever state they are in. */
import { parseArgs, runMain, UsageError } from './lib/args';

const HELP = `
usage: npm run stop

Stops the local AWS emulator and the local edge that npm start left running.
The emulator keeps nothing on disk: everything deployed to it (and any state
lock in it) is gone with it, so the next npm start begins from nothing. Use it
when npm run destroy -- local cannot finish, or to throw local away quickly.

Refused while npm start or npm run destroy runs in this checkout (it names
them): stop that run first (Ctrl-C).

Exit 0 when nothing is left running, 1 when refused, 64 on a usage error.
`;

async function main(): Promise<number> {
  const { environments } = parseArgs(process.argv.slice(2), [], { environmentsRequired: false });
  const { loadEnvironment } = require('../environments/load') as typeof import('../environments/load');
  const { localWork } = require('./lib/local-work') as typeof import('./lib/local-work');
  const { describeStopped, stopLocal } = require('./lib/local-stop') as typeof import('./lib/local-stop');
  const { acquireWorkLock } = require('./lib/work-lock') as typeof import('./lib/work-lock');
  if (environments.length > 0) throw new UsageError(`npm run stop takes no environment (it stops the emulator of local); got ${environments.join(', ')}`);
  const work = localWork();
  const release = acquireWorkLock(work.lockFile, 'npm run stop');
  try {
    process.stdout.write(`${describeStopped(await stopLocal(work, loadEnvironment('local')))}\n`);
    return 0;
  } finally {
    release();
  }
}

if (require.main === module) runMain(main, HELP);
