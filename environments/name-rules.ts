/**
 * The one place for the rules that depend on an environment's name: what production requires, and which environments
 * run on the local emulator. The schema checks environment files against them, the stacks turn them into construct
 * props (where the constructs check them again), and the plan review applies them to plans.
 */

/** The production environment. */
export const PRODUCTION_ENVIRONMENT = 'prod';

/** Environments that talk to the local emulator instead of AWS. */
export const EMULATOR_ENVIRONMENTS = ['local'] as const;

export interface NameRules {
  /** `protections.deletionProtection` must be true (the user pool, the ALB). */
  readonly requiresDeletionProtection: boolean;
  /** `protections.preventDestroy` must be true (stateful resources). */
  readonly requiresPreventDestroy: boolean;
  /** Email goes through SES: Cognito's default sender sends 50 emails a day per account. */
  readonly requiresSesEmail: boolean;
  /** A plan that destroys or replaces a protected resource is refused, whatever the environment file says. */
  readonly refusesProtectedDestroys: boolean;
  /** Runs on the local emulator (and must: `emulator.endpoint`); CORS may allow `*` there. */
  readonly emulator: boolean;
}

export function nameRules(name: string): NameRules {
  const production = name === PRODUCTION_ENVIRONMENT;
  return {
    requiresDeletionProtection: production,
    requiresPreventDestroy: production,
    requiresSesEmail: production,
    refusesProtectedDestroys: production,
    emulator: (EMULATOR_ENVIRONMENTS as readonly string[]).includes(name),
  };
}
