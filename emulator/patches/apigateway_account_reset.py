"""API Gateway: UpdateAccount can clear the CloudWatch role.

AWS accepts a patch operation on `/cloudwatchRoleArn` without a `value` and
clears the role. The AWS provider sends exactly that when it deletes an
`aws_api_gateway_account` (`reset_on_delete = true`). moto 5.2.1 reads
`op["value"]` unconditionally, fails with KeyError (HTTP 500), the SDK retries
and `terraform destroy` hangs on the account.
"""


def apply() -> None:
    from moto.apigateway.models import Account

    original = Account.apply_patch_operations

    def apply_patch_operations(self, patch_operations):
        remaining = []
        for op in patch_operations:
            if "/cloudwatchRoleArn" in op.get("path", "") and "value" not in op:
                self.cloudwatch_role_arn = None
            else:
                remaining.append(op)
        return original(self, remaining)

    Account.apply_patch_operations = apply_patch_operations
