"""Poll records of the three waits, and the policy each wait polls by.

A check reads AWS once, stamps the time (inside the check, i.e. inside a durable step) and
records what it saw. Transient AWS errors are absorbed into the state instead of raised:
an exception inside a check ends `wait_for_condition` at once (research.md). When to look
again is decided in healer.waits.decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from healer.model.records import Record

# Lambda durable ExecutionTimeout is 1-31,622,400 s (research.md): no phase can be longer.
MAX_EXECUTION_TIMEOUT_SECONDS = 31_622_400
# Time kept back at the end of an execution for the steps after the last wait (reading
# results, publishing the notice, with their retries).
FINAL_STEPS_RESERVE_SECONDS = 300
# A polled end known to within this fraction of the wait is remembered as the midpoint.
BRACKET = 0.1


@dataclass(frozen=True)
class PollPolicy:
    """How one phase polls: a short first interval, growing by `backoff_rate`, capped."""

    initial_seconds: float
    max_seconds: float
    backoff_rate: float
    budget_seconds: float
    # This stack's recent durations of the phase, seconds (drift state `PhaseSeconds`):
    # when given, the wait looks first near the expected end (healer.waits.decisions).
    history: tuple[float, ...] = ()

    def with_history(self, durations: Sequence[float]) -> PollPolicy:
        return replace(self, history=tuple(float(d) for d in durations if d > 0))

    def until(self, deadline: datetime | None, started_at: datetime) -> PollPolicy:
        """The same policy, its budget cut to the time left before `deadline`."""
        if deadline is None:
            return self
        left = (deadline - started_at).total_seconds()
        return replace(self, budget_seconds=max(1.0, min(self.budget_seconds, left)))


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
    pending_at: datetime | None = None  # the last Describe that saw the operation running

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

    @property
    def cloudformation_seconds(self) -> float:
        """How long CloudFormation took, as well as this wait knows (the phase history).

        Woken by its event: the Describe right after it. Polled: the operation ended
        between the last look that saw it running and the one that saw it done; a short gap
        (at most BRACKET of the wait) gives the midpoint, a long one (the growing intervals
        of a wait without history) the earlier look, so the next wait's first look comes
        early, and its short looks find the end, rather than late."""
        elapsed = self.elapsed_seconds
        if self.ended_on == "event" or self.pending_at is None:
            return elapsed
        running = max((self.pending_at - self.started_at).total_seconds(), 0.0)
        if running <= 0:
            return elapsed
        if elapsed - running <= BRACKET * elapsed:
            return (running + elapsed) / 2
        return running


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
