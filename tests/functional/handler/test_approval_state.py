"""Approval that waits, with the drift state: a later run names the waiting approval instead
of asking again, and an approval that timed out is asked again only at the reminder interval."""

from __future__ import annotations

import json

import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from healer.handler import lambda_handler as healer_handler
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import (
    Inbox,
    Run,
    deploy,
    drift_sample,
    run_handler,
    ssm_value,
)
from tests.stacks import SAMPLE_TEMPLATE

WAITING = {"StackName": "sample", "CreateChangeSetOnly": True, "WaitForApproval": True}
APPROVE = json.dumps({"Decision": "APPROVE", "Reason": "ok", "By": "alice"}).encode()


def test_a_run_while_an_approval_waits_names_it_and_asks_nobody(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    with DurableFunctionTestRunner(handler=healer_handler, skip_time=False) as runner:
        arn = runner.run_async(input=json.dumps(WAITING), execution_timeout=120)
        callback_id = runner.wait_for_callback(arn, name="approval", timeout=60)
        asked = inbox.receive(wait_seconds=5)

        later = run_handler(inbox, WAITING)  # the next scheduled run, while the first waits

        runner.send_callback_success(callback_id, result=APPROVE)
        first = Run(result=runner.wait_for_result(arn, timeout=60), notices=inbox.receive())

    assert [n.attributes["outcome"] for n in asked] == ["APPROVAL_REQUIRED"]
    assert later.outcome == "BUSY"
    assert later.notices == []
    reason = later.output["Reason"]
    assert "an approval for drift-healer-" in reason and "is already waiting until" in reason
    assert f"callback {callback_id}: not asked again" in reason
    assert first.outcome == "HEALED"
    assert ssm_value("/drift-test/sample") == "initial-value"


def test_an_unanswered_approval_is_asked_again_only_at_the_reminder_interval(
    aws: AwsSandbox, inbox: Inbox, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    monkeypatch.setenv("APPROVAL_TIMEOUT_HOURS", "0.001")
    timed_out = run_handler(inbox, WAITING)  # the skipping clock: nobody answers

    quiet = run_handler(inbox, WAITING)  # the next scheduled run, same drift

    assert timed_out.outcome == "APPROVAL_TIMED_OUT"
    assert quiet.outcome == "REVIEW_REQUIRED"
    assert "timed out unanswered" in quiet.output["Reason"]
    assert quiet.output["Approval"] is None  # nobody was asked
    assert quiet.notices == []

    monkeypatch.setenv("REMIND_AFTER_HOURS", "0.00001")  # the reminder is due
    again = run_handler(inbox, WAITING)

    assert again.outcome == "APPROVAL_TIMED_OUT"
    assert [n.attributes["outcome"] for n in again.notices] == [
        "APPROVAL_REQUIRED",
        "APPROVAL_TIMED_OUT",
    ]
