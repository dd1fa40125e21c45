"""Data access for the drift state table: one DynamoDB call per function.

The keys are the table's contract (drift_common.table, matching template.yaml's
`DriftStateTable`). Items of one stack share the partition key, the stack ARN, so a
re-created stack with the same name starts fresh:

- `STATE`: the stack's drift state and its lease (one item per stack);
- `RUN#<started, ISO 8601 UTC>#<execution digest>`: one history item per run, expiring
  (TTL) after HISTORY_TTL_DAYS; the state item expires too if the stack is not checked for
  that long (a deleted stack leaves nothing behind for good).

Errors are raised as botocore errors; the step wrappers (healer.state.steps) turn every one
of them into a NoState value, so bookkeeping never costs an alert.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from drift_common.errors import error_code
from drift_common.table import (
    BUSY_NOTIFIED,
    LEASE_EXPIRES,
    LEASE_HOLDER,
    LEASE_TAKEN,
    SORT_KEY,
    STATE_KEY,
    TTL_ATTRIBUTE,
)
from healer.aws import clients
from healer.state.items import (
    RunHistory,
    approval_values,
    epoch,
    expiry,
    history_to_item,
    iso,
    item_key,
    marshal,
    state_from_item,
    state_to_item,
)
from healer.state.model import DriftState, Lease, PendingChangeSet

_LEASE_NAMES = {
    "#holder": LEASE_HOLDER,
    "#expires": LEASE_EXPIRES,
    "#taken": LEASE_TAKEN,
    "#busy": BUSY_NOTIFIED,
}


def read_state(table: str, stack_id: str) -> DriftState | None:
    """GetItem (strongly consistent) of the stack's state item; None if there is none."""
    answer = clients.dynamodb().get_item(
        TableName=table, Key=item_key(stack_id, STATE_KEY), ConsistentRead=True
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
    return _claim(
        table,
        stack_id,
        execution_arn,
        condition="attribute_not_exists(#holder) OR #holder = :me OR #expires <= :now",
        values={},
        now=now,
        expires=expires,
        ttl_days=ttl_days,
    )


def take_over_lease(
    table: str,
    stack_id: str,
    execution_arn: str,
    *,
    ended_holder: str,
    now: datetime,
    expires: datetime,
    ttl_days: int,
) -> Lease:
    """Take the lease of an execution that has ended (checked with GetDurableExecution): one
    conditional UpdateItem on that same holder, so of two runs taking over, one wins; the
    other is refused and is BUSY with the winner as the holder."""
    return _claim(
        table,
        stack_id,
        execution_arn,
        condition="#holder = :ended OR #holder = :me",
        values={":ended": {"S": ended_holder}},
        now=now,
        expires=expires,
        ttl_days=ttl_days,
    )


def _claim(
    table: str,
    stack_id: str,
    execution_arn: str,
    *,
    condition: str,
    values: dict[str, Any],
    now: datetime,
    expires: datetime,
    ttl_days: int,
) -> Lease:
    """Make this execution the holder if `condition` holds; the refused Lease names the
    holder DynamoDB returns with the refusal."""
    try:
        answer = clients.dynamodb().update_item(
            TableName=table,
            Key=item_key(stack_id, STATE_KEY),
            UpdateExpression=(
                "SET #holder = :me, #expires = :expires, #taken = :now, #ttl = :ttl REMOVE #busy"
            ),
            ConditionExpression=condition,
            ExpressionAttributeNames=_LEASE_NAMES | {"#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={
                ":me": {"S": execution_arn},
                ":expires": {"N": str(epoch(expires))},
                ":now": {"N": str(epoch(now))},
                ":ttl": {"N": str(expiry(now, ttl_days))},
            }
            | values,
            ReturnValues="ALL_OLD",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        refused: dict[str, Any] = dict(error.response.get("Item") or {})  # type: ignore[call-overload]
        held = state_from_item(refused or item_key(stack_id, STATE_KEY))
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


def extend_lease(table: str, stack_id: str, execution_arn: str, expires: datetime) -> bool:
    """Move this execution's lease to `expires` (before it waits for a person); False when
    the lease is no longer ours."""
    return _conditional(
        table,
        stack_id,
        "SET #expires = :expires",
        {":me": {"S": execution_arn}, ":expires": {"N": str(epoch(expires))}},
        condition="#holder = :me",
    )


def mark_busy_notified(table: str, stack_id: str, holder: str) -> bool:
    """Record that the stack's long BUSY was notified for this holder. True for exactly one
    of the runs that find it so (the conditional write), False for the others."""
    return _conditional(
        table,
        stack_id,
        "SET #busy = :holder",
        {":holder": {"S": holder}},
        condition="#holder = :holder AND (attribute_not_exists(#busy) OR #busy <> :holder)",
    )


def _conditional(
    table: str, stack_id: str, update: str, values: dict[str, Any], *, condition: str
) -> bool:
    names = {k: v for k, v in _LEASE_NAMES.items() if k in update or k in condition}
    try:
        clients.dynamodb().update_item(
            TableName=table,
            Key=item_key(stack_id, STATE_KEY),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        return False
    return True


def release_lease(table: str, stack_id: str, execution_arn: str) -> bool:
    """Remove the lease if this execution holds it; False (no error) if it does not."""
    return _conditional(
        table,
        stack_id,
        "REMOVE #holder, #expires, #taken, #busy",
        {":me": {"S": execution_arn}},
        condition="#holder = :me",
    )


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
        "Created": iso(pending.created),
    } | approval_values(pending)
    try:
        clients.dynamodb().update_item(
            TableName=table,
            Key=item_key(stack_id, STATE_KEY),
            UpdateExpression="SET #pending = :pending",
            ConditionExpression="#holder = :me",
            ExpressionAttributeNames={"#pending": "PendingChangeSet", "#holder": LEASE_HOLDER},
            ExpressionAttributeValues={
                ":pending": marshal({"p": values})["p"],
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
        state.model_copy(
            update={
                "lease_holder": None,
                "lease_expires": None,
                "lease_taken": None,
                "busy_notified": None,
            }
        ),
        expiry(now, ttl_days),
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


def put_history(table: str, run: RunHistory, ttl_days: int) -> str:
    """One PutItem; returns the item's sort key. A retry overwrites the same item."""
    item = history_to_item(run, ttl_days)
    clients.dynamodb().put_item(TableName=table, Item=item)
    return str(item[SORT_KEY]["S"])
