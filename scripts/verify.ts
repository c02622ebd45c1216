/** `npm run verify -- <environment>... | --all [--plan FILE] [--json]`: the access rules, as a table of pass/fail. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../environments/load';
import { parseArgs, runMain, UsageError } from './lib/args';
import { table } from './lib/progress';
import { daemonStatus } from './lib/emulator-daemon';
import type { RuleResult } from '../review/verify';

const HELP = `
usage: npm run verify -- <environment>... | --all [--plan FILE] [--json] [--endpoint URL]

Answers, for each environment, from the Terraform it will apply: is there any
way to reach the API other than CloudFront, and does every route need a token
with its scopes? Synthesizes the environments and checks 11 rules:

   1 api-is-private               7 clients-use-safe-flows
   2 policy-denies-other-sources  8 state-is-protected
   3 routes-need-scoped-tokens    9 access-logs-on
   4 only-cloudfront-reaches-alb 10 protections-as-configured
   5 cloudfront-vpc-origin-only  11 cors-for-allowed-origins
   6 waf-with-rate-limit

  --plan FILE     also lay a plan's known values (terraform show -json) over the
                  synthesized configuration of the (single) environment
  --json          print the results as JSON instead of a table
  --endpoint URL  the emulator endpoint for local (default: the one npm start left
                  running, else the environment file's)

Exit 0 when every rule passes, 1 when any fails, 64 on a usage error.
`;

const runningEndpoint = (status: Awaited<ReturnType<typeof daemonStatus>>) => ('running' in status ? status.running.endpoint : undefined);

async function main(): Promise<number> {
  const { environments, flags } = parseArgs(process.argv.slice(2), ['--plan=', '--json', '--endpoint=']);
  const { bootstrapStackId, platformStackId } = require('../stacks') as typeof import('../stacks');
  const { readStackJson, synthEnvironments } = require('./lib/synth') as typeof import('./lib/synth');
  const { overlayPlan, verify } = require('../review/verify') as typeof import('../review/verify');
  const { localWork } = require('./lib/local-work') as typeof import('./lib/local-work');
  const planFile = flags.get('--plan') as string | undefined;
  if (planFile && environments.length !== 1) throw new UsageError('--plan goes with exactly one environment');
  const given = flags.get('--endpoint') as string | undefined;
  // An emulator environment's endpoint is part of its synthesized providers: the running emulator's, as plan uses.
  const emulated = environments.filter((n) => loadEnvironment(n).emulator);
  const endpoint = given ?? process.env.PLATFORM_EMULATOR_ENDPOINT ?? (emulated.length > 0 ? runningEndpoint(await daemonStatus(localWork().daemonDir)) : undefined);
  const options = endpoint ? { emulatorEndpoint: endpoint } : {};
  const plan = planFile ? readPlan(planFile) : undefined;
  // A scratch output directory: verify reads what would be applied and leaves cdktf.out alone.
  const outdir = mkdtempSync(join(tmpdir(), 'platform-verify-'));
  const report: { environment: string; passed: boolean; rules: RuleResult[] }[] = [];
  try {
    synthEnvironments(environments, outdir, options);
    for (const name of environments) {
      const environment = loadEnvironment(name, undefined, options);
      let platform = readStackJson(platformStackId(environment), outdir);
      if (plan) platform = overlayPlan(platform, plan);
      const bootstrap = readStackJson(bootstrapStackId(environment), outdir);
      const rules = await verify({ environment, platform, bootstrap });
      report.push({ environment: name, passed: rules.every((r) => r.passed), rules });
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  if (flags.has('--json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const { environment, passed, rules } of report) {
      const rows = rules.flatMap((r) =>
        r.passed
          ? [[String(r.id), r.name, 'pass', '', r.reason]]
          : r.violations.map((v, i) => [i === 0 ? String(r.id) : '', i === 0 ? r.name : '', i === 0 ? 'FAIL' : '', v.resource, v.problem]),
      );
      process.stdout.write(`\n${environment}: ${passed ? 'all rules pass' : `${rules.filter((r) => !r.passed).length} rule(s) FAIL`}\n`);
      process.stdout.write(`${table(['#', 'rule', 'result', 'resource at fault', 'reason / problem'], rows)}\n`);
    }
  }
  return report.every((r) => r.passed) ? 0 : 1;
}

function readPlan(file: string): Record<string, any> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--plan ${file}: no such file (write one with terraform show -json PLANFILE > ${file})`);
  }
  try {
    const plan = JSON.parse(text);
    if (!plan.planned_values) throw new Error('no planned_values');
    return plan;
  } catch {
    throw new UsageError(`--plan ${file}: not a plan's JSON (expected the output of terraform show -json PLANFILE)`);
  }
}

runMain(main, HELP);
