"""Waits scheduled from the stack's own history (issue 19): pure decisions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from healer.model.polls import ChangeSetPoll, DetectionPoll, PollPolicy
from healer.waits.decisions import (
    SHORT_LOOKS,
    history_schedule,
    next_interval,
    next_look,
    poll_decision,
)
from healer.waits.settings import WaitSettings

T0 = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
CHANGE_SET = PollPolicy(initial_seconds=5, max_seconds=30, backoff_rate=1.5, budget_seconds=900)


def looks(policy: PollPolicy, until: float, *, look_at_start: bool = True) -> list[float]:
    """When a polling wait looks (seconds after the start) until one at or past `until`."""
    at, attempt = 0.0, 1
    seen = [0.0] if look_at_start else []
    while at < until:
        at += poll_decision(poll(at), attempt, policy).delay_seconds
        attempt += 1
        seen.append(at)
    return seen


def poll(elapsed: float) -> ChangeSetPoll:
    return ChangeSetPoll(
        started_at=T0, checked_at=T0 + timedelta(seconds=elapsed), change_set_id="cs"
    )


def test_without_history_the_usual_growing_intervals() -> None:
    assert history_schedule(CHANGE_SET) is None
    assert [next_look(0, attempt, CHANGE_SET) for attempt in (1, 2, 3)] == [
        next_interval(attempt, CHANGE_SET) for attempt in (1, 2, 3)
    ]
    assert looks(CHANGE_SET, 45) == [0, 5, 13, 25, 42, 68]


def test_history_puts_the_first_look_just_before_the_expected_end() -> None:
    policy = CHANGE_SET.with_history([45, 44, 46])
    # the look right after the start, then 90 % of the median (40.5 s, whole seconds).
    assert looks(policy, 45)[:2] == [0, 41]
    # A phase that ends as expected (45 s) is seen 2.25 s late at most: 5 % of 45 s.
    assert looks(policy, 45)[-1] - 45 <= 0.05 * 45 + 1


def test_after_the_first_look_short_looks_until_the_cap_then_the_usual_growth() -> None:
    policy = CHANGE_SET.with_history([100])
    schedule = history_schedule(policy)
    assert schedule is not None
    assert (schedule.first, schedule.short) == (90, 5)
    assert schedule.cap == 90 + SHORT_LOOKS * 5
    assert [next_look(t, 9, policy) for t in (95, 125)] == [5, 5]
    grown = [next_look(t, 9, policy) for t in (130, 150, 200, 400)]
    assert grown == sorted(grown) and grown[0] == 5 and grown[-1] == 30  # policy's max


def test_a_much_slower_or_faster_past_run_does_not_move_the_first_look() -> None:
    usual = history_schedule(CHANGE_SET.with_history([20, 20, 21, 20, 20]))
    slow = history_schedule(CHANGE_SET.with_history([20, 900, 21, 20, 20]))
    fast = history_schedule(CHANGE_SET.with_history([20, 1, 21, 20, 20]))
    assert usual is not None and slow is not None and fast is not None
    assert usual.first == slow.first == fast.first == 18


def test_history_is_bounded_both_ways() -> None:
    # A one-second phase: the first look 1 s after the start (whole seconds), short looks 1 s.
    tiny = history_schedule(CHANGE_SET.with_history([0.2]))
    assert tiny is not None and (tiny.first, tiny.short) == (1, 1)
    # A past run longer than the budget: the first look at the budget, short looks <= 30 s.
    huge = history_schedule(CHANGE_SET.with_history([7200]))
    assert huge is not None and huge.first == 900 and huge.short == 30
    # A run much slower than its history is still found: the growth reaches the max interval.
    slower = looks(CHANGE_SET.with_history([10]), 600)
    assert max(b - a for a, b in itertools.pairwise(slower)) == 30
    # A run much faster than its history waits for the first look, no more.
    faster = looks(CHANGE_SET.with_history([100]), 5)
    assert faster == [0, 90]


def test_event_rounds_look_when_the_history_says_until_events_are_trusted() -> None:
    settings = WaitSettings(event_fallback_initial_seconds=30, event_fallback_max_seconds=900)
    policy = CHANGE_SET.with_history([45])
    # Untrusted: the first callback (armed before the start) times out at the first look.
    assert settings.callback_timeout(1, trusted=False, polling=policy) == 40.5
    assert settings.callback_timeout(2, trusted=False, polling=policy, elapsed=41) == 2.25
    # Trusted: one sleep until the end of the short looks, then the long fallback.
    assert settings.callback_timeout(1, trusted=True, polling=policy) == 40.5 + 8 * 2.25
    assert settings.callback_timeout(3, trusted=True, polling=policy, elapsed=70) == 120


def test_a_long_phase_costs_few_wake_ups_when_trusted() -> None:
    settings = WaitSettings()
    hour = PollPolicy(initial_seconds=10, max_seconds=60, backoff_rate=1.5, budget_seconds=7200)
    policy = hour.with_history([3600])
    first = settings.callback_timeout(1, trusted=True, polling=policy)
    assert first == 300  # armed before the budget is cut to the deadline: at most 300 s
    second = settings.callback_timeout(2, trusted=True, polling=policy, elapsed=first)
    assert first + second > 3600  # the event at the hour is the second wake-up


def test_relay_trust_expires() -> None:
    settings = WaitSettings(event_trust_hours=24)
    assert settings.trusts_relay(T0, T0 + timedelta(hours=23))
    assert not settings.trusts_relay(T0, T0 + timedelta(hours=25))
    assert not settings.trusts_relay(None, T0)
    assert not settings.trusts_relay(T0 + timedelta(hours=1), T0)  # from the future: no
    assert not WaitSettings(event_trust_hours=0).trusts_relay(T0, T0)


def ended(found: float, running: float | None, ended_on: str | None = None) -> DetectionPoll:
    return DetectionPoll(
        started_at=T0,
        checked_at=T0 + timedelta(seconds=found),
        pending_at=None if running is None else T0 + timedelta(seconds=running),
        detection_id="d",
        detection_status="DETECTION_COMPLETE",
        ended_on=ended_on,
    )


def test_what_is_remembered_is_cloudformations_time_as_well_as_the_wait_knows_it() -> None:
    # Woken by the event: the Describe right after it.
    assert ended(45.2, 40.6, "event").cloudformation_seconds == 45.2
    # Polled, a short gap between "running" and "done": the midpoint.
    assert ended(46.7, 44.6).cloudformation_seconds == pytest.approx(45.65)
    # Polled with the growing intervals (a long gap): the last look that saw it running,
    # so the next run looks early and its short looks find the end.
    assert ended(65.9, 40.6).cloudformation_seconds == 40.6
    # Nothing but the look at the start saw it running: what the wait saw.
    assert ended(21.0, 0.0).cloudformation_seconds == 21.0
    assert ended(21.0, None).cloudformation_seconds == 21.0


def test_a_poll_remembers_the_last_look_that_saw_the_operation_running() -> None:
    from healer.waits.flow import poll_once  # noqa: PLC0415

    running = poll_once(poll(0), CHANGE_SET, lambda _: {"status": "CREATE_IN_PROGRESS"})
    assert running.pending_at == running.checked_at
    done = poll_once(running, CHANGE_SET, lambda _: {"status": "CREATE_COMPLETE"})
    assert done.pending_at == running.checked_at
