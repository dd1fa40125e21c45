"""The waiter record (drift_common.table.Waiter): which durable callback waits for which
CloudFormation operation, written where the relay looks for it.

The item is overwritten by each new callback of the same execution and expires (TTL) a day
after its wait's budget; nothing deletes it earlier (a stale record names a callback that is
already finished: completing it again is refused, harmlessly).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from drift_common.table import Waiter
from healer.aws import clients

RECORD_TTL_AFTER_BUDGET = timedelta(days=1)


def record_waiter(
    table: str,
    *,
    stack_id: str,
    execution_arn: str,
    phase: str,
    callback_id: str,
    match_id: str | None,
    expires: datetime,
) -> None:
    """One PutItem (a retry writes the same item again). `match_id` is the detection id or
    the client request token; None for a detection not started yet (the relay then wakes
    the waiter on any detection event of the stack, and the fresh Describe decides)."""
    waiter = Waiter(
        stack_id=stack_id,
        callback_id=callback_id,
        phase=phase,
        execution_arn=execution_arn,
        match_id=match_id,
    )
    expires_at = int((expires + RECORD_TTL_AFTER_BUDGET).timestamp())
    clients.dynamodb().put_item(TableName=table, Item=waiter.to_item(expires_at))
