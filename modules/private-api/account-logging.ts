/**
 * API Gateway's CloudWatch Logs role is a setting of the account (per region),
 * not of an API: create this once per stack and hand it to every PrivateApi,
 * whose stages then wait for it (a stage with access logs or INFO logging
 * fails to create while the account has no role).
 */
import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
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

export interface ApiGatewayAccountLoggingProps {
  /** Prefix of the role name: `<namePrefix>-apigateway-cloudwatch`. */
  readonly namePrefix: string;
}

export class ApiGatewayAccountLogging extends Construct {
  readonly role: IamRole;
  /** The account setting; stages depend on it. */
  readonly account: ApiGatewayAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayAccountLoggingProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: `${props.namePrefix}-apigateway-cloudwatch`,
      description: 'Lets API Gateway write access and execution logs of this account to CloudWatch Logs',
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    const permissions = new IamRolePolicy(this, 'push-to-cloudwatch', {
      name: 'push-to-cloudwatch-logs',
      role: this.role.name,
      policy: JSON.stringify(PUSH_TO_CLOUDWATCH_POLICY),
    });
    this.account = new ApiGatewayAccount(this, 'account', {
      cloudwatchRoleArn: this.role.arn,
      // On destroy, clear the account's role instead of leaving it pointing at a deleted role.
      resetOnDelete: true,
      // API Gateway checks the role's permissions when it is set.
      dependsOn: [permissions],
    });
  }
}
