/**
 * The base of this platform's stacks: a stack that refers to nothing in another stack.
 *
 * Values cross between the stacks of an environment through the scripts, not through
 * Terraform references: the bootstrap stack's outputs (state bucket, KMS key) are read by
 * `npm run bootstrap` and fed to the platform stack's backend by its environment file.
 *
 * cdktf prepares every stack with a pass that resolves every token of every resource, only
 * to find references into other stacks and wire them through outputs and remote state. That
 * pass is about a quarter of a synth of these stacks and finds nothing, so they skip it. A
 * reference into another stack would then reach Terraform unwired, so it is refused at synth
 * instead: the synthesized stack may refer only to the resources and data sources it declares.
 */
import { TerraformStack } from 'cdktf';

/**
 * `${...}` expressions of a resolved stack: where Terraform references live. Braces may nest one
 * level (a map inside a function call, as cdktf writes them); deeper nesting is not scanned here,
 * and `terraform validate` still reports a reference to an undeclared resource.
 */
const EXPRESSION = /\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g;
/**
 * `type.name` or `data.type.name` of a resource or data source (`aws_vpc.network_vpc_1234`,
 * `terraform_data.x`); not `var.`, `local.`, `each.`, `count.` or `module.` (no `_` in those),
 * nor attributes further down the same reference (preceded by `.`).
 */
const ADDRESS = /(?<![\w.-])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)/g;

export class CrossStackReferenceError extends Error {}

/** Every resource or data source address the resolved stack refers to but does not declare. */
export function undeclaredReferences(tf: Record<string, unknown>): string[] {
  const declared = (block: unknown, type: string, name: string) => {
    const ofType = (block as Record<string, Record<string, unknown>> | undefined)?.[type];
    return ofType !== undefined && Object.prototype.hasOwnProperty.call(ofType, name);
  };
  const missing = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return;
      for (const [, expression] of value.matchAll(EXPRESSION)) {
        for (const [, data, type, name] of expression!.matchAll(ADDRESS)) {
          if (!declared(data ? tf.data : tf.resource, type!, name!)) missing.add(`${data ?? ''}${type}.${name}`);
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) if (key !== '//') visit(child);
    }
  };
  visit(tf);
  return [...missing].sort();
}

export abstract class IsolatedStack extends TerraformStack {
  /** cdktf's preparation without its cross-stack pass: only make sure the stack has a backend. */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  override toTerraform(): any {
    const tf = super.toTerraform();
    const missing = undeclaredReferences(tf);
    if (missing.length > 0) {
      throw new CrossStackReferenceError(
        `stack "${this.node.id}" refers to ${missing.join(', ')}, which it does not declare: a reference into another stack. ` +
          'The platform stacks stand alone (stacks/isolated-stack.ts): pass the value through the environment file or a script instead.',
      );
    }
    return tf;
  }
}
