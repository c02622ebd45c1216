import { createHash } from 'node:crypto';
import { DEFAULT_DOMAIN_SUFFIX_LENGTH, type Environment } from '../environments/schema';

/**
 * Prefix of the names of an environment's resources: `platform-<environment>`. IAM roles too,
 * which is what lets the CI apply role (modules/github-oidc) manage exactly `<prefix>-*` roles.
 */
export function platformNamePrefix(env: Pick<Environment, 'name'>): string {
  return `platform-${env.name}`;
}

/**
 * API Gateway's CloudWatch role of an account and region: one per account and region (the setting is account-wide),
 * created by the account's bootstrap stack. IAM names are global, so the region is in it.
 */
export function apiGatewayCloudwatchRoleName(env: Pick<Environment, 'account'>): string {
  return `platform-apigateway-cloudwatch-${env.account.region}`;
}

/**
 * The Cognito prefix domain of an environment: `<prefix>-<suffix>`. A prefix domain is unique per region across every
 * AWS customer; the default suffix (from the account id and the environment name: stable across deploys, different
 * per account) makes a collision with someone else's unlikely. `suffix: ""` uses the prefix alone.
 */
export function cognitoDomainPrefix(env: Pick<Environment, 'name' | 'account' | 'identity'>): string | undefined {
  const domain = env.identity.domain;
  if (domain.mode !== 'prefix') return undefined;
  const suffix = domain.suffix ?? createHash('sha256').update(`${env.account.id}/${env.name}`).digest('hex').slice(0, DEFAULT_DOMAIN_SUFFIX_LENGTH);
  return suffix === '' ? domain.prefix : `${domain.prefix}-${suffix}`;
}
