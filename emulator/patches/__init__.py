"""Fidelity patches: where moto 5.2.1 differs from AWS in ways this platform's
Terraform (AWS provider 5.100.0) trips over. One module per patch; each says
what AWS does and why the patch is needed. emulator/README.md lists them.

Every patch is applied before the server's first request, at the moto layer
that is wrong (models for state, responses for wire format), and is small.
EMULATOR_DISABLE_PATCHES=name,name skips some (to watch their test fail).
"""
import importlib
import os

# Order matters only where a patch builds on another (none do today).
PATCHES = (
    "instant_transitions",
    "lifecycle_newer_noncurrent_versions",
    "s3_bucket_policy_conditions",
    "apigateway_policy",
    "cognito_resource_server",
    "cloudfront_vpc_origins",
    "cloudfront_distribution_config",
    "cloudfront_policies",
    "iam_managed_policies",
    "cognito_user_pool_tier",
    "ec2_security_group_rule_description",
    "apigateway_account_reset",
    "s3_delete_marker_dispose",
    "apigateway_method_updates",
    "apigateway_openapi_import",
    "apigateway_deployment_snapshot",
    "apigateway_private_domain_names",
    "cognito_oauth_endpoints",
    "apigateway_private_invoke",
)


def apply_all() -> list:
    disabled = {p.strip() for p in os.environ.get("EMULATOR_DISABLE_PATCHES", "").split(",") if p.strip()}
    unknown = disabled - set(PATCHES)
    if unknown:
        raise SystemExit(f"EMULATOR_DISABLE_PATCHES names unknown patches {sorted(unknown)}; known: {', '.join(PATCHES)}")
    applied = []
    for name in PATCHES:
        if name in disabled:
            continue
        importlib.import_module(f"{__name__}.{name}").apply()
        applied.append(name)
    return applied
