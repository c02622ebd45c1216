"""IAM: the AWS managed policies exist, as in every AWS account.

moto 5.2.1 loads no AWS managed policy unless told to
(MOTO_IAM_LOAD_MANAGED_POLICIES), so attaching one, e.g.
`arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`
for the API Gateway account's CloudWatch role, fails with NoSuchEntity.
Loading moto's copy of them costs about 0.2 s per account, on its first IAM call.
"""
import os


def apply() -> None:
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
