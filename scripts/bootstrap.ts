/** `npm run bootstrap -- <environment> [--endpoint URL]`: the state bucket and key of the environment's account. */
import { parseArgs, runMain, UsageError } from './lib/args';
import { Progress, table } from './lib/progress';

const HELP = `
usage: npm run bootstrap -- <environment> [--endpoint URL]

Creates the Terraform state of the environment's account, once per account and
before the first deploy there: a KMS key (rotation on) with the environment's
alias, and the state bucket (versioned, SSE-KMS with that key, public access
blocked, ACLs off, TLS-only and KMS-only policy, old versions expire). Also
sets API Gateway's CloudWatch role for the account in the environment's region
(an account-wide setting every API's logs go through; the platform stacks only
check that it exists).

When the environment file has "ci" (its GitHub repository), also creates the
roles the workflows assume (packages/constructs/src/github-oidc: GitHub's OIDC provider unless
ci.existingOidcProviderArn names it, a read-only plan role, an apply role for
the GitHub environment of the same name) and prints their ARNs for the
repository settings.

Synthesizes only the bootstrap-<environment> stack, then terraform init, plan
and, when the plan has changes, apply. Running it again changes nothing.

Its own state is a local file: bootstrap-state/<environment>/terraform.tfstate.
Keep it (back it up): it is the only record of the bucket and the key. See
docs/state.md for the bootstrap order and for moving a local state into the
bucket.

Options
  --endpoint URL   the local emulator (environment "local" only), such as
                   http://127.0.0.1:4566; default: PLATFORM_EMULATOR_ENDPOINT,
                   else emulator.endpoint of environments/local.json

Real accounts need AWS credentials for the environment's account.id
(AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
Exit 0 when the state bucket is in place, 1 when a step failed, 64 on a usage error.
`;

async function main(): Promise<number> {
  const { environments, flags } = parseArgs(process.argv.slice(2), ['--endpoint=']);
  const { bootstrap } = require('./lib/bootstrap') as typeof import('./lib/bootstrap');
  const flag = flags.get('--endpoint');
  const endpoint = typeof flag === 'string' ? flag : process.env.PLATFORM_EMULATOR_ENDPOINT;
  if (typeof flag === 'string' && environments.some((e) => e !== 'local')) {
    throw new UsageError(`--endpoint is only for the emulator environment "local"; got environments ${environments.join(', ')}`);
  }
  for (const name of environments) {
    const progress = new Progress(`bootstrap ${name}`);
    const result = await bootstrap({ environment: name, emulatorEndpoint: name === 'local' ? endpoint : undefined, progress });
    const o = result.outputs;
    process.stdout.write(
      [
        `${result.changed ? 'Created or updated' : 'Already in place, nothing changed'}: the state of account ${o.accountId} (${result.planSummary}) in ${progress.elapsed()}.`,
        '',
        table(
          ['output', 'value'],
          [
            ['bucket', o.bucket],
            ['bucket_arn', o.bucketArn],
            ['region', o.region],
            ['kms_key_arn', o.kmsKeyArn],
            ['kms_key_alias', o.kmsKeyAlias],
            ['kms_key_alias_arn', o.kmsKeyAliasArn],
          ],
        ),
        '',
        `Bootstrap state (local, keep it and back it up): ${result.stateFile}`,
        `Environment stacks of "${name}" keep their state at s3://${o.bucket}/${name}/<stack>.tfstate, encrypted with ${o.kmsKeyAliasArn}, locked with use_lockfile.`,
        ...(o.githubPlanRoleArn
          ? [
              '',
              'GitHub Actions (README, "Repository settings the workflows need"):',
              `  repository variable AWS_PLAN_ROLE_ARNS, entry "${name}": ${o.githubPlanRoleArn}`,
              `  GitHub environment "${name}", variable AWS_APPLY_ROLE_ARN: ${o.githubApplyRoleArn}`,
            ]
          : []),
        '',
      ].join('\n'),
    );
  }
  return 0;
}

if (require.main === module) runMain(main, HELP);
