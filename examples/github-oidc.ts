/**
 * GitHub Actions' way into an account without stored keys: GitHub's OIDC provider and two roles for one repository
 * and one environment, a read-only plan role (pull requests) and an apply role (the GitHub environment's deployments).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GithubOidc } from '@private-api-platform/constructs/github-oidc';

class GithubOidcExample extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-central-1' });
    const ci = new GithubOidc(this, 'github-oidc', {
      repository: 'example-org/example-platform',
      environment: 'prod',
      namePrefix: 'example-prod',
      accountId: '333333333333',
      stateBucket: 'example-tfstate-333333333333',
      stateKmsKeyArn: 'arn:aws:kms:eu-central-1:333333333333:key/0a1b2c3d-4e5f-4a1b-8c2d-3e4f5a6b7c8d',
    });
    new TerraformOutput(this, 'plan_role_arn', { value: ci.planRole.arn });
    new TerraformOutput(this, 'apply_role_arn', { value: ci.applyRole.arn });
  }
}

const app = new App();
new GithubOidcExample(app, 'github-oidc-example');
app.synth();
