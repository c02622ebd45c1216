/**
 * Terraform state: the bootstrap stack's bucket and key keep every protection
 * (checked by `stateBucketProblems`, the rule `npm run verify` uses, and by a
 * real IAM policy evaluator for the bucket policy), and every environment stack
 * has its own S3 backend key, encryption with the state key and S3-native
 * locking. Each protection has a `fails when ...` test that breaks it and sees
 * the rule report it.
 */
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate';
import { Testing } from 'cdktf';
import { resolve } from 'node:path';
import type { Environment } from '../../environments/schema';
import { stateBackendProblems, stateBucketProblems, type StateBucketExpectations } from '../../review/rules/state';
import { kmsKeyAliasArn, TERRAFORM_REQUIRED_VERSION } from '../../stacks/backend';
import { addEnvironmentStacks, bootstrapStackId, platformStackId } from '../../stacks';
import { PLATFORM_STACK_KIND } from '../../stacks/platform-stack';
import { stateBucketPolicy } from '@private-api-platform/constructs/state-backend';
import { StateBootstrapStack, type StateBootstrapStackProps } from '../../stacks/state-bootstrap-stack';
import { ENVIRONMENT_NAMES, environment, synthPlatform, wrap, type SynthesizedStack } from '../helpers/synth';
import { awsProvider } from '../../stacks/versions';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

function synthBootstrap(env: Environment, props: Partial<StateBootstrapStackProps> = {}): SynthesizedStack {
  const app = Testing.app();
  const stack = props && Object.keys(props).length > 0
    ? new StateBootstrapStack(app, bootstrapStackId(env), { environment: env, ...props })
    : addEnvironmentStacks(app, env).bootstrap;
  return wrap(JSON.parse(Testing.synth(stack, true)));
}

function expectations(env: Environment): StateBucketExpectations {
  return { bucket: env.state.bucket, kmsKeyAlias: env.state.kmsKeyAlias, throwaway: env.emulator !== undefined };
}

let devJson: any;
/** The synthesized JSON of dev's bootstrap stack (synthesized once), deep-copied and changed by `change`. */
function mutated(change: (json: any) => void): any {
  devJson ??= synthBootstrap(environment('dev')).json;
  const json = structuredClone(devJson);
  change(json);
  return json;
}
const DEV_EXPECT = (): StateBucketExpectations => expectations(environment('dev'));
const withPolicy = (json: any, change: (policy: any) => void) => {
  const resource = Object.values<any>(json.resource.aws_s3_bucket_policy)[0];
  const policy = JSON.parse(resource.policy);
  change(policy);
  resource.policy = JSON.stringify(policy);
};
const bySid = (sid: string) => (s: any) => s.Sid !== sid;

describe('state bootstrap stack', () => {
  describe.each(ENVIRONMENT_NAMES)('%s', (name) => {
    const env = environment(name);
    const synth = synthBootstrap(env);

    it('keeps every protection of the state bucket and key', () => {
      expect(stateBucketProblems(synth.json, expectations(env))).toEqual([]);
    });

    it('creates the configured bucket and alias in the state region, for the configured account only', () => {
      expect(synth.only('aws_s3_bucket').bucket).toBe(env.state.bucket);
      expect(synth.only('aws_kms_alias')).toMatchObject({ name: env.state.kmsKeyAlias, target_key_id: '${aws_kms_key.state-kms-key.key_id}' });
      const provider = synth.json.provider.aws[0];
      expect(provider.region).toBe(env.state.region);
      if (env.emulator) expect(provider).toMatchObject({ profile: 'platform-emulator', shared_config_files: [expect.stringMatching(/^assets\/emulator-aws-config\/[0-9a-f]{16}\/aws-config$/)] });
      else expect(provider.allowed_account_ids).toEqual([env.account.id]);
    });

    it('keeps its own state in a local file under bootstrap-state/<environment>/, not in the bucket it creates', () => {
      expect(synth.json.terraform.backend).toEqual({ local: { path: resolve(PROJECT_ROOT, 'bootstrap-state', name, 'terraform.tfstate') } });
    });

    it('outputs what the environment stacks need', () => {
      expect(synth.json.output).toMatchObject({
        bucket: { value: '${aws_s3_bucket.state-bucket.bucket}' },
        bucket_arn: { value: '${aws_s3_bucket.state-bucket.arn}' },
        region: { value: env.state.region },
        kms_key_arn: { value: '${aws_kms_key.state-kms-key.arn}' },
        kms_key_alias: { value: '${aws_kms_alias.state-kms-alias.name}' },
        kms_key_alias_arn: { value: kmsKeyAliasArn(env) },
      });
    });

    it("sets API Gateway's CloudWatch role once for the account, in the platform's region, without reset_on_delete (the setting is account-wide)", () => {
      const account = synth.only('aws_api_gateway_account');
      expect(account.reset_on_delete).toBeUndefined();
      const roles = synth.resources('aws_iam_role');
      const role = Object.entries(roles).find(([, r]) => r.name === `platform-apigateway-cloudwatch-${env.account.region}`);
      expect(role).toBeDefined();
      expect(account.cloudwatch_role_arn).toBe(`\${aws_iam_role.${role![0]}.arn}`);
      expect(JSON.parse(role![1].assume_role_policy).Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
      const permissions = Object.values(synth.resources('aws_iam_role_policy')).find((p: any) => p.role === `\${aws_iam_role.${role![0]}.name}`);
      expect(JSON.parse(permissions.policy).Statement[0].Action).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
      // the region's provider: the default one when the state bucket is in the same region
      expect(account.provider).toBe(env.account.region === env.state.region ? 'aws' : 'aws.platform_region');
      expect(synth.json.output.api_gateway_cloudwatch_role_arn).toEqual(expect.objectContaining({ value: `\${aws_iam_role.${role![0]}.arn}` }));
      // deleting the role would break the logging of every API in the account and region
      expect(role![1].lifecycle).toEqual(name === 'local' ? undefined : { prevent_destroy: true });
    });

    it(name === 'local' ? 'can be destroyed in the throwaway emulator (no prevent_destroy, force_destroy)' : 'prevents destroying the bucket and the key', () => {
      const bucket = synth.only('aws_s3_bucket');
      const key = synth.only('aws_kms_key');
      if (name === 'local') {
        expect(bucket.lifecycle).toBeUndefined();
        expect(key.lifecycle).toBeUndefined();
        expect(bucket.force_destroy).toBe(true);
      } else {
        expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
        expect(key.lifecycle).toEqual({ prevent_destroy: true });
        expect(bucket.force_destroy).toBe(false);
      }
    });
  });

  describe('protections, one by one (dev)', () => {
    const synth = synthBootstrap(environment('dev'));

    it('versions every state write', () => {
      expect(synth.only('aws_s3_bucket_versioning')).toMatchObject({ bucket: '${aws_s3_bucket.state-bucket.id}', versioning_configuration: { status: 'Enabled' } });
    });

    it('encrypts by default with SSE-KMS under the state key, with an S3 Bucket Key', () => {
      expect(synth.only('aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
        { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.state-kms-key.arn}' }, bucket_key_enabled: true },
      ]);
    });

    it('rotates the key, waits 30 days before deleting it, and lets only the account use it', () => {
      const key = synth.only('aws_kms_key');
      expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
      expect(JSON.parse(key.policy).Statement).toEqual([
        expect.objectContaining({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' }),
      ]);
    });

    it('blocks every kind of public access and turns ACLs off', () => {
      expect(synth.only('aws_s3_bucket_public_access_block')).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(synth.only('aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    });

    it('expires old state versions after 90 days but keeps the 10 newest, and aborts unfinished uploads', () => {
      const lifecycle = synth.only('aws_s3_bucket_lifecycle_configuration');
      expect(lifecycle.depends_on).toEqual(['aws_s3_bucket_versioning.state-bucket-versioning']);
      expect(lifecycle.rule).toEqual([
        expect.objectContaining({
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrent_version_expiration: [{ noncurrent_days: 90, newer_noncurrent_versions: 10 }],
          expiration: [{ expired_object_delete_marker: true }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        }),
      ]);
    });

    it('fails when a lifecycle prop is not a whole number of at least 1, naming the prop', () => {
      expect(() => synthBootstrap(environment('dev'), { noncurrentVersionsToKeep: 0 })).toThrow('noncurrentVersionsToKeep: got 0; expected a whole number of at least 1');
      expect(() => synthBootstrap(environment('dev'), { noncurrentVersionDays: 1.5 })).toThrow('noncurrentVersionDays: got 1.5');
    });
  });

  describe('bucket policy, evaluated by an IAM policy evaluator', () => {
    const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/0a1b2c3d-1111-2222-3333-444455556666';
    const ALIAS_ARN = 'arn:aws:kms:eu-west-1:111111111111:alias/platform-tfstate';
    const BUCKET = 'platform-tfstate-111111111111';
    const STATE_OBJECT = `arn:aws:s3:::${BUCKET}/dev/platform.tfstate`;
    /** The synthesized policy with the key's ARN filled in (it is known only after apply). */
    const synthesizedPolicy = () =>
      JSON.parse(
        Object.values<any>(mutated(() => undefined).resource.aws_s3_bucket_policy)[0]
          .policy.replaceAll('${aws_s3_bucket.state-bucket.arn}', `arn:aws:s3:::${BUCKET}`)
          .replaceAll('${aws_kms_key.state-kms-key.arn}', KEY_ARN),
      );
    const DEPLOYER = { name: 'deployer', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } };

    async function decide(policy: any, action: string, resource: string, context: Record<string, string>): Promise<string> {
      const result = await runSimulation(
        {
          request: {
            principal: 'arn:aws:iam::111111111111:role/deployer',
            action,
            resource: { resource, accountId: '111111111111' },
            contextVariables: { 'aws:SecureTransport': 'true', ...context },
          },
          identityPolicies: [DEPLOYER],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: policy,
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(`simulation failed: ${JSON.stringify(result.errors)}`);
      return result.overallResult;
    }
    const TERRAFORM_PUT = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': ALIAS_ARN };

    it('the synthesized policy is the one stateBucketPolicy builds', () => {
      expect(synthesizedPolicy()).toEqual(stateBucketPolicy(`arn:aws:s3:::${BUCKET}`, [KEY_ARN, ALIAS_ARN]));
    });

    it("allows Terraform's own requests over TLS: put with SSE-KMS and the alias (the backends' kms_key_id) or the key ARN, get, list", async () => {
      const policy = synthesizedPolicy();
      expect(await decide(policy, 's3:PutObject', STATE_OBJECT, TERRAFORM_PUT)).toBe('Allowed');
      expect(await decide(policy, 's3:PutObject', STATE_OBJECT, { ...TERRAFORM_PUT, 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN })).toBe('Allowed');
      expect(await decide(policy, 's3:GetObject', STATE_OBJECT, {})).toBe('Allowed');
      expect(await decide(policy, 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, {})).toBe('Allowed');
    });

    it('allows a put without encryption headers (default SSE-KMS applies; UploadPart never carries them)', async () => {
      expect(await decide(synthesizedPolicy(), 's3:PutObject', STATE_OBJECT, {})).toBe('Allowed');
    });

    it.each([
      ['any object request without TLS', 's3:GetObject', STATE_OBJECT, { 'aws:SecureTransport': 'false' }],
      ['a bucket request without TLS', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 'aws:SecureTransport': 'false' }],
      ['a put without TLS, even with SSE-KMS', 's3:PutObject', STATE_OBJECT, { ...TERRAFORM_PUT, 'aws:SecureTransport': 'false' }],
      ['a put asking for SSE-S3 (AES256)', 's3:PutObject', STATE_OBJECT, { 's3:x-amz-server-side-encryption': 'AES256' }],
      ['a put asking for DSSE-KMS', 's3:PutObject', STATE_OBJECT, { 's3:x-amz-server-side-encryption': 'aws:kms:dsse', 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN }],
      ['a put with another KMS key', 's3:PutObject', STATE_OBJECT, { ...TERRAFORM_PUT, 's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:111111111111:key/ffffffff-0000-0000-0000-000000000000' }],
      ['a put with SSE-KMS but no key id (S3 would use aws/s3)', 's3:PutObject', STATE_OBJECT, { 's3:x-amz-server-side-encryption': 'aws:kms' }],
      ['a put with a customer-provided key (SSE-C)', 's3:PutObject', STATE_OBJECT, { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' }],
    ])('denies %s', async (_what, action, resource, context) => {
      expect(await decide(synthesizedPolicy(), action, resource, context)).toBe('ExplicitlyDenied');
    });

    it('denies anonymous requests (no statement allows everyone)', async () => {
      const result = await runSimulation(
        {
          request: { principal: anonymousPrincipal, action: 's3:GetObject', resource: { resource: STATE_OBJECT, accountId: '111111111111' }, contextVariables: { 'aws:SecureTransport': 'true' } },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: synthesizedPolicy(),
        },
        {},
      );
      expect(result.resultType !== 'error' && result.overallResult).not.toBe('Allowed');
    });

    it('fails when the TLS statement is missing: the evaluator then allows plain HTTP', async () => {
      const policy = synthesizedPolicy();
      policy.Statement = policy.Statement.filter(bySid('DenyInsecureTransport'));
      expect(await decide(policy, 's3:GetObject', STATE_OBJECT, { 'aws:SecureTransport': 'false' })).toBe('Allowed');
    });

    it('fails when the key-id guard is missing: the evaluator then allows another KMS key', async () => {
      const policy = synthesizedPolicy();
      policy.Statement = policy.Statement.filter(bySid('DenyOtherKmsKeys'));
      expect(await decide(policy, 's3:PutObject', STATE_OBJECT, { ...TERRAFORM_PUT, 's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:111111111111:key/other' })).toBe('Allowed');
    });
  });

  describe('stateBucketProblems fails when a protection is broken', () => {
    it('is empty for the stack as synthesized (the baseline of the tests below)', () => {
      expect(stateBucketProblems(mutated(() => undefined), DEV_EXPECT())).toEqual([]);
    });

    it.each<[string, (json: any) => void, string]>([
      ['versioning is suspended', (j) => (Object.values<any>(j.resource.aws_s3_bucket_versioning)[0].versioning_configuration.status = 'Suspended'), 'status is "Suspended"; expected "Enabled"'],
      ['versioning is missing', (j) => delete j.resource.aws_s3_bucket_versioning, 'aws_s3_bucket_versioning: found 0'],
      ['default encryption is SSE-S3', (j) => (Object.values<any>(j.resource.aws_s3_bucket_server_side_encryption_configuration)[0].rule[0].apply_server_side_encryption_by_default.sse_algorithm = 'AES256'), 'sse_algorithm is "AES256"'],
      ['default encryption uses the AWS managed key', (j) => delete Object.values<any>(j.resource.aws_s3_bucket_server_side_encryption_configuration)[0].rule[0].apply_server_side_encryption_by_default.kms_master_key_id, 'kms_master_key_id is nothing'],
      ['the S3 Bucket Key is off', (j) => (Object.values<any>(j.resource.aws_s3_bucket_server_side_encryption_configuration)[0].rule[0].bucket_key_enabled = false), 'bucket_key_enabled is false'],
      ['key rotation is off', (j) => (j.resource.aws_kms_key['state-kms-key'].enable_key_rotation = false), 'enable_key_rotation is false'],
      ['the key deletion window is 7 days', (j) => (j.resource.aws_kms_key['state-kms-key'].deletion_window_in_days = 7), 'deletion_window_in_days is 7'],
      ['the alias is not the configured one', (j) => (j.resource.aws_kms_alias['state-kms-alias'].name = 'alias/other'), 'name is "alias/other"; expected "alias/platform-tfstate"'],
      ['block_public_acls is false', (j) => (Object.values<any>(j.resource.aws_s3_bucket_public_access_block)[0].block_public_acls = false), 'block_public_acls is false'],
      ['block_public_policy is false', (j) => (Object.values<any>(j.resource.aws_s3_bucket_public_access_block)[0].block_public_policy = false), 'block_public_policy is false'],
      ['ignore_public_acls is false', (j) => (Object.values<any>(j.resource.aws_s3_bucket_public_access_block)[0].ignore_public_acls = false), 'ignore_public_acls is false'],
      ['restrict_public_buckets is false', (j) => (Object.values<any>(j.resource.aws_s3_bucket_public_access_block)[0].restrict_public_buckets = false), 'restrict_public_buckets is false'],
      ['ACLs are back on (ObjectWriter)', (j) => (Object.values<any>(j.resource.aws_s3_bucket_ownership_controls)[0].rule.object_ownership = 'ObjectWriter'), 'object_ownership is "ObjectWriter"'],
      ['the TLS-only statement is gone', (j) => withPolicy(j, (p) => (p.Statement = p.Statement.filter(bySid('DenyInsecureTransport')))), 'when aws:SecureTransport is false'],
      ['the TLS-only statement covers only the objects', (j) => withPolicy(j, (p) => (p.Statement.find((s: any) => s.Sid === 'DenyInsecureTransport').Resource = ['${aws_s3_bucket.state-bucket.arn}/*'])), 'no Deny of s3:* on ${aws_s3_bucket.state-bucket.arn} when'],
      ['the encryption-header statement is gone', (j) => withPolicy(j, (p) => (p.Statement = p.Statement.filter(bySid('DenyEncryptionOtherThanKms')))), 'when s3:x-amz-server-side-encryption is not "aws:kms"'],
      ['the SSE-C statement is gone', (j) => withPolicy(j, (p) => (p.Statement = p.Statement.filter(bySid('DenyCustomerProvidedKeys')))), 'customer-provided keys'],
      ['the other-key statement is gone', (j) => withPolicy(j, (p) => (p.Statement = p.Statement.filter(bySid('DenyOtherKmsKeys')))), 'is not the state key'],
      ['the other-key statement lets a foreign key through', (j) => withPolicy(j, (p) => p.Statement.find((s: any) => s.Sid === 'DenyOtherKmsKeys').Condition.StringNotEquals['s3:x-amz-server-side-encryption-aws-kms-key-id'].push('arn:aws:kms:eu-west-1:999999999999:key/x')), 'is not the state key'],
      ['a statement allows everyone', (j) => withPolicy(j, (p) => p.Statement.push({ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' })), 'statement "Public" allows everyone'],
      ['the bucket policy is missing', (j) => delete j.resource.aws_s3_bucket_policy, 'aws_s3_bucket_policy: found 0'],
      ['old versions never expire', (j) => delete Object.values<any>(j.resource.aws_s3_bucket_lifecycle_configuration)[0].rule[0].noncurrent_version_expiration, 'expected old state versions to expire'],
      ['no newest old versions are kept', (j) => delete Object.values<any>(j.resource.aws_s3_bucket_lifecycle_configuration)[0].rule[0].noncurrent_version_expiration[0].newer_noncurrent_versions, 'newer_noncurrent_versions is nothing'],
      ['unfinished uploads are never aborted', (j) => delete Object.values<any>(j.resource.aws_s3_bucket_lifecycle_configuration)[0].rule[0].abort_incomplete_multipart_upload, 'expected unfinished uploads to be aborted'],
      ['the lifecycle rule is disabled', (j) => (Object.values<any>(j.resource.aws_s3_bucket_lifecycle_configuration)[0].rule[0].status = 'Disabled'), 'expected old state versions to expire'],
      ['the lifecycle rule covers only a prefix', (j) => (Object.values<any>(j.resource.aws_s3_bucket_lifecycle_configuration)[0].rule[0].filter = [{ prefix: 'dev/' }]), 'expected old state versions to expire'],
      ['the bucket may be destroyed', (j) => delete j.resource.aws_s3_bucket['state-bucket'].lifecycle, 'aws_s3_bucket.state-bucket: lifecycle.prevent_destroy is nothing; expected true'],
      ['the bucket is force_destroy', (j) => (j.resource.aws_s3_bucket['state-bucket'].force_destroy = true), 'force_destroy is true'],
      ['the key may be destroyed', (j) => delete j.resource.aws_kms_key['state-kms-key'].lifecycle, 'aws_kms_key.state-kms-key: lifecycle.prevent_destroy is nothing; expected true'],
      ['the bootstrap stack keeps its state in S3', (j) => (j.terraform.backend = { s3: { bucket: 'x', key: 'y' } }), 'expected "local"'],
    ])('fails when %s', (_what, change, problem) => {
      const problems = stateBucketProblems(mutated(change), DEV_EXPECT());
      expect(problems.join('\n')).toContain(problem);
    });

    it('fails when the stack is built with preventDestroy: false outside the emulator', () => {
      const problems = stateBucketProblems(synthBootstrap(environment('dev'), { preventDestroy: false }).json, DEV_EXPECT());
      expect(problems).toEqual([
        'aws_s3_bucket.state-bucket: lifecycle.prevent_destroy is nothing; expected true',
        'aws_s3_bucket.state-bucket: force_destroy is true; expected false (destroying would delete every state version)',
        'aws_kms_key.state-kms-key: lifecycle.prevent_destroy is nothing; expected true',
      ]);
    });

    it('fails when the bucket is not the configured one', () => {
      expect(stateBucketProblems(mutated(() => undefined), { ...DEV_EXPECT(), bucket: 'another-bucket' })).toEqual([
        'aws_s3_bucket: found 0 state buckets named "another-bucket"; expected exactly 1',
      ]);
    });
  });
});

describe('environment stack backends', () => {
  const synths = new Map(ENVIRONMENT_NAMES.map((name) => [name, synthPlatform(environment(name)).json]));
  const backendOf = (name: string) => synths.get(name as (typeof ENVIRONMENT_NAMES)[number])!.terraform.backend.s3;

  it.each(ENVIRONMENT_NAMES)('%s: S3 backend with its own key, encryption with the state key and use_lockfile', (name) => {
    const env = environment(name);
    expect(stateBackendProblems(synths.get(name)!, { bucket: env.state.bucket, key: `${name}/${PLATFORM_STACK_KIND}.tfstate`, region: env.state.region, kmsKeyId: kmsKeyAliasArn(env) })).toEqual([]);
    expect(backendOf(name)).toMatchObject({ key: `${platformStackId(env)}/platform.tfstate`, encrypt: true, use_lockfile: true, kms_key_id: kmsKeyAliasArn(env) });
    expect(backendOf(name).dynamodb_table).toBeUndefined();
  });

  it.each(ENVIRONMENT_NAMES)('%s: Terraform looks for workspaces inside the environment\'s prefix, the only one its CI roles may list', (name) => {
    // Default `env:` would make every init and plan list the bucket outside it: AccessDenied for the CI roles.
    expect(backendOf(name).workspace_key_prefix).toBe(`${name}/workspaces`);
  });

  it.each(ENVIRONMENT_NAMES)('%s: both stacks require Terraform 1.10 or newer (S3-native locking), checked by Terraform where it runs', (name) => {
    // GIVEN the platform and bootstrap stacks of the environment  THEN each states the version it needs
    expect(TERRAFORM_REQUIRED_VERSION).toBe('>= 1.10.0');
    expect(synths.get(name)!.terraform.required_version).toBe(TERRAFORM_REQUIRED_VERSION);
    expect(synthBootstrap(environment(name)).json.terraform.required_version).toBe(TERRAFORM_REQUIRED_VERSION);
  });

  it('the AWS provider version the scripts install and check is the one the synthesized stacks pin (one source: the provider package)', () => {
    expect(awsProvider()).toEqual({ name: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' });
    const pinned = (synths.get('prod')! as unknown as { terraform: { required_providers: { aws: { version: string } } } }).terraform.required_providers.aws.version;
    expect(pinned).toBe(awsProvider().version);
  });

  it('gives every environment a different state key (and bucket, one per account)', () => {
    const keys = ENVIRONMENT_NAMES.map((name) => `${backendOf(name).bucket}/${backendOf(name).key}`);
    expect(new Set(keys).size).toBe(ENVIRONMENT_NAMES.length);
  });

  it('points only local at the emulator, with path-style requests and no AWS metadata lookups', () => {
    const local = environment('local');
    expect(backendOf('local')).toMatchObject({
      endpoints: { s3: local.emulator!.endpoint, sts: local.emulator!.endpoint, iam: local.emulator!.endpoint },
      use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    });
    for (const name of ENVIRONMENT_NAMES.filter((n) => n !== 'local')) {
      expect(backendOf(name).endpoints).toBeUndefined();
      expect(backendOf(name).access_key).toBeUndefined();
      expect(backendOf(name).skip_credentials_validation).toBeUndefined();
    }
  });

  it.each<[string, (s3: any) => void, string]>([
    ['locking is off', (s3) => delete s3.use_lockfile, 'use_lockfile: got nothing; expected true'],
    ['encryption is off', (s3) => (s3.encrypt = false), 'encrypt: got false; expected true'],
    ['the key is shared with another environment', (s3) => (s3.key = 'staging/platform.tfstate'), 'key: got "staging/platform.tfstate"; expected "dev/platform.tfstate"'],
    ['the state key is not used', (s3) => delete s3.kms_key_id, 'kms_key_id: got nothing'],
    ['DynamoDB locking is used', (s3) => (s3.dynamodb_table = 'locks'), 'dynamodb_table: got "locks"; expected none'],
    ['another bucket is used', (s3) => (s3.bucket = 'elsewhere'), 'bucket: got "elsewhere"'],
  ])('fails when %s', (_what, change, problem) => {
    const env = environment('dev');
    const json = structuredClone(synths.get('dev')!);
    change(json.terraform.backend.s3);
    expect(stateBackendProblems(json, { bucket: env.state.bucket, key: 'dev/platform.tfstate', region: env.state.region }).join('\n')).toContain(problem);
  });

  it('fails when an environment stack has no S3 backend', () => {
    expect(stateBackendProblems({ terraform: { backend: { local: { path: 'x' } } } }, { bucket: 'b', key: 'dev/platform.tfstate', region: 'eu-west-1' })).toEqual([
      'terraform.backend: got local; expected "s3" (state in the account\'s state bucket)',
    ]);
  });
});

describe('GitHub Actions roles in the bootstrap stack (environment field "ci")', () => {
  const roleNamed = (stack: SynthesizedStack, name: string) => Object.values(stack.resources('aws_iam_role')).find((r: any) => r.name === name) as any;

  it.each(['dev', 'staging', 'prod'] as const)('%s: the OIDC provider, a plan and an apply role, trusted for the repository and reaching this state', (name) => {
    const env = environment(name);
    const stack = synthBootstrap(env);
    expect(Object.values(stack.resources('aws_iam_openid_connect_provider'))).toEqual([
      expect.objectContaining({ url: 'https://token.actions.githubusercontent.com', client_id_list: ['sts.amazonaws.com'] }),
    ]);
    const plan = roleNamed(stack, `platform-${name}-github-plan`);
    const apply = roleNamed(stack, `platform-${name}-github-apply`);
    const subjects = (role: any) => JSON.parse(role.assume_role_policy).Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'];
    expect(subjects(plan)).toEqual(['repo:my-org/private-api-platform:pull_request', 'repo:my-org/private-api-platform:ref:refs/heads/main']);
    expect(subjects(apply)).toEqual([`repo:my-org/private-api-platform:environment:${name}`]);
    // the roles' policies name this environment's state bucket and this stack's KMS key
    const policies = JSON.stringify(stack.resources('aws_iam_role_policy'));
    expect(policies).toContain(`arn:aws:s3:::${env.state.bucket}`);
    expect(policies).toContain('${aws_kms_key.state-kms-key.arn}');
    expect(stack.json.output.github_plan_role_arn.value).toMatch(/^\$\{aws_iam_role\.github-oidc_plan-role_[0-9A-F]+\.arn\}$/);
    expect(stack.json.output.github_apply_role_arn.value).toMatch(/^\$\{aws_iam_role\.github-oidc_apply-role_[0-9A-F]+\.arn\}$/);
  });

  it('trusts the existing OIDC provider of the account when the environment names it, and creates none', () => {
    const arn = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
    const stack = synthBootstrap(environment('dev', (e) => (e.ci.existingOidcProviderArn = arn)));
    expect(stack.resources('aws_iam_openid_connect_provider')).toEqual({});
    expect(JSON.parse(roleNamed(stack, 'platform-dev-github-apply').assume_role_policy).Statement[0].Principal.Federated).toBe(arn);
  });

  it("sets API Gateway's CloudWatch role in the platform's region when the state bucket is in another", () => {
    const env = environment('dev', (e) => (e.state.region = 'eu-central-1'));
    const stack = synthBootstrap(env);
    expect(stack.only('aws_api_gateway_account').provider).toBe('aws.platform_region');
    expect(stack.json.provider.aws).toEqual(
      expect.arrayContaining([expect.objectContaining({ region: 'eu-central-1' }), expect.objectContaining({ alias: 'platform_region', region: env.account.region })]),
    );
  });

  it('creates no GitHub role and no output without "ci", nor for local', () => {
    for (const env of [environment('dev', (e) => delete e.ci), environment('local')]) {
      const stack = synthBootstrap(env);
      // only API Gateway's CloudWatch role
      expect(Object.values(stack.resources('aws_iam_role')).map((r: any) => r.name)).toEqual([`platform-apigateway-cloudwatch-${env.account.region}`]);
      expect(stack.resources('aws_iam_openid_connect_provider')).toEqual({});
      expect(Object.keys(stack.json.output)).not.toContain('github_plan_role_arn');
    }
  });
});
