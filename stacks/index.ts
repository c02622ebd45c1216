/** Creates every stack of an environment: main.ts and the tests share this one entry. */
import type { App } from 'cdktf';
import { EnvironmentError } from '../environments/load';
import type { Environment } from '../environments/schema';
import { awsLimitProblems } from './aws-limits-check';
import { PlatformStack } from './platform-stack';
import { bootstrapStackId, StateBootstrapStack } from './state-bootstrap-stack';

/** Stack ids are part of the contract (state keys and `cdktf deploy <stack>`): keep them stable. */
export function platformStackId(env: Environment): string {
  return env.name;
}

export { bootstrapStackId };

/**
 * The stacks of an environment, in deploy order: `bootstrap-<env>` (the account's state bucket and key,
 * local state; `npm run bootstrap`) first, then `<env>` (the platform, state in that bucket).
 */
export function addEnvironmentStacks(app: App, env: Environment): { bootstrap: StateBootstrapStack; platform: PlatformStack } {
  const bootstrap = new StateBootstrapStack(app, bootstrapStackId(env), { environment: env });
  const platform = new PlatformStack(app, platformStackId(env), { environment: env });
  // A name or description AWS would refuse at apply time is refused now, before anything is written.
  const problems = [...awsLimitProblems(bootstrap), ...awsLimitProblems(platform)];
  if (problems.length > 0) {
    throw new EnvironmentError(
      env.name,
      problems.map((p) => ({ path: `(synthesized) ${p.resource}: ${p.attribute}`, value: JSON.stringify(p.value), message: p.message })),
    );
  }
  return { bootstrap, platform };
}
