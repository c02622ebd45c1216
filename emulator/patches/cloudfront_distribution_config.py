"""CloudFront distributions read back what was written.

moto 5.2.1 rebuilds a DistributionConfig from a handful of known fields, so on
read a distribution
- loses `Origins[].VpcOriginConfig` (the VPC origin the platform uses),
- gains `ForwardedValues` and TTLs even when the behaviour uses a cache policy
  (AWS returns neither then: the policy replaces them),
- gains `ViewerCertificate.SSLSupportMethod = sni-only` with the default
  certificate (AWS returns none),
and every later `terraform plan` shows changes to the distribution.

AWS stores the configuration as sent and returns it with defaults for the
optional members left out. This patch does the same: it keeps the parsed
request and fills only those defaults. It also gives the distribution the ARN
form AWS uses, `arn:aws:cloudfront::<account>:distribution/<id>` (moto drops
the empty region field).
"""
import copy

EMPTY = {"Quantity": 0}


def defaults(config: dict) -> dict:
    """What GetDistributionConfig returns for members the request left out."""
    config = copy.deepcopy(config)
    for key in ("Aliases", "OriginGroups", "CacheBehaviors", "CustomErrorResponses"):
        config.setdefault(key, dict(EMPTY))
    config.setdefault("DefaultRootObject", "")
    config.setdefault("Logging", {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""})
    config.setdefault("PriceClass", "PriceClass_All")
    config.setdefault("Restrictions", {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}})
    config.setdefault("WebACLId", "")
    config.setdefault("HttpVersion", "http2")
    config.setdefault("IsIPV6Enabled", True)

    certificate = config.setdefault("ViewerCertificate", {"CloudFrontDefaultCertificate": True})
    if certificate.get("ACMCertificateArn"):
        certificate.setdefault("Certificate", certificate["ACMCertificateArn"])
        certificate.setdefault("CertificateSource", "acm")
    elif certificate.get("IAMCertificateId"):
        certificate.setdefault("Certificate", certificate["IAMCertificateId"])
        certificate.setdefault("CertificateSource", "iam")
    else:
        certificate.setdefault("MinimumProtocolVersion", "TLSv1")
        certificate.setdefault("CertificateSource", "cloudfront")

    for origin in config.get("Origins", {}).get("Items") or []:
        origin.setdefault("OriginPath", "")
        origin.setdefault("CustomHeaders", dict(EMPTY))
        origin.setdefault("ConnectionAttempts", 3)
        origin.setdefault("ConnectionTimeout", 10)
        origin.setdefault("OriginShield", {"Enabled": False})
        origin.setdefault("OriginAccessControlId", "")
        for key in ("CustomOriginConfig", "VpcOriginConfig"):
            if key in origin:
                origin[key].setdefault("OriginKeepaliveTimeout", 5)
                origin[key].setdefault("OriginReadTimeout", 30)

    behaviours = [config.get("DefaultCacheBehavior") or {}] + list(config["CacheBehaviors"].get("Items") or [])
    for behaviour in behaviours:
        for key in ("TrustedSigners", "TrustedKeyGroups"):
            behaviour.setdefault(key, {"Enabled": False, "Quantity": 0})
        behaviour.setdefault("AllowedMethods", {"Quantity": 2, "Items": ["HEAD", "GET"], "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}})
        behaviour.setdefault("SmoothStreaming", False)
        behaviour.setdefault("Compress", False)
        behaviour.setdefault("LambdaFunctionAssociations", dict(EMPTY))
        behaviour.setdefault("FunctionAssociations", dict(EMPTY))
        behaviour.setdefault("FieldLevelEncryptionId", "")
        if not behaviour.get("CachePolicyId"):  # legacy cache settings only without a cache policy
            behaviour.setdefault("ForwardedValues", {"QueryString": False, "Cookies": {"Forward": "none"}})
            behaviour.setdefault("MinTTL", 0)
    return config


def apply() -> None:
    from moto.cloudfront import models
    from moto.cloudfront.exceptions import OriginDoesNotExist

    def init(self, config: dict) -> None:
        config = defaults(config)
        origin_ids = {origin.get("Id") for origin in config.get("Origins", {}).get("Items") or []}
        if (config.get("DefaultCacheBehavior") or {}).get("TargetOriginId") not in origin_ids:
            raise OriginDoesNotExist
        self.__dict__.update(config)
        self.caller_reference = config["CallerReference"]

    models.DistributionConfig.__init__ = init

    original_distribution_init = models.Distribution.__init__

    def distribution_init(self, account_id, region_name, config):
        original_distribution_init(self, account_id, region_name, config)
        self.arn = f"arn:{models.get_partition(region_name)}:cloudfront::{account_id}:distribution/{self.distribution_id}"

    models.Distribution.__init__ = distribution_init
