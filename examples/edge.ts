/**
 * The only door to a private API: CloudFront with AWS WAF, a VPC origin to an internal ALB whose targets are the
 * execute-api endpoint's network interfaces, and the private custom domain that routes by base path. Here the VPC, its
 * subnets and the endpoint belong to another team (given by id), and both certificates are given by ARN, so no
 * Route 53 zone is managed: point `api.example.com` at the distribution by hand.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addEdgeOutputs, Edge, type EdgeNetwork } from '@private-api-platform/constructs/edge';
import { PrivateApi, RequiredApiGatewayAccountLogging } from '@private-api-platform/constructs/private-api';

const existingNetwork: EdgeNetwork = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
  executeApiEndpoint: { id: 'vpce-0123456789abcdef0', networkInterfaceIds: ['eni-0123456789abcdef0', 'eni-0123456789abcdef1'] },
  executeApiEndpointSecurityGroup: { id: 'sg-0123456789abcdef0' },
};

class EdgeExample extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    // WAF for CloudFront, CloudFront's certificate and its log delivery live in us-east-1.
    const usEast1 = new AwsProvider(this, 'aws-us-east-1', { region: 'us-east-1', alias: 'us-east-1' });
    const accountLogging = new RequiredApiGatewayAccountLogging(this, 'api-gateway-account-logging', {
      roleName: 'apigateway-cloudwatch-eu-west-1',
      howToCreate: 'an ApiGatewayAccountLogging construct in your account stack',
    });
    const orders = new PrivateApi(this, 'api-orders', {
      api: {
        name: 'orders',
        routes: [{ path: '/{orderId}', method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK', statusCode: 200 } }],
        throttling: { rateLimit: 50, burstLimit: 100 },
      },
      namePrefix: 'example-dev',
      executeApiEndpoint: existingNetwork.executeApiEndpoint,
      authorization: { userPoolArn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbCdEfGhI', scope: (name) => `https://api.example.com/${name}` },
      logRetentionDays: 30,
      accountLogging,
    });
    const edge = new Edge(this, 'edge', {
      namePrefix: 'example-dev',
      accountId: '111111111111',
      region: 'eu-west-1',
      network: existingNetwork,
      apis: [orders],
      usEast1Provider: usEast1,
      domainName: 'api.example.com',
      originDomainName: 'origin.api.example.com',
      viewerCertificate: { mode: 'arn', arn: 'arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-4e5f-4a1b-8c2d-3e4f5a6b7c8d' },
      originCertificate: { mode: 'arn', arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/1b2c3d4e-5f6a-4b1c-9d2e-4f5a6b7c8d9e' },
      wafRateLimit: 1000,
    });
    addEdgeOutputs(this, edge);
  }
}

const app = new App();
new EdgeExample(app, 'edge-example');
app.synth();
