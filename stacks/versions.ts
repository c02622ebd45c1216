/**
 * The one source of the versions the stacks need and the scripts check: Terraform's minimum, and the AWS provider the
 * generated classes of @cdktf/provider-aws were made for (the version the synthesized `required_providers` pins,
 * read from the package's own metadata).
 */
import { readFileSync } from 'node:fs';

/** The oldest Terraform the stacks run on: S3-native locking (`use_lockfile`) came with 1.10. */
export const MIN_TERRAFORM_VERSION = '1.10.0';

/** `terraform { required_version }` of every stack. */
export const TERRAFORM_REQUIRED_VERSION = `>= ${MIN_TERRAFORM_VERSION}`;

interface ProviderPackage {
  readonly cdktf: { readonly provider: { readonly name: string; readonly version: string } };
}

let provider: ProviderPackage['cdktf']['provider'] | undefined;

/**
 * The AWS provider's registry address (`registry.terraform.io/hashicorp/aws`) and version (`5.100.0`). Read on first
 * call, not at import: a synth (stacks/backend.ts imports this file) has no use for it.
 */
export function awsProvider(): ProviderPackage['cdktf']['provider'] {
  provider ??= (JSON.parse(readFileSync(require.resolve('@cdktf/provider-aws/package.json'), 'utf8')) as ProviderPackage).cdktf.provider;
  return provider;
}
