"""CloudFormation's EventBridge events, emitted by the emulated CloudFormation.

Real CloudFormation sends `CloudFormation Drift Detection Status Change` and `CloudFormation
Stack Status Change` to the default event bus (research.md, EventBridge events reference).
The sandbox builds the same envelope and detail shape, filters them as the template's rule
does (`rule_matches`: final statuses only) and hands them to the subscribed targets (the
local relay) on a timer thread, never under the CloudFormation lock.

Knobs (`sb.events.knobs`, or POST /_sandbox/events): `delay_seconds` before delivery,
`drop` (the rule is missing / the event is lost: nothing delivered), `duplicate` (every
event delivered twice: EventBridge delivers at least once). `sb.events.log` lists what was
emitted and what became of it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

DRIFT_DETAIL_TYPE = "CloudFormation Drift Detection Status Change"
STACK_DETAIL_TYPE = "CloudFormation Stack Status Change"
SOURCE = "aws.cloudformation"

Target = Callable[[dict[str, Any]], object]
log = logging.getLogger(__name__)


@dataclass
class EventKnobs:
    delay_seconds: float = 0.0
    drop: bool = False
    duplicate: bool = False


@dataclass
class Emitted:
    detail_type: str
    stack_id: str
    status: str
    emitted_at: float  # time.monotonic()
    fate: str  # "filtered" (the rule does not match), "dropped", "no target", "delivered"
    copies: int = 0


def rule_matches(event: dict[str, Any]) -> bool:
    """The template's rule (RelayRule): these detail types, final statuses only."""
    if event.get("source") != SOURCE:
        return False
    status = event.get("detail", {}).get("status-details", {})
    if event.get("detail-type") == DRIFT_DETAIL_TYPE:
        return status.get("detection-status") in {"DETECTION_COMPLETE", "DETECTION_FAILED"}
    if event.get("detail-type") == STACK_DETAIL_TYPE:
        value = str(status.get("status", ""))
        return bool(value) and not value.endswith("_IN_PROGRESS")
    return False


def envelope(
    detail_type: str, detail: dict[str, Any], *, account: str, region: str, stack_id: str
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": SOURCE,
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [stack_id],
        "detail": detail,
    }


@dataclass
class EventBus:
    knobs: EventKnobs = field(default_factory=EventKnobs)
    log: list[Emitted] = field(default_factory=list)
    _targets: list[Target] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, target: Target) -> Callable[[], None]:
        return subscribe(self._targets, self._lock, target)

    def reset(self) -> None:
        """Knobs back to defaults and the log emptied; subscriptions stay."""
        with self._lock:
            self.knobs = EventKnobs()
            self.log.clear()

    def emit(self, event: dict[str, Any]) -> None:
        detail = event["detail"]
        status = detail.get("status-details", {})
        record = Emitted(
            detail_type=event["detail-type"],
            stack_id=detail.get("stack-id", ""),
            status=str(status.get("detection-status") or status.get("status") or ""),
            emitted_at=time.monotonic(),
            fate="filtered",
        )
        with self._lock:
            self.log.append(record)
            knobs, targets = EventKnobs(**asdict(self.knobs)), list(self._targets)
        if not rule_matches(event):
            return
        if knobs.drop:
            record.fate = "dropped"
            return
        if not targets:
            record.fate = "no target"
            return
        record.fate = "delivered"
        record.copies = 2 if knobs.duplicate else 1
        deliver_later(event, targets, copies=record.copies, delay_seconds=knobs.delay_seconds)

    def emit_drift(self, det: Any) -> None:
        """A detection reached a final status (`det`: the sandbox's Detection)."""
        detail = {
            "stack-id": det.stack_id,
            "stack-drift-detection-id": det.detection_id,
            "status-details": {
                "stack-drift-status": det.stack_drift_status,
                "detection-status": det.status,
            },
            "drift-detection-details": {
                "drifted-stack-resource-count": det.drifted_count
                if det.drifted_count is not None
                else -1
            },
        }
        self.emit(
            envelope(
                DRIFT_DETAIL_TYPE,
                detail,
                account=det.account,
                region=det.region,
                stack_id=det.stack_id,
            )
        )

    def emit_stack_status(
        self, stack: Any, status: str, reason: str | None, token: str | None
    ) -> None:
        detail: dict[str, Any] = {
            "stack-id": stack.stack_id,
            "status-details": {"status": status, "status-reason": reason or ""},
        }
        if token:
            detail["client-request-token"] = token
        self.emit(
            envelope(
                STACK_DETAIL_TYPE,
                detail,
                account=stack.account_id,
                region=stack.region_name,
                stack_id=stack.stack_id,
            )
        )


def subscribe(targets: list[Target], lock: threading.Lock, target: Target) -> Callable[[], None]:
    """Add `target` to a bus's `targets` (guarded by `lock`); returns its unsubscribe."""
    with lock:
        targets.append(target)

    def unsubscribe() -> None:
        with lock:
            if target in targets:
                targets.remove(target)

    return unsubscribe


def deliver_later(
    event: dict[str, Any], targets: list[Target], *, copies: int, delay_seconds: float
) -> None:
    """Each target gets `copies` of the event after `delay_seconds`, on a timer thread."""
    timer = threading.Timer(delay_seconds, _deliver, (event, targets, copies))
    timer.daemon = True
    timer.start()


def _deliver(event: dict[str, Any], targets: list[Target], copies: int) -> None:
    for _ in range(copies):
        for target in targets:
            try:
                target(event)
            except Exception:  # a failing target must not stop the others (EventBridge retries)
                log.exception("event target failed for %s", event.get("detail-type"))
