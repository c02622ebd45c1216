/**
 * The S3 bucket (versioned, KMS-encrypted, TLS only, public access blocked) and the KMS key that hold Terraform state
 * for the stacks of an account; the stacks use it with S3-native locking (`use_lockfile`).
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { StateBackend } from '@private-api-platform/constructs/state-backend';

class StateBackendExample extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-central-1' });
    const state = new StateBackend(this, 'state', {
      bucketName: 'example-tfstate-333333333333',
      kmsKeyAlias: 'alias/example-tfstate',
      kmsKeyAliasArn: 'arn:aws:kms:eu-central-1:333333333333:alias/example-tfstate',
      accountId: '333333333333',
      preventDestroy: true,
    });
    new TerraformOutput(this, 'state_bucket', { value: state.bucket.bucket });
  }
}

const app = new App();
new StateBackendExample(app, 'state-backend-example');
app.synth();
