/** Creates every stack of an environment: main.ts and the tests share this one entry. */
import type { App } from 'cdktf';
import type { Environment } from '../environments/schema';
import { PlatformStack } from './platform-stack';

/** Stack ids are part of the contract (state keys and `cdktf deploy <stack>`): keep them stable. */
export function platformStackId(env: Environment): string {
  return env.name;
}

export function addEnvironmentStacks(app: App, env: Environment): { platform: PlatformStack } {
  return { platform: new PlatformStack(app, platformStackId(env), { environment: env }) };
}
