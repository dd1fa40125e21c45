"""WAIT_MODE and the fallback schedule of event-driven waits."""

from __future__ import annotations

import pytest

from healer.settings import ConfigurationError
from healer.wait_settings import WaitMode, load_wait_settings


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
