"""When a wait looks again: pure decisions over the checkpointed poll state.

Without history a phase polls on its policy's growing intervals (`next_interval`). With
the stack's recent durations of the phase (`PollPolicy.history`, from the drift state's
`PhaseSeconds`), `history_schedule` says when to look instead: first at 90 % of the
expected end (the median of the recent durations, so one much faster or much slower past
run does not move it), then short looks (5 % of the expected time, 1-30 s) until a cap
(8 short looks), then the usual growth (by the policy's backoff rate, up to its maximum
interval). A phase that ends as expected costs 2-3 Describe calls in polling mode (the look
right after the start, the first look, perhaps one short look), at most 10 before the
growth starts.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.waits import WaitForConditionDecision

from healer.model import PollPolicy, PollState

HISTORY_LEAD = 0.9  # the first look, as a fraction of the expected end
SHORT_LOOK_FRACTION = 0.05  # a short look's interval, as a fraction of the expected end
SHORT_LOOK_MIN_SECONDS = 1.0  # durable waits have whole-second resolution
SHORT_LOOK_MAX_SECONDS = 30.0
SHORT_LOOKS = 8  # short looks after the first, before the usual growth
TRUSTED_SLACK = 1.2  # trusted events: the first sleep lasts until 120 % of the expected end


def next_interval(attempt: int, policy: PollPolicy) -> float:
    """Seconds before poll `attempt + 1`: initial, x backoff each time, capped.

    No jitter: the decision stays a pure function of the checkpointed state.
    """
    return min(
        policy.initial_seconds * policy.backoff_rate ** max(attempt - 1, 0), policy.max_seconds
    )


@dataclass(frozen=True)
class HistorySchedule:
    """When to look, in seconds after the operation started, from the phase's history."""

    expected: float  # the median of the recent durations
    first: float  # the first look
    short: float  # the interval of the short looks after it
    cap: float  # the end of the short looks; the usual growth after it

    @property
    def trusted_until(self) -> float:
        """When events are trusted, the first look if the event does not come: past the
        expected end and the short looks (a lost event is rare; it costs this much)."""
        return max(self.cap, TRUSTED_SLACK * self.expected)


def history_schedule(policy: PollPolicy) -> HistorySchedule | None:
    """The schedule the phase's history gives; None without history (today's defaults).

    Bounded both ways: the median ignores up to two outliers of five (a much faster or much
    slower past run); the first look is at least 1 s after the start and never past the
    budget; short looks are 1-30 s (and never longer than the policy's own maximum)."""
    if not policy.history:
        return None
    expected = float(statistics.median(policy.history))
    first = min(max(HISTORY_LEAD * expected, 1.0), policy.budget_seconds)
    short = max(
        SHORT_LOOK_MIN_SECONDS,
        min(SHORT_LOOK_FRACTION * expected, SHORT_LOOK_MAX_SECONDS, policy.max_seconds),
    )
    return HistorySchedule(expected, first, short, first + SHORT_LOOKS * short)


def next_look(elapsed: float, attempt: int, policy: PollPolicy) -> float:
    """Seconds from now until the next look, `elapsed` seconds after the start, after
    `attempt` looks so far (the attempt drives the growth without history)."""
    schedule = history_schedule(policy)
    if schedule is None:
        return next_interval(attempt, policy)
    if elapsed < schedule.first:
        return schedule.first - elapsed
    if elapsed < schedule.cap:
        return schedule.short
    # The usual growth, from the short interval: each look waits (rate - 1) x the time
    # already spent past the cap, i.e. grows geometrically, up to the policy's maximum.
    grown = schedule.short + (elapsed - schedule.cap) * (policy.backoff_rate - 1)
    return min(max(grown, schedule.short), max(policy.max_seconds, schedule.short))


def poll_decision(state: PollState, attempt: int, policy: PollPolicy) -> WaitForConditionDecision:
    """Stop once the wait is over; otherwise wait, never past the phase's time budget."""
    if state.finished:
        return WaitForConditionDecision.stop_polling()
    remaining = policy.budget_seconds - state.elapsed_seconds
    delay = min(next_look(state.elapsed_seconds, attempt, policy), max(remaining, 1.0))
    return WaitForConditionDecision.continue_waiting(Duration(seconds=max(1, math.ceil(delay))))


def out_of_budget(state: PollState, policy: PollPolicy) -> bool:
    return not state.settled and state.elapsed_seconds >= policy.budget_seconds
