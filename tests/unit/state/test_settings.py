import pytest

from drift_common.validation import ConfigurationError
from healer.state.settings import load_state_settings


def test_defaults_are_stateless_daily_reminders_and_90_days_of_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("STATE_TABLE_NAME", "REMIND_AFTER_HOURS", "HISTORY_TTL_DAYS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_state_settings()
    assert settings.state_table_name is None
    assert settings.remind_after_hours == 24 and settings.history_ttl_days == 90


def test_blank_table_name_is_stateless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", "  ")
    assert load_state_settings().state_table_name is None


def test_values_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", "healer-DriftStateTable-1AB2")
    monkeypatch.setenv("REMIND_AFTER_HOURS", "6.5")
    monkeypatch.setenv("HISTORY_TTL_DAYS", "30")
    settings = load_state_settings()
    assert (settings.state_table_name, settings.remind_after_hours, settings.history_ttl_days) == (
        "healer-DriftStateTable-1AB2",
        6.5,
        30,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STATE_TABLE_NAME", "my table!"),
        ("REMIND_AFTER_HOURS", "0"),
        ("HISTORY_TTL_DAYS", "-1"),
        ("HISTORY_TTL_DAYS", "soon"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        load_state_settings()
