/**
 * Rules for Terraform state, checked on synthesized stack JSON (`cdk.tf.json`):
 *
 * - `stateBucketProblems`: the bootstrap stack's bucket and key keep every
 *   protection (versioning, SSE-KMS with a rotated key, public access block,
 *   bucket owner enforced, TLS-only and KMS-only policy, lifecycle,
 *   prevent_destroy).
 * - `stateBackendProblems`: an environment stack's S3 backend has its own
 *   key, encryption with the state key and S3-native locking.
 *
 * Each problem names the resource, what was found and what is expected. Used by
 * the unit tests and by `npm run verify`.
 */

type Json = Record<string, any>;

export interface StateBucketExpectations {
  /** The bucket name the environment configures (`state.bucket`). @default - any name */
  readonly bucket?: string;
  /** The key alias the environment configures (`state.kmsKeyAlias`). @default - any alias */
  readonly kmsKeyAlias?: string;
  /**
   * The emulator environment: its bucket and key may be destroyed (no prevent_destroy, force_destroy allowed).
   * @default false
   */
  readonly throwaway?: boolean;
}

export const MIN_KMS_DELETION_WINDOW_DAYS = 30;

/** Problems with the state bucket and key of a synthesized bootstrap stack; empty when all protections hold. */
export function stateBucketProblems(json: Json, expect: StateBucketExpectations = {}): string[] {
  const problems: string[] = [];
  const resources = (type: string): [string, Json][] => Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>);

  if (!json.terraform?.backend?.local) {
    problems.push(`terraform.backend: got ${Object.keys(json.terraform?.backend ?? {}).join(', ') || 'none'}; expected "local" (the bootstrap stack creates the bucket the S3 backend needs)`);
  }

  const buckets = resources('aws_s3_bucket').filter(([, b]) => expect.bucket === undefined || b.bucket === expect.bucket);
  if (buckets.length !== 1) {
    problems.push(`aws_s3_bucket: found ${buckets.length} state buckets${expect.bucket ? ` named "${expect.bucket}"` : ''}; expected exactly 1`);
    return problems;
  }
  const [bucketName, bucket] = buckets[0]!;
  const bucketAddr = `aws_s3_bucket.${bucketName}`;
  const bucketArn = `\${${bucketAddr}.arn}`;
  /** The one resource of `type` that configures this bucket. */
  const forBucket = (type: string, what: string): [string, Json] | undefined => {
    const found = resources(type).filter(([, r]) => typeof r.bucket === 'string' && (r.bucket.includes(`${bucketAddr}.`) || r.bucket === bucket.bucket));
    if (found.length !== 1) {
      problems.push(`${type}: found ${found.length} for ${bucketAddr}; expected exactly 1 (${what})`);
      return undefined;
    }
    return found[0];
  };

  if (!expect.throwaway) {
    if (bucket.lifecycle?.prevent_destroy !== true) problems.push(`${bucketAddr}: lifecycle.prevent_destroy is ${show(bucket.lifecycle?.prevent_destroy)}; expected true`);
    if (bucket.force_destroy === true) problems.push(`${bucketAddr}: force_destroy is true; expected false (destroying would delete every state version)`);
  }

  // Versioning
  const versioning = forBucket('aws_s3_bucket_versioning', 'versioning Enabled');
  const versioningStatus = versioning?.[1].versioning_configuration?.status;
  if (versioning && versioningStatus !== 'Enabled') {
    problems.push(`aws_s3_bucket_versioning.${versioning[0]}: status is ${show(versioningStatus)}; expected "Enabled" (every state write keeps the previous version)`);
  }

  // Encryption with the state key
  let keyName: string | undefined;
  const sse = forBucket('aws_s3_bucket_server_side_encryption_configuration', 'SSE-KMS default encryption');
  if (sse) {
    const rules: Json[] = asArray(sse[1].rule);
    const addr = `aws_s3_bucket_server_side_encryption_configuration.${sse[0]}`;
    const rule = rules[0];
    const byDefault = asArray(rule?.apply_server_side_encryption_by_default)[0] as Json | undefined;
    if (rules.length !== 1 || byDefault?.sse_algorithm !== 'aws:kms') {
      problems.push(`${addr}: sse_algorithm is ${show(byDefault?.sse_algorithm)}; expected one rule with "aws:kms"`);
    }
    const keyRef = /^\$\{aws_kms_key\.([\w-]+)\.arn\}$/.exec(String(byDefault?.kms_master_key_id ?? ''));
    if (!keyRef) problems.push(`${addr}: kms_master_key_id is ${show(byDefault?.kms_master_key_id)}; expected the ARN of the state key (\${aws_kms_key.<name>.arn})`);
    else keyName = keyRef[1];
    if (rule?.bucket_key_enabled !== true) problems.push(`${addr}: bucket_key_enabled is ${show(rule?.bucket_key_enabled)}; expected true (S3 Bucket Key: fewer KMS calls)`);
  }

  // The key
  const keyAddr = keyName ? `aws_kms_key.${keyName}` : undefined;
  const key = keyName ? json.resource?.aws_kms_key?.[keyName] : undefined;
  if (keyName && !key) problems.push(`aws_kms_key.${keyName}: referenced by the bucket encryption but not defined`);
  if (key && keyAddr) {
    if (key.enable_key_rotation !== true) problems.push(`${keyAddr}: enable_key_rotation is ${show(key.enable_key_rotation)}; expected true`);
    if (!(Number(key.deletion_window_in_days) >= MIN_KMS_DELETION_WINDOW_DAYS)) {
      problems.push(`${keyAddr}: deletion_window_in_days is ${show(key.deletion_window_in_days)}; expected ${MIN_KMS_DELETION_WINDOW_DAYS} (time to cancel a deletion)`);
    }
    if (!expect.throwaway && key.lifecycle?.prevent_destroy !== true) problems.push(`${keyAddr}: lifecycle.prevent_destroy is ${show(key.lifecycle?.prevent_destroy)}; expected true`);
    const aliases = resources('aws_kms_alias').filter(([, a]) => String(a.target_key_id ?? '').includes(`${keyAddr}.`));
    if (aliases.length !== 1) problems.push(`aws_kms_alias: found ${aliases.length} for ${keyAddr}; expected exactly 1`);
    else if (expect.kmsKeyAlias !== undefined && aliases[0]![1].name !== expect.kmsKeyAlias) {
      problems.push(`aws_kms_alias.${aliases[0]![0]}: name is ${show(aliases[0]![1].name)}; expected ${show(expect.kmsKeyAlias)} (state.kmsKeyAlias)`);
    }
  }

  // Public access block
  const pab = forBucket('aws_s3_bucket_public_access_block', 'all four settings true');
  if (pab) {
    for (const setting of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
      if (pab[1][setting] !== true) problems.push(`aws_s3_bucket_public_access_block.${pab[0]}: ${setting} is ${show(pab[1][setting])}; expected true`);
    }
  }

  // Ownership: ACLs off
  const ownership = forBucket('aws_s3_bucket_ownership_controls', 'BucketOwnerEnforced');
  const objectOwnership = asArray(ownership?.[1].rule)[0]?.object_ownership;
  if (ownership && objectOwnership !== 'BucketOwnerEnforced') {
    problems.push(`aws_s3_bucket_ownership_controls.${ownership[0]}: object_ownership is ${show(objectOwnership)}; expected "BucketOwnerEnforced" (no ACLs)`);
  }

  // Policy
  const policyResource = forBucket('aws_s3_bucket_policy', 'TLS-only, SSE-KMS-only');
  if (policyResource) problems.push(...policyProblems(`aws_s3_bucket_policy.${policyResource[0]}`, policyResource[1].policy, bucketArn, keyAddr));

  // Lifecycle
  const lifecycle = forBucket('aws_s3_bucket_lifecycle_configuration', 'expire noncurrent versions, abort incomplete uploads');
  if (lifecycle) {
    const addr = `aws_s3_bucket_lifecycle_configuration.${lifecycle[0]}`;
    const rules = asArray(lifecycle[1].rule).filter((r: Json) => r.status === 'Enabled' && coversWholeBucket(r));
    const expiring = rules.find((r: Json) => Number(asArray(r.noncurrent_version_expiration)[0]?.noncurrent_days) > 0);
    if (!expiring) problems.push(`${addr}: no enabled whole-bucket rule with noncurrent_version_expiration.noncurrent_days; expected old state versions to expire`);
    else if (!(Number(asArray(expiring.noncurrent_version_expiration)[0]?.newer_noncurrent_versions) >= 1)) {
      problems.push(`${addr}: noncurrent_version_expiration.newer_noncurrent_versions is ${show(asArray(expiring.noncurrent_version_expiration)[0]?.newer_noncurrent_versions)}; expected at least 1 (keep the newest old versions whatever their age)`);
    }
    if (!rules.some((r: Json) => Number(asArray(r.abort_incomplete_multipart_upload)[0]?.days_after_initiation) > 0)) {
      problems.push(`${addr}: no enabled whole-bucket rule with abort_incomplete_multipart_upload; expected unfinished uploads to be aborted`);
    }
  }
  return problems;
}

/** Problems with the bucket policy (a JSON string that may hold Terraform references). */
function policyProblems(addr: string, policyText: unknown, bucketArn: string, keyAddr: string | undefined): string[] {
  let policy: Json;
  try {
    policy = JSON.parse(String(policyText));
  } catch {
    return [`${addr}: policy is not a JSON document (got ${show(policyText)}); expected the TLS-only, SSE-KMS-only policy`];
  }
  const statements: Json[] = asArray(policy.Statement);
  const problems: string[] = [];
  const objects = `${bucketArn}/*`;
  const denies = (action: string, resource: string) =>
    statements.filter(
      (s) => s.Effect === 'Deny' && isEveryone(s.Principal) && asArray(s.Action).some((a: string) => a === action || a === 's3:*') && asArray(s.Resource).includes(resource),
    );
  const conditionValues = (s: Json, operators: readonly string[], key: string): string[] | undefined => {
    for (const op of operators) if (s.Condition?.[op]?.[key] !== undefined) return asArray(s.Condition[op][key]).map(String);
    return undefined;
  };

  for (const resource of [bucketArn, objects]) {
    const tls = denies('s3:*', resource).filter((s) => asArray(s.Action).includes('s3:*'));
    if (!tls.some((s) => conditionValues(s, ['Bool', 'BoolIfExists'], 'aws:SecureTransport')?.join() === 'false')) {
      problems.push(`${addr}: no Deny of s3:* on ${resource} when aws:SecureTransport is false; expected TLS-only access`);
    }
  }
  const putDenies = denies('s3:PutObject', objects);
  if (!putDenies.some((s) => conditionValues(s, ['StringNotEquals', 'StringNotEqualsIfExists'], 's3:x-amz-server-side-encryption')?.join() === 'aws:kms')) {
    problems.push(`${addr}: no Deny of s3:PutObject when s3:x-amz-server-side-encryption is not "aws:kms"; expected puts with other encryption to be refused`);
  }
  if (!putDenies.some((s) => conditionValues(s, ['Null'], 's3:x-amz-server-side-encryption-customer-algorithm')?.join() === 'false')) {
    problems.push(`${addr}: no Deny of s3:PutObject with customer-provided keys (Null s3:x-amz-server-side-encryption-customer-algorithm = false)`);
  }
  const keyIds = putDenies.map((s) => conditionValues(s, ['StringNotEquals', 'StringNotEqualsIfExists'], 's3:x-amz-server-side-encryption-aws-kms-key-id')).find(Boolean);
  if (!keyIds || !keyAddr || !keyIds.includes(`\${${keyAddr}.arn}`) || keyIds.some((k) => k !== `\${${keyAddr}.arn}` && !/^arn:aws:kms:[a-z0-9-]+:\d{12}:alias\//.test(k))) {
    problems.push(`${addr}: no Deny of s3:PutObject when s3:x-amz-server-side-encryption-aws-kms-key-id is not the state key (got ${show(keyIds)}); expected only the key's ARN and its alias ARN`);
  }
  for (const s of statements) {
    if (s.Effect === 'Allow' && isEveryone(s.Principal)) problems.push(`${addr}: statement ${show(s.Sid)} allows everyone; expected no public access`);
  }
  return problems;
}

export interface StateBackendExpectations {
  readonly bucket: string;
  /** `<environment>/<stack>.tfstate` */
  readonly key: string;
  readonly region: string;
  /** @default - any KMS key id */
  readonly kmsKeyId?: string;
}

/** Problems with the S3 backend of a synthesized environment stack; empty when it is right. */
export function stateBackendProblems(json: Json, expect: StateBackendExpectations): string[] {
  const backends = Object.keys(json.terraform?.backend ?? {});
  const s3 = json.terraform?.backend?.s3 as Json | undefined;
  if (!s3) return [`terraform.backend: got ${backends.join(', ') || 'none'}; expected "s3" (state in the account's state bucket)`];
  const problems: string[] = [];
  const field = (name: string, expected: unknown, why: string) => {
    if (s3[name] !== expected) problems.push(`terraform.backend.s3.${name}: got ${show(s3[name])}; expected ${show(expected)} (${why})`);
  };
  field('bucket', expect.bucket, 'state.bucket of the environment');
  field('key', expect.key, 'one state object per environment stack');
  field('region', expect.region, 'state.region of the environment');
  field('encrypt', true, 'server-side encryption of the state object');
  field('use_lockfile', true, 'S3-native locking: two applies must not run at once');
  if (expect.kmsKeyId !== undefined) field('kms_key_id', expect.kmsKeyId, 'the state key');
  else if (typeof s3.kms_key_id !== 'string' || !s3.kms_key_id.startsWith('arn:aws:kms:')) {
    problems.push(`terraform.backend.s3.kms_key_id: got ${show(s3.kms_key_id)}; expected the state key's ARN or alias ARN`);
  }
  if (s3.dynamodb_table !== undefined) problems.push(`terraform.backend.s3.dynamodb_table: got ${show(s3.dynamodb_table)}; expected none (use_lockfile replaces DynamoDB locking)`);
  return problems;
}

function coversWholeBucket(rule: Json): boolean {
  if (rule.prefix) return false;
  const filter = asArray(rule.filter)[0] as Json | undefined;
  if (!filter) return true;
  return !filter.prefix && !filter.and && !filter.tag && filter.object_size_greater_than === undefined && filter.object_size_less_than === undefined;
}

function isEveryone(principal: unknown): boolean {
  return principal === '*' || (typeof principal === 'object' && principal !== null && asArray((principal as Json).AWS).includes('*'));
}

function asArray(value: any): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
