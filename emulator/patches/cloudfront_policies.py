"""CloudFront cache, origin request and response headers policies.

moto 5.2.1 has none of them: ListCachePolicies, ListOriginRequestPolicies and
the response headers policy calls answer 404, so the data sources
`aws_cloudfront_cache_policy` / `aws_cloudfront_origin_request_policy` (the
platform looks up the AWS managed CachingDisabled and
AllViewerExceptHostHeader by name) and `aws_cloudfront_response_headers_policy`
(its security headers) all fail.

What AWS does, kept here, for each of the three kinds:
- AWS managed policies exist in every account, under their published ids
  (Type `managed`); they cannot be changed or deleted (IllegalUpdate /
  IllegalDelete).
- Custom policies (Type `custom`): Create (201 + ETag), Get, Get...Config,
  Update and Delete with `If-Match` (missing: InvalidIfMatchVersion, stale:
  PreconditionFailed), List with the `Type` filter. Names are unique per kind
  (<Kind>AlreadyExists). The configuration reads back as written.
- A policy a distribution still uses cannot be deleted (<Kind>InUse).
"""
import copy

from . import cloudfront_common as common

ALL_NONE = {
    "HeadersConfig": {"HeaderBehavior": "none"},
    "CookiesConfig": {"CookieBehavior": "none"},
    "QueryStringsConfig": {"QueryStringBehavior": "none"},
}

# Published in the CloudFront Developer Guide ("Use managed cache / origin request / response headers policies").
MANAGED = {
    "CachePolicy": {
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": {
            "Name": "Managed-CachingDisabled",
            "Comment": "Policy with caching disabled",
            "DefaultTTL": 0, "MaxTTL": 0, "MinTTL": 0,
            "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": False, "EnableAcceptEncodingBrotli": False, **ALL_NONE},
        },
        "658327ea-f89d-4fab-a63d-7e88639e58f6": {
            "Name": "Managed-CachingOptimized",
            "Comment": "Policy with caching enabled. Supports Gzip and Brotli compression.",
            "DefaultTTL": 86400, "MaxTTL": 31536000, "MinTTL": 1,
            "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True, **ALL_NONE},
        },
    },
    "OriginRequestPolicy": {
        "b689b0a8-53d0-40ab-baf2-68738e2966ac": {
            "Name": "Managed-AllViewerExceptHostHeader",
            "Comment": "Policy to forward all parameters in viewer requests except for the Host header",
            "HeadersConfig": {"HeaderBehavior": "allExcept", "Headers": {"Quantity": 1, "Items": ["host"]}},
            "CookiesConfig": {"CookieBehavior": "all"},
            "QueryStringsConfig": {"QueryStringBehavior": "all"},
        },
        "216adef6-5c7f-47e4-b989-5492eafa07d3": {
            "Name": "Managed-AllViewer",
            "Comment": "Policy to forward all parameters in viewer requests",
            "HeadersConfig": {"HeaderBehavior": "allViewer"},
            "CookiesConfig": {"CookieBehavior": "all"},
            "QueryStringsConfig": {"QueryStringBehavior": "all"},
        },
    },
    "ResponseHeadersPolicy": {
        "67f7725c-6f97-4210-82d7-5512b31e9d03": {
            "Name": "Managed-SecurityHeadersPolicy",
            "Comment": "Adds a set of security headers to every response",
            "SecurityHeadersConfig": {
                "XSSProtection": {"Override": False, "Protection": True, "ModeBlock": True},
                "FrameOptions": {"Override": False, "FrameOption": "SAMEORIGIN"},
                "ReferrerPolicy": {"Override": False, "ReferrerPolicy": "strict-origin-when-cross-origin"},
                "ContentTypeOptions": {"Override": True},
                "StrictTransportSecurity": {"Override": False, "IncludeSubdomains": False, "Preload": False, "AccessControlMaxAgeSec": 31536000},
            },
        },
    },
}

LIST_OPERATIONS = {"CachePolicy": "list_cache_policies", "OriginRequestPolicy": "list_origin_request_policies", "ResponseHeadersPolicy": "list_response_headers_policies"}
URL_SEGMENTS = {"CachePolicy": "cache-policy", "OriginRequestPolicy": "origin-request-policy", "ResponseHeadersPolicy": "response-headers-policy"}
SNAKE = {"CachePolicy": "cache_policy", "OriginRequestPolicy": "origin_request_policy", "ResponseHeadersPolicy": "response_headers_policy"}


def apply() -> None:
    from moto.cloudfront.models import CloudFrontBackend
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.moto_api._internal import mock_random

    class Policy:
        def __init__(self, kind: str, config: dict, policy_type: str, policy_id: str = ""):
            self.kind = kind
            self.id = policy_id or str(mock_random.uuid4())
            self.type = policy_type
            self.config = copy.deepcopy(config)
            self.last_modified_time = utcnow()
            self.etag = mock_random.get_random_hex(14).upper()

        def to_dict(self) -> dict:
            return {"Id": self.id, "LastModifiedTime": self.last_modified_time, f"{self.kind}Config": copy.deepcopy(self.config)}

    def store(backend, kind: str) -> dict:
        if not hasattr(backend, "cloudfront_policies"):
            backend.cloudfront_policies = {
                k: {pid: Policy(k, config, "managed", pid) for pid, config in managed.items()} for k, managed in MANAGED.items()
            }
        return backend.cloudfront_policies[kind]

    def find(backend, kind: str, policy_id: str) -> "Policy":
        policy = store(backend, kind).get(policy_id)
        if policy is None:
            raise common.error(f"NoSuch{kind}", f"The {kind} {policy_id} does not exist.")
        return policy

    def check_custom(policy: "Policy", action: str) -> None:
        if policy.type == "managed":
            raise common.error(f"Illegal{action}", f"AWS managed policy {policy.id} cannot be {action.lower()}d.")

    def check_if_match(policy: "Policy", if_match) -> None:
        if not if_match:
            raise common.error("InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.")
        if if_match != policy.etag:
            raise common.error("PreconditionFailed", "The If-Match version does not match the current version of the resource.")

    def check_unique_name(backend, kind: str, config: dict, policy_id: str = "") -> None:
        for other in store(backend, kind).values():
            if other.id != policy_id and other.config.get("Name") == config.get("Name"):
                raise common.error(f"{kind}AlreadyExists", f"A {kind} named {config.get('Name')} already exists.")

    def in_use(backend, kind: str, policy_id: str) -> bool:
        for distribution in backend.distributions.values():
            config = distribution.distribution_config
            behaviours = [common.get(config, "DefaultCacheBehavior")] + list(common.get(config, "CacheBehaviors", "Items") or [])
            if any(common.get(b, f"{kind}Id") == policy_id for b in behaviours if b is not None):
                return True
        return False

    def operations(kind: str) -> dict:
        def create(self):
            config = self._get_param(f"{kind}Config", {})
            check_unique_name(self.backend, kind, config)
            policy = Policy(kind, config, "custom")
            store(self.backend, kind)[policy.id] = policy
            location = f"https://cloudfront.amazonaws.com/2020-05-31/{URL_SEGMENTS[kind]}/{policy.id}"
            return ActionResult({kind: policy.to_dict(), "Location": location, "ETag": policy.etag})

        def get(self):
            policy = find(self.backend, kind, self._get_param("Id"))
            return ActionResult({kind: policy.to_dict(), "ETag": policy.etag})

        def get_config(self):
            policy = find(self.backend, kind, self._get_param("Id"))
            return ActionResult({f"{kind}Config": copy.deepcopy(policy.config), "ETag": policy.etag})

        def update(self):
            policy = find(self.backend, kind, self._get_param("Id"))
            check_custom(policy, "Update")
            check_if_match(policy, self._get_param("IfMatch"))
            config = self._get_param(f"{kind}Config", {})
            check_unique_name(self.backend, kind, config, policy.id)
            policy.config = copy.deepcopy(config)
            policy.last_modified_time = utcnow()
            policy.etag = mock_random.get_random_hex(14).upper()
            return ActionResult({kind: policy.to_dict(), "ETag": policy.etag})

        def delete(self):
            policy = find(self.backend, kind, self._get_param("Id"))
            check_custom(policy, "Delete")
            check_if_match(policy, self._get_param("IfMatch"))
            if in_use(self.backend, kind, policy.id):
                raise common.error(f"{kind}InUse", f"The {kind} {policy.id} is attached to one or more cache behaviors.")
            del store(self.backend, kind)[policy.id]
            return EmptyResult()

        def list_policies(self):
            wanted = self._get_param("Type")
            items = [{"Type": p.type, kind: p.to_dict()} for p in store(self.backend, kind).values() if not wanted or p.type == wanted]
            return ActionResult({f"{kind}List": {"MaxItems": 100, "Quantity": len(items), "Items": items or None}})

        snake = SNAKE[kind]
        return {
            f"create_{snake}": create,
            f"get_{snake}": get,
            f"get_{snake}_config": get_config,
            f"update_{snake}": update,
            f"delete_{snake}": delete,
            LIST_OPERATIONS[kind]: list_policies,
        }

    routes = {}
    for kind, segment in URL_SEGMENTS.items():
        routes[f"{{0}}/2020-05-31/{segment}$"] = CloudFrontResponse.dispatch
        routes[f"{{0}}/2020-05-31/{segment}/(?P<Id>[^/]+)$"] = CloudFrontResponse.dispatch
        routes[f"{{0}}/2020-05-31/{segment}/(?P<Id>[^/]+)/config$"] = CloudFrontResponse.dispatch
        for name, method in operations(kind).items():
            setattr(CloudFrontResponse, name, method)
    common.add_routes(routes)
