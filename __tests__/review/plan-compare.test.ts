/** "Is this the reviewed plan?": comparisons and fingerprints of hand-built plans. */
import { comparableChanges, comparePlans, fingerprintOf, fingerprintLine, planFingerprint } from '../../review/plan-compare';
import type { PlanJson, ResourceChange } from '../../review/plan-model';

function rc(address: string, actions: string[], after: unknown, extra: Partial<ResourceChange['change']> = {}, mode: 'managed' | 'data' = 'managed'): ResourceChange {
  const [type, name] = address.replace(/^data\./, '').split('.') as [string, string];
  return { address, mode, type, name, change: { actions, before: null, after, after_unknown: {}, after_sensitive: {}, ...extra } };
}

function plan(...changes: ResourceChange[]): PlanJson {
  return { format_version: '1.2', resource_changes: changes };
}

const base = () =>
  plan(
    rc('aws_vpc.network_vpc', ['create'], { cidr_block: '10.0.0.0/16', id: null }, { after_unknown: { id: true } }),
    rc('aws_security_group.network_sg', ['update'], { ingress: [{ cidr_blocks: ['10.0.0.0/16'], from_port: 443 }] }),
    rc('aws_subnet.network_a', ['no-op'], { cidr_block: '10.0.0.0/20' }),
    rc('data.aws_region.network_region', ['read'], { name: 'eu-west-1' }, {}, 'data'),
  );

describe('comparePlans', () => {
  test('GIVEN the same plan twice THEN they are the same and have one fingerprint', () => {
    expect(comparePlans(base(), base())).toEqual({ same: true, differences: [] });
    expect(planFingerprint(base())).toBe(planFingerprint(base()));
    expect(planFingerprint(base())).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('GIVEN only unchanged resources and data reads differ THEN the plans are the same', () => {
    const other = plan(...base().resource_changes!.filter((c) => c.change.actions[0] !== 'no-op' && c.change.actions[0] !== 'read'));
    expect(comparePlans(base(), other).same).toBe(true);
    expect(planFingerprint(other)).toBe(planFingerprint(base()));
  });

  test('fails when a planned value differs, naming the address and the path but not the values', () => {
    const current = base();
    (current.resource_changes![1]!.change.after as any).ingress[0].cidr_blocks = ['0.0.0.0/0'];
    const comparison = comparePlans(base(), current);
    expect(comparison.same).toBe(false);
    expect(comparison.differences).toEqual(['aws_security_group.network_sg: planned values differ at ingress[0].cidr_blocks[0]']);
    expect(comparison.differences.join()).not.toContain('0.0.0.0/0');
    expect(planFingerprint(current)).not.toBe(planFingerprint(base()));
  });

  test('fails when an action differs or a resource is added or dropped', () => {
    const replaced = plan(rc('aws_vpc.network_vpc', ['delete', 'create'], { cidr_block: '10.0.0.0/16', id: null }, { after_unknown: { id: true } }), base().resource_changes![1]!);
    expect(comparePlans(base(), replaced).differences).toEqual(['aws_vpc.network_vpc: reviewed create, now delete+create']);
    const added = plan(...base().resource_changes!, rc('aws_iam_role.x', ['create'], { name: 'x' }));
    expect(comparePlans(base(), added).differences).toEqual(['aws_iam_role.x: not in the reviewed plan, now create']);
    expect(comparePlans(added, base()).differences).toEqual(['aws_iam_role.x: reviewed create, now not changed']);
  });

  test('GIVEN a value that becomes known WHEN compared THEN it differs from "known after apply"', () => {
    const known = plan(rc('aws_vpc.network_vpc', ['create'], { cidr_block: '10.0.0.0/16', id: 'vpc-1' }), base().resource_changes![1]!);
    expect(comparePlans(base(), known).differences).toEqual(['aws_vpc.network_vpc: planned values differ at id']);
  });
});

describe('fingerprints and secrets', () => {
  const withSecret = (secret: string) =>
    plan(rc('aws_cognito_user_pool_client.c', ['update'], { name: 'web', client_secret: secret }, { after_sensitive: { client_secret: true } }));

  test('GIVEN a sensitive value WHEN fingerprinted THEN it takes part only as "(sensitive)"', () => {
    expect(JSON.stringify(comparableChanges(withSecret('hunter2-secret')))).not.toContain('hunter2-secret');
    expect(comparableChanges(withSecret('a'))[0]!.after).toEqual({ name: 'web', client_secret: '(sensitive)' });
    expect(planFingerprint(withSecret('a'))).toBe(planFingerprint(withSecret('b')));
  });

  test('GIVEN a summary with its fingerprint line WHEN read back THEN the fingerprint is found', () => {
    const fingerprint = planFingerprint(base());
    expect(fingerprintOf(`# plan\n\n${fingerprintLine(fingerprint)}\n`)).toBe(fingerprint);
    expect(fingerprintOf('# plan without one')).toBeUndefined();
  });
});
