/**
 * The whole platform without this repository's environment files: an API only your own website and app can reach.
 *
 * Two stacks, as the platform deploys them:
 * - `account`: once per account, by an administrator. It holds the Terraform state bucket and key, API Gateway's
 *   CloudWatch role (an account setting), and the GitHub Actions roles that plan and apply the environment.
 * - `environment`: the log key, the network with its execute-api endpoint, the user pool and its scopes, two private
 *   APIs, and the edge (CloudFront with WAF, the VPC origin, the internal ALB, certificates and DNS in a new zone).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addEdgeOutputs, Edge } from '@private-api-platform/constructs/edge';
import { GithubOidc } from '@private-api-platform/constructs/github-oidc';
import { addIdentityOutputs, Identity } from '@private-api-platform/constructs/identity';
import { LogEncryptionKey } from '@private-api-platform/constructs/log-encryption';
import { Network } from '@private-api-platform/constructs/network';
import { ApiGatewayAccountLogging, PrivateApi, RequiredApiGatewayAccountLogging, type ApiConfig } from '@private-api-platform/constructs/private-api';
import { StateBackend } from '@private-api-platform/constructs/state-backend';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const PREFIX = 'shop-dev';
const STATE_BUCKET = `shop-tfstate-${ACCOUNT}`;
const CLOUDWATCH_ROLE = `shop-apigateway-cloudwatch-${REGION}`;

class AccountStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: REGION });
    const state = new StateBackend(this, 'state', {
      bucketName: STATE_BUCKET,
      kmsKeyAlias: 'alias/shop-tfstate',
      kmsKeyAliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/shop-tfstate`,
      accountId: ACCOUNT,
      preventDestroy: true,
    });
    new ApiGatewayAccountLogging(this, 'api-gateway-account-logging', { roleName: CLOUDWATCH_ROLE });
    const ci = new GithubOidc(this, 'github-oidc', {
      repository: 'example-org/shop-platform',
      environment: 'dev',
      namePrefix: PREFIX,
      accountId: ACCOUNT,
      stateBucket: STATE_BUCKET,
      stateKmsKeyArn: state.kmsKey.arn,
    });
    new TerraformOutput(this, 'plan_role_arn', { value: ci.planRole.arn });
    new TerraformOutput(this, 'apply_role_arn', { value: ci.applyRole.arn });
  }
}

const APIS: readonly ApiConfig[] = [
  {
    name: 'orders',
    routes: [
      { path: '/', method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK', statusCode: 200 } },
      { path: '/{orderId}', method: 'GET', scopes: ['orders.read'], integration: { type: 'MOCK', statusCode: 200 } },
      { path: '/', method: 'POST', scopes: ['orders.write'], integration: { type: 'MOCK', statusCode: 201 } },
    ],
    corsAllowOrigins: ['https://www.shop.example.com'],
    throttling: { rateLimit: 100, burstLimit: 200 },
  },
  {
    name: 'profile',
    routes: [{ path: '/me', method: 'GET', scopes: ['profile.read'], integration: { type: 'MOCK', statusCode: 200 } }],
    corsAllowOrigins: ['https://www.shop.example.com'],
    throttling: { rateLimit: 50, burstLimit: 100 },
  },
];

class EnvironmentStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // S3-native locking (Terraform 1.10+): cdktf 0.21's S3Backend has no property for it yet.
    new S3Backend(this, { bucket: STATE_BUCKET, key: 'dev/platform.tfstate', region: REGION, encrypt: true }).addOverride('use_lockfile', true);
    new AwsProvider(this, 'aws', { region: REGION });
    const usEast1 = new AwsProvider(this, 'aws-us-east-1', { region: 'us-east-1', alias: 'us-east-1' });

    const logs = new LogEncryptionKey(this, 'log-encryption', { namePrefix: PREFIX, accountId: ACCOUNT, region: REGION });
    const usEast1Logs = new LogEncryptionKey(this, 'log-encryption-us-east-1', { namePrefix: PREFIX, accountId: ACCOUNT, region: 'us-east-1', provider: usEast1 });
    const network = new Network(this, 'network', {
      config: { mode: 'create', cidrBlock: '10.30.0.0/16', azCount: 2 },
      namePrefix: PREFIX,
      logKmsKeyArn: logs.keyArn,
    });
    const identity = new Identity(this, 'identity', {
      config: {
        mfa: 'OPTIONAL',
        passwordMinimumLength: 12,
        domain: { mode: 'prefix', prefix: 'shop-dev-login' },
        resourceServer: {
          identifier: 'https://api.shop.example.com',
          scopes: [
            { name: 'orders.read', description: 'Read orders' },
            { name: 'orders.write', description: 'Place orders' },
            { name: 'profile.read', description: 'Read the signed-in profile' },
          ],
        },
        clients: [
          { name: 'web', kind: 'web', callbackUrls: ['https://www.shop.example.com/callback'], logoutUrls: ['https://www.shop.example.com/'], scopes: ['orders.read', 'orders.write', 'profile.read'] },
          { name: 'app', kind: 'mobile', callbackUrls: ['com.example.shop://callback'], logoutUrls: ['com.example.shop://signed-out'], scopes: ['orders.read', 'orders.write', 'profile.read'] },
          { name: 'warehouse', kind: 'machine', scopes: ['orders.read'] },
        ],
      },
      namePrefix: PREFIX,
      region: REGION,
      deletionProtection: true,
      preventDestroy: false,
    });
    addIdentityOutputs(this, identity);
    const accountLogging = new RequiredApiGatewayAccountLogging(this, 'api-gateway-account-logging', {
      roleName: CLOUDWATCH_ROLE,
      howToCreate: 'deploy the account stack first',
    });
    const apis = APIS.map(
      (api) =>
        new PrivateApi(this, `api-${api.name}`, {
          api,
          namePrefix: PREFIX,
          executeApiEndpoint: network.executeApiEndpoint,
          authorization: identity,
          logRetentionDays: 30,
          logKmsKeyArn: logs.keyArn,
          accountLogging,
        }),
    );
    const edge = new Edge(this, 'edge', {
      namePrefix: PREFIX,
      accountId: ACCOUNT,
      region: REGION,
      network,
      apis,
      usEast1Provider: usEast1,
      domainName: 'api.shop.example.com',
      originDomainName: 'origin.api.shop.example.com',
      hostedZone: { mode: 'create', name: 'shop.example.com' },
      viewerCertificate: { mode: 'dns-validated' },
      originCertificate: { mode: 'dns-validated' },
      wafRateLimit: 1000,
      usEast1LogKmsKeyArn: usEast1Logs.keyArn,
    });
    addEdgeOutputs(this, edge);
  }
}

const app = new App();
new AccountStack(app, 'account');
new EnvironmentStack(app, 'environment');
app.synth();
