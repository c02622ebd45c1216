import type { Environment } from '../environments/schema';

/**
 * Prefix of the names of an environment's resources: `platform-<environment>`. IAM roles too,
 * which is what lets the CI apply role (packages/constructs/src/github-oidc) manage exactly `<prefix>-*` roles.
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
