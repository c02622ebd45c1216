/**
 * One environment of the platform: network, identity, the private APIs and the
 * edge (CloudFront VPC origin, internal ALB, WAF) that is their only door.
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { addS3Backend } from './backend';
import { createProviders, type Providers } from './providers';

/** The state key's stack part: `<environment>/platform.tfstate`. */
export const PLATFORM_STACK_KIND = 'platform';

export interface PlatformStackProps {
  readonly environment: Environment;
}

export class PlatformStack extends TerraformStack {
  readonly environment: Environment;
  readonly providers: Providers;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    this.providers = createProviders(this, env);
    addS3Backend(this, env, PLATFORM_STACK_KIND);
  }
}
