/**
 * GitHub Actions' way into an environment's account, without stored keys: the GitHub OIDC
 * identity provider, a read-only PLAN role and an APPLY role, each trusted only for the
 * workflow runs that need it (.github/workflows: plan.yml, drift.yml, deploy-environment.yml).
 *
 * - plan role: trusted for the repository's pull requests and its main branch. Reads what
 *   `terraform plan` refreshes, reads the environment's state, and writes nothing but the
 *   state's lock file (`use_lockfile`). Pull-request code runs with it, so it must stay read-only.
 * - apply role: trusted only for jobs of the GitHub environment of the same name (the one with
 *   required reviewers in prod). Manages the platform's services, IAM roles only under the
 *   environment's name prefix, and the environment's state objects.
 *
 * The policies are built by pure functions (`githubTrustPolicy`, `planRolePolicy`,
 * `applyRolePolicy`) so they can be evaluated in tests.
 */
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { LOG_KEY_TAG } from '../log-encryption/tag';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface GithubOidcProps {
  /** `owner/name` of the repository whose workflows assume the roles. */
  readonly repository: string;
  /** The environment (`dev`, `prod`): the apply role trusts the GitHub environment of this name. */
  readonly environment: string;
  /** Prefix of the roles' names and of every IAM role the apply role may manage, e.g. `platform-prod`. */
  readonly namePrefix: string;
  readonly accountId: string;
  /** The state bucket's name and the KMS key ARN that encrypts it (the bootstrap stack's). */
  readonly stateBucket: string;
  readonly stateKmsKeyArn: string;
  /**
   * The account's GitHub OIDC provider, when it exists already (there is one per account and URL).
   * @default - the provider is created here
   */
  readonly existingProviderArn?: string;
  /**
   * The branch whose pushes plan and apply (and that scheduled drift checks run on).
   * @default 'main'
   */
  readonly mainBranch?: string;
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: { readonly Federated: string };
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** Who may assume a role: GitHub's tokens for this audience and one of these subjects (exact, no wildcards). */
export function githubTrustPolicy(providerArn: string, subjects: readonly string[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GithubActions',
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: [...subjects] },
        },
      },
    ],
  };
}

/** OIDC subjects: `repo:<owner>/<name>:pull_request`, `...:ref:refs/heads/<branch>`, `...:environment:<env>`. */
export function planSubjects(repository: string, mainBranch = 'main'): string[] {
  return [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/${mainBranch}`];
}

/**
 * How long the apply job may run, and so its role session: a first deploy, or a change that replaces the VPC origin,
 * chains CloudFront's waits (a VPC origin to Deployed: AWS says up to 15 minutes, the provider's tests take about 21; a
 * distribution with a VPC origin to Deployed, each time it changes: 15-35 minutes), ACM's DNS validation, and API
 * Gateway's private custom domain (about 15 minutes). A replacement waits for a new VPC origin, the distribution moved
 * to it, and the old one deleted: about 2.5 hours at the slow end. 4 hours leaves margin; GitHub-hosted jobs stop at 6.
 * The web identity session may last up to the role's maximum (1 to 12 hours); `role-duration-seconds` in
 * deploy-environment.yml asks for all of it, and the job's `timeout-minutes` stays below it.
 */
export const APPLY_SESSION_SECONDS = 4 * 60 * 60;

/** The tag the platform's log KMS keys carry (value: the environment's name prefix); the apply role manages only those. */
export { LOG_KEY_TAG } from '../log-encryption/tag';
export const PLAN_SESSION_SECONDS = 60 * 60;

export function applySubjects(repository: string, environment: string): string[] {
  return [`repo:${repository}:environment:${environment}`];
}

/**
 * What `terraform plan` refreshes, read-only: the platform's services. Object data (s3:GetObject),
 * log events and secret values outside the environment's own secrets are not readable.
 */
export const PLATFORM_READ_ACTIONS: readonly string[] = [
  'acm:DescribeCertificate',
  'acm:ListCertificates',
  'acm:ListTagsForCertificate',
  'apigateway:GET',
  'cloudfront:Get*',
  'cloudfront:List*',
  'cognito-idp:Describe*',
  'cognito-idp:GetUserPoolMfaConfig',
  'cognito-idp:ListResourceServers',
  'cognito-idp:ListTagsForResource',
  'cognito-idp:ListUserPoolClients',
  'cognito-idp:ListUserPools',
  'ec2:Describe*',
  'ec2:GetManagedPrefixListEntries',
  'elasticloadbalancing:Describe*',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:ListRoleTags',
  // The platform stack checks that the account's API Gateway CloudWatch role exists (data "aws_iam_roles").
  'iam:ListRoles',
  'iam:GetOpenIDConnectProvider',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListResourceTags',
  'lambda:GetFunction',
  'lambda:GetPolicy',
  'logs:DescribeDeliveries',
  'logs:DescribeDeliveryDestinations',
  'logs:DescribeDeliverySources',
  'logs:DescribeLogGroups',
  'logs:GetDelivery',
  'logs:GetDeliveryDestination',
  'logs:GetDeliveryDestinationPolicy',
  'logs:GetDeliverySource',
  'logs:ListTagsForResource',
  'logs:ListTagsLogGroup',
  'route53:GetChange',
  'route53:GetHostedZone',
  'route53:ListHostedZones',
  'route53:ListResourceRecordSets',
  'route53:ListTagsForResource',
  's3:GetAccelerateConfiguration',
  's3:GetBucket*',
  's3:GetEncryptionConfiguration',
  's3:GetLifecycleConfiguration',
  's3:GetReplicationConfiguration',
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetResourcePolicy',
  'sts:GetCallerIdentity',
  'wafv2:Get*',
  'wafv2:List*',
];

/** What the platform creates and changes (the apply role), service by service. */
export const PLATFORM_WRITE_ACTIONS: readonly string[] = [
  'acm:*',
  'apigateway:*',
  'cloudfront:*',
  'cognito-idp:*',
  'elasticloadbalancing:*',
  'logs:*',
  'route53:*',
  'wafv2:*',
  // EC2: the VPC networking the platform owns, not instances.
  'ec2:*Vpc*',
  'ec2:*Subnet*',
  'ec2:*SecurityGroup*',
  'ec2:*RouteTable*',
  'ec2:*Route',
  'ec2:*InternetGateway*',
  'ec2:*NetworkInterface*',
  'ec2:*FlowLogs*',
  'ec2:*Tags',
  'ec2:Describe*',
  'ec2:GetManagedPrefixListEntries',
];

function statePolicy(bucket: string, kmsKeyArn: string, environment: string, objects: 'lock-only' | 'all'): PolicyStatement[] {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  return [
    { Sid: 'ListStatePrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': [`${environment}/*`] } } },
    { Sid: 'ReadState', Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/${environment}/*` },
    {
      Sid: objects === 'all' ? 'WriteStateAndLock' : 'WriteLockOnly',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: objects === 'all' ? `${bucketArn}/${environment}/*` : `${bucketArn}/${environment}/*.tflock`,
    },
    { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: kmsKeyArn },
  ];
}

export interface RolePolicyInput {
  readonly accountId: string;
  readonly environment: string;
  readonly namePrefix: string;
  readonly stateBucket: string;
  readonly stateKmsKeyArn: string;
}

/** Read-only, plus the state lock file: the plan role. */
export function planRolePolicy(input: RolePolicyInput): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RefreshPlatformResources', Effect: 'Allow', Action: [...PLATFORM_READ_ACTIONS], Resource: '*' },
      {
        Sid: 'ReadOwnSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:aws:secretsmanager:*:${input.accountId}:secret:${input.namePrefix}-*`,
      },
      ...statePolicy(input.stateBucket, input.stateKmsKeyArn, input.environment, 'lock-only'),
    ],
  };
}

/** The platform's services, IAM roles under the name prefix only, and the environment's state: the apply role. */
export function applyRolePolicy(input: RolePolicyInput): PolicyDocument {
  const roles = `arn:aws:iam::${input.accountId}:role/${input.namePrefix}-*`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ManagePlatformServices', Effect: 'Allow', Action: [...PLATFORM_WRITE_ACTIONS, ...PLATFORM_READ_ACTIONS], Resource: '*' },
      {
        Sid: 'ManageOwnSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:*',
        Resource: `arn:aws:secretsmanager:*:${input.accountId}:secret:${input.namePrefix}-*`,
      },
      { Sid: 'CreateSecrets', Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:GetRandomPassword'], Resource: '*' },
      {
        Sid: 'ManageOwnRoles',
        Effect: 'Allow',
        Action: [
          'iam:CreateRole',
          'iam:DeleteRole',
          'iam:UpdateRole',
          'iam:UpdateAssumeRolePolicy',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:PutRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:AttachRolePolicy',
          'iam:DetachRolePolicy',
        ],
        Resource: roles,
      },
      {
        Sid: 'PassOwnRolesToTheirServices',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: roles,
        // VPC flow logs write through the network module's role.
        Condition: { StringEquals: { 'iam:PassedToService': ['apigateway.amazonaws.com', 'vpc-flow-logs.amazonaws.com'] } },
      },
      {
        Sid: 'ServiceLinkedRoles',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        // Cognito's email through SES (identity.email) uses its service-linked role.
        Condition: {
          StringEquals: { 'iam:AWSServiceName': ['elasticloadbalancing.amazonaws.com', 'wafv2.amazonaws.com', 'delivery.logs.amazonaws.com', 'email.cognito-idp.amazonaws.com'] },
        },
      },
      // The log groups' KMS keys (logKmsEncryption): created tagged with this environment's prefix, and only keys with
      // that tag managed afterwards, so the state key and anyone else's keys stay out of reach.
      {
        Sid: 'CreateLogKeysTagged',
        Effect: 'Allow',
        Action: ['kms:CreateKey', 'kms:TagResource'],
        Resource: '*',
        Condition: { StringEquals: { [`aws:RequestTag/${LOG_KEY_TAG}`]: input.namePrefix } },
      },
      {
        Sid: 'ManageOwnLogKeys',
        Effect: 'Allow',
        Action: [
          'kms:PutKeyPolicy',
          'kms:EnableKeyRotation',
          'kms:DisableKeyRotation',
          'kms:UpdateKeyDescription',
          'kms:ScheduleKeyDeletion',
          'kms:CancelKeyDeletion',
          'kms:TagResource',
          'kms:UntagResource',
          'kms:CreateAlias',
          'kms:DeleteAlias',
          'kms:UpdateAlias',
        ],
        Resource: `arn:aws:kms:*:${input.accountId}:key/*`,
        Condition: { StringEquals: { [`aws:ResourceTag/${LOG_KEY_TAG}`]: input.namePrefix } },
      },
      { Sid: 'OwnLogKeyAliases', Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'], Resource: `arn:aws:kms:*:${input.accountId}:alias/${input.namePrefix}-*` },
      ...statePolicy(input.stateBucket, input.stateKmsKeyArn, input.environment, 'all'),
      // The CI trust itself stays out of reach: an apply could otherwise widen its own access.
      {
        Sid: 'DenyChangingCiTrust',
        Effect: 'Deny',
        Action: [
          'iam:CreateOpenIDConnectProvider',
          'iam:DeleteOpenIDConnectProvider',
          'iam:UpdateOpenIDConnectProviderThumbprint',
          'iam:AddClientIDToOpenIDConnectProvider',
          'iam:RemoveClientIDFromOpenIDConnectProvider',
          'iam:TagOpenIDConnectProvider',
          'iam:UntagOpenIDConnectProvider',
          'iam:CreateRole',
          'iam:DeleteRole',
          'iam:UpdateRole',
          'iam:UpdateAssumeRolePolicy',
          'iam:PutRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:AttachRolePolicy',
          'iam:DetachRolePolicy',
        ],
        Resource: [`arn:aws:iam::${input.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`, `arn:aws:iam::${input.accountId}:role/${input.namePrefix}-github-*`],
      },
    ],
  };
}

export class GithubOidc extends Construct {
  /** The account's GitHub OIDC provider (created here, or the existing one). */
  readonly providerArn: string;
  readonly planRole: IamRole;
  readonly applyRole: IamRole;

  constructor(scope: Construct, id: string, props: GithubOidcProps) {
    super(scope, id);
    if (!/^[\w.-]+\/[\w.-]+$/.test(props.repository)) {
      throw new Error(`GithubOidc: repository "${props.repository}" is not owner/name (such as my-org/private-api-platform)`);
    }
    if (!/^[a-z][a-z0-9-]{1,19}$/.test(props.environment)) {
      throw new Error(`GithubOidc: environment "${props.environment}" is not an environment name (lower-case letters, digits, hyphens)`);
    }
    this.providerArn =
      props.existingProviderArn ??
      new IamOpenidConnectProvider(this, 'provider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ['sts.amazonaws.com'],
      }).arn;
    const input: RolePolicyInput = props;
    // Plans and drift checks read, they do not wait for CloudFront: an hour is plenty.
    this.planRole = new IamRole(this, 'plan-role', {
      name: `${props.namePrefix}-github-plan`,
      description: `GitHub Actions: terraform plan and drift checks of ${props.environment} (read-only, state lock only)`,
      assumeRolePolicy: JSON.stringify(githubTrustPolicy(this.providerArn, planSubjects(props.repository, props.mainBranch))),
      maxSessionDuration: PLAN_SESSION_SECONDS,
    });
    new IamRolePolicy(this, 'plan-role-policy', { role: this.planRole.name, name: 'plan', policy: JSON.stringify(planRolePolicy(input)) });
    this.applyRole = new IamRole(this, 'apply-role', {
      name: `${props.namePrefix}-github-apply`,
      description: `GitHub Actions: terraform apply of ${props.environment}, only from the GitHub environment "${props.environment}"`,
      assumeRolePolicy: JSON.stringify(githubTrustPolicy(this.providerArn, applySubjects(props.repository, props.environment))),
      // An apply can sit in CloudFront's waits for hours (see APPLY_SESSION_SECONDS): its credentials must outlast the job.
      maxSessionDuration: APPLY_SESSION_SECONDS,
    });
    new IamRolePolicy(this, 'apply-role-policy', { role: this.applyRole.name, name: 'apply', policy: JSON.stringify(applyRolePolicy(input)) });
  }
}
