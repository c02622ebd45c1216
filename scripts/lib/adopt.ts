/**
 * Objects that exist in AWS but not in the state: a create the API carried out whose answer Terraform never
 * recorded. Two ways this happens, both on real AWS as on the emulator:
 *
 * - An interrupt. Terraform's first SIGINT makes it call the providers' StopProvider, and the plugin servers
 *   (terraform-plugin-go's tf5server, SDKv2's StopContext) cancel the context of every call in flight. A
 *   `PutDeliveryDestination` the API has carried out but whose answer is not read yet ends as "context canceled":
 *   the provider reports the create as failed, and the state has no record of the object.
 * - A retry. The AWS SDKs retry a request whose connection broke after it was sent (smithy-go's RequestSendError is a
 *   retryable connection error); when the first attempt was carried out, the retry finds the name taken.
 *
 * Either way, the next apply tries to create the object again and the API refuses: "already exists", or for the
 * Put* upserts with tags, "Tags can only be provided when a resource is being created". `terraform import` is the
 * documented way to bring such an object under Terraform (https://developer.hashicorp.com/terraform/cli/import).
 * npm start does it by itself on the local emulator, for the types whose import ID is a name in the configuration;
 * elsewhere a person decides (see `adoptionAdvice`).
 */
import { UNIQUE_NAMES } from '../../stacks/replacement-check';
import { terraformLines } from './terraform-output';

/** Resource types whose `terraform import` ID is an argument of their configuration: their unique name. */
export const IMPORT_ID_ATTRIBUTE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(UNIQUE_NAMES)
    .filter(([, unique]) => unique.importId)
    .map(([type, unique]) => [type, unique.attribute]),
);

/** The API's answers when a create finds its name taken (CloudWatch Logs, IAM, S3, and the generic wording). */
const ALREADY_EXISTS = [
  /ResourceAlreadyExistsException/,
  /EntityAlreadyExists/,
  /BucketAlreadyOwnedByYou/,
  /Tags can only be provided when a resource is being created/,
  /\balready exists\b/i,
];

export interface CutOffCreate {
  /** `aws_cloudwatch_log_group.api_access-log_1A2B3C4D` */
  readonly address: string;
  readonly type: string;
  /** The import ID when the type has a name-based one and the configuration holds it literally. */
  readonly importId?: string;
  /** Terraform's error summary: `creating CloudWatch Logs Log Group (/aws/x): ...ResourceAlreadyExistsException...` */
  readonly error: string;
}

/**
 * The creates in a failed apply's output (Terraform's, or cdktf deploy's copy of it) that failed because the object
 * already exists. `config` is the synthesized stack (cdk.tf.json), read for the import IDs.
 */
export function cutOffCreates(output: string, config: { resource?: Record<string, Record<string, Record<string, unknown>>> }): CutOffCreate[] {
  const text = terraformLines(output).join('\n');
  const found = new Map<string, CutOffCreate>();
  for (const block of text.split(/^\s*Error: /m).slice(1)) {
    const summary = block.split('\n')[0]!.trim();
    const flat = block.replace(/\s+/g, ' '); // cdktf wraps long lines
    if (!/^creating\b/i.test(summary) || !ALREADY_EXISTS.some((pattern) => pattern.test(flat))) continue;
    // cdktf adds the construct path: "with aws_x.name (edge/cloudfront/x),"
    const match = /\bwith ([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)(?: \([^)]*\))?,/.exec(flat) ?? /in resource\.([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)(?: \([^)]*\))?:/.exec(flat);
    if (!match) continue;
    const [, type, name] = match as unknown as [string, string, string];
    const attribute = IMPORT_ID_ATTRIBUTE[type];
    const value = attribute ? config.resource?.[type]?.[name]?.[attribute] : undefined;
    const importId = typeof value === 'string' && !value.includes('${') ? value : undefined;
    found.set(`${type}.${name}`, { address: `${type}.${name}`, type, ...(importId ? { importId } : {}), error: summary.length > 300 ? `${summary.slice(0, 300)}...` : summary });
  }
  return [...found.values()];
}

/** What a person does about cut-off creates npm start cannot adopt by itself (or about any, on a real environment). */
export function adoptionAdvice(creates: readonly CutOffCreate[], stackDir: string): string {
  return (
    `These exist in AWS but not in the state (a create whose answer Terraform never recorded: an interrupt, or a retried request):\n` +
    creates.map((c) => `  - ${c.address}: ${c.error}`).join('\n') +
    `\nBring each under Terraform, then apply again: cd ${stackDir} && terraform import <address> <id> (the provider's docs for the type, "Import", name the id)` +
    `; or delete the object in AWS and apply again.`
  );
}

/** One deploy: what it applied, or its failure with Terraform's output (read for cut-off creates). */
export type DeployAttempt<Counts> = { readonly counts: Counts } | { readonly output: string; readonly error: Error };

export interface DeployAdoptingOptions<Counts> {
  readonly deploy: () => Promise<DeployAttempt<Counts>>;
  /** The synthesized stack (cdk.tf.json), for the import IDs. */
  readonly config: () => Parameters<typeof cutOffCreates>[1];
  /** The stack's directory, named in the advice. */
  readonly stackDir: string;
  /** `terraform import <address> <id>` in the stack's directory. */
  readonly importObject: (address: string, id: string) => Promise<void>;
  /** A Ctrl-C ended the deploy: its failures are the interrupt's, nothing is adopted. */
  readonly interrupted: () => boolean;
  /** Told what is adopted, and why. */
  readonly note: (text: string) => void;
  /** Added to the note: the requests the SDK retried, as the emulator logged them (empty when none). */
  readonly retriedRequests?: () => string;
}

/**
 * A deploy that adopts the objects a cut-off create left behind (npm start on the local emulator): when it fails
 * with creates refused as "already exists", those whose import ID the configuration holds are imported and the
 * deploy runs once more. A failure that remains, the first's or the second's, names the objects still not in the
 * state with what a person does about them (adoptionAdvice).
 */
export async function deployAdopting<Counts>(options: DeployAdoptingOptions<Counts>): Promise<Counts> {
  const failure = (result: { output: string; error: Error }) => {
    const creates = options.interrupted() ? [] : cutOffCreates(result.output, options.config());
    return { creates, error: creates.length > 0 ? new Error(`${result.error.message}\n\n${adoptionAdvice(creates, options.stackDir)}`) : result.error };
  };
  const first = await options.deploy();
  if (!('output' in first)) return first.counts;
  const { creates, error } = failure(first);
  const adoptable = creates.filter((c): c is CutOffCreate & { importId: string } => c.importId !== undefined);
  if (adoptable.length === 0) throw error;
  options.note(
    `${adoptable.length} object(s) exist in the emulator but not in the state (a create whose answer Terraform never recorded: an interrupt, or a retried request); importing them, then deploying again:\n` +
      adoptable.map((c) => `  - ${c.address} (${c.importId})`).join('\n') +
      (options.retriedRequests?.() ?? ''),
  );
  for (const create of adoptable) await options.importObject(create.address, create.importId);
  const second = await options.deploy();
  if ('output' in second) throw failure(second).error;
  return second.counts;
}
