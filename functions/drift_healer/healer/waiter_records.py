"""The waiter record: which durable callback waits for which CloudFormation operation.

One item per durable execution in the drift state table, under the stack's partition:
`StackId` = stack ARN, `RecordKey` = `WAIT#<execution digest>`. The relay (functions/relay)
Queries the stack's `WAIT#` items when an event arrives and completes the callback of the
one that matches (see functions/relay/relay/matching.py, which mirrors these names; a test
checks they agree). The item is overwritten by each new callback of the same execution and
expires (TTL) a day after its wait's budget; nothing deletes it earlier (a stale record
names a callback that is already finished: completing it again is refused, harmlessly).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from healer import clients
from healer.state_store import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

WAIT_KEY_PREFIX = "WAIT#"
CALLBACK_ID = "CallbackId"  # S: the durable callback to complete
PHASE = "Phase"  # S: detection | verification | execution
DETECTION_ID = "DetectionId"  # S: the drift detection's id (absent until DetectStackDrift ends)
CLIENT_REQUEST_TOKEN = "ClientRequestToken"  # S: ExecuteChangeSet's ClientRequestToken
EXECUTION_ARN = "ExecutionArn"  # S: the durable execution (for people reading the table)

DETECTION_PHASES = frozenset({"detection", "verification"})
EXECUTION_PHASE = "execution"
RECORD_TTL_AFTER_BUDGET = timedelta(days=1)


def wait_key(execution_arn: str) -> str:
    return WAIT_KEY_PREFIX + hashlib.sha256(execution_arn.encode()).hexdigest()[:16]


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
    item = {
        PARTITION_KEY: {"S": stack_id},
        SORT_KEY: {"S": wait_key(execution_arn)},
        CALLBACK_ID: {"S": callback_id},
        PHASE: {"S": phase},
        EXECUTION_ARN: {"S": execution_arn},
        TTL_ATTRIBUTE: {"N": str(int((expires + RECORD_TTL_AFTER_BUDGET).timestamp()))},
    }
    if match_id:
        field = CLIENT_REQUEST_TOKEN if phase == EXECUTION_PHASE else DETECTION_ID
        item[field] = {"S": match_id}
    clients.dynamodb().put_item(TableName=table, Item=item)
