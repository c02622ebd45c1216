/**
 * The plan as the review reads it: the parts of Terraform's plan JSON (`terraform show -json`) it uses, and the model
 * the summary is built from (a resource's change kind, its attribute changes, totals, the verdict). Types and one
 * pure function; no files, no processes.
 */
import type { RouteChange } from './api-document-diff';

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
}

export interface Totals {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly noOp: number;
  readonly forget: number;
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
}

export interface PlanSummary {
  readonly markdown: string;
  readonly totals: Totals;
  /** Every managed resource with a change (no-ops and reads left out). */
  readonly entries: readonly ResourceEntry[];
  /** Resources changed outside Terraform (the refresh found them). */
  readonly drift: readonly ResourceEntry[];
  readonly verdict: Verdict;
  /** True when the plan changes something (the -detailed-exitcode 2 case). */
  readonly hasChanges: boolean;
  /** Items left out to stay under the limit (0 when nothing was cut). */
  readonly cut: number;
}
