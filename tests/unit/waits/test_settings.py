"""WAIT_MODE and the fallback schedule of event-driven waits."""

from __future__ import annotations

import pytest

from drift_common.validation import ConfigurationError
from healer.model.polls import PollPolicy
from healer.waits.decisions import next_interval
from healer.waits.settings import WaitMode, load_wait_settings

DETECTION = PollPolicy(initial_seconds=5, max_seconds=30, backoff_rate=1.5, budget_seconds=900)
EXECUTION = PollPolicy(initial_seconds=10, max_seconds=60, backoff_rate=1.5, budget_seconds=3600)


def first_look_after(
    length: float, intervals: list[float], *, look_at_start: bool
) -> tuple[float, int]:
    """When a wait that looks after each interval (polling: also right after the start)
    first sees a phase of `length` finished, and how many Describes that took."""
    at = 0.0
    looks = [0.0] if look_at_start else []
    for interval in intervals:
        at += interval
        looks.append(at)
    seen = [t for t in looks if t >= length]
    assert seen, "schedule too short"
    return seen[0], looks.index(seen[0]) + 1


def test_polling_is_the_default_and_events_must_be_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WAIT_MODE", raising=False)
    assert load_wait_settings().wait_mode is WaitMode.POLLING
    monkeypatch.setenv("WAIT_MODE", "events")
    assert load_wait_settings().wait_mode is WaitMode.EVENTS


def test_fallback_timeouts_double_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_FALLBACK_INITIAL_SECONDS", "30")
    monkeypatch.setenv("EVENT_FALLBACK_MAX_SECONDS", "900")
    settings = load_wait_settings()
    schedule = [settings.fallback_seconds(n) for n in range(1, 8)]
    assert schedule == [30, 60, 120, 240, 480, 900, 900]
    # A one-hour operation whose event is lost: a handful of fallback polls, not sixty.
    elapsed, polls = 0.0, 0
    while elapsed < 3600:
        polls += 1
        elapsed += settings.fallback_seconds(polls)
    assert polls == 8


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("WAIT_MODE", "sometimes", "WAIT_MODE"),
        ("EVENT_FALLBACK_INITIAL_SECONDS", "0", "EVENT_FALLBACK_INITIAL_SECONDS"),
        ("EVENT_FALLBACK_MAX_SECONDS", "10", "EVENT_FALLBACK_MAX_SECONDS"),
    ],
)
def test_bad_values_are_configuration_errors_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=named):
        load_wait_settings()


@pytest.mark.parametrize("policy", [DETECTION, EXECUTION])
def test_before_any_event_the_rounds_follow_the_polling_schedule(policy: PollPolicy) -> None:
    settings = load_wait_settings()
    rounds = [settings.callback_timeout(n, trusted=False, polling=policy) for n in range(1, 200)]
    polls = [next_interval(n, policy) for n in range(1, 200)]
    assert rounds == polls
    # A lost event, for any phase length: the wait ends when polling would, with one
    # Describe fewer (polling also looks right after the start).
    for length in [1, 4, 20, 45, 90, 200, 900, 3600]:
        polled_at, polled_looks = first_look_after(length, polls, look_at_start=True)
        event_at, event_looks = first_look_after(length, rounds, look_at_start=False)
        assert event_at <= polled_at, length
        assert event_looks == polled_looks - 1, length


def test_once_the_relay_delivered_the_rounds_are_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_FALLBACK_INITIAL_SECONDS", "30")
    monkeypatch.setenv("EVENT_FALLBACK_MAX_SECONDS", "900")
    settings = load_wait_settings()

    def schedule(*, trusted: bool) -> list[float]:
        return [
            settings.callback_timeout(n, trusted=trusted, polling=EXECUTION) for n in range(1, 100)
        ]

    assert schedule(trusted=True)[:7] == [30, 60, 120, 240, 480, 900, 900]
    # A one-hour execution whose event is lost: 8 wake-ups trusted, 63 before any event.
    assert first_look_after(3600, schedule(trusted=True), look_at_start=False)[1] == 8
    assert first_look_after(3600, schedule(trusted=False), look_at_start=False)[1] == 63


def test_the_first_round_never_sleeps_past_the_final_steps_reserve() -> None:
    # It is armed before the operation starts, i.e. before the budget is cut to the
    # deadline: a long first poll interval must not carry it past the ExecutionTimeout.
    slow = PollPolicy(initial_seconds=1200, max_seconds=1800, backoff_rate=1.5, budget_seconds=7200)
    settings = load_wait_settings()
    assert settings.callback_timeout(1, trusted=False, polling=slow) == 300
    assert settings.callback_timeout(2, trusted=False, polling=slow) == 1800
