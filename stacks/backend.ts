/**
 * The S3 backend of an environment stack: its own key, encryption with the
 * bootstrap stack's KMS key, and S3-native locking (`use_lockfile`, Terraform
 * 1.10+; no DynamoDB table).
 */
import { S3Backend, type TerraformStack } from 'cdktf';
import type { Environment } from '../environments/schema';
import { EMULATOR_CREDENTIALS } from './providers';
import { TERRAFORM_REQUIRED_VERSION } from './versions';

/** `<environment>/<stack>.tfstate`: one state object per environment stack. */
export function stateKey(env: Environment, stackKind: string): string {
  return `${env.name}/${stackKind}.tfstate`;
}

/** Where the S3 backend looks for workspaces: inside the environment's own prefix. */
export function workspaceKeyPrefix(env: Environment): string {
  return `${env.name}/workspaces`;
}

export function kmsKeyAliasArn(env: Environment): string {
  return `arn:aws:kms:${env.state.region}:${env.account.id}:${env.state.kmsKeyAlias}`;
}

export function addS3Backend(stack: TerraformStack, env: Environment, stackKind: string): S3Backend {
  const emulator = env.emulator
    ? {
        ...EMULATOR_CREDENTIALS,
        endpoints: { s3: env.emulator.endpoint, sts: env.emulator.endpoint, iam: env.emulator.endpoint },
        usePathStyle: true,
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipRegionValidation: true,
      }
    : {};
  const backend = new S3Backend(stack, {
    bucket: env.state.bucket,
    key: stateKey(env, stackKind),
    region: env.state.region,
    encrypt: true,
    kmsKeyId: kmsKeyAliasArn(env),
    // Terraform lists the bucket under this prefix for workspaces at every init and plan (default `env:`, outside the
    // environment's prefix, which is all the CI roles may list: packages/constructs/src/github-oidc). The platform uses none.
    workspaceKeyPrefix: workspaceKeyPrefix(env),
    ...emulator,
  });
  // cdktf 0.21 has no prop for S3-native locking yet.
  backend.addOverride('use_lockfile', true);
  requireTerraformVersion(stack);
  return backend;
}

export { TERRAFORM_REQUIRED_VERSION };

/**
 * States the Terraform version a stack needs (`terraform { required_version }`): an older
 * Terraform stops at `terraform init` with "Unsupported Terraform Core version", on whichever
 * machine runs it, before it touches any state.
 */
export function requireTerraformVersion(stack: TerraformStack): void {
  stack.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
}
