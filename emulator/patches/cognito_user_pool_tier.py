"""Cognito: a user pool keeps its feature plan (UserPoolTier).

AWS gives every new user pool the ESSENTIALS tier unless told otherwise, and
DescribeUserPool always returns `UserPoolTier`. moto 5.2.1 returns only what
the last CreateUserPool/UpdateUserPool request carried: UpdateUserPool resets
the pool to moto's defaults plus the request, so after the AWS provider's
follow-up UpdateUserPool (which does not repeat the tier) the tier is gone,
and every later plan wants to set `user_pool_tier = "ESSENTIALS"` again.
"""


def apply() -> None:
    from moto.cognitoidp import models

    models.DEFAULT_USER_POOL_CONFIG["UserPoolTier"] = "ESSENTIALS"
