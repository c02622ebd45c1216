/** `npm run plan-compare -- <reviewed> <current>`: is the current plan the one that was reviewed? */
import { readFileSync } from 'node:fs';
import { UsageError } from './lib/args';
import { comparePlans, planFingerprint } from '../review/plan-compare';
import type { PlanJson } from '../review/plan-model';
import { runPlanCommand } from './lib/ci';

const HELP = `
usage: npm run plan-compare -- <reviewed> <current>
       npm run plan-compare -- --fingerprint <plan.json>

Compares two plans by what they would do: every changed resource's address,
actions and planned values (sensitive values only as "(sensitive)"). Each side
is a plan JSON file (terraform show -json, as written by npm run plan) or a
fingerprint (sha256:..., as printed by npm run plan and in the pull request's
plan comment). Prints each difference (addresses and attribute paths, never
values).

--fingerprint prints the fingerprint of a plan JSON file.

Exit codes: 0 the same, 1 different or an error, 64 usage error.
`;

type Side = { fingerprint: string; plan?: PlanJson; label: string };

function side(arg: string): Side {
  if (/^sha256:[0-9a-f]{64}$/.test(arg)) return { fingerprint: arg, label: arg };
  let plan: PlanJson;
  try {
    plan = JSON.parse(readFileSync(arg, 'utf8')) as PlanJson;
  } catch (error) {
    throw new UsageError(`${arg} is neither a fingerprint (sha256:<64 hex digits>) nor a readable plan JSON file (${(error as Error).message})`);
  }
  if (!Array.isArray(plan.resource_changes) && plan.format_version === undefined) {
    throw new UsageError(`${arg} is not a plan JSON (terraform show -json <plan>): it has no format_version or resource_changes`);
  }
  return { fingerprint: planFingerprint(plan), plan, label: arg };
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--fingerprint') {
    if (argv.length !== 2) throw new UsageError('--fingerprint takes one plan JSON file');
    process.stdout.write(`${side(argv[1]!).fingerprint}\n`);
    return 0;
  }
  if (argv.length !== 2 || argv.some((a) => a.startsWith('--'))) throw new UsageError('give the reviewed plan and the current plan (files or fingerprints)');
  const reviewed = side(argv[0]!);
  const current = side(argv[1]!);
  if (reviewed.plan && current.plan) {
    const comparison = comparePlans(reviewed.plan, current.plan);
    if (comparison.same) {
      process.stdout.write(`same plan (${current.fingerprint})\n`);
      return 0;
    }
    process.stdout.write(`DIFFERENT: the current plan is not the reviewed one (${comparison.differences.length} difference${comparison.differences.length === 1 ? '' : 's'}):\n${comparison.differences.map((d) => `  - ${d}`).join('\n')}\n`);
    return 1;
  }
  if (reviewed.fingerprint === current.fingerprint) {
    process.stdout.write(`same plan (${current.fingerprint})\n`);
    return 0;
  }
  process.stdout.write(`DIFFERENT: reviewed ${reviewed.fingerprint}, current ${current.fingerprint}\n`);
  return 1;
}

if (require.main === module) runPlanCommand(main, HELP);
