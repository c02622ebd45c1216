/**
 * One environment of the platform: network, identity, the private APIs and the
 * edge (CloudFront VPC origin, internal ALB, WAF) that is their only door.
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { addS3Backend } from './backend';
import { createProviders, type Providers } from './providers';
import { addIdentityOutputs, Identity } from '../modules/identity';

/** The state key's stack part: `<environment>/platform.tfstate`. */
export const PLATFORM_STACK_KIND = 'platform';

export interface PlatformStackProps {
  readonly environment: Environment;
}

export class PlatformStack extends TerraformStack {
  readonly environment: Environment;
  readonly providers: Providers;
  /** Cognito user pool, resource server and app clients: the APIs take it as their authorization. */
  readonly identity: Identity;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    this.providers = createProviders(this, env);
    addS3Backend(this, env, PLATFORM_STACK_KIND);

    // Before the APIs: their methods require this pool's tokens and resource-server scopes.
    this.identity = new Identity(this, 'identity', {
      config: env.identity,
      namePrefix: `platform-${env.name}`,
      region: env.account.region,
      deletionProtection: env.protections.deletionProtection,
      // The schema already refuses prod without it; the module refuses too, should the two ever drift apart.
      requireDeletionProtection: env.name === 'prod',
      preventDestroy: env.protections.preventDestroy,
    });
    addIdentityOutputs(this, this.identity);
  }
}
