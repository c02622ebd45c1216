/** `npm run -s tf:env`: prints the offline Terraform environment as shell exports (eval "$(npm run -s tf:env)"). */
import { runMain } from './lib/args';
import { terraformEnv } from './lib/terraform';

const HELP = `
usage: eval "$(npm run -s tf:env)"

Writes the project-local Terraform CLI config (.offline/terraformrc, with the
provider mirror when one is found) and prints the variables that make plain
terraform and cdktf commands use it: TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE, ...
`;

runMain(async () => {
  const env = terraformEnv({});
  for (const [key, value] of Object.entries(env)) process.stdout.write(`export ${key}=${JSON.stringify(value)}\n`);
}, HELP);
