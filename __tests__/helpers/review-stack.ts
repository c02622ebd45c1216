/**
 * A small stack of the platform's real modules (identity, network, one private API) for plan-review
 * tests against the emulator: one regional provider (no edge, no us-east-1 alias) keeps each
 * Terraform run short. Its state lives in the environment's S3 backend under
 * `<env>/plan-review.tfstate`, like a platform stack's.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../../environments/schema';
import { Identity } from '@private-api-platform/constructs/identity';
import { Network } from '@private-api-platform/constructs/network';
import { ApiGatewayAccountLogging, PrivateApi } from '@private-api-platform/constructs/private-api';
import type { SynthesizedStack } from '../../scripts/lib/plan-run';
import { addS3Backend } from '../../stacks/backend';
import { emulatorConfigFile, providerConfig } from '../../stacks/providers';

export interface ReviewStackParts {
  readonly stack: TerraformStack;
  readonly env: Environment;
  readonly identity: Identity;
  readonly network: Network;
  readonly accountLogging: ApiGatewayAccountLogging;
  readonly apis: PrivateApi[];
}

export interface ReviewStackOptions {
  /** @default 'v1' */
  readonly stageName?: string;
  /** Changes made after the modules are built (escape hatches, extra constructs). */
  readonly change?: (parts: ReviewStackParts) => void;
}

/** A `synth` for planEnvironment/driftEnvironment: writes the review stack into `<outDir>/<env>.synth`. */
export function reviewStack(options: ReviewStackOptions = {}): (env: Environment, outDir: string) => SynthesizedStack {
  return (env, outDir) => {
    const outdir = join(outDir, `${env.name}.synth`);
    const app = new App({ outdir });
    const stack = new TerraformStack(app, env.name);
    new AwsProvider(stack, 'aws', providerConfig(env, env.account.region, emulatorConfigFile(stack, env)));
    addS3Backend(stack, env, 'plan-review');
    const namePrefix = `platform-${env.name}`;
    const identity = new Identity(stack, 'identity', { config: env.identity, namePrefix, region: env.account.region, deletionProtection: false, preventDestroy: false });
    const network = new Network(stack, 'network', { config: env.network, namePrefix });
    const accountLogging = new ApiGatewayAccountLogging(stack, 'api-gateway-account-logging', { roleName: `${namePrefix}-apigateway-cloudwatch` });
    const apis = env.apis.map(
      (api) =>
        new PrivateApi(stack, `api-${api.name}`, {
          api,
          namePrefix,
          executeApiEndpoint: network.executeApiEndpoint,
          authorization: identity,
          logRetentionDays: env.logRetentionDays,
          allowWildcardCors: true,
          accountLogging,
          stageName: options.stageName,
        }),
    );
    options.change?.({ stack, env, identity, network, accountLogging, apis });
    app.synth();
    const stackDir = join(outdir, 'stacks', env.name);
    return { stackDir, stackJson: JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) };
  };
}
