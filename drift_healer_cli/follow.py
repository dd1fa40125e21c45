"""Following a durable execution phase by phase, from its history, while it runs.

``GetDurableExecutionHistory`` lists checkpointed operations as events. One operation (one
``Id``) is a step (``StepStarted`` / ``StepSucceeded`` / ``StepFailed``), a
``wait_for_condition`` poll loop (sub type ``WaitForCondition``: one ``StepSucceeded`` per
poll, each but the last with ``RetryDetails.NextAttemptDelaySeconds``), a wait or a child
context. :func:`fold` turns events into operations (pure), with the state each poll
checkpointed; :mod:`drift_healer_cli.watch` polls the history and prints each top-level
operation once, when it has finished::

      ✓ describe-stack             0.0 s
      ✓ wait-for-detection         2.1 s  3 polls
      · wait-for-execution-event-1 30.0 s  no event yet: looked by polling (the fallback)
      ✗ describe-stack             0.0 s  Stack with id x does not exist

An event-driven wait's callback that times out is the designed fallback, not a failure: it
is shown with `·` and says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient


# The callbacks of an event-driven wait (healer.waits.events): `<wait>-event-<round>`.
_EVENT_ROUND = re.compile(r".+-event-\d+$")
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
_DONE_OK = {"StepSucceeded", "WaitSucceeded", "ContextSucceeded", "CallbackSucceeded"}
_DONE_BAD = {
    "StepFailed",
    "WaitCancelled",
    "ContextFailed",
    "CallbackFailed",
    "CallbackTimedOut",
}


@dataclass
class Operation:
    """One durable operation as the history shows it so far."""

    op_id: str
    name: str
    sub_type: str
    parent_id: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    polls: int = 0
    retries: int = 0
    failed: bool = False
    error: str = ""
    retry_error: str = ""  # the error of the last attempt that is being retried
    timed_out: bool = False  # a callback that nobody completed in time
    state: dict[str, Any] | None = None  # the last checkpointed result (a poll's state)

    @property
    def done(self) -> bool:
        return self.ended is not None

    @property
    def fell_back(self) -> bool:
        """An event wait's round that no event ended: the wait polled, as designed."""
        return self.timed_out and bool(_EVENT_ROUND.fullmatch(self.name))

    @property
    def seconds(self) -> float:
        if self.started is None or self.ended is None:
            return 0.0
        return max(0.0, (self.ended - self.started).total_seconds())


def _details(event: dict[str, Any]) -> dict[str, Any]:
    details = event.get(f"{event['EventType']}Details")
    return details if isinstance(details, dict) else {}


def _error_message(details: dict[str, Any]) -> str:
    error = details.get("Error") or {}
    payload = error.get("Payload") if isinstance(error, dict) else None
    if isinstance(payload, dict):
        return str(payload.get("ErrorMessage") or payload.get("ErrorType") or "failed")
    return "failed"


def _result(details: dict[str, Any]) -> dict[str, Any] | None:
    payload = (details.get("Result") or {}).get("Payload")
    try:
        parsed = json.loads(payload) if isinstance(payload, str) else None
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def fold(events: list[dict[str, Any]]) -> list[Operation]:
    """Operations in the order they first appear in ``events``."""
    operations: dict[str, Operation] = {}
    for event in events:
        op_id, kind = event.get("Id"), str(event.get("EventType", ""))
        if not op_id or kind.startswith(("Execution", "Invocation")):
            continue
        op = operations.get(op_id)
        if op is None:
            op = Operation(
                op_id=op_id,
                name=str(event.get("Name") or event.get("SubType") or op_id),
                sub_type=str(event.get("SubType", "")),
                parent_id=event.get("ParentId"),
            )
            operations[op_id] = op
        stamp = event.get("EventTimestamp")
        at = stamp if isinstance(stamp, datetime) else None
        if kind.endswith("Started"):
            op.started = op.started or at
            if op.done:  # it was not over after all (a retry or another poll)
                op.ended, op.failed, op.error, op.timed_out = None, False, "", False
            continue
        details = _details(event)
        # Another attempt or poll follows when a delay is given (the local service
        # reports NextAttemptDelaySeconds 0 on a final failure).
        again = bool((details.get("RetryDetails") or {}).get("NextAttemptDelaySeconds"))
        if kind == "StepSucceeded" and op.sub_type == "WaitForCondition":
            op.polls += 1
        if kind == "StepSucceeded":
            op.state = _result(details) or op.state
        if kind in _DONE_OK and not again:
            op.ended = at or op.started
        elif kind in _DONE_BAD:
            if again:
                op.retries += 1
                op.retry_error = _error_message(details)
            else:
                op.ended, op.failed = at or op.started, True
                op.error = _error_message(details)
                op.timed_out = kind == "CallbackTimedOut"
    return list(operations.values())


def format_operation(op: Operation, width: int = 26) -> str:
    if op.fell_back:
        note = "no event yet: looked by polling (the fallback)"
        return f"  · {op.name:<{width}} {op.seconds:5.1f} s  {note}"
    mark = "✗" if op.failed else "✓"
    notes: list[str] = []
    if op.polls:
        notes.append(f"{op.polls} poll{'s' if op.polls != 1 else ''}")
    if op.retries:
        notes.append(f"{op.retries} retr{'ies' if op.retries != 1 else 'y'}")
    if op.failed:
        notes.append(op.error)
    tail = f"  {', '.join(notes)}" if notes else ""
    return f"  {mark} {op.name:<{width}} {op.seconds:5.1f} s{tail}"


def history(client: LambdaClient, execution_arn: str) -> list[dict[str, Any]]:
    """Every event of the execution (following ``NextMarker``)."""
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"DurableExecutionArn": execution_arn, "IncludeExecutionData": True}
    while True:
        page = client.get_durable_execution_history(**kwargs)
        events.extend(dict(e) for e in page.get("Events", []))
        marker = page.get("NextMarker")
        if not marker:
            return events
        kwargs["Marker"] = marker


@dataclass
class ExecutionResult:
    """How an execution ended: ``Status``, the parsed result, or the error object."""

    status: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None

    @property
    def record(self) -> dict[str, Any] | None:
        """The handler's JSON: the result, or a failed execution's ``ErrorData``."""
        if self.result is not None:
            return self.result
        data = (self.error or {}).get("ErrorData")
        if not data:
            return None
        try:
            parsed = json.loads(data)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    @property
    def outcome(self) -> str:
        """The handler's Outcome, or the execution status when there is no record."""
        return str((self.record or {}).get("Outcome") or self.status)


def drift_lines(record: dict[str, Any]) -> list[str]:
    """The record's drifted resources and property differences (expected -> actual)."""
    lines: list[str] = []
    for resource in record.get("DriftedResources", []):
        lines.append(
            f"  Drifted: {resource['LogicalResourceId']} ({resource['ResourceType']}) "
            f"{resource['StackResourceDriftStatus']}"
        )
        lines.extend(
            f"      {d['PropertyPath']}: {d['ExpectedValue']} -> {d['ActualValue']}"
            for d in resource.get("PropertyDifferences", [])
        )
    return lines
