import { adoptionAdvice, cutOffCreates, deployAdopting, type DeployAttempt } from '../../scripts/lib/adopt';

const config = {
  resource: {
    aws_cloudwatch_log_delivery_destination: { 'edge_cloudfront_access-log-destination_B884BEFC': { name: 'platform-local-edge-access-logs' } },
    aws_cloudwatch_log_group: {
      'api_access-log_1A2B3C4D': { name: '/aws/apigateway/platform-local-orders/access' },
      'api_execution-log_5E6F7A8B': { name: 'API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.api.id}/v1' },
    },
    aws_cloudfront_response_headers_policy: { 'edge_cors_0C1D2E3F': { name: 'platform-local-edge-cors-2a3249d0' } },
  },
};

// cdktf deploy's copy of Terraform's error, as npm start got it (2026-12-06): Terraform's box behind the stack's name
// or cdktf's indent, the construct path after each address, long lines wrapped.
const cdktfOutput = `local  aws_route53_record.edge_alias-a_AAFE29D0: Creation complete after 15s [id=KBE3WY9IGR0QS8E7RHKZXU_api.platform.test_A]
local  ╷
       │ Error: creating CloudWatch Logs Delivery Destination (platform-local-edge-access-logs)
local  │ 
       │   with aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC (edge/cloudfront/access-log-destination),
       │   on cdk.tf.json line 1035, in resource.aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC (edge/cloudfront/access-log-destination):
       │ 1035:       }
       │ 
       │ operation error CloudWatch Logs: PutDeliveryDestination, https response error
       │ StatusCode: 400, RequestID:
       │ OoYckGWwTdM0s6A4obwmTJfnB75hMpCmqFDJlS6n6i0ccM9qxEb0, ConflictException: Tags
       │ can only be provided when a resource is being created, not updated.
       ╵


0 Stacks deploying     1 Stack done     0 Stacks waiting
Invoking Terraform CLI failed with exit code 1
`;

// terraform apply -no-color: the same diagnostics without the box.
const terraformOutput = `Error: creating CloudWatch Logs Delivery Destination (platform-local-edge-access-logs)

  with aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC,
  on cdk.tf.json line 1035, in resource.aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC:
1035:       }

operation error CloudWatch Logs: PutDeliveryDestination, https response error
StatusCode: 400, RequestID:
cIunBjfxOJjp3l2LvabUahvPoyechW2jZinCZxqcXaGnJwamPsF1, ConflictException: Tags
can only be provided when a resource is being created, not updated.
`;

// terraform apply's own diagnostics, in their box.
function boxed(summary: string, address: string, detail: string): string {
  return `╷\n│ Error: ${summary}\n│ \n│   with ${address},\n│   on cdk.tf.json line 12, in resource.${address}:\n│   12:       }\n│ \n│ ${detail}\n╵\n`;
}

describe('objects in AWS but not in the state (cutOffCreates)', () => {
  it.each([
    ['cdktf deploy', cdktfOutput],
    ['terraform apply -no-color', terraformOutput],
  ])('finds the create refused for tags on an existing delivery destination in %s\'s output, with its name as import ID', (_, output) => {
    expect(cutOffCreates(output, config)).toEqual([
      {
        address: 'aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC',
        type: 'aws_cloudwatch_log_delivery_destination',
        importId: 'platform-local-edge-access-logs',
        error: 'creating CloudWatch Logs Delivery Destination (platform-local-edge-access-logs)',
      },
    ]);
  });

  it('finds a log group refused as already existing in Terraform\'s boxed diagnostics', () => {
    const output = boxed(
      'creating CloudWatch Logs Log Group (/aws/apigateway/platform-local-orders/access): operation error CloudWatch Logs: CreateLogGroup, https response error StatusCode: 400, RequestID: 1, ResourceAlreadyExistsException: The specified log group already exists',
      'aws_cloudwatch_log_group.api_access-log_1A2B3C4D',
      '',
    );
    expect(cutOffCreates(output, config)).toEqual([expect.objectContaining({ address: 'aws_cloudwatch_log_group.api_access-log_1A2B3C4D', importId: '/aws/apigateway/platform-local-orders/access' })]);
  });

  it('names, without an import ID, an object whose import ID is not a literal name of its configuration', () => {
    const output =
      boxed('creating CloudWatch Logs Log Group (API-Gateway-Execution-Logs_abc/v1): ResourceAlreadyExistsException: The specified log group already exists', 'aws_cloudwatch_log_group.api_execution-log_5E6F7A8B', '') +
      boxed('creating CloudFront Response Headers Policy (platform-local-edge-cors-2a3249d0): operation error CloudFront: CreateResponseHeadersPolicy', 'aws_cloudfront_response_headers_policy.edge_cors_0C1D2E3F', 'ResponseHeadersPolicyAlreadyExists: A response headers policy with this name already exists.');
    const found = cutOffCreates(output, config);
    expect(found.map((c) => c.address)).toEqual(['aws_cloudwatch_log_group.api_execution-log_5E6F7A8B', 'aws_cloudfront_response_headers_policy.edge_cors_0C1D2E3F']);
    expect(found.every((c) => c.importId === undefined)).toBe(true);
  });

  it('leaves out every other failure: a denied create, an update that finds a conflict, an error with no address', () => {
    const output =
      boxed('creating CloudWatch Logs Log Group (/aws/apigateway/platform-local-orders/access): AccessDeniedException: not authorized', 'aws_cloudwatch_log_group.api_access-log_1A2B3C4D', '') +
      boxed('updating CloudWatch Logs Delivery Destination (platform-local-edge-access-logs): ConflictException: Tags can only be provided when a resource is being created, not updated.', 'aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC', '') +
      '│ Error: creating something: it already exists\n';
    expect(cutOffCreates(output, config)).toEqual([]);
  });

  it('says what to run for each object (terraform import in the stack\'s directory)', () => {
    const advice = adoptionAdvice(cutOffCreates(cdktfOutput, config), '/work/cdktf.out/stacks/local');
    expect(advice).toContain('aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC: creating CloudWatch Logs Delivery Destination');
    expect(advice).toContain('cd /work/cdktf.out/stacks/local && terraform import <address> <id>');
  });
});

describe('a deploy that adopts what cut-off creates left behind (deployAdopting, npm start on local)', () => {
  // The deploys are stand-ins that answer with recorded output (above): the real path, an interrupted npm start whose
  // next run adopts and finishes, is the operations emulator test. Here: which branch runs, with which message.
  const executionLogGroup = boxed(
    'creating CloudWatch Logs Log Group (API-Gateway-Execution-Logs_abc/v1): ResourceAlreadyExistsException: The specified log group already exists',
    'aws_cloudwatch_log_group.api_execution-log_5E6F7A8B',
    '',
  );
  function run(attempts: DeployAttempt<string>[], interrupted = false) {
    const imports: string[] = [];
    const notes: string[] = [];
    let deploys = 0;
    const result = deployAdopting({
      deploy: async () => attempts[deploys++]!,
      config: () => config,
      stackDir: '/work/cdktf.out/stacks/local',
      importObject: async (address, id) => void imports.push(`${address} ${id}`),
      interrupted: () => interrupted,
      note: (text) => void notes.push(text),
      retriedRequests: () => '\nRequests the AWS SDK retried: PutDeliveryDestination',
    });
    return { result, imports, notes, deploys: () => deploys };
  }
  const failed = (output: string): DeployAttempt<string> => ({ output, error: new Error('cdktf deploy exited 1') });

  it('returns the first deploy\'s counts when it succeeds, and imports nothing', async () => {
    const { result, imports, deploys } = run([{ counts: 'applied' }]);
    await expect(result).resolves.toBe('applied');
    expect(imports).toEqual([]);
    expect(deploys()).toBe(1);
  });

  it('imports each object whose name is its import ID, says so with the retried requests, and deploys again', async () => {
    const { result, imports, notes, deploys } = run([failed(cdktfOutput), { counts: 'applied' }]);
    await expect(result).resolves.toBe('applied');
    expect(imports).toEqual(['aws_cloudwatch_log_delivery_destination.edge_cloudfront_access-log-destination_B884BEFC platform-local-edge-access-logs']);
    expect(deploys()).toBe(2);
    expect(notes.join('\n')).toMatch(/1 object\(s\) exist in the emulator but not in the state .*\n {2}- aws_cloudwatch_log_delivery_destination\.edge_cloudfront_access-log-destination_B884BEFC \(platform-local-edge-access-logs\)\nRequests the AWS SDK retried/);
  });

  it('when the second deploy fails too, names what is still not in the state with what to run', async () => {
    const { result, imports } = run([failed(cdktfOutput), failed(executionLogGroup)]);
    await expect(result).rejects.toThrow(/^cdktf deploy exited 1\n\nThese exist in AWS but not in the state .*\n {2}- aws_cloudwatch_log_group\.api_execution-log_5E6F7A8B: creating CloudWatch Logs Log Group .*\nBring each under Terraform, then apply again: cd \/work\/cdktf\.out\/stacks\/local && terraform import/s);
    expect(imports).toHaveLength(1);
  });

  it('when the second deploy fails otherwise, passes that error on as it is', async () => {
    await expect(run([failed(cdktfOutput), failed('Error: creating IAM Role (x): AccessDenied')]).result).rejects.toThrow(/^cdktf deploy exited 1$/);
  });

  it('adopts nothing without an import ID: it fails at once with the advice, and does not deploy again', async () => {
    const { result, imports, deploys } = run([failed(executionLogGroup)]);
    await expect(result).rejects.toThrow(/These exist in AWS but not in the state .*aws_cloudwatch_log_group\.api_execution-log_5E6F7A8B/s);
    expect(imports).toEqual([]);
    expect(deploys()).toBe(1);
  });

  it('adopts nothing after a Ctrl-C: the failure is the interrupt\'s, passed on as it is', async () => {
    const { result, imports, deploys } = run([failed(cdktfOutput)], true);
    await expect(result).rejects.toThrow(/^cdktf deploy exited 1$/);
    expect(imports).toEqual([]);
    expect(deploys()).toBe(1);
  });
});
