"""Lambda's `GetDurableExecution` in the sandbox, for executions a test says exist.

moto has no durable executions. The healer asks Lambda whether the execution holding a
stack's lease still runs; here a test registers executions and their status
(``sb.durable_executions.set(arn, "STOPPED")``) and the sandbox answers
``GET /2025-12-01/durable-executions/{arn}`` with the response shape of the botocore model
(lambda 2015-03-31 `GetDurableExecutionResponse`); any other ARN answers
``ResourceNotFoundException`` (HTTP 404), as Lambda does for an execution it does not have.
The local durable service (sandbox.durable_service) answers for its own executions; this
is for the functional tests, whose executions the service does not run.
Guesses: the error message text; `StartTimestamp` is the registration time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

PATH = "/2025-12-01/durable-executions/"
STATUSES = frozenset(
    {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "DELETING", "PAUSING", "PAUSED"}
)
StartResponse = Callable[..., Any]


class DurableExecutions:
    """``sb.durable_executions``: the executions Lambda knows, by ARN, and their status."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, float]] = {}
        self.error: str | None = None  # every GetDurableExecution answers this error code

    def set(self, arn: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}, not {status!r}")
        with self._lock:
            self._known[arn] = (status, time.time())

    def fail(self, code: str) -> None:
        """Every request answers `code` (e.g. TooManyRequestsException, HTTP 429)."""
        self.error = code

    def clear(self) -> None:
        with self._lock:
            self._known.clear()
            self.error = None

    def get(self, arn: str) -> tuple[str, float] | None:
        with self._lock:
            return self._known.get(arn)


EXECUTIONS = DurableExecutions()


class DurableExecutionsApp:
    """WSGI middleware: answers GetDurableExecution, passes everything else on."""

    def __init__(self, inner: Callable[..., Any], executions: DurableExecutions) -> None:
        self.inner = inner
        self.executions = executions

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if not path.startswith(PATH) or environ.get("REQUEST_METHOD") != "GET":
            answer: Iterable[bytes] = self.inner(environ, start_response)
            return answer
        arn = unquote(path[len(PATH) :])
        known = self.executions.get(arn)
        headers = [("Content-Type", "application/json")]
        if self.executions.error:
            code = self.executions.error
            status_line = "429 Too Many Requests" if code.startswith("TooMany") else "403 Forbidden"
            start_response(status_line, [*headers, ("x-amzn-ErrorType", code)])
            return [json.dumps({"Type": "User", "message": f"{code} (sandbox)"}).encode()]
        if known is None:
            body = {"Type": "User", "message": f"Durable execution not found: {arn}"}
            start_response(
                "404 Not Found", [*headers, ("x-amzn-ErrorType", "ResourceNotFoundException")]
            )
            return [json.dumps(body).encode()]
        status, started = known
        parts = arn.split("/")
        function_arn = parts[0].rsplit(":", 1)[0]
        execution = {
            "DurableExecutionArn": arn,
            "DurableExecutionName": parts[-2] if len(parts) >= 3 else arn,
            "FunctionArn": function_arn,
            "StartTimestamp": started,
            "Status": status,
        }
        start_response("200 OK", headers)
        return [json.dumps(execution).encode()]
