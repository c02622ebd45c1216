"""The request record (`server.py --record FILE`): one JSON line for every request the emulator serves.

Made for `npm run iam-audit`, which maps each recorded call to the IAM action(s) and resource(s) AWS
authorizes it by and evaluates the CI roles' policies against them. A line holds what an IAM decision
depends on, read from the request as AWS would read it:

    {"seq": 12, "accessKeyId": "AKIA...", "service": "ec2", "region": "eu-west-1",
     "operation": "CreateVpc", "protocol": "ec2", "method": "POST", "path": "/",
     "params": {"CidrBlock": "10.0.0.0/16", ...}, "status": 200, "response": {"VpcId": "vpc-1"}}

- accessKeyId, service, region: from the Signature Version 4 credential scope (`Authorization` header
  or a presigned URL's `X-Amz-Credential`), which names the signing service and region; null when the
  request is unsigned (moto's own `/moto-api`).
- operation: the API operation, from botocore's service model (moto's own dependency): the
  `X-Amz-Target` header (JSON protocol), the `Action` parameter (query and EC2 protocols), or for
  REST protocols the operation whose `requestUri` template and HTTP method match the request (the most
  specific match, query-string keys such as `?tagging` included).
- params: the request's parameters that can name a resource or condition an IAM decision: the URI's
  labels (`{Bucket}`, `{restapi_id}`), members sent as headers (`SSEKMSKeyId`), query parameters, and a
  JSON or form body (long values cut).
  XML bodies and S3 object data are not read.
- response: identifiers a JSON answer gives (`KeyMetadata.KeyId`, `...Arn`), so that a later call naming a
  created resource can be tied to the tags it was created with. XML answers are not read.

Recording changes no answer: each is read whole, the line written, then the answer sent unchanged (so a client
that reads the record right after its answer finds the line).
"""
import io
import json
import re
import threading
import urllib.parse

# Signing names whose botocore model has another name (two for ELB: classic and v2, told apart by Version).
BOTOCORE_NAMES = {"elasticloadbalancing": ("elbv2", "elb"), "monitoring": ("cloudwatch",), "email": ("ses", "sesv2")}
MAX_BODY = 1 << 20  # requests larger than this are not read (none of the platform's control-plane calls)
MAX_VALUE = 512  # parameter values are cut to this many characters
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


class _Models:
    """botocore service models, loaded once per service, and their REST operations as regular expressions."""

    def __init__(self):
        import botocore.loaders

        self._loader = botocore.loaders.Loader()
        self._models = {}
        self._lock = threading.Lock()

    def model(self, signing_name: str, version: str = ""):
        with self._lock:
            for name in BOTOCORE_NAMES.get(signing_name, (signing_name,)):
                if name not in self._models:
                    try:
                        self._models[name] = self._compile(self._loader.load_service_model(name, "service-2"))
                    except Exception:  # an unknown service: recorded without an operation
                        self._models[name] = None
                model = self._models[name]
                if model and (not version or model["version"] == version):
                    return model
            return None

    @staticmethod
    def _compile(model: dict) -> dict:
        rest = []
        for name, operation in model["operations"].items():
            if operation.get("deprecated"):  # S3's GetBucketLifecycle shares its URI with GetBucketLifecycleConfiguration
                continue
            http = operation.get("http", {})
            uri = http.get("requestUri", "/")
            path, _, query = uri.partition("?")
            pattern = ""
            literal = 0
            for part in re.split(r"(\{[^}]+\})", path):
                if part.startswith("{"):
                    label = part[1:-1]
                    greedy = label.endswith("+")
                    label = label.rstrip("+")
                    pattern += f"(?P<{re.sub(r'[^A-Za-z0-9_]', '_', label)}>{'.+' if greedy else '[^/]+'})"
                else:
                    pattern += re.escape(part)
                    literal += len(part)
            pattern = pattern.rstrip("/") + "/?"
            required = [q.partition("=") for q in query.split("&") if q]
            # Operations that share a URI (S3's PutObject, CopyObject and UploadPart) differ by required members
            # sent in the query string or headers (CopySource is `x-amz-copy-source`, UploadId `uploadId`).
            headers = []
            shape = model["shapes"].get(operation.get("input", {}).get("shape", ""), {})
            for member in shape.get("required", []):
                spec = shape.get("members", {}).get(member, {})
                if spec.get("location") == "querystring":
                    required.append((spec.get("locationName", member), "", ""))
                elif spec.get("location") == "header":
                    headers.append("HTTP_" + spec.get("locationName", member).upper().replace("-", "_"))
            # Members sent as headers (S3's x-amz-server-side-encryption-aws-kms-key-id is SSEKMSKeyId): recorded by name.
            header_members = {
                member: "HTTP_" + spec.get("locationName", member).upper().replace("-", "_")
                for member, spec in shape.get("members", {}).items()
                if spec.get("location") == "header"
            }
            rest.append((http.get("method", "POST"), re.compile(f"^{pattern}$"), required, headers, literal + 1000 * (len(required) + len(headers)), name, header_members))
        return {"protocol": model["metadata"]["protocol"], "version": model["metadata"].get("apiVersion", ""), "rest": rest}

    @staticmethod
    def rest_operation(model: dict, method: str, path: str, query: dict, environ: dict):
        best = None
        for op_method, regex, required, headers, score, name, header_members in model["rest"]:
            if op_method != method or ("x-id" in query and query["x-id"] != name):  # the SDKs name S3 operations in x-id
                continue
            match = regex.match(path)
            if not match or any(k not in query or (v and query[k] != v) for k, _, v in required) or any(h not in environ for h in headers):
                continue
            if best is None or score > best[0]:
                labels = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
                labels.update({member: environ[key] for member, key in header_members.items() if key in environ and member != "ContentMD5"})
                best = (score, name, labels)
        return (best[1], best[2]) if best else (None, {})


def _cut(value):
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE else value[:MAX_VALUE] + "..."
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v) for v in value[:100]]
    return value


def _identifiers(value, prefix="", depth=0, out=None):
    """`Id`/`Arn`/`Name` fields of an answer, two levels deep: {"KeyMetadata.KeyId": "..."}."""
    out = {} if out is None else out
    if isinstance(value, dict) and depth <= 2:
        for key, item in value.items():
            path = f"{prefix}{key}"
            if isinstance(item, str) and (key.endswith(("Id", "Arn", "ARN", "Name")) or item.startswith("arn:")):
                out[path] = item[:MAX_VALUE]
            elif isinstance(item, dict):
                _identifiers(item, f"{path}.", depth + 1, out)
    return out


class Recorder:
    """WSGI middleware: serves the request with `app` and appends its line to `path`."""

    def __init__(self, app, path: str):
        self._app = app
        self._file = open(path, "a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()
        self._seq = 0
        self._models = _Models()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = urllib.parse.unquote(environ.get("PATH_INFO", "/"))
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        # A signed header's credential scope, or a presigned URL's (X-Amz-Credential=AKID/date/region/service/aws4_request).
        scope = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", "")) or CREDENTIAL.search(f"Credential={query.get('X-Amz-Credential', '')}")
        access_key, region, service = (scope.group(1), scope.group(2), scope.group(3)) if scope else (None, None, None)

        body = b""
        length = environ.get("CONTENT_LENGTH") or ""
        if service and service != "s3" and length.isdigit() and 0 < int(length) <= MAX_BODY:
            body = environ["wsgi.input"].read(int(length))
            environ["wsgi.input"] = io.BytesIO(body)
        params, protocol, operation = dict(query), None, None
        content_type = environ.get("CONTENT_TYPE", "")
        if body and "x-www-form-urlencoded" in content_type:
            params.update({k: v[-1] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()})
        elif body and body[:1] in (b"{", b"["):
            try:
                parsed = json.loads(body)
                if isinstance(parsed, dict):
                    params.update(parsed)
            except ValueError:
                pass
        if service:
            model = self._models.model(service, params.get("Version", ""))
            if model:
                protocol = model["protocol"]
                target = environ.get("HTTP_X_AMZ_TARGET", "")
                if protocol == "json" and "." in target:
                    operation = target.rsplit(".", 1)[1]
                elif protocol in ("query", "ec2"):
                    operation = params.get("Action")
                elif protocol in ("rest-json", "rest-xml"):
                    operation, labels = self._models.rest_operation(model, method, path, query, environ)
                    params.update(labels)
                elif target:
                    operation = target.rsplit(".", 1)[-1]

        status = {"code": 0}

        def recording_start_response(status_line, headers, exc_info=None):
            status["code"] = int(status_line.split(" ", 1)[0])
            return start_response(status_line, headers, exc_info) if exc_info else start_response(status_line, headers)

        body = []
        try:
            result = self._app(environ, recording_start_response)
            try:
                body = list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            status["code"] = status["code"] or 500
            raise
        finally:
            response = {}
            # JSON answers (moto often sends them without a JSON content type): their identifiers are kept.
            if service != "s3" and body and body[0][:1] == b"{" and sum(len(c) for c in body) < MAX_BODY:
                try:
                    response = _identifiers(json.loads(b"".join(body)))
                except ValueError:
                    pass
            with self._lock:
                self._seq += 1
                line = {
                    "seq": self._seq,
                    "accessKeyId": access_key,
                    "service": service,
                    "region": region,
                    "operation": operation,
                    "protocol": protocol,
                    "method": method,
                    "path": path,
                    "params": _cut(params),
                    "status": status["code"],
                    "response": response,
                }
                self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
        yield from body
