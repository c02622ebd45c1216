"""Slow state transitions made immediate.

- ACM: AWS issues a DNS-validated certificate once the validation record
  resolves (seconds to minutes). moto issues it only after
  MOTO_ACM_VALIDATION_WAIT seconds (default 60) since creation, so
  `aws_acm_certificate_validation` waits a minute. The record is created by the
  same apply, so treat it as resolved at once.
- ELBv2: AWS load balancers start `provisioning` and turn `active`. moto turns
  them active on the first Describe; the provider waits 30 s before its first
  Describe and polls again after at least 10 s when the first answer is not
  `active`. A new load balancer is answered `active` at once.
"""


def apply() -> None:
    from moto import settings
    from moto.elbv2 import models as elbv2

    settings.ACM_VALIDATION_WAIT = -1

    original = elbv2.FakeLoadBalancer.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.state = "active"

    elbv2.FakeLoadBalancer.__init__ = init
