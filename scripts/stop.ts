/** `npm run stop`: stops the local emulator and edge that npm start left running, whatever state they are in. */
import { loadEnvironment } from '../environments/load';
import { parseArgs, runMain, UsageError } from './lib/args';
import { localWork } from './lib/local-work';
import { describeStopped, stopLocal } from './lib/local-stop';
import { acquireWorkLock } from './lib/work-lock';

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
