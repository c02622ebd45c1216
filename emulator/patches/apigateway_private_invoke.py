"""API Gateway: a request to an API's execute-api host that does not come through its VPC endpoint is refused.

moto 5.2.1 in server mode has no execute-api hosts: a request with
`Host: <api id>.execute-api.<region>.amazonaws.com` falls through to another
service's handler (S3 by default) and gets that service's answer, which says
nothing about the API.

AWS: a PRIVATE REST API "is accessible only from within your VPCs, via
interface VPC endpoints" (API Gateway developer guide, "Private REST APIs in
API Gateway"); its public execute-api hostname answers a caller outside the
VPC with 403 `{"message":"Forbidden"}`, as it answers any request for an API
id it cannot serve there. The emulator's listener stands outside every VPC:
the only way into a private API here is the local edge (scripts/lib/edge),
which walks CloudFront -> ALB -> the endpoint as AWS does. So every request
to an execute-api host (`<api id>.execute-api...`, `<api id>-<vpce id>.execute-api...`
and the endpoint's own `vpce-....execute-api....vpce.amazonaws.com` names)
gets that 403, with the `x-amzn-ErrorType: ForbiddenException` header API
Gateway sends.
"""
import json
import re

EXECUTE_API_HOST = re.compile(r"^[a-z0-9-]+\.execute-api\.[a-z0-9-]+\.(vpce\.)?amazonaws\.com$")


def apply() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original_call = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):
        host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
        if EXECUTE_API_HOST.match(host):
            body = json.dumps({"message": "Forbidden"}).encode()
            start_response("403 Forbidden", [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("x-amzn-ErrorType", "ForbiddenException")])
            return [body]
        return original_call(self, environ, start_response)

    DomainDispatcherApplication.__call__ = call
