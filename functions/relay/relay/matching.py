"""Which waiting durable callback a CloudFormation event ends: pure functions, no AWS.

The waiter records are written by the healer (drift_common.table.Waiter, the one definition
both functions use): per stack ARN, one `WAIT#...` item per durable execution with its
callback id, its phase and the id it waits for.

- `CloudFormation Drift Detection Status Change` with a final detection status wakes the
  detection/verification waiter whose detection id is the event's, or that has no detection
  id yet (DetectStackDrift has not answered it: the healer then decides from a fresh
  Describe, so an early or unrelated wake-up costs one Describe, never a wrong outcome).
- `CloudFormation Stack Status Change` with a final stack status wakes the execution waiter
  whose ClientRequestToken is the event's.
Anything else (another stack, another detection, an earlier run's token, a status still in
progress) matches nobody.

Events of target accounts and regions reach the home bus through the target-account
template's forwarding rule (templates/target-account.yaml), keeping their own `account` and
`region`. `origin_problem` accepts an event only from the relay's own account or one in
TARGET_ACCOUNT_IDS, and only about a stack of that same account and region: a forged event
(another account's stack ARN, an account nobody allowed) wakes nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from drift_common.table import DETECTION_PHASES, EXECUTION_PHASE, Waiter

DRIFT_DETAIL_TYPE = "CloudFormation Drift Detection Status Change"
STACK_DETAIL_TYPE = "CloudFormation Stack Status Change"
SOURCE = "aws.cloudformation"
FINAL_DETECTION_STATUSES = frozenset({"DETECTION_COMPLETE", "DETECTION_FAILED"})


class NotACloudFormationEventError(ValueError):
    """The input is not an EventBridge event of a kind the relay handles."""


@dataclass(frozen=True)
class StackEvent:
    """What the relay needs of one CloudFormation event."""

    kind: str  # "drift" or "stack"
    stack_id: str
    status: str
    detection_id: str | None = None
    client_request_token: str | None = None
    event_id: str = ""
    account: str | None = None  # the envelope's: where CloudFormation sent it from
    region: str | None = None

    @property
    def final(self) -> bool:
        if self.kind == "drift":
            return self.status in FINAL_DETECTION_STATUSES
        return bool(self.status) and not self.status.endswith("_IN_PROGRESS")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_event(event: Mapping[str, Any]) -> StackEvent:
    """The event's kind, stack, status and ids; NotACloudFormationEventError naming what is
    missing otherwise (the rule only sends these two detail types, so that is a bug)."""
    if not isinstance(event, Mapping):
        raise NotACloudFormationEventError(f"expected an EventBridge event, got {type(event)}")
    detail_type, detail = event.get("detail-type"), event.get("detail")
    if event.get("source") != SOURCE or not isinstance(detail, Mapping):
        raise NotACloudFormationEventError(
            f"not an {SOURCE} event with a detail (source {event.get('source')!r})"
        )
    stack_id = _text(detail.get("stack-id"))
    if stack_id is None:
        raise NotACloudFormationEventError(f"{detail_type!r} event without detail.stack-id")
    status_details = detail.get("status-details")
    status_details = status_details if isinstance(status_details, Mapping) else {}
    token = _text(detail.get("client-request-token"))
    event_id = str(event.get("id", ""))
    origin = {"account": _text(event.get("account")), "region": _text(event.get("region"))}
    if detail_type == DRIFT_DETAIL_TYPE:
        return StackEvent(
            kind="drift",
            stack_id=stack_id,
            status=_text(status_details.get("detection-status")) or "",
            detection_id=_text(detail.get("stack-drift-detection-id")),
            client_request_token=token,
            event_id=event_id,
            **origin,
        )
    if detail_type == STACK_DETAIL_TYPE:
        return StackEvent(
            kind="stack",
            stack_id=stack_id,
            status=_text(status_details.get("status")) or "",
            client_request_token=token,
            event_id=event_id,
            **origin,
        )
    raise NotACloudFormationEventError(f"unexpected detail-type {detail_type!r}")


_STACK_ARN = re.compile(
    r"arn:aws[-a-z]*:cloudformation:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):stack/.+"
)


@dataclass(frozen=True)
class Accounts:
    """Whose events the relay accepts: its own account's, and TARGET_ACCOUNT_IDS'."""

    home: str
    targets: frozenset[str] = frozenset()


def origin_problem(event: StackEvent, accounts: Accounts) -> str | None:
    """Why this event is not to be believed (None: it may wake a waiter)."""
    arn = _STACK_ARN.fullmatch(event.stack_id)
    if arn is None:
        return f"stack-id {event.stack_id!r} is not a stack ARN"
    if event.account is None or event.region is None:
        return "the event has no account or region"
    if event.account != arn["account"] or event.region != arn["region"]:
        return (
            f"forged: an event of account {event.account} in {event.region} about a stack of"
            f" account {arn['account']} in {arn['region']}"
        )
    if event.account != accounts.home and event.account not in accounts.targets:
        return f"account {event.account} is neither this account nor in TARGET_ACCOUNT_IDS"
    return None


def matching_waiters(event: StackEvent, waiters: Iterable[Waiter]) -> list[Waiter]:
    """The waiters this event ends (usually one, none for a stale or foreign event)."""
    if not event.final:
        return []
    if event.kind == "drift":
        return [
            w
            for w in waiters
            if w.phase in DETECTION_PHASES
            and (w.detection_id is None or w.detection_id == event.detection_id)
        ]
    if event.client_request_token is None:
        return []
    return [
        w
        for w in waiters
        if w.phase == EXECUTION_PHASE and w.client_request_token == event.client_request_token
    ]
