/**
 * Plan review against the local emulator: real `terraform plan` / `show -json` / `apply` runs of a
 * small stack of the platform's modules (helpers/review-stack.ts) with its state in the emulator's
 * S3, summarized by the same code as `npm run plan` and `npm run drift`.
 *
 * One emulator and one apply serve every case, and the cases share Terraform runs (each costs
 * seconds of provider start-up on a small machine): 1. the first deploy is planned and applied;
 * 2. one plan of a changed configuration carries the update, the replacement, the protected
 * destroy, the policy and security-group changes and 400 new log groups (the long plan);
 * 3. a plan that only moves and imports resources; 4. a security group changed behind Terraform's back is reported as
 * drift.
 */
import type { ApiGatewayRestApiPolicy } from '@cdktf/provider-aws/lib/api-gateway-rest-api-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataResource, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { PrivateApi } from '@private-api-platform/constructs/private-api';
import type { Environment } from '../../environments/schema';
import { startEmulator, type Emulator } from '../../scripts/lib/emulator';
import { applySavedPlan, driftEnvironment, planEnvironment, type DriftRunResult, type PlanRunResult } from '../../scripts/lib/plan-run';
import { decideOutcome } from '../../review/classify';
import { SUMMARY_LIMIT, summarizePlan } from '../../review/plan-summary';
import { parseTeamRules } from '../../review/team-rules';
import { Progress } from '../../scripts/lib/progress';
import { terraformEnv } from '../../scripts/lib/terraform';
import { environment } from '../helpers/synth';
import { reviewStack, type ReviewStackParts } from '../helpers/review-stack';

jest.setTimeout(240_000);

/** The endpoint's group by its Name tag (its name is generated from a prefix). */
const SG_NAME = 'platform-local-execute-api-endpoint';
let emulator: Emulator;
let outDir: string;
let tfEnv: NodeJS.ProcessEnv;
const quiet = () => new Progress('plan-test', { write: () => true } as unknown as NodeJS.WritableStream);

/** The local environment, cut to what the review stack needs: one AZ, one API with one route, one client. */
function localEnv(change?: (raw: any) => void): Environment {
  return environment('local', (raw) => {
    raw.emulator.endpoint = emulator.endpoint;
    raw.network.azCount = 1;
    raw.apis = [{ ...raw.apis[0], routes: [raw.apis[0].routes[0]], corsAllowOrigins: undefined }];
    raw.identity.clients = [raw.identity.clients[0]];
    change?.(raw);
  });
}

// ---------------------------------------------------------------- direct calls to the emulator

const AUTH = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20250101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

async function awsCall(service: string, init: RequestInit & { path?: string }): Promise<string> {
  const response = await fetch(`${emulator.endpoint}${init.path ?? '/'}`, { ...init, headers: { authorization: AUTH(service), ...(init.headers as Record<string, string>) } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${service} ${init.method} ${init.path ?? '/'}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

/** The state bucket and KMS alias the S3 backend needs (the bootstrap stack and its tests own the hardened version). */
async function createStateBucket(env: Environment): Promise<void> {
  await awsCall('s3', {
    method: 'PUT',
    path: `/${env.state.bucket}`,
    body: `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${env.state.region}</LocationConstraint></CreateBucketConfiguration>`,
  });
  const kms = (target: string, body: object) =>
    awsCall('kms', { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}` }, body: JSON.stringify(body) });
  const key = JSON.parse(await kms('CreateKey', { Description: 'state (plan review test)' }));
  await kms('CreateAlias', { AliasName: env.state.kmsKeyAlias, TargetKeyId: key.KeyMetadata.KeyId });
}

async function ec2(params: Record<string, string>): Promise<string> {
  return awsCall('ec2', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
}

// ---------------------------------------------------------------- moves, imports, outputs

/** A log group the first deploy creates and later plans move to a new construct id. */
const MOVED_LOG_GROUP = '/platform/local/review-moved';
/** A log group made outside Terraform (beforeAll) that later plans import. */
const IMPORTED_LOG_GROUP = '/platform/local/review-imported';

/** What the first deploy adds to the review stack: the log group to be moved, and an output to be changed. */
function deployedExtras({ stack }: ReviewStackParts): void {
  new CloudwatchLogGroup(stack, 'review-log', { name: MOVED_LOG_GROUP, retentionInDays: 7 });
  new TerraformOutput(stack, 'review_note', { value: 'first' });
}

/** The same resources, the log group under a renamed construct id (moveFromId writes a `moved` block), and the log group made outside Terraform imported (`import` block). */
function movedAndImported({ stack }: ReviewStackParts): void {
  new CloudwatchLogGroup(stack, 'review-log-renamed', { name: MOVED_LOG_GROUP, retentionInDays: 7 }).moveFromId('aws_cloudwatch_log_group.review-log');
  new CloudwatchLogGroup(stack, 'review-imported', { name: IMPORTED_LOG_GROUP }).importFrom(IMPORTED_LOG_GROUP);
}

// ---------------------------------------------------------------- the shared runs

let firstDeploy: PlanRunResult;
let changed: PlanRunResult;
let drift: DriftRunResult;
let movesOnly: PlanRunResult;

beforeAll(async () => {
  emulator = await startEmulator();
  outDir = mkdtempSync(join(tmpdir(), 'plan-review-'));
  tfEnv = terraformEnv();
  await createStateBucket(localEnv());
  await awsCall('logs', { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.CreateLogGroup' }, body: JSON.stringify({ logGroupName: IMPORTED_LOG_GROUP }) });
});

afterAll(async () => {
  await emulator?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('a first deploy', () => {
  beforeAll(async () => {
    firstDeploy = await planEnvironment({ environment: localEnv(), outDir, synth: reviewStack({ change: deployedExtras }), terraformEnv: tfEnv, progress: quiet() });
  });

  test('GIVEN an empty state WHEN planned THEN every resource is an add, the exit code is 2 and the three files are written', () => {
    const { totals } = firstDeploy.summary;
    expect(firstDeploy.exitCode).toBe(2);
    expect(totals.add).toBeGreaterThan(20);
    expect(totals).toMatchObject({ change: 0, replace: 0, destroy: 0, noOp: 0 });
    expect(firstDeploy.summary.entries.every((e) => e.kind === 'create')).toBe(true);
    for (const file of [firstDeploy.planFile, firstDeploy.jsonFile, firstDeploy.summaryFile]) expect(existsSync(file)).toBe(true);
    const markdown = readFileSync(firstDeploy.summaryFile, 'utf8');
    expect(markdown).toContain(`**${totals.add}** to add, **0** to change, **0** to replace, **0** to destroy`);
    expect(markdown).toContain(`Plan fingerprint: \`${firstDeploy.fingerprint}\``);
    // Grouped by the modules' construct paths.
    for (const module of ['identity', 'network', 'api-orders']) expect(markdown).toContain(`<details><summary><code>${module}</code>: `);
    expect(markdown).toContain('`network/vpc`');
    // New controls are reviewed too.
    expect(markdown).toMatch(/API resource policy \| ➕ create \| `aws_api_gateway_rest_api_policy\.api-orders_policy_/);
  });

  test('GIVEN the saved plan WHEN applied THEN terraform apply succeeds', async () => {
    await applySavedPlan(firstDeploy.stackDir, firstDeploy.planFile, tfEnv);
    // Checked by the changed-configuration plan below: everything it does not change is a no-op.
  });
});

/** A team rules file (review/team-rules.jsonc's format) that denies internet-wide ingress, with `exceptions`. */
const PUBLIC_INGRESS_RULES = (exceptions: object[] = []) =>
  `// the team's rules (a comment, as the repository's file has)\n${JSON.stringify({
    rules: [
      {
        id: 'no-public-ingress',
        verdict: 'deny',
        message: 'a security group opened to the whole internet',
        match: { types: ['aws_security_group'], attributes: ['ingress.cidr_blocks'], valueIncludes: '/0' },
      },
    ],
    exceptions,
  })}`;

describe('a changed configuration', () => {
  /** A long plan: since an API is one document, many routes no longer make many resources; these do (no control, no API call). */
  const BULK_RESOURCES = 400;

  beforeAll(async () => {
    expect(existsSync(firstDeploy.planFile)).toBe(true);
    const env = localEnv((raw) => {
      raw.apis[0].throttling = { rateLimit: 75, burstLimit: 100 };
      // A route added to the API's document.
      raw.apis[0].routes.push({ path: '/search', method: 'GET', scopes: ['orders.write'], integration: { type: 'MOCK' } });
      // Prod-like protections: destroying protected resources is refused.
      raw.protections = { deletionProtection: false, preventDestroy: true };
    });
    const synth = reviewStack({
      // A new stage name replaces the stage and its execution log group (a protected type).
      stageName: 'v2',
      change: (parts) => {
        const { stack, env: e, network, apis } = parts;
        const [orders] = apis as [PrivateApi];
        // A construct id renamed (a move), a log group imported; an output changed, one added, one sensitive added.
        movedAndImported(parts);
        new TerraformOutput(stack, 'review_note', { value: 'second' });
        new TerraformOutput(stack, 'review_added', { value: 'new' });
        new TerraformOutput(stack, 'review_token', { value: 'not-for-pull-requests', sensitive: true });
        // The resource policy loses its Deny-unless-through-the-endpoint statement.
        (orders.node.findChild('policy') as ApiGatewayRestApiPolicy).addOverride(
          'policy',
          JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'AllowInvoke', Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: `${orders.restApi.executionArn}/*` }] }),
        );
        // The endpoint's security group gains HTTPS from anywhere.
        network.executeApiEndpointSecurityGroup.addOverride('ingress', [
          { description: 'review test', from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], self: false },
        ]);
        // Many new resources with long names: the long plan (their module table sorts last).
        const bulk = new Construct(stack, 'zz-bulk');
        for (let i = 0; i < BULK_RESOURCES; i++) {
          new DataResource(bulk, `quarterly-revenue-report-by-region-and-product-line-${i}`, { input: { name: `/platform/${e.name}/quarterly-revenue-report-by-region-and-product-line-${i}` } });
        }
      },
    });
    // The team's rules file: internet-wide ingress on a security group is denied.
    const teamRulesFile = join(outDir, 'team-rules.jsonc');
    writeFileSync(teamRulesFile, PUBLIC_INGRESS_RULES());
    changed = await planEnvironment({ environment: env, outDir, synth, terraformEnv: tfEnv, progress: quiet(), teamRulesFile });
  });

  const entry = (pattern: RegExp) => {
    const found = changed.summary.entries.filter((e) => pattern.test(e.address));
    if (found.length === 0) throw new Error(`no change matches ${pattern}; changes outside the new API: ${changed.summary.entries.filter((e) => !e.address.includes('zz-bulk')).map((e) => e.address).join(', ')}`);
    return found;
  };

  test('GIVEN a throttling change WHEN planned THEN the update lists the attribute path with old and new value', () => {
    const [settings] = entry(/^aws_api_gateway_method_settings\.api-orders_/);
    expect(settings!.kind).toBe('replace'); // its stage_name changes too
    expect(settings!.changes).toContainEqual(expect.objectContaining({ path: 'settings[0].throttling_rate_limit', before: '50', after: '75' }));
    expect(changed.summary.markdown).toContain('`settings[0].throttling_rate_limit`: `50` → `75`');
  });

  test('GIVEN the policy and security group changes WHEN planned THEN they are in-place updates listing the changed paths', () => {
    const [policy] = entry(/^aws_api_gateway_rest_api_policy\.api-orders_policy_/);
    const [group] = entry(/^aws_security_group\.network_execute-api-endpoint-security-group_/);
    expect(policy!.kind).toBe('update');
    expect(policy!.changes.map((c) => c.path)).toContain('policy.Statement[1]');
    expect(group!.kind).toBe('update');
    expect(group!.changes.map((c) => c.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^ingress\[0\]/)]));
    // Everything the configuration does not touch is left alone.
    expect(changed.summary.totals.noOp).toBeGreaterThan(10);
    expect(changed.summary.entries.filter((e) => /^aws_(vpc|subnet|vpc_endpoint)\./.test(e.address))).toEqual([]);
  });

  test('GIVEN a route added to an API WHEN planned THEN the summary shows the route and its scopes, under Security-relevant, never only "body"', () => {
    const [api] = entry(/^aws_api_gateway_rest_api\.api-orders_/);
    expect(api!.kind).toBe('update');
    expect(api!.changes).toContainEqual(expect.objectContaining({ route: 'added', path: 'GET /search', after: expect.stringContaining('orders.write') }));
    expect(api!.changes.map((c) => c.path)).not.toContain('body');
    expect(changed.summary.markdown).toMatch(/➕ `GET \/search`: `cognito-user-pool \[https:\/\/api\.platform\.test\/orders\.write\]; MOCK/);
    expect(api!.security).toContain('API routes: a new route: who may call it');
  });

  test('GIVEN a new stage name WHEN planned THEN the stage is replaced and the forcing attribute is named', () => {
    const [stage] = entry(/^aws_api_gateway_stage\.api-orders_/);
    expect(stage!.kind).toBe('replace');
    expect(stage!.replaceReasons).toContain('stage_name');
    expect(changed.summary.markdown).toMatch(/♻️ replace \| `aws_api_gateway_stage\.api-orders_[^`]+` \| `api-orders\/stage` \|  \| `stage_name` \|/);
  });

  test('fails when prod-like protections meet the replacement of a log group, and passes with allowDestroy', () => {
    expect(changed.exitCode).toBe(1);
    expect(changed.summary.verdict.ok).toBe(false);
    const logGroups = changed.summary.verdict.protectedDestroys.filter((e) => e.type === 'aws_cloudwatch_log_group');
    expect(logGroups.length).toBeGreaterThan(0);
    expect(changed.summary.verdict.message).toContain('--allow-destroy');
    const markdown = readFileSync(changed.summaryFile, 'utf8');
    expect(markdown).toContain('⛔ **refused: the plan for local destroys or replaces');
    expect(markdown).toMatch(/♻️ replace \| `aws_cloudwatch_log_group\.api-orders_execution-logs_[^`]+` \| `api-orders\/execution-logs` \| 🛡️ \*\*protected\*\*: log group/);
    // The same plan with --allow-destroy; and in an environment that does not prevent destroys.
    expect(decideOutcome(changed.summary.entries, { environment: 'local', protections: { preventDestroy: true }, allowDestroy: true }).ok).toBe(true);
    expect(decideOutcome(changed.summary.entries, { environment: 'local', protections: { preventDestroy: false } }).ok).toBe(true);
    expect(decideOutcome(changed.summary.entries, { environment: 'prod', protections: { preventDestroy: true } }).ok).toBe(false);
  });

  test('GIVEN the resource policy and the security group change WHEN summarized THEN both are flagged security-relevant', () => {
    const security = changed.summary.markdown.slice(changed.summary.markdown.indexOf('## 🔐 Security-relevant'), changed.summary.markdown.indexOf('## 💥 Destructive'));
    expect(security).toMatch(/API resource policy \| 🔧 update \| `aws_api_gateway_rest_api_policy\.api-orders_policy_[^`]+` \| `policy\.Statement\[1\]`/);
    expect(security).toMatch(/security group rules \| 🔧 update \| `aws_security_group\.network_execute-api-endpoint-security-group_[^`]+` \| `ingress\[0\]/);
    expect(security).toMatch(/API throttling \| ♻️ replace/);
    // Unrelated updates are not flagged.
    expect(security).not.toMatch(/aws_api_gateway_deployment/);
  });

  test(`GIVEN ${BULK_RESOURCES} new resources WHEN summarized THEN the summary is cut under 65,000 characters, security and destructive sections whole, with a note`, () => {
    const { markdown, totals, cut } = changed.summary;
    expect(totals.add).toBeGreaterThanOrEqual(BULK_RESOURCES);
    expect(markdown.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(readFileSync(changed.summaryFile, 'utf8').length).toBeLessThanOrEqual(SUMMARY_LIMIT + 200);
    expect(cut).toBeGreaterThan(0);
    expect(markdown).toMatch(new RegExp(`✂️ \\*\\*Cut to fit 65,000 characters:\\*\\* .*${cut} more resources \\(module tables\\) not shown`));
    // The modules before the bulk are whole; the bulk's table is the one cut, and its folded block is closed.
    expect(markdown).toContain('<details><summary><code>network</code>: ');
    expect(markdown).toContain('## 💥 Destructive');
    expect(markdown.split('<details>').length).toBe(markdown.split('</details>').length);
  });

  test('GIVEN a team rule that denies internet-wide ingress WHEN planned THEN the plan is refused for it too, the finding names the rule and the group', () => {
    const findings = changed.summary.findings.filter((f) => f.rule === 'no-public-ingress');
    expect(findings.map((f) => f.address)).toEqual([expect.stringMatching(/^aws_security_group\.network_execute-api-endpoint-security-group_/)]);
    expect(changed.exitCode).toBe(1);
    expect(changed.summary.verdict.message).toContain("Also refused by the team's plan rules (review/team-rules.jsonc): no-public-ingress on aws_security_group.network_execute-api-endpoint-security-group_");
    expect(readFileSync(changed.summaryFile, 'utf8')).toMatch(/\| ⛔ deny \| `no-public-ingress` \| `aws_security_group\.network_execute-api-endpoint-security-group_[^`]+` \| a security group opened to the whole internet \|/);
  });

  test('GIVEN the same finding with an exception, valid and then expired WHEN the same plan is summarized THEN it passes until the exception\'s last day and is refused after', () => {
    const group = changed.summary.findings.find((f) => f.rule === 'no-public-ingress')!.address;
    const rules = parseTeamRules(PUBLIC_INGRESS_RULES([{ rule: 'no-public-ingress', resource: group, reason: 'the load test of ticket OPS-12', expires: '2026-12-31' }]), 'team-rules.jsonc');
    // The protected destroys are allowed here, so the verdict is the team rule's alone.
    const summarize = (today: string) => summarizePlan(changed.plan, { environment: 'local', protections: { preventDestroy: false }, teamRules: rules, today });
    const valid = summarize('2026-12-31');
    expect(valid.verdict.ok).toBe(true);
    expect(valid.markdown).toContain('✅ deny, excepted | `no-public-ingress`');
    const expired = summarize('2027-01-01');
    expect(expired.verdict.ok).toBe(false);
    expect(expired.verdict.message).toContain(`no-public-ingress on ${group} (its exception expired 2026-12-31)`);
    expect(expired.markdown).toContain('expired 2026-12-31: no longer applies (the load test of ticket OPS-12)');
  });

  test('GIVEN outputs changed, added and a sensitive one added WHEN summarized THEN each is listed with its values, the sensitive one masked', () => {
    expect(changed.summary.outputs).toEqual([
      { name: 'review_added', kind: 'create', after: 'new', sensitive: false, unknown: false },
      { name: 'review_note', kind: 'update', before: 'first', after: 'second', sensitive: false, unknown: false },
      { name: 'review_token', kind: 'create', after: '(sensitive)', sensitive: true, unknown: false },
    ]);
    const markdown = readFileSync(changed.summaryFile, 'utf8');
    expect(markdown).toContain('<details><summary>Outputs: 2 added, 1 changed</summary>');
    expect(markdown).toContain('| 🔧 change | `review_note` | `first` | `second` |');
    expect(markdown).toContain('| ➕ add | `review_token` |  | `(sensitive)` |');
    expect(markdown).not.toContain('not-for-pull-requests');
    expect(markdown).toMatch(/; \*\*3\*\* outputs to change/);
  });
});

describe('a plan that only moves and imports resources', () => {
  beforeAll(async () => {
    // The deployed configuration (deployedExtras), but for the renamed construct id and the import.
    movesOnly = await planEnvironment({
      environment: localEnv(),
      outDir,
      synth: reviewStack({
        change: (parts) => {
          movedAndImported(parts);
          new TerraformOutput(parts.stack, 'review_note', { value: 'first' });
        },
      }),
      terraformEnv: tfEnv,
      progress: quiet(),
    });
  });

  test('GIVEN a construct id renamed and an import block WHEN planned THEN Terraform exits 2, and the summary lists the move (from -> to) and the import, never "No changes"', () => {
    expect(movesOnly.exitCode).toBe(2);
    expect(movesOnly.summary.hasChanges).toBe(true);
    expect(movesOnly.summary.totals).toMatchObject({ add: 0, replace: 0, destroy: 0, move: 1, import: 1 });
    const moved = movesOnly.summary.entries.find((e) => e.movedFrom);
    expect(moved).toMatchObject({ address: 'aws_cloudwatch_log_group.review-log-renamed', movedFrom: 'aws_cloudwatch_log_group.review-log', kind: 'no-op' });
    const imported = movesOnly.summary.entries.find((e) => e.importId !== undefined);
    expect(imported).toMatchObject({ address: 'aws_cloudwatch_log_group.review-imported', importId: IMPORTED_LOG_GROUP });
    // The import may come with an in-place update: what the configuration sets that the imported object does not hold
    // (the provider's default tags, here: tags_all). Nothing else changes.
    expect(['no-op', 'update']).toContain(imported!.kind);
    expect(movesOnly.summary.totals.change).toBe(imported!.kind === 'update' ? 1 : 0);
    expect(movesOnly.summary.entries).toHaveLength(2);
    const markdown = readFileSync(movesOnly.summaryFile, 'utf8');
    expect(markdown).not.toContain('No changes');
    expect(markdown).toMatch(/\*\*0\*\* to add, \*\*[01]\*\* to change, \*\*0\*\* to replace, \*\*0\*\* to destroy, \*\*1\*\* to move, \*\*1\*\* to import,/);
    expect(markdown).toContain('| 🚚 move | `aws_cloudwatch_log_group.review-log-renamed` | `review-log-renamed` | **moved from** `aws_cloudwatch_log_group.review-log` |');
    expect(markdown).toMatch(/\| (🔧 update, )?📥 import \| `aws_cloudwatch_log_group\.review-imported` \| `review-imported` \| \*\*imported\*\* by id `\/platform\/local\/review-imported`/);
  });
});

describe('drift', () => {
  beforeAll(async () => {
    // Behind Terraform's back: SSH from anywhere on the endpoint's security group.
    const described = await ec2({ Action: 'DescribeSecurityGroups', 'Filter.1.Name': 'tag:Name', 'Filter.1.Value.1': SG_NAME });
    const groupId = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(described)?.[1];
    if (!groupId) throw new Error(`no security group ${SG_NAME} in the emulator: ${described.slice(0, 300)}`);
    await ec2({
      Action: 'AuthorizeSecurityGroupIngress',
      GroupId: groupId,
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.ToPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
    });
    drift = await driftEnvironment({ environment: localEnv(), outDir, synth: reviewStack({ change: deployedExtras }), terraformEnv: tfEnv, progress: quiet() });
  });

  test('GIVEN a security group rule added outside Terraform WHEN the drift check runs THEN it exits 2 and reports the group and the changed path', () => {
    expect(drift.exitCode).toBe(2);
    const groups = drift.summary.drift.filter((d) => d.type === 'aws_security_group');
    expect(groups.map((g) => g.address)).toEqual([expect.stringMatching(/^aws_security_group\.network_execute-api-endpoint-security-group_/)]);
    expect(groups[0]!.changes.map((c) => c.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^ingress\[0\]/)]));
    const markdown = readFileSync(drift.summaryFile, 'utf8');
    expect(markdown).toContain('## Drift: `local`');
    expect(markdown).toMatch(/security group rules \| 🌫️ changed outside Terraform \| `aws_security_group\.network_execute-api-endpoint-security-group_/);
    expect(markdown).toContain('"0.0.0.0/0"');
  });
});
