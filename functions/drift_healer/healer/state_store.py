"""Data access for the drift state table: one DynamoDB call per function.

The key schema is defined once, in template.yaml (`DriftStateTable`); the constants below
must match it (tests/template checks). Items of one stack share the partition key, the stack
ARN, so a re-created stack with the same name starts fresh:

- `STATE`: the stack's drift state and its lease (one item per stack);
- `RUN#<started, ISO 8601 UTC>#<execution digest>`: one history item per run, expiring
  (TTL) after HISTORY_TTL_DAYS; the state item expires too if the stack is not checked for
  that long (a deleted stack leaves nothing behind for good).

Errors are raised as botocore errors; the step wrappers (healer.state_steps) turn every one
of them into a NoState value, so bookkeeping never costs an alert.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from healer import clients
from healer.aws_errors import error_code
from healer.model import Record
from healer.state_model import DriftState, Lease, PendingChangeSet

PARTITION_KEY = "StackId"  # S: the stack ARN
SORT_KEY = "RecordKey"  # S: STATE_KEY, or RUN_KEY_PREFIX + started + "#" + digest
TTL_ATTRIBUTE = "ExpiresAt"  # N: epoch seconds (DynamoDB TTL)
STATE_KEY = "STATE"
RUN_KEY_PREFIX = "RUN#"

LEASE_HOLDER = "LeaseHolder"  # S: durable execution ARN
LEASE_EXPIRES = "LeaseExpires"  # N: epoch seconds, compared in the lease condition

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


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, Decimal | int):
        return datetime.fromtimestamp(int(value), UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _key(stack_id: str, record_key: str) -> dict[str, Any]:
    return {PARTITION_KEY: {"S": stack_id}, SORT_KEY: {"S": record_key}}


def run_key(started: datetime, execution_arn: str) -> str:
    """Sorts by start time; the digest keeps two runs started in the same millisecond apart
    and makes a retried put of the same run overwrite, not add."""
    digest = hashlib.sha256(execution_arn.encode()).hexdigest()[:16]
    return f"{RUN_KEY_PREFIX}{_iso(started)}#{digest}"


def _expiry(now: datetime, ttl_days: int) -> int:
    return _epoch(now + timedelta(days=ttl_days))


def _marshal(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def state_to_item(state: DriftState, expires_at: int) -> dict[str, Any]:
    pending = state.pending
    values: dict[str, Any] = {
        "LastOutcome": state.last_outcome,
        "LastChecked": _iso(state.last_checked) if state.last_checked else None,
        "Fingerprint": state.fingerprint,
        "DriftedCount": state.drifted_count,
        "DriftFirstSeen": _iso(state.first_seen_drifted) if state.first_seen_drifted else None,
        "LastNotified": _iso(state.last_notified) if state.last_notified else None,
        "NotifiedWhy": state.notified_why,
        "NotifiedOutcome": state.notified_outcome,
        "NotifiedFingerprint": state.notified_fingerprint,
        "NotifiedFailure": state.notified_failure,
        "NotifiedDigests": state.notified_digests,
        "PendingChangeSet": {
            "Id": pending.change_set_id,
            "Name": pending.change_set_name,
            "Fingerprint": pending.fingerprint,
            "Created": _iso(pending.created),
        }
        | _approval_values(pending)
        if pending
        else None,
        LEASE_HOLDER: state.lease_holder,
        LEASE_EXPIRES: _epoch(state.lease_expires) if state.lease_expires else None,
        TTL_ATTRIBUTE: expires_at,
    }
    return _key(state.stack_id, STATE_KEY) | _marshal(values)


def _approval_values(pending: PendingChangeSet) -> dict[str, Any]:
    """The approval a run waits on for this change set (issue 8), when there is one."""
    if not pending.callback_id:
        return {}
    return {
        "CallbackId": pending.callback_id,
        "Asked": pending.asked,
        "ApprovalExpires": _iso(pending.approval_expires) if pending.approval_expires else None,
    }


def state_from_item(item: dict[str, Any]) -> DriftState:
    values = {k: _deserializer.deserialize(v) for k, v in item.items()}
    pending = values.get("PendingChangeSet")
    return DriftState(
        stack_id=str(values[PARTITION_KEY]),
        last_outcome=values.get("LastOutcome"),
        last_checked=_time(values.get("LastChecked")),
        fingerprint=values.get("Fingerprint", ""),
        drifted_count=int(values.get("DriftedCount", 0)),
        first_seen_drifted=_time(values.get("DriftFirstSeen")),
        last_notified=_time(values.get("LastNotified")),
        notified_why=values.get("NotifiedWhy"),
        notified_outcome=values.get("NotifiedOutcome"),
        notified_fingerprint=values.get("NotifiedFingerprint", ""),
        notified_failure=values.get("NotifiedFailure"),
        notified_digests=dict(values.get("NotifiedDigests", {})),
        pending=PendingChangeSet(
            change_set_id=pending["Id"],
            change_set_name=pending["Name"],
            fingerprint=pending["Fingerprint"],
            created=_time(pending["Created"]),
            callback_id=pending.get("CallbackId"),
            asked=pending.get("Asked"),
            approval_expires=_time(pending.get("ApprovalExpires")),
        )
        if pending
        else None,
        lease_holder=values.get(LEASE_HOLDER),
        lease_expires=_time(values.get(LEASE_EXPIRES)),
    )


def read_state(table: str, stack_id: str) -> DriftState | None:
    """GetItem (strongly consistent) of the stack's state item; None if there is none."""
    answer = clients.dynamodb().get_item(
        TableName=table, Key=_key(stack_id, STATE_KEY), ConsistentRead=True
    )
    item = answer.get("Item")
    return state_from_item(dict(item)) if item else None


def take_lease(
    table: str,
    stack_id: str,
    execution_arn: str,
    *,
    now: datetime,
    expires: datetime,
    ttl_days: int,
) -> Lease:
    """One conditional UpdateItem: taken when there is no lease, it expired, or this same
    execution holds it (a retried or replayed step takes it again). Refused: the other
    holder, read from the item DynamoDB returns with the refusal. Either way `previous` is
    the state item as it was."""
    try:
        answer = clients.dynamodb().update_item(
            TableName=table,
            Key=_key(stack_id, STATE_KEY),
            UpdateExpression="SET #holder = :me, #expires = :expires, #ttl = :ttl",
            ConditionExpression=(
                "attribute_not_exists(#holder) OR #holder = :me OR #expires <= :now"
            ),
            ExpressionAttributeNames={
                "#holder": LEASE_HOLDER,
                "#expires": LEASE_EXPIRES,
                "#ttl": TTL_ATTRIBUTE,
            },
            ExpressionAttributeValues={
                ":me": {"S": execution_arn},
                ":expires": {"N": str(_epoch(expires))},
                ":now": {"N": str(_epoch(now))},
                ":ttl": {"N": str(_expiry(now, ttl_days))},
            },
            ReturnValues="ALL_OLD",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        refused: dict[str, Any] = dict(error.response.get("Item") or {})  # type: ignore[call-overload]
        held = state_from_item(refused or _key(stack_id, STATE_KEY))
        return Lease(
            taken=False,
            holder=held.lease_holder or "an unknown execution",
            expires=held.lease_expires,
            at=now,
            previous=held,
        )
    old = answer.get("Attributes")
    previous = state_from_item(dict(old)) if old else None
    return Lease(taken=True, holder=execution_arn, expires=expires, at=now, previous=previous)


def release_lease(table: str, stack_id: str, execution_arn: str) -> bool:
    """Remove the lease if this execution holds it; False (no error) if it does not."""
    try:
        clients.dynamodb().update_item(
            TableName=table,
            Key=_key(stack_id, STATE_KEY),
            UpdateExpression="REMOVE #holder, #expires",
            ConditionExpression="#holder = :me",
            ExpressionAttributeNames={"#holder": LEASE_HOLDER, "#expires": LEASE_EXPIRES},
            ExpressionAttributeValues={":me": {"S": execution_arn}},
        )
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        return False
    return True


def record_pending_approval(
    table: str, stack_id: str, execution_arn: str, pending: PendingChangeSet
) -> bool:
    """One conditional UpdateItem while this execution holds the lease: the change set a
    person is asked to approve and its callback (so a later run names it instead of asking
    again). False when the lease is no longer ours."""
    values = {
        "Id": pending.change_set_id,
        "Name": pending.change_set_name,
        "Fingerprint": pending.fingerprint,
        "Created": _iso(pending.created),
    } | _approval_values(pending)
    try:
        clients.dynamodb().update_item(
            TableName=table,
            Key=_key(stack_id, STATE_KEY),
            UpdateExpression="SET #pending = :pending",
            ConditionExpression="#holder = :me",
            ExpressionAttributeNames={"#pending": "PendingChangeSet", "#holder": LEASE_HOLDER},
            ExpressionAttributeValues={
                ":pending": _marshal({"p": values})["p"],
                ":me": {"S": execution_arn},
            },
        )
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        return False
    return True


class LeaseLostError(RuntimeError):
    """The state was not written: another execution holds the stack's lease now."""


def save_state(
    table: str, state: DriftState, execution_arn: str, *, now: datetime, ttl_days: int
) -> None:
    """One conditional PutItem of the whole state item, lease attributes left out: it writes
    the run's state and releases this execution's lease at once. Refused (LeaseLostError)
    when another execution took the lease meanwhile (ours expired): its state wins."""
    item = state_to_item(
        state.model_copy(update={"lease_holder": None, "lease_expires": None}),
        _expiry(now, ttl_days),
    )
    try:
        clients.dynamodb().put_item(
            TableName=table,
            Item=item,
            ConditionExpression="attribute_not_exists(#holder) OR #holder = :me",
            ExpressionAttributeNames={"#holder": LEASE_HOLDER},
            ExpressionAttributeValues={":me": {"S": execution_arn}},
        )
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        raise LeaseLostError(
            "not written: another execution holds this stack's lease now (ours expired)"
        ) from None


def history_to_item(run: RunHistory, ttl_days: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "Outcome": run.outcome,
        "Reason": run.reason[:1000],  # a reason can list many resources; keep items small
        "Fingerprint": run.fingerprint,
        "DriftedCount": run.drifted_count,
        "ChangeSetId": run.change_set_id,
        "ChangeSetName": run.change_set_name,
        "ExecutionArn": run.execution_arn,
        "StartedAt": _iso(run.started),
        "FinishedAt": _iso(run.finished),
        "Notified": run.notified,
        "NoticeWhy": run.notice_why,
        TTL_ATTRIBUTE: _expiry(run.finished, ttl_days),
    }
    return _key(run.stack_id, run_key(run.started, run.execution_arn)) | _marshal(values)


def put_history(table: str, run: RunHistory, ttl_days: int) -> str:
    """One PutItem; returns the item's sort key. A retry overwrites the same item."""
    item = history_to_item(run, ttl_days)
    clients.dynamodb().put_item(TableName=table, Item=item)
    return str(item[SORT_KEY]["S"])
