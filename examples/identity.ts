/**
 * A Cognito user pool whose access tokens carry OAuth2 scopes: a resource server with one scope, a web client that
 * signs people in with the authorization code and PKCE, and a machine client that uses client credentials.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addIdentityOutputs, Identity } from '@private-api-platform/constructs/identity';

class IdentityExample extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const identity = new Identity(this, 'identity', {
      config: {
        mfa: 'OPTIONAL',
        passwordMinimumLength: 12,
        domain: { mode: 'prefix', prefix: 'example-dev-login' },
        resourceServer: { identifier: 'https://api.example.com', scopes: [{ name: 'orders.read', description: 'Read orders' }] },
        clients: [
          { name: 'web', kind: 'web', callbackUrls: ['https://www.example.com/callback'], logoutUrls: ['https://www.example.com/'], scopes: ['orders.read'] },
          { name: 'reporting', kind: 'machine', scopes: ['orders.read'] },
        ],
      },
      namePrefix: 'example-dev',
      region: 'eu-west-1',
      deletionProtection: true,
      preventDestroy: false,
    });
    addIdentityOutputs(this, identity);
  }
}

const app = new App();
new IdentityExample(app, 'identity-example');
app.synth();
