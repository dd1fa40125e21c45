"""A region or account listed twice in a fleet event is refused, naming it."""

from __future__ import annotations

from typing import Any

import pytest

from fleet import clients
from tests.functional.fleet.harness import FakeCloudFormation, StubHealer, run_fleet

GOOD = "111122223333"


def stack(name: str) -> dict[str, Any]:
    return {"StackName": name, "StackStatus": "UPDATE_COMPLETE", "Tags": []}


@pytest.mark.parametrize(
    ("field", "values", "repeated"),
    [
        ("Regions", ["eu-west-1", "us-east-1", "eu-west-1"], "eu-west-1"),
        ("Accounts", [GOOD, GOOD], GOOD),
    ],
)
def test_a_place_listed_twice_is_refused_before_any_stack_is_healed(
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    values: list[str],
    repeated: str,
) -> None:
    # Refused rather than de-duplicated: a repeated region is most often a typo for another
    # one, which would then silently never be healed.
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", GOOD)
    fake = FakeCloudFormation([stack("app-a-drifted")])
    monkeypatch.setattr(clients, "cloudformation", lambda region, account: fake)
    stub = StubHealer()

    run = run_fleet({"Fleet": {field: values}}, stub)

    assert run.result.error is not None
    assert f"{field}: {repeated!r} is listed more than once" in (run.result.error.message or "")
    assert not stub.started
