"""When a wait looks again: pure decisions over the checkpointed poll state."""

from __future__ import annotations

import math

from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.waits import WaitForConditionDecision

from healer.model import PollPolicy, PollState


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
