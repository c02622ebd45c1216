/** Synthesizes environments in-process (the fast path) and reads the result. */
import { App } from 'cdktf';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment, type LoadOptions } from '../../environments/load';
import { addEnvironmentStacks } from '../../stacks';
import { PROJECT_ROOT } from './terraform';

export const DEFAULT_OUTDIR = join(PROJECT_ROOT, 'cdktf.out');

/** Validates the named environments first (nothing is written when one is bad), then synthesizes them into `outdir`. */
export function synthEnvironments(names: readonly string[], outdir: string = DEFAULT_OUTDIR, options: LoadOptions = {}): string[] {
  const environments = names.map((name) => loadEnvironment(name, undefined, options));
  const app = new App({ outdir });
  const stackIds: string[] = [];
  for (const env of environments) {
    const stacks = addEnvironmentStacks(app, env);
    stackIds.push(...Object.values(stacks).map((s) => s.node.id));
  }
  app.synth();
  return stackIds;
}

export function stackDir(stackId: string, outdir: string = DEFAULT_OUTDIR): string {
  const dir = join(outdir, 'stacks', stackId);
  if (!existsSync(join(dir, 'cdk.tf.json'))) throw new Error(`stack "${stackId}" has not been synthesized into ${outdir}`);
  return dir;
}

export function readStackJson(stackId: string, outdir: string = DEFAULT_OUTDIR): Record<string, any> {
  return JSON.parse(readFileSync(join(stackDir(stackId, outdir), 'cdk.tf.json'), 'utf8'));
}
