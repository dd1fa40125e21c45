"""Left running on a schedule: one run per stack, reviews reused, notices on change only.

Every test here runs with the drift state table (STATE_TABLE_NAME), as the template deploys it.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import (
    Inbox,
    Run,
    calls,
    client,
    deploy,
    drift_sample,
    run_handler,
    ssm_value,
)
from tests.stacks import SAMPLE_TEMPLATE

REVIEW = {"StackName": "sample", "CreateChangeSetOnly": True}
AUTO = {"StackName": "sample"}


def change_sets() -> list[str]:
    summaries = client("cloudformation").list_change_sets(StackName="sample")["Summaries"]
    return [s["ChangeSetName"] for s in summaries]


def drift_to(value: str) -> None:
    client("ssm").put_parameter(
        Name="/drift-test/sample", Value=value, Type="String", Overwrite=True
    )


def test_two_runs_at_once_one_heals_the_other_is_busy(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    second: list[Run] = []

    def a_second_run_starts_meanwhile(_: Any) -> None:
        if not second:  # runs inside the first run's ExecuteChangeSet request
            second.append(run_handler(inbox, AUTO))

    aws.faults.before("ExecuteChangeSet", a_second_run_starts_meanwhile)

    first = run_handler(inbox, AUTO)

    [busy] = second
    assert busy.outcome == "BUSY"
    assert busy.result.error is None
    assert "another run is healing this stack" in busy.output["Reason"]
    assert busy.notices == []  # the BUSY run says nothing...
    assert first.outcome == "HEALED"
    assert [n.attributes["outcome"] for n in first.notices] == ["HEALED"]  # ...one notice
    assert calls(aws, "CreateChangeSet") == 1
    assert ssm_value("/drift-test/sample") == "initial-value"


def test_review_runs_on_unchanged_drift_reuse_one_change_set_and_stay_quiet(
    aws: AwsSandbox, inbox: Inbox, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    runs = [run_handler(inbox, REVIEW) for _ in range(3)]

    assert [r.outcome for r in runs] == ["REVIEW_REQUIRED"] * 3
    assert calls(aws, "CreateChangeSet") == 1
    assert len(change_sets()) == 1
    assert [len(r.notices) for r in runs] == [1, 0, 0]
    assert runs[0].notice.result is not None
    assert runs[0].notice.result["NoticeReason"] == "new"
    assert runs[2].output["ChangeSetName"] == runs[0].output["ChangeSetName"]
    assert runs[2].output["NoticeReason"] is None
    assert runs[2].output["DriftFirstSeen"] == runs[0].output["DriftFirstSeen"]

    monkeypatch.setenv("REMIND_AFTER_HOURS", "0.00001")  # the reminder interval has passed
    fourth = run_handler(inbox, REVIEW)

    assert fourth.outcome == "REVIEW_REQUIRED"
    assert "Notice:   reminder: unchanged since the last notice" in fourth.notice.body
    assert len(change_sets()) == 1


def test_changed_drift_replaces_the_pending_review_and_says_what_changed(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    first = run_handler(inbox, REVIEW)
    drift_to("changed-again")

    second = run_handler(inbox, REVIEW)

    assert second.outcome == "REVIEW_REQUIRED"
    assert change_sets() == [second.output["ChangeSetName"]]  # the stale one is gone
    assert second.output["ChangeSetName"] != first.output["ChangeSetName"]
    body = second.notice.body
    assert "Notice:   the drift changed since the last notice" in body
    assert f"the pending review {first.output['ChangeSetName']} was deleted" in body
    assert "changed since the last notice: " in body and "SampleParameter" in body
    assert "/Value: initial-value -> changed-again" in body


def test_an_automatic_run_executes_the_pending_review_and_names_it(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    review = run_handler(inbox, REVIEW)

    healed = run_handler(inbox, AUTO)

    assert healed.outcome == "HEALED"
    assert calls(aws, "CreateChangeSet") == 1  # no second change set: the review's ran
    assert healed.output["ChangeSetName"] == review.output["ChangeSetName"]
    assert f"reusing the pending review {review.output['ChangeSetName']}" in healed.notice.body
    assert ssm_value("/drift-test/sample") == "initial-value"


def test_drift_undone_by_hand_is_notified_once_as_resolved(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    review = run_handler(inbox, REVIEW)
    drift_to("initial-value")  # someone puts it back by hand

    resolved = run_handler(inbox, REVIEW)
    again = run_handler(inbox, REVIEW)

    assert resolved.outcome == "IN_SYNC"
    assert "Notice:   resolved outside the healer" in resolved.notice.body
    assert change_sets() == []  # the pending review was cleaned up
    assert f"the pending review {review.output['ChangeSetName']} was deleted" in (
        resolved.notice.body
    )
    assert again.outcome == "IN_SYNC" and again.notices == []


def test_an_unusable_state_table_reports_the_drift_and_heals_nothing(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.dynamodb_faults.fail("ProvisionedThroughputExceededException")

    run = run_handler(inbox, AUTO)

    # No lease, no guard against a second run: report only (tests/.../test_lease_guards.py).
    assert run.outcome == "DRIFTED"
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
    assert "state unavailable: ProvisionedThroughputExceededException" in run.notice.body
    assert any(n.startswith("state unavailable: ") for n in run.output["Notes"])
