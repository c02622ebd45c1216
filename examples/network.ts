/**
 * The network a private API needs: a VPC with a private subnet in each of two availability zones, flow logs, and the
 * execute-api interface endpoint the API is bound to (private DNS on, its own security group).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Network } from '@private-api-platform/constructs/network';

class NetworkExample extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const network = new Network(this, 'network', {
      config: { mode: 'create', cidrBlock: '10.20.0.0/16', azCount: 2 },
      namePrefix: 'example-dev',
    });
    new TerraformOutput(this, 'execute_api_endpoint_id', { value: network.executeApiEndpoint.id });
  }
}

const app = new App();
new NetworkExample(app, 'network-example');
app.synth();
