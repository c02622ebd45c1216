/**
 * Names that would make a replacement fail. Terraform creates the replacement of a `create_before_destroy` resource
 * before it destroys the old one, and applies that order to everything such a resource depends on, directly or not
 * (https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#create_before_destroy: "Terraform
 * propagates and applies the create_before_destroy meta-argument behaviour to all resource dependencies"). While
 * the old one still stands, a second resource with the same unique name is refused: "ELBv2 Load Balancer (…) already
 * exists", "InvalidGroup.Duplicate". So such a resource must take a generated name (`name_prefix`), never a fixed one.
 *
 * Works on the synthesized Terraform JSON (cdk.tf.json), where references are `${type.name.attribute}` strings.
 */

/**
 * Resource types whose name must be unique where they live, and the attribute that holds it. `importId`: the
 * attribute is also the type's `terraform import` ID (the provider's docs, "Import"); for the others it is an ARN or a
 * generated id.
 */
export const UNIQUE_NAMES: Readonly<Record<string, { readonly attribute: string; readonly scope: string; readonly importId?: true }>> = {
  aws_lb: { attribute: 'name', scope: 'per account and region' },
  aws_lb_target_group: { attribute: 'name', scope: 'per account and region' },
  aws_security_group: { attribute: 'name', scope: 'per VPC' },
  aws_iam_role: { attribute: 'name', scope: 'per account', importId: true },
  aws_iam_policy: { attribute: 'name', scope: 'per account' },
  aws_cloudwatch_log_group: { attribute: 'name', scope: 'per account and region', importId: true },
  aws_cloudwatch_log_delivery_source: { attribute: 'name', scope: 'per account and region', importId: true },
  aws_cloudwatch_log_delivery_destination: { attribute: 'name', scope: 'per account and region', importId: true },
  aws_wafv2_web_acl: { attribute: 'name', scope: 'per account, region and scope' },
  aws_cloudfront_response_headers_policy: { attribute: 'name', scope: 'per account' },
  aws_cloudfront_origin_request_policy: { attribute: 'name', scope: 'per account' },
  aws_cloudfront_cache_policy: { attribute: 'name', scope: 'per account' },
  aws_cognito_user_pool_domain: { attribute: 'domain', scope: 'per region', importId: true },
  aws_secretsmanager_secret: { attribute: 'name', scope: 'per account and region' },
  aws_s3_bucket: { attribute: 'bucket', scope: 'global', importId: true },
};

export interface ReplacementProblem {
  /** `aws_lb.edge_origin_load-balancer_1234ABCD` */
  readonly address: string;
  readonly message: string;
}

type Json = Record<string, any>;
const REFERENCE = /\$\{(?:data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g;
const DEPENDS = /^(?:data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)$/;

/** The addresses (`type.name`, data sources as `data.type.name`) a block refers to, and its depends_on. */
function references(block: Json): Set<string> {
  const found = new Set<string>();
  const text = JSON.stringify({ ...block, lifecycle: undefined, depends_on: undefined });
  for (const match of text.matchAll(REFERENCE)) found.add(`${match[0].slice(2).startsWith('data.') ? 'data.' : ''}${match[1]}.${match[2]}`);
  for (const dependency of (block.depends_on ?? []) as string[]) {
    const match = DEPENDS.exec(dependency);
    if (match) found.add(`${dependency.startsWith('data.') ? 'data.' : ''}${match[1]}.${match[2]}`);
  }
  return found;
}

/**
 * Fixed names that are safe, by type, and why: the resource's name is the only setting of it that forces a
 * replacement (a new name is a new resource, never a clash), or it is addressed by the same hash its name carries.
 */
export const FIXED_NAMES_ALLOWED: Readonly<Record<string, string>> = {
  // The provider replaces a bucket only for a new name (bucket, bucket_prefix) or object lock, which the platform never
  // turns on; and the CI role's policy scopes the access-log bucket by its exact name.
  aws_s3_bucket: 'only a new name replaces it',
  // packages/constructs/src/edge: one policy per set of CORS origins, its name and its address both carry the origins' hash; new origins
  // are a new resource, and the provider updates every other setting (including the name) in place.
  aws_cloudfront_response_headers_policy: 'every setting is updated in place; new origins are a new resource',
};

/**
 * Every resource that Terraform replaces create-before-destroy (declared, or taken on from a dependent) whose unique
 * name is fixed, except the types of `allowed`.
 */
export function replacementProblems(stackJson: Json, allowed: Readonly<Record<string, string>> = FIXED_NAMES_ALLOWED): ReplacementProblem[] {
  const blocks = new Map<string, Json>();
  for (const [type, byName] of Object.entries<Json>(stackJson.resource ?? {})) for (const [name, block] of Object.entries<Json>(byName)) blocks.set(`${type}.${name}`, block);
  for (const [type, byName] of Object.entries<Json>(stackJson.data ?? {})) for (const [name, block] of Object.entries<Json>(byName)) blocks.set(`data.${type}.${name}`, block);

  // Walk from every declared create_before_destroy resource to everything it depends on.
  // address -> the resource that declares create_before_destroy (itself, or one that depends on it).
  const declaredBy = new Map<string, string>();
  const queue: string[] = [];
  for (const [address, block] of blocks) {
    if (block.lifecycle?.create_before_destroy === true) {
      declaredBy.set(address, address);
      queue.push(address);
    }
  }
  while (queue.length > 0) {
    const address = queue.shift()!;
    for (const dependency of references(blocks.get(address) ?? {})) {
      if (!blocks.has(dependency) || declaredBy.has(dependency)) continue;
      declaredBy.set(dependency, declaredBy.get(address)!);
      queue.push(dependency);
    }
  }

  const problems: ReplacementProblem[] = [];
  for (const [address, declarer] of declaredBy) {
    const reason = declarer === address ? 'it declares create_before_destroy' : `${declarer} declares it and depends on this one`;
    if (address.startsWith('data.')) continue;
    const type = address.slice(0, address.indexOf('.'));
    const unique = UNIQUE_NAMES[type];
    const name = unique ? blocks.get(address)?.[unique.attribute] : undefined;
    if (!unique || typeof name !== 'string' || allowed[type] !== undefined) continue;
    problems.push({
      address,
      message:
        `${address} has the fixed ${unique.attribute} "${name}", unique ${unique.scope}, and is replaced create-before-destroy (${reason}): ` +
        `its replacement would be refused while the old one stands; use ${unique.attribute === 'name' ? 'name_prefix' : `a generated ${unique.attribute}`} instead`,
    });
  }
  return problems.sort((a, b) => a.address.localeCompare(b.address));
}
