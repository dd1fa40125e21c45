"""Fault injection and request counting for CloudFormation actions.

Injected errors use CloudFormation's Query/XML error shape, so botocore parses them:
- ``Throttling`` / "Rate exceeded", HTTP 400: what CloudFormation returns when its API
  rate is exceeded (AWS general reference, error retries and throttling; research.md:
  "drift detection throttles (Rate exceeded) under concurrency").
- ``InternalFailure`` HTTP 500 and ``ServiceUnavailable`` HTTP 503: the common errors
  of every AWS Query API (CloudFormation API reference, "Common Errors").

``fail_after`` models a response lost after CloudFormation acted: the request takes
effect, the client sees a 5xx and retries (ClientToken / ClientRequestToken doc strings:
a retry with the same token is recognised as the same request).
``force_change_set_failed`` models a change set CloudFormation could not create:
ChangeSetSummary/DescribeChangeSet doc strings, Status FAILED with "the error message"
in StatusReason, ExecutionStatus UNAVAILABLE.
``distort_change_set`` models the over-broad REVERT_DRIFT change sets users report
(research.md: changes to resources or properties that never drifted, from `!Ref` resolved
wrongly or values known only after apply): the change set of one resource also names a
property that did not drift, or plans another action (e.g. Add for a MODIFIED resource).
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Hook = Callable[[dict[str, Any]], None]

THROTTLING = "Throttling"
INTERNAL_FAILURE = "InternalFailure"
SERVICE_UNAVAILABLE = "ServiceUnavailable"

_ERRORS: dict[str, tuple[int, str, str]] = {
    THROTTLING: (400, "Sender", "Rate exceeded"),
    INTERNAL_FAILURE: (500, "Receiver", "An internal error occurred."),
    SERVICE_UNAVAILABLE: (503, "Receiver", "Service is unavailable. Please try again later."),
}
_XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


@dataclass(frozen=True)
class Distortion:
    """One ``distort_change_set`` rule."""

    logical_id: str
    extra_property: str | None
    action: str | None


@dataclass(frozen=True)
class FaultRule:
    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    latency_seconds: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "throttle_rate": self.throttle_rate,
            "server_error_rate": self.server_error_rate,
            "latency_seconds": self.latency_seconds,
        }


def error_response(code: str) -> tuple[int, dict[str, str], str]:
    status, kind, message = _ERRORS[code]
    body = (
        f'<ErrorResponse xmlns="{_XMLNS}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
        "</ErrorResponse>"
    )
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": str(uuid.uuid4())}, body


class Faults:
    """``sb.faults``: error rates, latency, forced failures, hooks and counters.

    counts() keys: ``<Action>`` = requests received; ``<Action>:OK`` = answered 2xx;
    ``<Action>:Error`` = answered with a (non-injected) error; ``<Action>:Throttling``,
    ``<Action>:InternalFailure``, ``<Action>:ServiceUnavailable`` = injected faults.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._rules: dict[str, FaultRule] = {}
            self._rng = random.Random()
            self._hooks: dict[str, list[Hook]] = {}
            self._counts: Counter[str] = Counter()
            self.detection_failures: dict[str, tuple[str | None, str]] = {}
            self.execute_failures: dict[str, dict[str, str]] = {}
            self.change_set_failures: dict[str, str] = {}
            self.change_set_distortions: dict[str, list[Distortion]] = {}
            self._fail_after: dict[str, list[str]] = {}

    # -- configuration ---------------------------------------------------------------
    def set(
        self,
        action: str,
        throttle_rate: float = 0.0,
        server_error_rate: float = 0.0,
        latency_seconds: float = 0.0,
    ) -> None:
        """Fault rates for one CloudFormation action name, or "*" for all of them."""
        if not (0 <= throttle_rate <= 1 and 0 <= server_error_rate <= 1):
            raise ValueError("rates must be between 0 and 1")
        if throttle_rate + server_error_rate > 1:
            raise ValueError("throttle_rate + server_error_rate must not exceed 1")
        with self._lock:
            self._rules[action] = FaultRule(throttle_rate, server_error_rate, latency_seconds)

    def clear(self, action: str | None = None, stack_name: str | None = None) -> None:
        """Drop faults: of one ``action`` (its rate rule and pending ``fail_after`` errors),
        of one ``stack_name`` (its forced failures), or, with neither, every fault of every
        kind (counters, seed and hooks are not faults and stay)."""
        with self._lock:
            if action is not None:
                self._rules.pop(action, None)
                self._fail_after.pop(action, None)
            if stack_name is not None:
                self.detection_failures.pop(stack_name, None)
                self.execute_failures.pop(stack_name, None)
                self.change_set_failures.pop(stack_name, None)
            if action is None and stack_name is None:
                self._rules.clear()
                self._fail_after.clear()
                self.detection_failures.clear()
                self.execute_failures.clear()
                self.change_set_failures.clear()

    def fail_after(self, action: str, error: str = INTERNAL_FAILURE, times: int = 1) -> None:
        """The next ``times`` successful ``action`` requests ("*" = any action) are
        processed, then answered with ``error`` (InternalFailure 500 or ServiceUnavailable
        503) instead of their response. Requests answered with an error are passed
        through and do not use up a time. Adds to what is already pending."""
        if error not in (INTERNAL_FAILURE, SERVICE_UNAVAILABLE):
            raise ValueError(f"error must be {INTERNAL_FAILURE} or {SERVICE_UNAVAILABLE}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._fail_after.setdefault(action, []).extend([error] * times)

    def pending_fail_after(self) -> dict[str, list[str]]:
        with self._lock:
            return {k: list(v) for k, v in self._fail_after.items() if v}

    def rules(self) -> dict[str, dict[str, float]]:
        with self._lock:
            return {name: rule.to_dict() for name, rule in self._rules.items()}

    def seed(self, value: int) -> None:
        with self._lock:
            self._rng.seed(value)

    def force_detection_failed(
        self, stack_name: str, reason: str = "Internal failure", logical_id: str | None = None
    ) -> None:
        """Drift detections on this stack end DETECTION_FAILED (until reset).

        The resource ``logical_id`` (default: the first checkable one) gets no result.
        """
        with self._lock:
            self.detection_failures[stack_name] = (logical_id, reason)

    def force_execute_failed(
        self, stack_name: str, logical_id: str, reason: str = "Internal failure"
    ) -> None:
        """Executing a change set on this stack fails on ``logical_id`` (until reset)."""
        with self._lock:
            self.execute_failures.setdefault(stack_name, {})[logical_id] = reason

    def force_change_set_failed(self, stack_name: str, reason: str) -> None:
        """Change sets created on this stack (until reset) end Status FAILED, ExecutionStatus
        UNAVAILABLE, StatusReason ``reason`` after their usual creation phase."""
        with self._lock:
            self.change_set_failures[stack_name] = reason

    def distort_change_set(
        self,
        stack_name: str,
        logical_id: str,
        *,
        extra_property: str | None = None,
        action: str | None = None,
    ) -> None:
        """Change sets created on this stack (until reset) plan ``logical_id`` wider than
        its drift: ``extra_property`` is also listed as changed (a Dynamic detail whose
        value stays the same), and/or the resource's Action becomes ``action`` (Add, Remove,
        Dynamic). Applies to resources the change set changes anyway."""
        if action not in (None, "Add", "Remove", "Dynamic", "Modify"):
            raise ValueError("action must be Add, Remove, Dynamic or Modify")
        with self._lock:
            self.change_set_distortions.setdefault(stack_name, []).append(
                Distortion(logical_id, extra_property, action)
            )

    def before(self, action: str, callback: Hook) -> None:
        """Call ``callback(params)`` in-process before ``action`` ("*" = any) runs."""
        with self._lock:
            self._hooks.setdefault(action, []).append(callback)

    # -- runtime -------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def count(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def hooks(self, action: str) -> list[Hook]:
        with self._lock:
            return [*self._hooks.get("*", []), *self._hooks.get(action, [])]

    def decide(self, action: str) -> tuple[float, str | None]:
        """(latency seconds, injected error code or None) for one request."""
        with self._lock:
            rule = self._rules.get(action) or self._rules.get("*")
            if rule is None:
                return 0.0, None
            draw = self._rng.random()
            if draw < rule.throttle_rate:
                return rule.latency_seconds, THROTTLING
            if draw < rule.throttle_rate + rule.server_error_rate:
                code = INTERNAL_FAILURE if self._rng.random() < 0.5 else SERVICE_UNAVAILABLE
                return rule.latency_seconds, code
            return rule.latency_seconds, None

    def lose_response(self, action: str) -> str | None:
        """The error replacing a processed request's response, if one is pending."""
        with self._lock:
            for key in (action, "*"):
                pending = self._fail_after.get(key)
                if pending:
                    return pending.pop(0)
            return None
