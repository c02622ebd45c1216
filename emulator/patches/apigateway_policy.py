"""API Gateway: a REST API's resource policy is returned escaped, as AWS does.

AWS returns `policy` as a JSON document whose quotes are backslash-escaped
inside the string (`"policy": "{\\"Version\\":...}"`); the AWS provider
unquotes it (strconv.Unquote) before comparing it with the configuration.
moto returns the document as stored, so the provider's unquote leaves the raw
JSON and its parser fails: `invalid character 'S' after top-level value`
(aws_api_gateway_rest_api_policy, aws_api_gateway_rest_api with `policy`).
"""
import json


def escape(policy: str) -> str:
    """The body of a JSON string literal holding `policy`: what AWS sends."""
    return json.dumps(policy)[1:-1]


def apply() -> None:
    from moto.apigateway.models import RestAPI

    original = RestAPI.to_dict

    def to_dict(self):
        data = original(self)
        if data.get(RestAPI.PROP_POLICY):
            data[RestAPI.PROP_POLICY] = escape(data[RestAPI.PROP_POLICY])
        return data

    RestAPI.to_dict = to_dict
