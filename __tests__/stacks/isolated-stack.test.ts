/**
 * stacks/isolated-stack.ts: the platform's stacks skip cdktf's cross-stack preparation pass.
 * Skipping it must change nothing in what they synthesize, and a reference into another
 * stack (which that pass would have wired) must be refused at synth, never reach Terraform.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { addEnvironmentStacks } from '../../stacks';
import { CrossStackReferenceError, IsolatedStack, undeclaredReferences } from '../../stacks/isolated-stack';
import { ENVIRONMENT_NAMES, environment } from '../helpers/synth';

describe('the platform stacks skip cdktf cross-stack preparation', () => {
  it.each(ENVIRONMENT_NAMES)("%s: both stacks are isolated, and synthesize exactly what cdktf's own preparation gives", (name) => {
    const skipped = addEnvironmentStacks(Testing.app(), environment(name));
    const prepared = addEnvironmentStacks(Testing.app(), environment(name));
    for (const kind of ['bootstrap', 'platform'] as const) {
      expect(skipped[kind]).toBeInstanceOf(IsolatedStack);
      skipped[kind].prepareStack();
      // cdktf's own preparation: resolves every token to find references into other stacks
      TerraformStack.prototype.prepareStack.call(prepared[kind]);
      expect(JSON.stringify(skipped[kind].toTerraform())).toBe(JSON.stringify(prepared[kind].toTerraform()));
    }
  });
});

class BucketStack extends IsolatedStack {
  readonly bucket: S3Bucket;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    this.bucket = new S3Bucket(this, 'bucket', { bucket: 'platform-test-bucket' });
  }
}

describe('a reference into another stack', () => {
  function twoStacks(Base: typeof TerraformStack) {
    const app = Testing.app();
    const origin = new BucketStack(app, 'origin');
    class Consumer extends Base {}
    const consumer = new Consumer(app, 'consumer');
    new TerraformOutput(consumer, 'bucket_arn', { value: origin.bucket.arn });
    return { app, consumer };
  }

  it('is refused at synth by an isolated stack, naming the stack and the address', () => {
    const { app } = twoStacks(IsolatedStack as unknown as typeof TerraformStack);
    expect(() => app.synth()).toThrow(CrossStackReferenceError);
    expect(() => app.synth()).toThrow(/stack "consumer" refers to aws_s3_bucket\.bucket, which it does not declare: a reference into another stack/);
  });

  it('is wired through remote state by a plain cdktf stack (the pass the isolated stacks skip)', () => {
    const { consumer } = twoStacks(TerraformStack);
    consumer.prepareStack();
    const tf = consumer.toTerraform();
    expect(Object.keys(tf.data.terraform_remote_state)).toEqual(['cross-stack-reference-input-origin']);
  });
});

describe('undeclaredReferences', () => {
  const declared = {
    resource: { aws_vpc: { main: {} }, aws_lb: { alb: {} }, terraform_data: { trigger: {} } },
    data: { aws_region: { current: {} } },
  };

  it('accepts references to what the stack declares, down any attribute path and inside functions', () => {
    const tf = {
      ...declared,
      output: {
        a: { value: '${aws_vpc.main.id}' },
        b: { value: '${element(aws_lb.alb.subnets, 0)}-${data.aws_region.current.name}' },
        c: { value: '${jsonencode({a = aws_lb.alb.access_logs[0].bucket})}' },
        d: { value: '${terraform_data.trigger.output}' },
      },
    };
    expect(undeclaredReferences(tf)).toEqual([]);
  });

  it('ignores what is not a resource address: variables, locals, each, IAM policy variables, plain text', () => {
    const tf = {
      ...declared,
      output: {
        a: { value: '${var.region_name}-${local.tags_all}-${each.value.route_key}-${count.index}-${module.api_gw.id}' },
        b: { value: 'arn:aws:s3:::bucket/${aws:username}/*' },
        c: { value: 'aws_vpc.other is mentioned here without an expression' },
      },
    };
    expect(undeclaredReferences(tf)).toEqual([]);
  });

  it('reports each undeclared resource and data source once, sorted, and skips the metadata', () => {
    const tf = {
      ...declared,
      '//': { metadata: { note: '${aws_s3_bucket.not_checked.id}' } },
      resource: {
        ...declared.resource,
        aws_route53_record: { alias: { zone_id: '${aws_route53_zone.zone.zone_id}', name: '${aws_route53_zone.zone.name}', records: ['${data.aws_vpc.other.cidr_block}'] } },
      },
    };
    expect(undeclaredReferences(tf)).toEqual(['aws_route53_zone.zone', 'data.aws_vpc.other']);
  });
});
