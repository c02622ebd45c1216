/** `npm run apply -- <environment> --reviewed <plan.json|sha256:...> [--out DIR] [--allow-destroy] [--endpoint URL]` */
import { readFileSync } from 'node:fs';
import { parseArgs, UsageError } from './lib/args';
import { comparePlans } from '../review/plan-compare';
import { runPlanCommand } from './lib/ci';
import type { PlanJson } from '../review/plan-model';
import { Progress } from './lib/progress';
import { terraformEnv } from './lib/terraform';

const HELP = `
usage: npm run apply -- <environment> --reviewed <plan.json|sha256:...> [--out DIR] [--allow-destroy] [--endpoint URL]

Applies exactly a plan that was reviewed:
  1. plans again (as npm run plan: synth, init, plan -out, show -json, summary);
  2. compares the new plan with the reviewed one (npm run plan-compare): every
     changed resource's address, actions and planned values must match, else it
     refuses and lists the differences;
  3. runs terraform apply on the saved plan file, nothing else; every 5 s it
     prints resources done / total and the slowest in progress.

--reviewed is a plan JSON file or the fingerprint of the reviewed plan (printed
by npm run plan and in the pull request's plan comment). It may be left out for
emulator environments only.

The prod rule holds here too: destroying or replacing a protected resource
needs --allow-destroy.

Options
  --reviewed X       the reviewed plan: a plan JSON file or sha256:<hex>
  --out DIR          output directory (default: plans/, gitignored)
  --allow-destroy    accept destroys and replacements of protected resources
  --endpoint URL     the local emulator (emulator environments only)

Exit codes: 0 applied (or nothing to apply), 1 refused or failed, 64 usage error.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const { environments, flags } = parseArgs(argv, ['--reviewed=', '--out=', '--allow-destroy', '--endpoint=']);
  const { applySavedPlan, DEFAULT_PLAN_DIR, loadCommandEnvironment, planEnvironment } = require('./lib/plan-run') as typeof import('./lib/plan-run');
  if (environments.length !== 1) throw new UsageError(`name exactly one environment; got ${environments.join(', ')}`);
  const name = environments[0]!;
  const endpoint = flags.get('--endpoint');
  const env = loadCommandEnvironment(name, typeof endpoint === 'string' ? endpoint : undefined);
  const reviewed = flags.get('--reviewed');
  if (typeof reviewed !== 'string' && !env.emulator) {
    throw new UsageError(`--reviewed is required for "${name}": give the reviewed plan's JSON file or its fingerprint (sha256:...)`);
  }
  if (typeof reviewed === 'string' && reviewed.startsWith('sha256:') && !/^sha256:[0-9a-f]{64}$/.test(reviewed)) {
    throw new UsageError(`--reviewed ${reviewed} is not a fingerprint (sha256:<64 hex digits>)`);
  }
  const out = flags.get('--out');
  const progress = new Progress(`apply ${name}`);
  const tfEnv = terraformEnv();
  const result = await planEnvironment({
    environment: env,
    outDir: typeof out === 'string' ? out : DEFAULT_PLAN_DIR,
    allowDestroy: flags.has('--allow-destroy'),
    progress,
    terraformEnv: tfEnv,
  });
  if (!result.summary.verdict.ok) {
    process.stderr.write(`REFUSED: ${result.summary.verdict.message}\n`);
    return 1;
  }
  if (typeof reviewed === 'string') {
    const same = await progress.step('compare with the reviewed plan', () => {
      if (reviewed.startsWith('sha256:')) {
        if (reviewed === result.fingerprint) return true;
        process.stderr.write(`REFUSED: the plan changed since it was reviewed: reviewed ${reviewed}, now ${result.fingerprint}. Review the new plan (${result.summaryFile}).\n`);
        return false;
      }
      const comparison = comparePlans(JSON.parse(readFileSync(reviewed, 'utf8')) as PlanJson, result.plan);
      if (!comparison.same) {
        process.stderr.write(`REFUSED: the plan changed since it was reviewed:\n${comparison.differences.map((d) => `  - ${d}`).join('\n')}\n`);
      }
      return comparison.same;
    });
    if (!same) return 1;
  }
  if (result.exitCode === 0) {
    process.stdout.write(`Nothing to apply in ${name}: the infrastructure matches the configuration.\n`);
    return 0;
  }
  const t = result.summary.totals;
  const step = `terraform apply ${result.planFile}`;
  await progress.step(step, () => applySavedPlan(result.stackDir, result.planFile, tfEnv, { totals: t, report: (text) => progress.note(`${step}: ${text}`) }));
  process.stdout.write(`Applied ${name} in ${progress.elapsed()}: ${t.add} added, ${t.change} changed, ${t.replace} replaced, ${t.destroy} destroyed (${result.fingerprint}).\n`);
  return 0;
}

if (require.main === module) runPlanCommand(main, HELP);
