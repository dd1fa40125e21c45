"""The drift state table's contract: its keys, and the waiter record the healer writes and the
relay reads.

The key schema is defined once in template.yaml (`DriftStateTable`); these names must match it
(tests/unit/template checks). Items of one stack share the partition key, the stack ARN:

- `STATE`: the stack's drift state and its lease (one item per stack);
- `RUN#<started, ISO 8601 UTC>#<execution digest>`: one history item per run;
- `WAIT#<execution digest>`: the waiter record, which durable callback waits for which
  CloudFormation operation (one per durable execution, overwritten by each new callback of the
  same execution, expiring a day after its wait's budget).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PARTITION_KEY = "StackId"  # S: the stack ARN
SORT_KEY = "RecordKey"  # S: STATE_KEY, RUN_KEY_PREFIX... or WAIT_KEY_PREFIX...
TTL_ATTRIBUTE = "ExpiresAt"  # N: epoch seconds (DynamoDB TTL)
STATE_KEY = "STATE"
RUN_KEY_PREFIX = "RUN#"
LEASE_HOLDER = "LeaseHolder"  # S: durable execution ARN
LEASE_EXPIRES = "LeaseExpires"  # N: epoch seconds, compared in the lease condition
LEASE_TAKEN = "LeaseTaken"  # N: epoch seconds, when the holder took the lease
BUSY_NOTIFIED = "BusyNotified"  # S: the holder whose long BUSY was notified (once per holder)

WAIT_KEY_PREFIX = "WAIT#"
CALLBACK_ID = "CallbackId"  # S: the durable callback to complete
PHASE = "Phase"  # S: detection | verification | execution
DETECTION_ID = "DetectionId"  # S: the drift detection's id (absent until DetectStackDrift ends)
CLIENT_REQUEST_TOKEN = "ClientRequestToken"  # S: ExecuteChangeSet's ClientRequestToken
EXECUTION_ARN = "ExecutionArn"  # S: the durable execution (for people reading the table)

DETECTION_PHASES = frozenset({"detection", "verification"})
EXECUTION_PHASE = "execution"


def wait_key(execution_arn: str) -> str:
    return WAIT_KEY_PREFIX + hashlib.sha256(execution_arn.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Waiter:
    """One waiter record: the callback to complete when the awaited operation ends."""

    stack_id: str
    callback_id: str
    phase: str  # detection | verification | execution
    execution_arn: str = ""
    # The detection id (detection phases) or the client request token (execution); None for
    # a detection not started yet (the relay then wakes the waiter on any detection event of
    # the stack, and the fresh Describe decides).
    match_id: str | None = None

    @property
    def detection_id(self) -> str | None:
        return self.match_id if self.phase in DETECTION_PHASES else None

    @property
    def client_request_token(self) -> str | None:
        return self.match_id if self.phase == EXECUTION_PHASE else None

    def to_item(self, expires_at: int) -> dict[str, Any]:
        """The DynamoDB item (low-level attribute values), expiring at `expires_at` (epoch s)."""
        item: dict[str, Any] = {
            PARTITION_KEY: {"S": self.stack_id},
            SORT_KEY: {"S": wait_key(self.execution_arn)},
            CALLBACK_ID: {"S": self.callback_id},
            PHASE: {"S": self.phase},
            EXECUTION_ARN: {"S": self.execution_arn},
            TTL_ATTRIBUTE: {"N": str(expires_at)},
        }
        if self.match_id:
            field = CLIENT_REQUEST_TOKEN if self.phase == EXECUTION_PHASE else DETECTION_ID
            item[field] = {"S": self.match_id}
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Waiter | None:
        """A waiter from a DynamoDB item; None if the item is not one."""

        def text(name: str) -> str | None:
            value = item.get(name)
            raw = value.get("S") if isinstance(value, Mapping) else None
            return raw if isinstance(raw, str) and raw else None

        key, callback_id, phase = text(SORT_KEY), text(CALLBACK_ID), text(PHASE)
        if not key or not key.startswith(WAIT_KEY_PREFIX) or not callback_id or not phase:
            return None
        match_field = CLIENT_REQUEST_TOKEN if phase == EXECUTION_PHASE else DETECTION_ID
        return cls(
            stack_id=text(PARTITION_KEY) or "",
            callback_id=callback_id,
            phase=phase,
            execution_arn=text(EXECUTION_ARN) or "",
            match_id=text(match_field),
        )
