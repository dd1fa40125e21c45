"""Poll states for the three waits, and the pure decision of when to look again.

A check reads AWS once, stamps the time (inside the check, i.e. inside a durable step) and
records what it saw. Transient AWS errors are absorbed into the state instead of raised:
an exception inside a check ends `wait_for_condition` at once (research.md).
"""

from __future__ import annotations

import math
from datetime import datetime

from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.waits import WaitForConditionDecision

from healer.model import Record
from healer.settings import PollPolicy


class PollState(Record):
    started_at: datetime
    checked_at: datetime
    polls: int = 0
    transient_errors: int = 0
    last_transient_error: str | None = None
    timed_out: bool = False
    failure: str | None = None  # a non-transient AWS error ended the wait
    events: int = 0  # event mode: wake-ups by an event (the relay completed the callback)
    ended_on: str | None = None  # event mode: "event" or "poll" (a callback timeout)

    @property
    def settled(self) -> bool:
        """The awaited thing reached a final state (overridden per wait)."""
        raise NotImplementedError

    @property
    def finished(self) -> bool:
        return self.settled or self.timed_out or self.failure is not None

    @property
    def elapsed_seconds(self) -> float:
        return (self.checked_at - self.started_at).total_seconds()


class DetectionPoll(PollState):
    detection_id: str
    detection_status: str = "DETECTION_IN_PROGRESS"
    stack_drift_status: str | None = None
    drifted_resource_count: int | None = None
    reason: str | None = None

    @property
    def settled(self) -> bool:
        return self.detection_status != "DETECTION_IN_PROGRESS"


class ChangeSetPoll(PollState):
    change_set_id: str
    status: str = "CREATE_PENDING"
    execution_status: str | None = None
    reason: str | None = None

    @property
    def settled(self) -> bool:
        return self.status not in {"CREATE_PENDING", "CREATE_IN_PROGRESS"}


class ExecutionPoll(PollState):
    change_set_id: str
    # ExecuteChangeSet was refused (InvalidChangeSetStatus): the poll decides whether that
    # meant "already executing" (keep waiting) or "cannot execute" (settled).
    execute_rejection: str | None = None
    execution_status: str | None = None
    stack_status: str | None = None
    stack_status_reason: str | None = None

    @property
    def settled(self) -> bool:
        if self.stack_status is None or self.stack_status.endswith("_IN_PROGRESS"):
            return False
        if self.execution_status in {"EXECUTE_COMPLETE", "EXECUTE_FAILED", "OBSOLETE"}:
            return True
        # Never started: refused, and the change set is not executing.
        return self.execute_rejection is not None and self.execution_status in {
            "AVAILABLE",
            "UNAVAILABLE",
        }


def next_interval(attempt: int, policy: PollPolicy) -> float:
    """Seconds before poll `attempt + 1`: initial, x backoff each time, capped.

    No jitter: the decision stays a pure function of the checkpointed state.
    """
    return min(
        policy.initial_seconds * policy.backoff_rate ** max(attempt - 1, 0), policy.max_seconds
    )


def poll_decision(state: PollState, attempt: int, policy: PollPolicy) -> WaitForConditionDecision:
    """Stop once the wait is over; otherwise wait, never past the phase's time budget."""
    if state.finished:
        return WaitForConditionDecision.stop_polling()
    remaining = policy.budget_seconds - state.elapsed_seconds
    delay = min(next_interval(attempt, policy), max(remaining, 1.0))
    return WaitForConditionDecision.continue_waiting(Duration(seconds=max(1, math.ceil(delay))))


def out_of_budget(state: PollState, policy: PollPolicy) -> bool:
    return not state.settled and state.elapsed_seconds >= policy.budget_seconds
