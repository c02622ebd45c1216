/**
 * Test helpers: synthesize an environment's stack in memory, with validations on,
 * and query the synthesized Terraform JSON.
 */
import { App, Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS_DIR, parseEnvironment } from '../../environments/load';
import type { Environment, EnvironmentInput } from '../../environments/schema';
import type { PlanJson, ResourceChange } from '../../review/plan-model';
import { addEnvironmentStacks } from '../../stacks';

export const ENVIRONMENT_NAMES = ['local', 'dev', 'staging', 'prod'] as const;

/** The raw JSON of an environment file, as a fresh object a test may change. */
export function rawEnvironment(name: string): EnvironmentInput & Record<string, any> {
  return JSON.parse(readFileSync(join(ENVIRONMENTS_DIR, `${name}.json`), 'utf8'));
}

/** A validated environment, optionally changed first (the change is validated like a file would be). */
export function environment(name: string, change?: (raw: any) => void): Environment {
  const raw = rawEnvironment(name);
  change?.(raw);
  return parseEnvironment(name, raw);
}

export interface SynthesizedStack {
  readonly json: Record<string, any>;
  /** All resources of a type: `{ <logical id>: <config> }`. */
  resources(type: string): Record<string, any>;
  /** The one resource of a type; fails when there is not exactly one. */
  only(type: string): any;
  data(type: string): Record<string, any>;
}

export function wrap(json: Record<string, any>): SynthesizedStack {
  return {
    json,
    resources: (type) => json.resource?.[type] ?? {},
    data: (type) => json.data?.[type] ?? {},
    only(type) {
      const all = Object.values(json.resource?.[type] ?? {});
      if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
      return all[0];
    },
  };
}

/** Synthesizes the platform stack of an environment with validations on (`Testing.synth(stack, true)`). */
export function synthPlatform(env: Environment): SynthesizedStack {
  const app: App = Testing.app();
  const { platform } = addEnvironmentStacks(app, env);
  return wrap(JSON.parse(Testing.synth(platform, true)));
}

/**
 * A stand-in for Terraform's first plan of a synthesized stack: every resource a create, its configuration as the
 * planned values (for summary tests that need a whole environment; real plans run in plan.emulator.test.ts).
 */
export function firstPlanOf(stack: Record<string, any>): PlanJson {
  const changes: ResourceChange[] = [];
  for (const [type, byName] of Object.entries<Record<string, Record<string, unknown>>>(stack.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) {
      const { '//': _metadata, lifecycle: _lifecycle, depends_on: _dependsOn, provider: _provider, ...after } = config;
      changes.push({ address: `${type}.${name}`, mode: 'managed', type, name, change: { actions: ['create'], before: null, after } });
    }
  }
  return { format_version: '1.2', terraform_version: '1.11.4', resource_changes: changes };
}
