"""HTTP control API on the sandbox server (same host and port as the AWS endpoints).

All bodies and answers are JSON.

    GET  /_sandbox/counts    -> {"CreateChangeSet": 2, "CreateChangeSet:OK": 1, ...}
    GET  /_sandbox/faults    -> {"rules": {"*": {...}}, "detection_failures": ...,
                                 "execute_failures": ..., "change_set_failures": ...,
                                 "fail_after": {"CreateChangeSet": ["InternalFailure"]}}
    POST /_sandbox/faults    {"action": "DetectStackDrift", "throttle_rate": 0.3,
                              "server_error_rate": 0.0, "latency_seconds": 0.0}
    POST /_sandbox/faults/clear             {} clears every fault (rules, forced failures,
                                             pending fail-after errors); {"action": "X"}
                                             only X's rule and fail-after errors;
                                             {"stack_name": "s"} only s's forced failures
    POST /_sandbox/faults/seed              {"seed": 1234}
    POST /_sandbox/faults/detection-failed  {"stack_name": "s", "reason": "...",
                                             "logical_id": null}
    POST /_sandbox/faults/execute-failed    {"stack_name": "s", "logical_id": "Param",
                                             "reason": "..."}
    POST /_sandbox/faults/fail-after        {"action": "CreateChangeSet",
                                             "error": "InternalFailure", "times": 1}
    POST /_sandbox/faults/change-set-failed {"stack_name": "s", "reason": "..."}
    GET  /_sandbox/timing    -> {"detection": {"seconds": 0.0, "min_polls": 1}, ...}
    POST /_sandbox/timing    {"detection": {"seconds": 5, "min_polls": 0}, ...}
    GET  /_sandbox/events    -> {"knobs": {"delay_seconds": 0.0, "drop": false,
                                 "duplicate": false}, "log": [{"detail_type": ..., "fate": ...}]}
    POST /_sandbox/events    {"delay_seconds": 2.5, "drop": false, "duplicate": true}
                             (CloudFormation's EventBridge events: delay, lose, repeat them)
    POST /_sandbox/stack-status  {"stack_name": "s", "status": "UPDATE_IN_PROGRESS"}
    POST /_sandbox/reset     {}  (everything back to empty; the sandbox's after-reset hooks
                                  then re-create what its owner needs, e.g. the notice inbox)

Bodies are read strictly: booleans must be JSON true/false (`"false"` is refused), numbers
JSON numbers >= 0 (rates at most 1, latencies and delays at most 300 s), names non-empty
strings. Errors answer 400 {"error": "..."} naming the field; unknown
paths 404. (Before-hooks are in-process only.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from .control_body import flag, integer, number, optional_text, require_object, text
from .eventbridge import EventKnobs
from .timing import Phase

PREFIX = "/_sandbox"
# A latency or delay longer than this is a typo, not a test (and would hang a server thread).
MAX_LATENCY_SECONDS = 300.0
StartResponse = Callable[..., Any]


class ControlApp:
    """WSGI middleware: serves /_sandbox/*, passes everything else to moto."""

    def __init__(self, inner: Callable[..., Any], sandbox: Any) -> None:
        self.inner = inner
        self.sandbox = sandbox

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if not path.startswith(PREFIX + "/"):
            result: Iterable[bytes] = self.inner(environ, start_response)
            return result
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            body = json.loads(raw) if raw else {}
            status, answer = self.route(method, path[len(PREFIX) :], body)
        except (ValueError, KeyError, TypeError) as exc:
            status, answer = 400, {"error": f"{type(exc).__name__}: {exc}"}
        except Exception as exc:  # e.g. stack not found
            status, answer = 400, {"error": str(getattr(exc, "message", exc))}
        data = json.dumps(answer, default=str).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def route(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        sb = self.sandbox
        faults = sb.faults
        if method == "GET" and path == "/counts":
            return 200, faults.counts()
        if method == "GET" and path == "/faults":
            return 200, {
                "rules": faults.rules(),
                "detection_failures": faults.detection_failures,
                "execute_failures": faults.execute_failures,
                "change_set_failures": faults.change_set_failures,
                "fail_after": faults.pending_fail_after(),
            }
        if method == "GET" and path == "/timing":
            return 200, sb.timing.to_dict()
        if method == "GET" and path == "/events":
            return 200, {
                "knobs": asdict(sb.events.knobs),
                "log": [asdict(entry) for entry in sb.events.log],
            }
        if method != "POST":
            return 404, {"error": f"no such control endpoint: {method} {path}"}
        body = require_object(body)
        if path == "/faults":
            faults.set(
                text(body, "action"),
                throttle_rate=number(body, "throttle_rate", maximum=1.0),
                server_error_rate=number(body, "server_error_rate", maximum=1.0),
                latency_seconds=number(body, "latency_seconds", maximum=MAX_LATENCY_SECONDS),
            )
        elif path == "/faults/clear":
            faults.clear(optional_text(body, "action"), optional_text(body, "stack_name"))
        elif path == "/faults/seed":
            faults.seed(integer(body, "seed"))
        elif path == "/faults/detection-failed":
            faults.force_detection_failed(
                text(body, "stack_name"),
                text(body, "reason", "Internal failure"),
                optional_text(body, "logical_id"),
            )
        elif path == "/faults/execute-failed":
            faults.force_execute_failed(
                text(body, "stack_name"),
                text(body, "logical_id"),
                text(body, "reason", "Internal failure"),
            )
        elif path == "/faults/fail-after":
            faults.fail_after(
                text(body, "action"),
                text(body, "error", "InternalFailure"),
                integer(body, "times", 1),
            )
        elif path == "/faults/change-set-failed":
            faults.force_change_set_failed(text(body, "stack_name"), text(body, "reason"))
        elif path == "/timing":
            for name in ("detection", "change_set_create", "execution"):
                if name in body:
                    spec = require_object(body[name])
                    phase = Phase(number(spec, "seconds"), integer(spec, "min_polls", 1))
                    setattr(sb.timing, name, phase)
        elif path == "/events":
            sb.events.knobs = EventKnobs(
                delay_seconds=number(body, "delay_seconds", maximum=MAX_LATENCY_SECONDS),
                drop=flag(body, "drop"),
                duplicate=flag(body, "duplicate"),
            )
        elif path == "/stack-status":
            sb.set_stack_status(text(body, "stack_name"), text(body, "status"))
        elif path == "/reset":
            sb.reset()
        else:
            return 404, {"error": f"no such control endpoint: POST {path}"}
        return 200, {"ok": True}
