/**
 * A private REST API on an execute-api endpoint and a user pool you already have: the construct takes only their ids
 * (narrow interfaces), so neither needs to be created by this library. Every route requires an access token with one
 * of its scopes; the resource policy denies every way in but that endpoint.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { PrivateApi, RequiredApiGatewayAccountLogging, type CognitoAuthorization } from '@private-api-platform/constructs/private-api';

/** An existing user pool, with the resource server `https://api.example.com`. */
const existingUserPool: CognitoAuthorization = {
  userPoolArn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbCdEfGhI',
  scope: (name) => `https://api.example.com/${name}`,
};

class PrivateApiExample extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    // API Gateway's CloudWatch role is an account setting (ApiGatewayAccountLogging sets it once per account and
    // region); here the plan checks that it exists, and the stage waits for the check.
    const accountLogging = new RequiredApiGatewayAccountLogging(this, 'api-gateway-account-logging', {
      roleName: 'apigateway-cloudwatch-eu-west-1',
      howToCreate: 'an ApiGatewayAccountLogging construct in your account stack',
    });
    const orders = new PrivateApi(this, 'api-orders', {
      api: {
        name: 'orders',
        routes: [
          { path: '/', method: 'GET', scopes: ['orders.read'], integration: { type: 'HTTP_PROXY', uri: 'https://orders.internal.example.com/' } },
          { path: '/{orderId}', method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK', statusCode: 200 } },
        ],
        corsAllowOrigins: ['https://www.example.com'],
        throttling: { rateLimit: 50, burstLimit: 100 },
      },
      namePrefix: 'example-dev',
      executeApiEndpoint: { id: 'vpce-0123456789abcdef0' },
      authorization: existingUserPool,
      logRetentionDays: 30,
      accountLogging,
    });
    new TerraformOutput(this, 'rest_api_id', { value: orders.restApi.id });
  }
}

const app = new App();
new PrivateApiExample(app, 'private-api-example');
app.synth();
