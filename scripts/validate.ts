/** `npm run validate -- <environment>... | --all`: synth, then `terraform init -backend=false` + `terraform validate` offline per stack. */
import { parseArgs, runMain } from './lib/args';
import { Progress, table } from './lib/progress';
import { terraform, terraformEnv } from './lib/terraform';

const HELP = `
usage: npm run validate -- <environment>... | --all

Synthesizes the environments and runs terraform init (no backend, offline
provider mirror) and terraform validate for every stack. Exit 0 when all are
valid, 1 otherwise, 64 on a usage error.
`;

/** Validates one synthesized stack directory; returns Terraform's diagnostics, empty when valid. */
export async function validateStack(dir: string, env: NodeJS.ProcessEnv = terraformEnv()): Promise<{ valid: boolean; diagnostics: string[] }> {
  await terraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], { env });
  const result = await terraform(dir, ['validate', '-json', '-no-color'], { env, allowFailure: true });
  const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string; address?: string }[] };
  return {
    valid: report.valid,
    diagnostics: report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.address ?? ''} ${d.summary}${d.detail ? `: ${d.detail}` : ''}`.trim()),
  };
}

async function main(): Promise<number> {
  const { environments } = parseArgs(process.argv.slice(2), []);
  const { stackDir, synthEnvironments } = require('./lib/synth') as typeof import('./lib/synth');
  const progress = new Progress('validate');
  const stacks = await progress.step(`synth ${environments.join(', ')}`, () => synthEnvironments(environments));
  const env = terraformEnv();
  const rows: string[][] = [];
  for (const stack of stacks) {
    const result = await progress.step(`terraform validate ${stack}`, () => validateStack(stackDir(stack), env));
    rows.push([stack, result.valid ? 'valid' : 'INVALID', result.diagnostics.join('; ')]);
  }
  process.stdout.write(`${table(['stack', 'result', 'errors'], rows)}\n`);
  return rows.every((r) => r[1] === 'valid') ? 0 : 1;
}

if (require.main === module) runMain(main, HELP);
