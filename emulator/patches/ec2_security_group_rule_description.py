"""EC2: a security group rule keeps its description whatever its source.

AWS returns `Description` in DescribeSecurityGroupRules for every rule: CIDR,
security group reference (UserIdGroupPairs) or prefix list (PrefixListIds).
moto 5.2.1 only reads it from a CIDR range, so an
`aws_vpc_security_group_ingress_rule` / `_egress_rule` with
`referenced_security_group_id` or `prefix_list_id` and a `description` (the
ALB and endpoint rules of this platform) reads back without it and every plan
wants to add it again.
"""


import inspect


def apply() -> None:
    from moto.ec2.models.security_groups import SecurityGroupRule

    original_init = SecurityGroupRule.__init__
    signature = inspect.signature(original_init)

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        prefix_list = signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
        self.prefix_list_description = (prefix_list or {}).get("Description")

    def description(self):
        return (
            self.ip_range.get("Description")
            or (self.source_group or {}).get("Description")
            or getattr(self, "prefix_list_description", None)
        )

    SecurityGroupRule.__init__ = init
    SecurityGroupRule.description = property(description)
