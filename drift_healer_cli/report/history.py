"""The drift state table's items, read-only: one `StackHistory` per stack.

Reads with `Scan` only (no write, no condition): `dynamodb:Scan` on the table is all the
command needs. History items (`RUN#...`) carry what docs/drift-state.md lists; the
attributes later issues add (`Changes`, `Accepted`, `Trigger`) are read when present and
never required.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from drift_common.table import PARTITION_KEY, RUN_KEY_PREFIX, SORT_KEY, STATE_KEY

_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class Change:
    """Who changed what (attribution: a history item's `Changes`)."""

    logical_id: str
    resource_type: str
    paths: tuple[str, ...]
    principal: str
    event_name: str
    event_time: datetime | None
    via: str = ""


@dataclass(frozen=True)
class Run:
    started: datetime
    finished: datetime
    outcome: str
    reason: str
    drifted_count: int
    trigger: str = ""
    changes: tuple[Change, ...] = ()
    accepted_by: str | None = None


@dataclass
class StackHistory:
    stack_id: str
    runs: list[Run] = field(default_factory=list)
    drift_first_seen: datetime | None = None  # the state item's DriftFirstSeen
    last_outcome: str | None = None

    @property
    def name(self) -> str:
        """The stack name of an ARN (arn:...:stack/NAME/ID), else the key as it is."""
        parts = self.stack_id.split(":stack/", 1)
        return parts[1].split("/", 1)[0] if len(parts) == 2 else self.stack_id

    @property
    def region(self) -> str:
        parts = self.stack_id.split(":")
        return parts[3] if len(parts) > 5 else ""


def moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal | int | float):
        return datetime.fromtimestamp(float(value), UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _changes(raw: Any) -> tuple[Change, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        paths = item.get("Paths") or []
        out.append(
            Change(
                logical_id=str(item.get("LogicalId", "")),
                resource_type=str(item.get("ResourceType", "")),
                paths=tuple(str(p) for p in paths) if isinstance(paths, list) else (),
                principal=str(item.get("Principal") or "unknown"),
                event_name=str(item.get("EventName") or ""),
                event_time=moment(item.get("EventTime")),
                via=str(item.get("Via") or ""),
            )
        )
    return tuple(out)


def run_of(values: Mapping[str, Any]) -> Run | None:
    started, finished = moment(values.get("StartedAt")), moment(values.get("FinishedAt"))
    if started is None or finished is None or not values.get("Outcome"):
        return None  # not a history item this command understands
    accepted = values.get("Accepted")
    return Run(
        started=started,
        finished=finished,
        outcome=str(values["Outcome"]),
        reason=str(values.get("Reason", "")),
        drifted_count=int(values.get("DriftedCount", 0) or 0),
        trigger=str(values.get("Trigger") or ""),
        changes=_changes(values.get("Changes")),
        accepted_by=str(accepted.get("By") or "") or None
        if isinstance(accepted, Mapping)
        else None,
    )


def from_items(items: Iterable[Mapping[str, Any]]) -> list[StackHistory]:
    """Low-level DynamoDB items (as Scan returns them) -> the stacks, runs in time order."""
    stacks: dict[str, StackHistory] = {}
    for item in items:
        values = {k: _deserializer.deserialize(v) for k, v in item.items()}
        stack_id, key = str(values.get(PARTITION_KEY, "")), str(values.get(SORT_KEY, ""))
        if not stack_id:
            continue
        if key == STATE_KEY:
            stack = stacks.setdefault(stack_id, StackHistory(stack_id))
            stack.drift_first_seen = moment(values.get("DriftFirstSeen"))
            stack.last_outcome = values.get("LastOutcome")
        elif key.startswith(RUN_KEY_PREFIX) and (run := run_of(values)) is not None:
            stacks.setdefault(stack_id, StackHistory(stack_id)).runs.append(run)
    for stack in stacks.values():
        stack.runs.sort(key=lambda r: r.started)
    return sorted((s for s in stacks.values() if s.runs), key=lambda s: s.name)


def scan(client: Any, table: str) -> list[dict[str, Any]]:
    """Every item of the table, page by page (Scan: read-only)."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        items += page.get("Items", [])
    return items
