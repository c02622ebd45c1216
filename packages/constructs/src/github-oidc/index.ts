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
 * What `terraform plan` refreshes, read-only: the platform's resources, as `npm run iam-audit` recorded the AWS provider
 * reading them (scripts/lib/iam-audit/). Object data (s3:GetObject), log events, secret values outside the
 * environment's own secrets, and the read actions of other features of these services (CloudFront functions, WAF API
 * keys, Cognito users) are not readable.
 */
export const PLATFORM_READ_ACTIONS: readonly string[] = [
  'acm:DescribeCertificate',
  'acm:ListTagsForCertificate',
  'apigateway:GET',
  'cloudfront:GetDistribution',
  'cloudfront:GetResponseHeadersPolicy',
  'cloudfront:GetVpcOrigin',
  'cloudfront:ListTagsForResource',
  'cognito-idp:DescribeResourceServer',
  'cognito-idp:DescribeUserPool',
  'cognito-idp:DescribeUserPoolClient',
  'cognito-idp:DescribeUserPoolDomain',
  'cognito-idp:GetUserPoolMfaConfig',
  // Describe actions return metadata only, and the provider's reads of VPC networking vary with what exists.
  'ec2:Describe*',
  'ec2:GetManagedPrefixListEntries',
  'elasticloadbalancing:Describe*',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  // The platform stack checks that the account's API Gateway CloudWatch role exists (data "aws_iam_roles").
  'iam:ListRoles',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListResourceTags',
  'lambda:GetPolicy',
  'logs:DescribeLogGroups',
  'logs:GetDelivery',
  'logs:GetDeliveryDestination',
  'logs:GetDeliverySource',
  'logs:ListTagsForResource',
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
  'wafv2:GetLoggingConfiguration',
  'wafv2:GetWebACL',
  'wafv2:ListTagsForResource',
];

/**
 * What the platform creates, changes and deletes (the apply role), by the kinds of resource it has: for each, the
 * create, update, delete and tag actions Terraform uses on it (the IAM audit's evidence, with the update and tag
 * counterparts a later change needs). Nothing of these services' other features: no Cognito users (Admin*), no log
 * events, no CloudFront functions or invalidations, no EC2 instances, network interfaces or peering.
 */
export const PLATFORM_WRITE_ACTIONS: readonly string[] = [
  'acm:RequestCertificate',
  'acm:DeleteCertificate',
  'acm:AddTagsToCertificate',
  'acm:RemoveTagsFromCertificate',
  'cloudfront:CreateDistribution',
  'cloudfront:UpdateDistribution',
  'cloudfront:DeleteDistribution',
  'cloudfront:CreateResponseHeadersPolicy',
  'cloudfront:UpdateResponseHeadersPolicy',
  'cloudfront:DeleteResponseHeadersPolicy',
  'cloudfront:CreateVpcOrigin',
  'cloudfront:UpdateVpcOrigin',
  'cloudfront:DeleteVpcOrigin',
  'cloudfront:TagResource',
  'cloudfront:UntagResource',
  // Standard logging (v2): a delivery source for the distribution.
  'cloudfront:AllowVendedLogDeliveryForResource',
  'cognito-idp:CreateUserPool',
  'cognito-idp:UpdateUserPool',
  'cognito-idp:DeleteUserPool',
  'cognito-idp:SetUserPoolMfaConfig',
  'cognito-idp:CreateUserPoolClient',
  'cognito-idp:UpdateUserPoolClient',
  'cognito-idp:DeleteUserPoolClient',
  'cognito-idp:CreateUserPoolDomain',
  'cognito-idp:UpdateUserPoolDomain',
  'cognito-idp:DeleteUserPoolDomain',
  'cognito-idp:CreateResourceServer',
  'cognito-idp:UpdateResourceServer',
  'cognito-idp:DeleteResourceServer',
  'cognito-idp:TagResource',
  'cognito-idp:UntagResource',
  'ec2:CreateVpc',
  'ec2:DeleteVpc',
  'ec2:ModifyVpcAttribute',
  'ec2:CreateSubnet',
  'ec2:DeleteSubnet',
  'ec2:ModifySubnetAttribute',
  'ec2:CreateRouteTable',
  'ec2:DeleteRouteTable',
  'ec2:AssociateRouteTable',
  'ec2:DisassociateRouteTable',
  'ec2:ReplaceRouteTableAssociation',
  'ec2:CreateRoute',
  'ec2:ReplaceRoute',
  'ec2:DeleteRoute',
  'ec2:CreateInternetGateway',
  'ec2:DeleteInternetGateway',
  'ec2:AttachInternetGateway',
  'ec2:DetachInternetGateway',
  'ec2:CreateSecurityGroup',
  'ec2:DeleteSecurityGroup',
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupEgress',
  'ec2:ModifySecurityGroupRules',
  'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
  'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
  'ec2:CreateVpcEndpoint',
  'ec2:ModifyVpcEndpoint',
  'ec2:DeleteVpcEndpoints',
  'ec2:CreateFlowLogs',
  'ec2:DeleteFlowLogs',
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'elasticloadbalancing:CreateLoadBalancer',
  'elasticloadbalancing:DeleteLoadBalancer',
  'elasticloadbalancing:ModifyLoadBalancerAttributes',
  'elasticloadbalancing:ModifyCapacityReservation',
  'elasticloadbalancing:SetSecurityGroups',
  'elasticloadbalancing:SetSubnets',
  'elasticloadbalancing:CreateListener',
  'elasticloadbalancing:ModifyListener',
  'elasticloadbalancing:ModifyListenerAttributes',
  'elasticloadbalancing:DeleteListener',
  'elasticloadbalancing:CreateRule',
  'elasticloadbalancing:ModifyRule',
  'elasticloadbalancing:SetRulePriorities',
  'elasticloadbalancing:DeleteRule',
  'elasticloadbalancing:CreateTargetGroup',
  'elasticloadbalancing:ModifyTargetGroup',
  'elasticloadbalancing:ModifyTargetGroupAttributes',
  'elasticloadbalancing:DeleteTargetGroup',
  'elasticloadbalancing:RegisterTargets',
  'elasticloadbalancing:DeregisterTargets',
  'elasticloadbalancing:AddTags',
  'elasticloadbalancing:RemoveTags',
  'logs:CreateLogGroup',
  'logs:DeleteLogGroup',
  'logs:PutRetentionPolicy',
  'logs:DeleteRetentionPolicy',
  'logs:AssociateKmsKey',
  'logs:DisassociateKmsKey',
  'logs:TagResource',
  'logs:UntagResource',
  'logs:PutDeliverySource',
  'logs:DeleteDeliverySource',
  'logs:PutDeliveryDestination',
  'logs:DeleteDeliveryDestination',
  'logs:PutDeliveryDestinationPolicy',
  'logs:DeleteDeliveryDestinationPolicy',
  'logs:CreateDelivery',
  'logs:UpdateDeliveryConfiguration',
  'logs:DeleteDelivery',
  // Log groups as destinations of vended logs and WAF logging: CloudWatch Logs and WAF set the group's resource policy.
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'route53:ChangeResourceRecordSets',
  'route53:GetChange',
  'route53:ChangeTagsForResource',
  // An interface endpoint's private DNS: a private zone associated with the VPC.
  'route53:AssociateVPCWithHostedZone',
  'wafv2:CreateWebACL',
  'wafv2:UpdateWebACL',
  'wafv2:DeleteWebACL',
  'wafv2:PutLoggingConfiguration',
  'wafv2:DeleteLoggingConfiguration',
  'wafv2:TagResource',
  'wafv2:UntagResource',
];

/** API Gateway's management API, by resource path: the platform's REST APIs, private custom domains and their tags. */
const API_GATEWAY_PATHS: readonly string[] = ['/restapis', '/restapis/*', '/domainnames', '/domainnames/*', '/domainnameaccessassociations', '/domainnameaccessassociations/*', '/tags/*'];

/** What the apply role does to the ALB's access log bucket (create, configure, read back, empty and delete it). */
export const ACCESS_LOG_BUCKET_ACTIONS: readonly string[] = [
  's3:CreateBucket',
  's3:DeleteBucket',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:GetBucket*',
  's3:PutBucketOwnershipControls',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketTagging',
  's3:GetEncryptionConfiguration',
  's3:PutEncryptionConfiguration',
  's3:GetLifecycleConfiguration',
  's3:PutLifecycleConfiguration',
  's3:GetAccelerateConfiguration',
  's3:GetReplicationConfiguration',
  // force_destroy outside prod: the logs the ALB wrote are deleted with the bucket.
  's3:DeleteObject',
  's3:DeleteObjectVersion',
];

/** Services whose service-linked role the apply role may have created (each AWS page in scripts/lib/iam-audit/authorization.ts). */
export const SERVICE_LINKED_ROLE_SERVICES: readonly string[] = ['elasticloadbalancing.amazonaws.com', 'vpcorigin.cloudfront.amazonaws.com', 'email.cognito-idp.amazonaws.com'];

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
    // S3 encrypts the state and lock objects with a data key (kms:GenerateDataKey) and decrypts them on read.
    { Sid: 'StateKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: kmsKeyArn },
  ];
}

export interface RolePolicyInput {
  readonly accountId: string;
  readonly environment: string;
  readonly namePrefix: string;
  readonly stateBucket: string;
  readonly stateKmsKeyArn: string;
}

/** The environment's secrets: packages/constructs/src/edge names them `<namePrefix>/...` (the origin-verify header's). */
function ownSecrets(input: Pick<RolePolicyInput, 'namePrefix' | 'accountId'>): string {
  return `arn:aws:secretsmanager:*:${input.accountId}:secret:${input.namePrefix}/*`;
}

/** The ALB's access log bucket (packages/constructs/src/edge: `<namePrefix>-alb-logs-<account>`). */
export function accessLogBucketArn(input: Pick<RolePolicyInput, 'namePrefix' | 'accountId'>): string {
  return `arn:aws:s3:::${input.namePrefix}-alb-logs-${input.accountId}`;
}

/** Read-only, plus the state lock file: the plan role. */
export function planRolePolicy(input: RolePolicyInput): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RefreshPlatformResources', Effect: 'Allow', Action: [...PLATFORM_READ_ACTIONS], Resource: '*' },
      // The provider reads a bucket with HeadBucket, which S3 authorizes as s3:ListBucket (object names, not data).
      { Sid: 'RefreshAccessLogBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: accessLogBucketArn(input) },
      {
        Sid: 'ReadOwnSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: ownSecrets(input),
      },
      // The origin-verify secret's value is generated by data "aws_secretsmanager_random_password", read at every plan.
      { Sid: 'GenerateSecretValues', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
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
      // Not the account's settings (/account: the bootstrap's), API keys, usage plans or VPC links.
      {
        Sid: 'ManagePlatformApis',
        Effect: 'Allow',
        Action: ['apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'],
        Resource: API_GATEWAY_PATHS.map((path) => `arn:aws:apigateway:*::${path}`),
      },
      {
        Sid: 'ManageOwnSecrets',
        Effect: 'Allow',
        Action: [
          'secretsmanager:CreateSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:UpdateSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:TagResource',
          'secretsmanager:UntagResource',
        ],
        Resource: ownSecrets(input),
      },
      { Sid: 'GenerateSecretValues', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
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
          // Deleting a role: the provider first looks for instance profiles to detach.
          'iam:ListInstanceProfilesForRole',
        ],
        Resource: roles,
      },
      {
        Sid: 'ManageAccessLogBucket',
        Effect: 'Allow',
        Action: [...ACCESS_LOG_BUCKET_ACTIONS],
        Resource: [accessLogBucketArn(input), `${accessLogBucketArn(input)}/*`],
      },
      // Lambda integrations: API Gateway's permission to invoke the environment's functions, and nothing else on them.
      {
        Sid: 'LetApiGatewayInvokeFunctions',
        Effect: 'Allow',
        Action: 'lambda:AddPermission',
        Resource: `arn:aws:lambda:*:${input.accountId}:function:*`,
        Condition: { StringEquals: { 'lambda:Principal': 'apigateway.amazonaws.com' } },
      },
      { Sid: 'ManageFunctionPermissions', Effect: 'Allow', Action: ['lambda:RemovePermission', 'lambda:GetPolicy', 'lambda:GetFunction'], Resource: `arn:aws:lambda:*:${input.accountId}:function:*` },
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
        // Created by the service on first use, with the caller's permission: the ALB's, the CloudFront VPC origin's, and
        // Cognito's email through SES (identity.email). WAF and CloudWatch Logs need theirs only for Firehose destinations.
        Condition: { StringEquals: { 'iam:AWSServiceName': [...SERVICE_LINKED_ROLE_SERVICES] } },
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
