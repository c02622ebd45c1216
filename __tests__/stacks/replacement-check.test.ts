/**
 * Resources Terraform replaces create-before-destroy take generated names (stacks/replacement-check.ts): a fixed
 * unique name makes the replacement fail while the old resource stands ("ELBv2 Load Balancer (...) already exists").
 * The emulator test that replaces the ALB in one apply is in __tests__/scripts/operations.emulator.test.ts.
 */
import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../../stacks';
import { replacementProblems } from '../../stacks/replacement-check';
import { ENVIRONMENT_NAMES, environment } from '../helpers/synth';

function platformJson(name: string): Record<string, any> {
  const { platform } = addEnvironmentStacks(Testing.app(), environment(name));
  return JSON.parse(Testing.synth(platform));
}

const only = (json: Record<string, any>, type: string): any => {
  const all = Object.values(json.resource[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
};

describe('names of resources replaced create-before-destroy', () => {
  const local = platformJson('local');

  it.each(ENVIRONMENT_NAMES)('%s: none is fixed', (name) => {
    expect(replacementProblems(platformJson(name))).toEqual([]);
  });

  test('the ALB is replaced create-before-destroy (through the VPC origin) and its name is generated', () => {
    expect(only(local, 'aws_lb')).toMatchObject({ name_prefix: 'edge-' });
    expect(only(local, 'aws_lb').name).toBeUndefined();
    const broken = structuredClone(local);
    const alb = only(broken, 'aws_lb');
    delete alb.name_prefix;
    alb.name = 'platform-local-edge';
    expect(replacementProblems(broken)).toEqual([
      expect.objectContaining({
        address: expect.stringMatching(/^aws_lb\./),
        message: expect.stringMatching(/fixed name "platform-local-edge".*aws_cloudfront_vpc_origin\.\S+ declares it and depends on this one.*use name_prefix/),
      }),
    ]);
  });

  test('a fixed security group name two dependencies away is found too (depends_on and references)', () => {
    const broken = structuredClone(local);
    for (const group of Object.values<any>(broken.resource.aws_security_group)) {
      group.name = String(group.name_prefix).replace(/-$/, '');
      delete group.name_prefix;
    }
    const found = replacementProblems(broken).map((p) => p.address);
    expect(found).toEqual([expect.stringMatching(/^aws_security_group\.edge_origin_security-group/), expect.stringMatching(/^aws_security_group\.network_execute-api-endpoint-security-group/)]);
  });

  test('the allowed fixed names are seen, and allowed only by the stated reason', () => {
    const types = replacementProblems(local, {}).map((p) => p.address.split('.')[0]);
    expect([...new Set(types)].sort()).toEqual(['aws_cloudfront_response_headers_policy', 'aws_s3_bucket']);
  });
});
