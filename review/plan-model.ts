/**
 * The plan as the review reads it: the parts of Terraform's plan JSON (`terraform show -json`) it uses, and the model
 * the summary is built from (a resource's change kind, its attribute changes, totals, the verdict). Types and one
 * pure function; no files, no processes.
 */
import type { RouteChange } from './api-document-diff';
import type { TeamFinding, TeamRules } from './team-rules';

// ---------------------------------------------------------------- plan JSON (the parts read here)

export interface PlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  /** Changes made outside Terraform, found by the refresh (the whole content of a refresh-only plan). */
  readonly resource_drift?: readonly ResourceChange[];
  /** Attributes the planned changes depend on (left out when none): drift elsewhere does not affect this plan. */
  readonly relevant_attributes?: readonly { readonly resource: string; readonly attribute: readonly (string | number)[] }[];
  readonly errored?: boolean;
  /** Each root module output: its planned action (`no-op` when unchanged) and values. */
  readonly output_changes?: Readonly<Record<string, OutputChange>>;
}

export interface OutputChange {
  readonly actions: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  /** `true` when the new value is only known after apply. */
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}

export interface ResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode?: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: unknown;
  readonly previous_address?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
    /** Present when an `import` block brings the resource under Terraform's management in this plan. */
    readonly importing?: { readonly id?: string };
  };
}

// ---------------------------------------------------------------- the model

export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read' | 'forget';

export interface AttributeChange {
  /** `ingress[0].cidr_blocks[1]`; inside a JSON document attribute: `policy.Statement[0].Effect`. */
  readonly path: string;
  /** Rendered values; absent when sensitive. */
  readonly before?: string;
  readonly after?: string;
  readonly sensitive: boolean;
  /** The new value is only known after apply. */
  readonly unknown: boolean;
  /** A route (or document-level item) of a REST API's OpenAPI document, instead of an attribute. */
  readonly route?: RouteChange['kind'];
}

export interface ResourceEntry {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** The construct path without the stack (`network/vpc`), or a note when the resource is not in the configuration. */
  readonly constructPath: string;
  /** Group of the module tables: the construct path's first part (`network`), or `(stack)`. */
  readonly module: string;
  readonly changes: readonly AttributeChange[];
  /** For replacements: the attribute paths that force it, or Terraform's reason. */
  readonly replaceReasons: readonly string[];
  /** Why the change is security-relevant (empty when it is not). */
  readonly security: readonly string[];
  /** Why destroying this resource loses something (undefined when nothing). */
  readonly protectedReason?: string;
  /** The address the resource had in the state before this plan (a `moved` block, cdktf's `moveTo`/`moveFromId`). */
  readonly movedFrom?: string;
  /** The id an `import` block imports the resource by (cdktf's `importFrom`). */
  readonly importId?: string;
}

/** A root module output the plan adds, changes or removes. */
export interface OutputEntry {
  readonly name: string;
  readonly kind: 'create' | 'update' | 'delete';
  /** Rendered values; absent for a side that does not exist. "(sensitive)" for sensitive values. */
  readonly before?: string;
  readonly after?: string;
  readonly sensitive: boolean;
  /** The new value is only known after apply. */
  readonly unknown: boolean;
}

export interface Totals {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly noOp: number;
  readonly forget: number;
  /** Resources at a new address (moved), whatever else the plan does to them. */
  readonly move: number;
  /** Resources an `import` block brings under management. */
  readonly import: number;
}

export interface Verdict {
  readonly ok: boolean;
  /** Protected resources the plan destroys or replaces. */
  readonly protectedDestroys: readonly ResourceEntry[];
  /** Why the plan is refused, or why it passes despite protected destroys. */
  readonly message: string;
}

export interface SummaryOptions {
  readonly environment: string;
  /** The synthesized stack (cdk.tf.json): construct paths and `lifecycle.prevent_destroy`. */
  readonly stackJson?: Record<string, any>;
  /** The environment's protections: with `preventDestroy` (always in prod), destroying a protected resource is refused. */
  readonly protections?: { readonly preventDestroy: boolean };
  /** `--allow-destroy`: the reviewer has accepted the destroys. */
  readonly allowDestroy?: boolean;
  /** The state bucket's name: its destruction is always protected. */
  readonly stateBucket?: string;
  /** @default SUMMARY_LIMIT */
  readonly maxChars?: number;
  /** @default 20 - attribute changes listed per resource before "and N more" */
  readonly maxAttributesPerResource?: number;
  /** The team's plan rules and exceptions (review/team-rules.jsonc). @default - none: only the built-in rules */
  readonly teamRules?: TeamRules;
  /** The day exceptions are checked against, YYYY-MM-DD (UTC). @default - today */
  readonly today?: string;
}

export interface PlanSummary {
  readonly markdown: string;
  readonly totals: Totals;
  /** Every managed resource with a change, a move or an import (plain no-ops and reads left out). */
  readonly entries: readonly ResourceEntry[];
  /** The root module outputs the plan adds, changes or removes. */
  readonly outputs: readonly OutputEntry[];
  /** What the team's rules found, with the exceptions that apply. */
  readonly findings: readonly TeamFinding[];
  /** Resources changed outside Terraform (the refresh found them). */
  readonly drift: readonly ResourceEntry[];
  readonly verdict: Verdict;
  /** True when the plan changes, moves, imports or forgets a resource or changes an output (the -detailed-exitcode 2 case). */
  readonly hasChanges: boolean;
  /** Items left out to stay under the limit (0 when nothing was cut). */
  readonly cut: number;
}
