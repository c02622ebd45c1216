import { adoptionAdvice, cutOffCreates } from '../../scripts/lib/adopt';

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
