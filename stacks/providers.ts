/**
 * AWS providers of an environment stack: the regional default, and a us-east-1
 * alias for what CloudFront needs (WAF, its certificate). In the emulator
 * environment both point every service the platform uses at the emulator.
 */
import { AwsProvider, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';

/** Services the platform calls; each gets the emulator's endpoint in the emulator environment. */
export const EMULATED_SERVICES = [
  'acm', 'apigateway', 'cloudfront', 'cloudwatch', 'cloudwatchlogs', 'cognitoidp', 'ec2', 'elbv2', 'iam',
  'kms', 'lambda', 'route53', 's3', 'secretsmanager', 'sts', 'wafv2',
] as const;

/** Credentials the emulator accepts; never valid against AWS. */
export const EMULATOR_CREDENTIALS = { accessKey: 'test', secretKey: 'test' } as const;

export interface Providers {
  /** The environment's region. */
  readonly regional: AwsProvider;
  /** us-east-1: CloudFront's WAF and certificates. The same provider as `regional` when the region is us-east-1. */
  readonly usEast1: AwsProvider;
}

/** The provider configuration of an environment in `region` (emulator endpoints in the emulator environment). */
export function providerConfig(env: Environment, region: string): AwsProviderConfig {
  const base: AwsProviderConfig = {
    region,
    defaultTags: [{ tags: env.tags }],
  };
  if (!env.emulator) return { ...base, allowedAccountIds: [env.account.id] };
  const endpoint = env.emulator.endpoint;
  return {
    ...base,
    ...EMULATOR_CREDENTIALS,
    skipCredentialsValidation: true,
    // The account id is requested (the emulator's STS answers): without it the provider cannot tell
    // a same-account security group reference and reads `referenced_security_group_id` back as
    // "<account>/sg-...", so every plan changes aws_vpc_security_group_*_rule.
    skipMetadataApiCheck: 'true',
    skipRegionValidation: true,
    s3UsePathStyle: true,
    endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, endpoint]))],
  };
}

export function createProviders(scope: Construct, env: Environment): Providers {
  const regional = new AwsProvider(scope, 'aws', providerConfig(env, env.account.region));
  const usEast1 =
    env.account.region === 'us-east-1' ? regional : new AwsProvider(scope, 'aws-us-east-1', { ...providerConfig(env, 'us-east-1'), alias: 'us_east_1' });
  return { regional, usEast1 };
}
