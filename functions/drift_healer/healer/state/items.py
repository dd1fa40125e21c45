"""The drift state's items as DynamoDB holds them: the state item, the history item, and
their keys (drift_common.table). Pure: no AWS calls."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import Field

from drift_common.table import (
    BUSY_NOTIFIED,
    LEASE_EXPIRES,
    LEASE_HOLDER,
    LEASE_TAKEN,
    PARTITION_KEY,
    RUN_KEY_PREFIX,
    SORT_KEY,
    STATE_KEY,
    TTL_ATTRIBUTE,
)
from healer.model import Accepted, Record
from healer.state.model import DriftState, PendingChangeSet

_serializer = TypeSerializer()


_deserializer = TypeDeserializer()


class RunHistory(Record):
    """One history item: what a run did."""

    stack_id: str
    started: datetime
    finished: datetime
    execution_arn: str
    outcome: str
    reason: str
    fingerprint: str | None
    drifted_count: int
    change_set_id: str | None = None
    change_set_name: str | None = None
    notified: bool = False
    notice_why: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)
    healed_paths: list[str] = Field(default_factory=list)
    trigger: str | None = None
    accepted: Accepted | None = None  # issue 17: history attr `Accepted`


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, Decimal | int):
        return datetime.fromtimestamp(int(value), UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def item_key(stack_id: str, record_key: str) -> dict[str, Any]:
    return {PARTITION_KEY: {"S": stack_id}, SORT_KEY: {"S": record_key}}


def run_key(started: datetime, execution_arn: str) -> str:
    """Sorts by start time; the digest keeps two runs started in the same millisecond apart
    and makes a retried put of the same run overwrite, not add."""
    digest = hashlib.sha256(execution_arn.encode()).hexdigest()[:16]
    return f"{RUN_KEY_PREFIX}{iso(started)}#{digest}"


def expiry(now: datetime, ttl_days: int) -> int:
    return epoch(now + timedelta(days=ttl_days))


def marshal(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def state_to_item(state: DriftState, expires_at: int) -> dict[str, Any]:
    pending = state.pending
    values: dict[str, Any] = {
        "LastOutcome": state.last_outcome,
        "LastChecked": iso(state.last_checked) if state.last_checked else None,
        "Fingerprint": state.fingerprint,
        "DriftedCount": state.drifted_count,
        "DriftFirstSeen": iso(state.first_seen_drifted) if state.first_seen_drifted else None,
        "LastNotified": iso(state.last_notified) if state.last_notified else None,
        "NotifiedWhy": state.notified_why,
        "NotifiedOutcome": state.notified_outcome,
        "NotifiedFingerprint": state.notified_fingerprint,
        "NotifiedFailure": state.notified_failure,
        "NotifiedDigests": state.notified_digests,
        "PendingChangeSet": {
            "Id": pending.change_set_id,
            "Name": pending.change_set_name,
            "Fingerprint": pending.fingerprint,
            "Created": iso(pending.created),
        }
        | approval_values(pending)
        if pending
        else None,
        "LastInSync": iso(state.last_in_sync) if state.last_in_sync else None,
        "PhaseSeconds": phase_seconds_values(state.phase_seconds) or None,
        "RelayDeliveredAt": iso(state.relay_delivered_at) if state.relay_delivered_at else None,
        LEASE_HOLDER: state.lease_holder,
        LEASE_EXPIRES: epoch(state.lease_expires) if state.lease_expires else None,
        LEASE_TAKEN: epoch(state.lease_taken) if state.lease_taken else None,
        BUSY_NOTIFIED: state.busy_notified,
        TTL_ATTRIBUTE: expires_at,
    }
    return item_key(state.stack_id, STATE_KEY) | marshal(values)


def phase_seconds_values(history: dict[str, list[float]]) -> dict[str, list[Decimal]]:
    """`PhaseSeconds` as DynamoDB numbers (milliseconds kept; DynamoDB takes no floats)."""
    return {
        phase: [Decimal(str(round(seconds, 3))) for seconds in durations]
        for phase, durations in history.items()
        if durations
    }


def phase_seconds_from(value: Any) -> dict[str, list[float]]:
    """`PhaseSeconds` as read; anything malformed is left out (a schedule hint, no more)."""
    if not isinstance(value, dict):
        return {}
    history: dict[str, list[float]] = {}
    for phase, durations in value.items():
        if isinstance(durations, list):
            kept = [float(d) for d in durations if isinstance(d, Decimal | int) and d > 0]
            if kept:
                history[str(phase)] = kept
    return history


def approval_values(pending: PendingChangeSet) -> dict[str, Any]:
    """The approval a run waits on for this change set (issue 8), when there is one."""
    if not pending.callback_id:
        return {}
    return {
        "CallbackId": pending.callback_id,
        "Asked": pending.asked,
        "ApprovalExpires": iso(pending.approval_expires) if pending.approval_expires else None,
    }


def state_from_item(item: dict[str, Any]) -> DriftState:
    values = {k: _deserializer.deserialize(v) for k, v in item.items()}
    pending = values.get("PendingChangeSet")
    return DriftState(
        stack_id=str(values[PARTITION_KEY]),
        last_outcome=values.get("LastOutcome"),
        last_checked=moment(values.get("LastChecked")),
        fingerprint=values.get("Fingerprint", ""),
        drifted_count=int(values.get("DriftedCount", 0)),
        first_seen_drifted=moment(values.get("DriftFirstSeen")),
        last_notified=moment(values.get("LastNotified")),
        notified_why=values.get("NotifiedWhy"),
        notified_outcome=values.get("NotifiedOutcome"),
        notified_fingerprint=values.get("NotifiedFingerprint", ""),
        notified_failure=values.get("NotifiedFailure"),
        notified_digests=dict(values.get("NotifiedDigests", {})),
        pending=PendingChangeSet(
            change_set_id=pending["Id"],
            change_set_name=pending["Name"],
            fingerprint=pending["Fingerprint"],
            created=moment(pending["Created"]),
            callback_id=pending.get("CallbackId"),
            asked=pending.get("Asked"),
            approval_expires=moment(pending.get("ApprovalExpires")),
        )
        if pending
        else None,
        last_in_sync=moment(values.get("LastInSync")),
        lease_holder=values.get(LEASE_HOLDER),
        lease_expires=moment(values.get(LEASE_EXPIRES)),
        phase_seconds=phase_seconds_from(values.get("PhaseSeconds")),
        relay_delivered_at=moment(values.get("RelayDeliveredAt")),
        lease_taken=moment(values.get(LEASE_TAKEN)),
        busy_notified=values.get(BUSY_NOTIFIED),
    )


def history_to_item(run: RunHistory, ttl_days: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "Outcome": run.outcome,
        "Reason": run.reason[:1000],  # a reason can list many resources; keep items small
        "Fingerprint": run.fingerprint,
        "DriftedCount": run.drifted_count,
        "ChangeSetId": run.change_set_id,
        "ChangeSetName": run.change_set_name,
        "ExecutionArn": run.execution_arn,
        "StartedAt": iso(run.started),
        "FinishedAt": iso(run.finished),
        "Notified": run.notified,
        "NoticeWhy": run.notice_why,
        "Changes": run.changes or None,
        "HealedPaths": run.healed_paths or None,
        "Trigger": run.trigger,
        TTL_ATTRIBUTE: expiry(run.finished, ttl_days),
    }
    if run.accepted is not None and run.outcome == "ACCEPTED":  # --- issue 17 ---
        values["Accepted"] = run.accepted.to_history()
    return item_key(run.stack_id, run_key(run.started, run.execution_arn)) | marshal(values)
