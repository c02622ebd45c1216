import type { Environment } from '../environments/schema';

/**
 * Prefix of the names of an environment's resources: `platform-<environment>`. IAM roles too,
 * which is what lets the CI apply role (modules/github-oidc) manage exactly `<prefix>-*` roles.
 */
export function platformNamePrefix(env: Pick<Environment, 'name'>): string {
  return `platform-${env.name}`;
}
