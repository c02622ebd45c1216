/** `npm run cdktf -- <cdktf args>`: cdktf-cli with the offline Terraform environment and --skip-provider-lock. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runMain } from './lib/args';
import { PROJECT_ROOT, terraformEnv } from './lib/terraform';

const HELP = `
usage: npm run cdktf -- <synth|diff|deploy|destroy|...> [stacks] [options]

Runs the project's pinned cdktf-cli with the offline Terraform configuration
(see npm run tf:env). --skip-provider-lock is added to the commands that take it.
`;

const TAKES_SKIP_PROVIDER_LOCK = new Set(['deploy', 'destroy', 'diff', 'plan', 'apply']);

runMain(async () => {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    process.stdout.write(HELP.trimStart());
    return 2;
  }
  if (TAKES_SKIP_PROVIDER_LOCK.has(args[0]!) && !args.includes('--skip-provider-lock')) args.push('--skip-provider-lock');
  const cli = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdktf');
  const result = spawnSync(cli, args, { cwd: PROJECT_ROOT, stdio: 'inherit', env: terraformEnv() });
  return result.status ?? 1;
}, HELP);
