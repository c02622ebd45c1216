/** A customer managed KMS key that CloudWatch Logs of one region may use, and a log group encrypted with it. */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { LogEncryptionKey } from '@private-api-platform/constructs/log-encryption';

class LogEncryptionExample extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-central-1' });
    const logs = new LogEncryptionKey(this, 'log-encryption', { namePrefix: 'example-prod', accountId: '333333333333', region: 'eu-central-1' });
    new CloudwatchLogGroup(this, 'group', { name: '/example/app', retentionInDays: 30, kmsKeyId: logs.keyArn });
  }
}

const app = new App();
new LogEncryptionExample(app, 'log-encryption-example');
app.synth();
