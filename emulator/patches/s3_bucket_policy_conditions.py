"""S3 bucket policies: evaluate a statement's conditions against the request.

AWS applies a bucket policy statement only when its Condition holds for the
request. moto 5.2.1 evaluates only `StringEquals`, ignores every other operator
as if it held, and answers DENIED whenever a condition does not hold, whatever
the statement's Effect. So a deny-only policy such as the state bucket's
("deny when aws:SecureTransport is false", "deny puts whose encryption header is
not aws:kms") denies every object request, and Terraform's S3 backend cannot
read or write its state.

This patch evaluates the bucket policy of object requests the way AWS does for
the operators the platform uses (String[Not]Equals[IfExists], StringLike,
Bool[IfExists], Null), with these request context keys:
- aws:SecureTransport: "true". The emulator speaks plain HTTP on 127.0.0.1 as a
  stand-in for S3's HTTPS endpoint; clients cannot choose TLS here.
- s3:x-amz-server-side-encryption, s3:x-amz-server-side-encryption-aws-kms-key-id,
  s3:x-amz-server-side-encryption-customer-algorithm: from the request headers,
  absent when the header is absent (as in AWS, also for UploadPart).
A statement with another operator does not apply (and is reported on stderr),
rather than moto's "applies". Principals: only "*" ({"AWS": "*"}) is matched,
as moto has no caller identity for S3 requests.
"""
import fnmatch
import sys
import threading

_request = threading.local()

_HEADER_KEYS = {
    "s3:x-amz-server-side-encryption": "x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id": "x-amz-server-side-encryption-aws-kms-key-id",
    "s3:x-amz-server-side-encryption-customer-algorithm": "x-amz-server-side-encryption-customer-algorithm",
}


def _context() -> dict:
    headers = getattr(_request, "headers", None) or {}
    lowered = {str(k).lower(): v for k, v in dict(headers).items()}
    context = {"aws:SecureTransport": "true"}
    for key, header in _HEADER_KEYS.items():
        if header in lowered:
            context[key] = lowered[header]
    return context


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _matches(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, str(p)) for p in _as_list(patterns))


def _key_holds(operator: str, expected, context: dict, key: str):
    """True/False for a supported operator; None for one this patch does not know."""
    base = operator[: -len("IfExists")] if operator.endswith("IfExists") else operator
    if_exists = base != operator
    present = key in context
    actual = str(context.get(key, ""))
    expected = [str(e) for e in _as_list(expected)]
    if base == "Null":
        return (not present) == (expected[0].lower() == "true")
    if not present:
        # Negated operators hold when the key is missing; IfExists makes any operator hold.
        return if_exists or base.startswith("StringNot")
    if base == "StringEquals":
        return actual in expected
    if base == "StringNotEquals":
        return actual not in expected
    if base == "StringLike":
        return _matches(expected, actual)
    if base == "StringNotLike":
        return not _matches(expected, actual)
    if base == "Bool":
        return actual.lower() in [e.lower() for e in expected]
    return None


def _statement_applies(statement: dict, action: str, resource: str, context: dict) -> bool:
    principal = statement.get("Principal")
    if not (principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))):
        return False
    if "Action" in statement and not _matches(statement["Action"], action):
        return False
    if "NotAction" in statement and _matches(statement["NotAction"], action):
        return False
    if "Resource" in statement and not _matches(statement["Resource"], resource):
        return False
    if "NotResource" in statement and _matches(statement["NotResource"], resource):
        return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, expected in keys.items():
            holds = _key_holds(operator, expected, context, key)
            if holds is None:
                sys.stderr.write(f"emulator: bucket policy operator {operator} is not emulated; statement {statement.get('Sid', '')!r} ignored\n")
                return False
            if not holds:
                return False
    return True


def apply() -> None:
    import json

    from moto.iam.access_control import PermissionResult
    from moto.s3 import models, responses

    original_key_response = responses.S3Response._key_response

    def key_response(self, request, full_url):
        _request.headers = getattr(request, "headers", None)
        try:
            return original_key_response(self, request, full_url)
        finally:
            _request.headers = None

    responses.S3Response._key_response = key_response

    def get_permission(self, action: str, resource: str):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy)
        # AWS authorizes HeadObject as s3:GetObject; moto names it after the HTTP method.
        action = {"s3:HeadObject": "s3:GetObject"}.get(action, action)
        context = _context()
        result = PermissionResult.NEUTRAL
        for statement in _as_list(policy.get("Statement", [])):
            if not _statement_applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return PermissionResult.DENIED
            result = PermissionResult.PERMITTED
        return result

    models.FakeBucket.get_permission = get_permission
