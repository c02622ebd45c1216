/**
 * `npm run iam-audit`, end to end: the platform's lifecycle recorded against the emulator (real Terraform, the real
 * AWS provider), each CI role's calls evaluated against its policy as synthesized for dev, staging and prod.
 * One recording (about 5 minutes) serves every test of the file; the uncovered-type test records a small one.
 */
import { spawnSync } from 'node:child_process';
import { awsProvider } from '../../stacks/versions';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadEnvironment } from '../../environments/load';
import { auditEnvironment, synthesizedRoles, type EnvironmentRoles, type PolicyDocument } from '../../scripts/lib/iam-audit/audit';
import { recordConfiguration, recordPlatformLifecycle, typesOf, withoutStoredCredentials, type Lifecycle } from '../../scripts/lib/iam-audit/lifecycle';
import { synthForPlan } from '../../scripts/lib/plan-run';
import { Progress } from '../../scripts/lib/progress';
import { PROJECT_ROOT } from '../../scripts/lib/terraform';
import { emulatorProviders } from '../helpers/emulator-terraform';

/** `npm run iam-audit -- <args> --lifecycle <saved>`: the command itself, on a saved recording. */
function auditCommand(recorded: Lifecycle, args: readonly string[]): { status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'iam-audit-cli-'));
  try {
    const file = join(dir, 'lifecycle.json');
    writeFileSync(file, JSON.stringify(recorded));
    const result = spawnSync(process.execPath, ['scripts/ts-run.cjs', 'scripts/iam-audit.ts', ...args, '--lifecycle', file], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const quiet = () => new Progress('iam-audit', new Writable({ write: (_chunk, _encoding, done) => done() }));
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const roles = Object.fromEntries(ENVIRONMENTS.map((name) => [name, synthesizedRoles(loadEnvironment(name))!])) as Record<(typeof ENVIRONMENTS)[number], EnvironmentRoles>;

/** The roles with `action` taken out of every statement of `role`'s policy. */
function without(target: EnvironmentRoles, role: 'plan' | 'apply', action: string): EnvironmentRoles {
  const policy: PolicyDocument = {
    ...target.policies[role],
    Statement: target.policies[role].Statement.map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => a !== action) })).filter((s) => s.Action.length > 0),
  };
  return { ...target, policies: { ...target.policies, [role]: policy } };
}

let lifecycle: Lifecycle;
beforeAll(async () => {
  lifecycle = await recordPlatformLifecycle({ progress: quiet() });
}, 20 * 60_000);

test.each(ENVIRONMENTS)('GIVEN the recorded lifecycle WHEN %s\'s CI roles are evaluated THEN every call is allowed', async (name) => {
  const audit = await auditEnvironment(lifecycle, roles[name]);
  expect(audit.denied).toEqual([]);
  // Both roles were exercised: plans and drift by the plan role, applies and the destroy by the apply role.
  expect(audit.rows.some((r) => r.role === 'plan' && r.phases.includes('drift'))).toBe(true);
  expect(audit.rows.some((r) => r.role === 'apply' && r.phases.includes('destroy'))).toBe(true);
  expect(audit.rows.find((r) => r.action === 'lambda:AddPermission')).toMatchObject({ role: 'apply', verdict: 'allowed' });
  // The first evaluation loads AWS's authorization data (seconds on a busy 2-core machine).
}, 120_000);

test('npm run iam-audit -- --all on the recording: exit 0, the summary per environment and role, no denial', () => {
  const { status, stdout } = auditCommand(lifecycle, ['--all']);
  expect(status).toBe(0);
  expect(stdout).toMatch(/^prod +apply +\d+ +\d+ +0 +\d+$/m);
  expect(stdout).toContain('Every call of every CI role is allowed.');
  expect(stdout).not.toContain('DENIED');
});

test('the record covers every resource and data source type dev, staging and prod synthesize', () => {
  const work = mkdtempSync(join(tmpdir(), 'iam-audit-types-'));
  try {
    const synthesized = typesOf(ENVIRONMENTS.map((name) => synthForPlan(loadEnvironment(name), work).stackJson));
    expect(synthesized.filter((type) => !lifecycle.types.includes(type))).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('fails when the apply role lacks one action it needs: the audit names the call, action and resource', async () => {
  const audit = await auditEnvironment(lifecycle, without(roles.prod, 'apply', 'lambda:AddPermission'));
  expect(audit.denied).toEqual([
    expect.objectContaining({ role: 'apply', operation: 'lambda:AddPermission', action: 'lambda:AddPermission', resource: 'arn:aws:lambda:eu-central-1:333333333333:function:orders-update', verdict: 'denied' }),
  ]);
});

test('fails when the plan role lacks one action it needs: the audit names the call, action and resource', async () => {
  const audit = await auditEnvironment(lifecycle, without(roles.dev, 'plan', 'cognito-idp:GetUserPoolMfaConfig'));
  expect(audit.denied.map((d) => [d.role, d.operation, d.action, d.resource])).toEqual([
    ['plan', 'cognito-idp:GetUserPoolMfaConfig', 'cognito-idp:GetUserPoolMfaConfig', expect.stringMatching(/^arn:aws:cognito-idp:eu-west-1:111111111111:userpool\/eu-west-1_/)],
  ]);
});

test('fails when a stack gains a resource type the roles do not cover: its lifecycle is denied, and the platform record lacks the type', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iam-audit-extra-'));
  try {
    const recorded = await recordConfiguration(
      {
        dir,
        write(kind, endpoint) {
          const config = {
            terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: awsProvider().version } } },
            provider: { aws: emulatorProviders(endpoint, dir) },
            resource: {
              aws_ec2_managed_prefix_list: {
                extra: { name: 'platform-test-extra', address_family: 'IPv4', max_entries: 2, entry: [{ cidr: '10.0.0.0/24' }, ...(kind === 'changed' ? [{ cidr: '10.0.1.0/24' }] : [])] },
              },
            },
          };
          writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(withoutStoredCredentials(config)));
        },
      },
      { progress: quiet() },
    );
    const audit = await auditEnvironment(recorded, roles.dev);
    expect(audit.denied.map((d) => `${d.role} ${d.action}`)).toEqual(expect.arrayContaining(['apply ec2:CreateManagedPrefixList', 'apply ec2:DeleteManagedPrefixList']));
    expect(lifecycle.types).not.toContain('aws_ec2_managed_prefix_list');
    // The command says so and exits 1.
    const { status, stdout } = auditCommand(recorded, ['dev']);
    expect(status).toBe(1);
    expect(stdout).toMatch(/DENIED: \d+ permission\(s\)/);
    expect(stdout).toMatch(/^apply +ec2:CreateManagedPrefixList +ec2:CreateManagedPrefixList +arn:aws:ec2:eu-west-1:111111111111:prefix-list\/\* /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 10 * 60_000);
