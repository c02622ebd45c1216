/**
 * API Gateway's CloudWatch Logs role is a setting of the account, per region
 * ("the ARN of an Amazon CloudWatch role for the current Account", UpdateAccount,
 * https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAccount.html), not
 * of an API: every stage with access logs or INFO logging in that account and
 * region writes through it, and fails to be created while there is none.
 *
 * So it is managed once per account and region (`ApiGatewayAccountLogging`, in
 * the account's bootstrap stack), and an environment stack only checks that it
 * is there and makes its stages wait for that check
 * (`RequiredApiGatewayAccountLogging`). Destroying one environment then cannot
 * change the logging of every other API in the account, which the provider's
 * `reset_on_delete` (deprecated) would do.
 */
import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { DataAwsIamRoles } from '@cdktf/provider-aws/lib/data-aws-iam-roles';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/**
 * The permissions of the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs, inline: the same
 * rights, without depending on a managed policy being present (the local emulator has none of them).
 */
export const PUSH_TO_CLOUDWATCH_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PushToCloudWatchLogs',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:DescribeLogGroups',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
        'logs:GetLogEvents',
        'logs:FilterLogEvents',
      ],
      Resource: '*',
    },
  ],
} as const;

/** What a stage waits for before it is created: the account's CloudWatch role setting, or the check that it exists. */
export interface AccountLoggingDependency {
  readonly dependable: ITerraformDependable;
}

export interface ApiGatewayAccountLoggingProps {
  /** The IAM role's name; one role per account and region (IAM names are global: put the region in it). */
  readonly roleName: string;
  /**
   * The provider of the region whose setting this is.
   * @default - the stack's default provider
   */
  readonly provider?: AwsProvider;
  /**
   * `lifecycle.prevent_destroy` on the role: deleting it breaks the logging of every API in the account and region.
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/** Sets the account's (per region) API Gateway CloudWatch role. Once per account and region: the bootstrap stack. */
export class ApiGatewayAccountLogging extends Construct implements AccountLoggingDependency {
  readonly role: IamRole;
  /** The account setting. */
  readonly account: ApiGatewayAccount;

  get dependable(): ITerraformDependable {
    return this.account;
  }

  constructor(scope: Construct, id: string, props: ApiGatewayAccountLoggingProps) {
    super(scope, id);
    const { provider } = props;
    this.role = new IamRole(this, 'role', {
      provider,
      name: props.roleName,
      description: 'Lets API Gateway write access and execution logs of this account and region to CloudWatch Logs',
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const permissions = new IamRolePolicy(this, 'push-to-cloudwatch', {
      provider,
      name: 'push-to-cloudwatch-logs',
      role: this.role.name,
      policy: JSON.stringify(PUSH_TO_CLOUDWATCH_POLICY),
    });
    this.account = new ApiGatewayAccount(this, 'account', {
      provider,
      cloudwatchRoleArn: this.role.arn,
      // No reset_on_delete (deprecated): destroying this stack leaves the setting for the account's other APIs.
      // API Gateway checks the role's permissions when it is set.
      dependsOn: [permissions],
    });
  }
}

export interface RequiredApiGatewayAccountLoggingProps {
  /** The role `ApiGatewayAccountLogging` created for this account and region. */
  readonly roleName: string;
  /** What to run when it is missing, for the error message (e.g. `npm run bootstrap -- dev`). */
  readonly howToCreate: string;
}

/**
 * An environment stack's side: fails the plan, with what to do, when the account's API Gateway CloudWatch role
 * does not exist (the bootstrap has not run in this account and region); the stages wait for this check.
 */
export class RequiredApiGatewayAccountLogging extends Construct implements AccountLoggingDependency {
  readonly roles: DataAwsIamRoles;

  get dependable(): ITerraformDependable {
    return this.roles;
  }

  constructor(scope: Construct, id: string, props: RequiredApiGatewayAccountLoggingProps) {
    super(scope, id);
    this.roles = new DataAwsIamRoles(this, 'cloudwatch-role', {
      nameRegex: `^${props.roleName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
      lifecycle: {
        postcondition: [
          {
            condition: '${length(self.names) == 1}',
            errorMessage:
              `API Gateway's CloudWatch role ${props.roleName} does not exist in this account: it is set once per account and region ` +
              `by the bootstrap stack. Run ${props.howToCreate} first.`,
          },
        ],
      },
    });
  }
}
