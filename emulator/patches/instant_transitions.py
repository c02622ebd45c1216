"""ACM: a DNS-validated certificate is issued at once.

AWS issues a DNS-validated certificate once the validation record resolves
(seconds to minutes). moto issues it only MOTO_ACM_VALIDATION_WAIT seconds
(default 60) after the request, so every `aws_acm_certificate_validation`
waits a minute. The record is created by the same apply, so treat it as
resolved at once.

Not fixable here: a new `aws_lb` takes about 60 s whatever the emulator
answers. moto reports a load balancer `active` on its first Describe already;
the wait is the AWS provider's own: resourceLoadBalancerCreate calls
waitLoadBalancerActive twice (after CreateLoadBalancer and after
ModifyLoadBalancerAttributes), and each first sleeps a fixed 30 s (`Delay`)
before it asks.
"""


def apply() -> None:
    from moto import settings

    settings.ACM_VALIDATION_WAIT = -1  # moto issues when the seconds waited exceed this
