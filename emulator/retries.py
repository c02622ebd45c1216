"""Retried requests, written to the emulator's log: which call an SDK sent again, and what became of its first attempt.

The AWS SDKs send two headers with every attempt of one call (the SDKs and Tools Reference Guide, "Retry behavior";
smithy's `amz-sdk-invocation-id` / `amz-sdk-request` middleware):

    amz-sdk-invocation-id: <one UUID for every attempt of the call>
    amz-sdk-request: attempt=2; max=25

A retry of a create whose first attempt the emulator carried out is the usual cause of a "duplicate" or "already
exists" answer in the middle of an apply (AWS answers the same way: a retry is a new request). The log line says
whether the first attempt had been answered, with what status and after how long, or was still running.
Nothing here changes an answer.
"""
import io
import re
import sys
import urllib.parse
import threading
import time
from collections import OrderedDict

ATTEMPT = re.compile(r"attempt=(\d+)")
CLIENT = re.compile(r"(?:terraform-provider-aws|aws-sdk-[\w-]+|Boto3|botocore)/\S+")
KEEP = 2000  # invocations remembered (oldest dropped first)


class RetryLog:
    def __init__(self, app, stream=None):
        self._app = app
        self._stream = stream or sys.stderr
        self._lock = threading.Lock()
        self._seen = OrderedDict()  # invocation id -> {"started", "status", "seconds"}

    def __call__(self, environ, start_response):
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation:
            return self._app(environ, start_response)
        match = ATTEMPT.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
        attempt = int(match.group(1)) if match else 1
        entry = {"started": time.monotonic(), "status": None, "seconds": None}
        with self._lock:
            earlier = self._seen.get(invocation)
            self._seen[invocation] = entry
            self._seen.move_to_end(invocation)
            while len(self._seen) > KEEP:
                self._seen.popitem(last=False)
        if attempt > 1:
            what = environ.get("HTTP_X_AMZ_TARGET") or f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}{_action(environ)}"
            agent = environ.get("HTTP_USER_AGENT") or "no User-Agent"
            named = CLIENT.search(agent)  # Terraform's provider starts its User-Agent with "APN/1.0 HashiCorp/1.0"
            client = named.group(0) if named else agent.split(" ")[0]
            if earlier is None:
                before = "its earlier attempt was not seen"
            elif earlier["status"] is None:
                before = f"attempt {attempt - 1} still running after {time.monotonic() - earlier['started']:.1f} s"
            else:
                before = f"attempt {attempt - 1} was answered {earlier['status']} after {earlier['seconds']:.1f} s"
            self._stream.write(f"emulator: retried request (attempt {attempt}): {what} from {client}; {before}\n")
            self._stream.flush()

        def recording_start_response(status_line, headers, exc_info=None):
            entry["status"] = int(status_line.split(" ", 1)[0])
            entry["seconds"] = time.monotonic() - entry["started"]
            return start_response(status_line, headers, exc_info) if exc_info else start_response(status_line, headers)

        return self._app(environ, recording_start_response)


def _action(environ) -> str:
    """` Action=CreateTargetGroup` for a query-protocol request (a form body), read and put back for the app."""
    length = environ.get("CONTENT_LENGTH") or ""
    if "x-www-form-urlencoded" not in environ.get("CONTENT_TYPE", "") or not length.isdigit() or not 0 < int(length) <= 1 << 16:
        return ""
    body = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(body)
    action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[-1]
    return f" Action={action}" if action else ""
