"""One stack's result as the fleet keeps it: small, whatever the healer returned.

The healer's own result (up to 200 KB) stays in its execution; the fleet keeps a few hundred
bytes per stack so a batch of FLEET_BATCH_SIZE stacks fits one checkpoint (256 KB).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from drift_common.outcomes import DRIFT_FOUND, FAILURES
from fleet.request import Target

REASON_CHARS = 160
OUTCOME_CHARS = 40  # outcome names are short; a healer answering nonsense must not grow the digest
# The fleet's own outcome: the stack's execution of the healer could not be run at all.
INVOKE_FAILED = "INVOKE_FAILED"


class StackResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    stack_name: str
    region: str | None = None
    account_id: str | None = None
    outcome: str
    reason: str = ""
    drifted_resources: int = 0
    drift_first_seen: str | None = None  # ISO time, from the healer's drift state when given

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES or self.outcome == INVOKE_FAILED

    @property
    def drifted(self) -> bool:
        """Drift was found, whatever happened next (a failed heal leaves a drifted stack)."""
        return self.outcome in DRIFT_FOUND or self.drifted_resources > 0


def _short(text: str) -> str:
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def from_healer(target: Target, result: Any) -> StackResult:
    """From the healer's result JSON (a dict), returned or attached to its failure."""
    record = result if isinstance(result, dict) else {}
    first_seen = record.get("DriftFirstSeen")
    return StackResult(
        key=target.key,
        stack_name=target.stack_name,
        region=target.region,
        account_id=target.account_id,
        outcome=str(record.get("Outcome") or "ERROR")[:OUTCOME_CHARS],
        reason=_short(str(record.get("Reason") or "the healer returned no reason")),
        drifted_resources=int(record.get("DriftedResourceCount") or 0),
        drift_first_seen=str(first_seen) if first_seen else None,
    )


def from_failure(target: Target, message: str | None, data: str | None) -> StackResult:
    """The healer's execution failed: its record when attached, else the failure itself."""
    try:
        record = json.loads(data) if data else None
    except ValueError:
        record = None
    if isinstance(record, dict) and record.get("Outcome"):
        return from_healer(target, record)
    return StackResult(
        key=target.key,
        stack_name=target.stack_name,
        region=target.region,
        account_id=target.account_id,
        outcome=INVOKE_FAILED,
        reason=_short(message or "the stack's execution failed without a message"),
    )
