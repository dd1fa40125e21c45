"""Approval settings that cannot work are refused with a clear configuration error."""

from __future__ import annotations

import pytest

from drift_common.validation import ConfigurationError
from healer.approval import approval_problem, load_approval_settings
from healer.settings import Settings


@pytest.mark.parametrize("hours", ["0.0001", "0.0002"])
def test_a_timeout_under_one_second_is_refused_not_taken_as_no_timeout(
    hours: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPROVAL_TIMEOUT_HOURS", hours)
    with pytest.raises(ConfigurationError, match="APPROVAL_TIMEOUT_HOURS") as refused:
        load_approval_settings()
    assert "one second" in str(refused.value)
    problem = approval_problem(Settings())  # what a run that waits ends ERROR with
    assert problem and "APPROVAL_TIMEOUT_HOURS" in problem and "one second" in problem


def test_the_shortest_timeout_is_one_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPROVAL_TIMEOUT_HOURS", str(1 / 3600))
    assert load_approval_settings().timeout_seconds == 1
