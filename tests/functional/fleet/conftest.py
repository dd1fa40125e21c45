"""Fleet tests: the fleet function's environment."""

from __future__ import annotations

import pytest

from tests.functional.fleet.harness import FLEET, HEALER


@pytest.fixture(autouse=True)
def fleet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALER_FUNCTION_ARN", HEALER)
    monkeypatch.setenv("FLEET_FUNCTION_ARN", FLEET)
    monkeypatch.delenv("SNS_TOPIC_ARN", raising=False)
