import { terraformLine, terraformLines, withoutColour } from '../../scripts/lib/terraform-output';

describe('Terraform output, however it reached us', () => {
  test('cdktf deploy\'s copy: the "<stack>  " prefix, colours and the diagnostic box go', () => {
    expect(terraformLine('local  \x1b[31m│\x1b[0m \x1b[1mError: \x1b[0mcreating CloudWatch Logs Log Group (/x)')).toBe('Error: creating CloudWatch Logs Log Group (/x)');
    expect(terraformLine('local  aws_vpc.network_vpc_4E8F0223: Creating...')).toBe('aws_vpc.network_vpc_4E8F0223: Creating...');
    // cdktf indents the lines that follow a prefixed one, and the lines it wraps.
    expect(terraformLine('       │   with aws_iam_role.x (network/x),')).toBe('  with aws_iam_role.x (network/x),');
  });

  test('Terraform\'s own lines keep their text and indentation', () => {
    expect(terraformLine('aws_vpc.v: Creation complete after 10s [id=vpc-1]')).toBe('aws_vpc.v: Creation complete after 10s [id=vpc-1]');
    expect(terraformLine('  # aws_vpc.v will be created')).toBe('  # aws_vpc.v will be created');
    expect(terraformLine('╷')).toBe('');
    expect(terraformLines('╷\n│ Error: x\n│ \n╵')).toEqual(['', 'Error: x', '', '']);
    expect(withoutColour('\x1b[1m\x1b[32mApply complete!\x1b[0m')).toBe('Apply complete!');
  });
});
