"""The fleet with a stubbed healer: failures do not stop it, replays start nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fleet import clients
from tests.functional.fleet.harness import FakeCloudFormation, StubHealer, run_fleet


def stack(name: str, status: str = "UPDATE_COMPLETE", **extra: Any) -> dict[str, Any]:
    return {"StackName": name, "StackStatus": status, "Tags": [], **extra}


class FlakySns:
    """Publish is throttled `failures` times, then accepted."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.published: list[dict[str, Any]] = []

    def publish(self, **kwargs: Any) -> dict[str, Any]:
        if self.failures:
            self.failures -= 1
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish"
            )
        self.published.append(kwargs)
        return {"MessageId": f"m-{len(self.published)}"}


@pytest.fixture
def fleet_of(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(stacks: list[dict[str, Any]], page_size: int = 3) -> FakeCloudFormation:
        fake = FakeCloudFormation(stacks, page_size)
        monkeypatch.setattr(clients, "cloudformation", lambda region, account: fake)
        return fake

    return install


def test_one_stack_failing_does_not_stop_the_others(fleet_of: Any) -> None:
    fleet_of(
        [stack("app-a-drifted"), stack("app-b-broken"), stack("app-c"), stack("app-d-drifted")]
    )
    stub = StubHealer()

    run = run_fleet({"Fleet": {"NamePatterns": ["app-*"], "MaxConcurrency": 2}}, stub)

    digest = run.digest
    assert (digest["Checked"], digest["Healed"], digest["Failed"]) == (4, 2, 1)
    assert digest["Failures"]["Items"] == [
        {
            "Stack": "home/home/app-b-broken",
            "Outcome": "EXECUTION_FAILED",
            "Reason": "the update failed",
        }
    ]
    assert digest["Outcomes"] == {"EXECUTION_FAILED": 1, "HEALED": 2, "IN_SYNC": 1}


def test_options_reach_every_stack_and_wait_for_approval_only_when_set(fleet_of: Any) -> None:
    fleet_of([stack("app-a"), stack("app-b")])
    stub = StubHealer()
    run_fleet({"Fleet": {"Names": ["app-a"], "CreateChangeSetOnly": False}}, stub)
    assert stub.events == [{"StackName": "app-a", "CreateChangeSetOnly": False}]

    stub = StubHealer()
    run_fleet({"Fleet": {"Names": ["app-b"], "WaitForApproval": True}}, stub)
    assert stub.events == [
        {"StackName": "app-b", "CreateChangeSetOnly": True, "WaitForApproval": True}
    ]


def test_a_retried_fleet_starts_no_stack_twice(
    fleet_of: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three batches of two; the digest's publish is throttled twice, so the fleet execution
    # is invoked again after every stack finished and replays its history.
    fleet_of([stack(f"app-{i}" + ("-drifted" if i % 2 else "")) for i in range(6)])
    monkeypatch.setenv("FLEET_BATCH_SIZE", "2")
    sns = FlakySns(failures=2)
    monkeypatch.setattr(clients, "sns", lambda: sns)
    monkeypatch.setenv("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:drift")
    stub = StubHealer()

    run = run_fleet({"Fleet": {"MaxConcurrency": 3}}, stub)

    assert run.digest["Checked"] == 6 and run.digest["Notified"] is True
    assert sorted(stub.started.values()) == [1] * 6
    assert len(sns.published) == 1  # one digest per fleet run
    assert len(run.executions) == 1 + 3 + 6, run.executions  # fleet, batches, stacks


def test_selection_reports_unstable_deleted_nested_excluded_and_missing(fleet_of: Any) -> None:
    fleet_of(
        [
            stack("app-a"),
            stack("app-busy", "UPDATE_IN_PROGRESS"),
            stack("app-going", "DELETE_FAILED"),
            stack(
                "app-child",
                ParentId="arn:aws:cloudformation:us-east-1:123456789012:stack/app-root/1",
            ),
            stack("app-sandbox"),
            stack("other"),
        ]
    )
    stub = StubHealer()

    run = run_fleet(
        {"Fleet": {"NamePatterns": ["app-*"], "Names": ["ghost"], "Exclude": ["*-sandbox"]}}, stub
    )

    skipped = {item["Stack"]: item["Reason"] for item in run.digest["SkippedStacks"]["Items"]}
    assert set(skipped) == {
        "home/home/app-busy",
        "home/home/app-going",
        "home/home/app-child",
        "home/home/app-sandbox",
        "ghost",
    }
    assert "nested stack (parent app-root)" in skipped["home/home/app-child"]
    assert "does not recurse" in skipped["home/home/app-child"]
    assert "UPDATE_IN_PROGRESS, not stable" in skipped["home/home/app-busy"]
    assert list(stub.started) == ["home/home/app-a"]


def test_a_bad_event_fails_the_fleet_naming_the_problem(fleet_of: Any) -> None:
    fleet_of([])
    run = run_fleet({"Fleet": {"NamePattern": ["app-*"], "MaxConcurrency": "10"}}, StubHealer())
    assert run.result.error is not None
    message = run.result.error.message or ""
    assert "unknown field 'NamePattern'" in message
    assert "MaxConcurrency" in message
