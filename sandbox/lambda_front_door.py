"""The Lambda "front door" of the local durable execution service.

One HTTP endpoint that a plain boto3 Lambda client can be pointed at:

* ``POST /2015-03-31/functions/{name}/invocations`` (Lambda ``Invoke``):

  - from dex-local-runner (header ``X-Dex-Handler-Invoke: true``, or a payload
    that is the durable invocation envelope ``DurableExecutionArn`` +
    ``CheckpointToken``): run the durable handler once, in this process, and
    return its output;
  - from a user: start a durable execution at dex-local-runner
    (``POST /start-durable-execution``) and answer as Lambda does for a durable
    function: ``Event`` -> 202, ``RequestResponse`` -> wait (bounded) for the
    execution and return its result, ``DryRun`` -> 204. Every answer carries
    the ``X-Amz-Durable-Execution-Arn`` header (``DurableExecutionArn``).

* every other path (the ``/2025-12-01/...`` durable execution APIs) is proxied
  to dex-local-runner unchanged, except that ``ListDurableExecutionsByFunction``
  gets the bare function name (dex-local-runner matches names exactly).
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from sandbox.inprocess_handler import FunctionIdentity, InProcessHandler
from sandbox.retry_payloads import RetryPayloads

logger = logging.getLogger(__name__)

INVOKE_PREFIX = "/2015-03-31/functions/"
INVOKE_SUFFIX = "/invocations"
LIST_BY_FUNCTION_PREFIX = "/2025-12-01/functions/"
EXECUTION_PREFIX = "/2025-12-01/durable-executions/"
DEX_MARKER_HEADER = "X-Dex-Handler-Invoke"
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
_HOP_BY_HOP = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"}
)


@dataclass(frozen=True)
class FrontDoorConfig:
    function: FunctionIdentity
    dex_host: str
    dex_port: int
    execution_timeout_seconds: int
    retention_days: int = 14
    sync_invoke_timeout: float = 900.0


class _Response:
    def __init__(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


def _error(status: int, error_type: str, message: str) -> _Response:
    body = json.dumps({"Type": "User", "message": message, "Message": message}).encode()
    return _Response(
        status, body, {"Content-Type": "application/json", "x-amzn-ErrorType": error_type}
    )


class FrontDoor:
    """The HTTP server; start it, then read ``port``."""

    def __init__(self, config: FrontDoorConfig, runner: InProcessHandler) -> None:
        self.config = config
        self.runner = runner
        self.retry_payloads = RetryPayloads()
        self._start_lock = threading.Lock()
        front = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("front door: " + format, *args)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    response = front.dispatch(self.command, self.path, dict(self.headers), body)
                except Exception as exc:
                    logger.exception("front door failed on %s %s", self.command, self.path)
                    response = _error(500, "ServiceException", f"local front door error: {exc}")
                try:
                    self.send_response(response.status)
                    for key, value in response.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(response.body)))
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    # The caller gave up (its own timeout, or it stopped): nobody to answer.
                    logger.debug("front door: %s %s: the caller hung up", self.command, self.path)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="lambda-front-door", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() blocks forever if serve_forever never ran
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    # -- routing -----------------------------------------------------------------------------

    def dispatch(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        split = urlsplit(raw_path)
        path = split.path
        if method == "POST" and path.startswith(INVOKE_PREFIX) and path.endswith(INVOKE_SUFFIX):
            function_id = unquote(path[len(INVOKE_PREFIX) : -len(INVOKE_SUFFIX)])
            qualifier = parse_qs(split.query).get("Qualifier", [None])[0]
            return self._invoke(function_id, qualifier, headers, body)
        if path.startswith(LIST_BY_FUNCTION_PREFIX):
            segments = path.split("/")
            if len(segments) == 5:  # ['', '2025-12-01', 'functions', NAME, 'durable-executions']
                name, _ = self.config.function.parse(unquote(segments[3]))
                segments[3] = quote(name, safe="")
                raw_path = "/".join(segments) + (f"?{split.query}" if split.query else "")
        if path.startswith(EXECUTION_PREFIX):
            return self._execution_api(method, raw_path, headers, body)
        return self.forward(method, raw_path, headers, body)

    def _execution_api(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        """Checkpoints (the handler's) and histories pass here: see :mod:`retry_payloads`."""
        split = urlsplit(raw_path)
        arn, _, action = split.path[len(EXECUTION_PREFIX) :].partition("/")
        arn = unquote(arn)
        if method == "POST" and action == "checkpoint":
            self.retry_payloads.record_checkpoint(arn, body)
        response = self.forward(method, raw_path, headers, body)
        query = parse_qs(split.query)
        if (
            method == "GET"
            and action == "history"
            and response.status == 200
            and query.get("IncludeExecutionData", ["false"])[0].lower() == "true"
            and "Marker" not in query
        ):
            response.body = self.retry_payloads.fill_history(arn, response.body)
        return response

    def forward(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        """Send one request to dex-local-runner and return its answer unchanged."""
        conn = http.client.HTTPConnection(self.config.dex_host, self.config.dex_port, timeout=60)
        try:
            out_headers = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
            conn.request(method, raw_path, body=body or None, headers=out_headers)
            resp = conn.getresponse()
            data = resp.read()
            in_headers = {k: v for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP}
            return _Response(resp.status, data, in_headers)
        finally:
            conn.close()

    def dex_json(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        body = json.dumps(payload).encode() if payload is not None else b""
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        resp = self.forward(method, path, headers, body)
        try:
            return resp.status, json.loads(resp.body) if resp.body else None
        except ValueError:
            return resp.status, {"message": resp.body.decode(errors="replace")}

    # -- Invoke --------------------------------------------------------------------------------

    def _invoke(
        self, function_id: str, qualifier: str | None, headers: dict[str, str], body: bytes
    ) -> _Response:
        fn = self.config.function
        name, qualifier = fn.parse(function_id, qualifier)
        if not fn.accepts(name, qualifier):
            suffix = f":{qualifier}" if qualifier else ""
            return _error(
                404,
                "ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:{fn.region}:{fn.account_id}:function:"
                f"{name}{suffix}",
            )
        lowered = {k.lower(): v for k, v in headers.items()}
        if lowered.get(DEX_MARKER_HEADER.lower()) == "true" or _is_durable_envelope(body):
            output, function_error = self.runner.invoke(body, qualifier)
            extra = {"X-Amz-Function-Error": function_error} if function_error else {}
            return _Response(
                200,
                output,
                {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST", **extra},
            )
        return self._start_execution(
            qualifier or "$LATEST",
            lowered.get("x-amz-invocation-type", "RequestResponse"),
            lowered.get("x-amz-durable-execution-name"),
            lowered.get("x-amz-tenant-id"),
            body,
        )

    def _start_execution(
        self,
        qualifier: str,
        invocation_type: str,
        execution_name: str | None,
        tenant_id: str | None,
        body: bytes,
    ) -> _Response:
        fn = self.config.function
        try:
            text = body.decode("utf-8") if body else "{}"
            json.loads(text)
        except ValueError:
            return _error(400, "InvalidRequestContentException", "Could not parse request body")
        if invocation_type == "DryRun":
            return _Response(204)
        if invocation_type not in ("Event", "RequestResponse"):
            return _error(400, "InvalidParameterValueException", "Invalid InvocationType")
        with self._start_lock:  # name lookup + start must not interleave
            arn: str | None = None
            if execution_name:
                found = self._existing_execution(execution_name)
                if found is not None:
                    arn, existing_input = found
                    if _normalise(existing_input) != _normalise(text):
                        return _error(
                            409,
                            "DurableExecutionAlreadyStartedException",
                            f"Durable execution {execution_name} already started with a "
                            "different payload",
                        )
            if arn is None:
                request: dict[str, Any] = {
                    "AccountId": fn.account_id,
                    "FunctionName": fn.name,
                    "FunctionQualifier": qualifier,
                    "ExecutionName": execution_name or str(uuid.uuid4()),
                    "ExecutionTimeoutSeconds": self.config.execution_timeout_seconds,
                    "ExecutionRetentionPeriodDays": self.config.retention_days,
                    "InvocationId": str(uuid.uuid4()),
                    "Input": text,
                }
                if tenant_id:
                    request["TenantId"] = tenant_id
                status, answer = self.dex_json("POST", "/start-durable-execution", request)
                if status >= 300 or not isinstance(answer, dict) or "ExecutionArn" not in answer:
                    return _error(500, "ServiceException", f"start failed: {status} {answer}")
                arn = str(answer["ExecutionArn"])
        arn_header = {"X-Amz-Durable-Execution-Arn": arn, "X-Amz-Executed-Version": "$LATEST"}
        if invocation_type == "Event":
            return _Response(202, b"", arn_header)
        return self._wait_sync(arn, arn_header)

    def _existing_execution(self, execution_name: str) -> tuple[str, str] | None:
        fn = self.config.function
        path = (
            f"{LIST_BY_FUNCTION_PREFIX}{quote(fn.name, safe='')}/durable-executions"
            f"?DurableExecutionName={quote(execution_name, safe='')}"
        )
        _, listing = self.dex_json("GET", path)
        for item in (listing or {}).get("DurableExecutions", []):
            if item.get("DurableExecutionName") == execution_name:
                found_arn = str(item["DurableExecutionArn"])
                _, details = self.dex_json("GET", _execution_path(found_arn))
                return found_arn, str((details or {}).get("InputPayload") or "")
        return None

    def _wait_sync(self, arn: str, headers: dict[str, str]) -> _Response:
        """RequestResponse: wait for the whole execution, as Lambda does (bounded)."""
        deadline = time.monotonic() + self.config.sync_invoke_timeout
        delay = 0.02
        while True:
            _, details = self.dex_json("GET", _execution_path(arn))
            status = (details or {}).get("Status")
            if status in TERMINAL_STATUSES:
                break
            if time.monotonic() >= deadline:
                return _function_error(
                    headers,
                    "Sandbox.Timedout",
                    f"Durable execution {arn} still {status} after "
                    f"{self.config.sync_invoke_timeout:g} seconds (synchronous invoke limit)",
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        if status == "SUCCEEDED":
            result = details.get("Result")
            payload = result.encode() if isinstance(result, str) else b"null"
            return _Response(200, payload, {"Content-Type": "application/json", **headers})
        error = details.get("Error") or {}
        return _function_error(
            headers,
            str(error.get("ErrorType") or f"DurableExecution{str(status).title()}"),
            str(error.get("ErrorMessage") or f"Durable execution ended {status}"),
            error.get("StackTrace"),
        )


def _execution_path(arn: str) -> str:
    return f"/2025-12-01/durable-executions/{quote(arn, safe='')}"


def _function_error(
    headers: dict[str, str], error_type: str, message: str, trace: Any = None
) -> _Response:
    payload: dict[str, Any] = {"errorType": error_type, "errorMessage": message}
    if trace:
        payload["stackTrace"] = trace
    return _Response(
        200,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", "X-Amz-Function-Error": "Unhandled", **headers},
    )


def _is_durable_envelope(body: bytes) -> bool:
    if not body.startswith(b"{") or b"CheckpointToken" not in body:
        return False
    try:
        event = json.loads(body)
    except ValueError:
        return False
    return isinstance(event, dict) and {"DurableExecutionArn", "CheckpointToken"} <= event.keys()


def _normalise(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text
