"""Approval that waits: the real handler waits on a durable callback and acts on the answer.

The testing SDK's skipping clock times a waiting callback out at once, so runs that are
answered use the real clock (skip_time=False) and short polls; the timeout test skips time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from healer.handler import lambda_handler as healer_handler
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

WAITING = {"StackName": "sample", "CreateChangeSetOnly": True, "WaitForApproval": True}


def answered(
    inbox: Inbox,
    answers: list[bytes],
    *,
    before_answer: Callable[[], None] | None = None,
    event: dict[str, Any] | None = None,
) -> tuple[Run, list[Any]]:
    """Run until the approval callback waits, send each answer in turn, return the run and
    what each send raised (None: accepted)."""
    outcomes: list[Any] = []
    with DurableFunctionTestRunner(handler=healer_handler, skip_time=False) as runner:
        arn = runner.run_async(input=json.dumps(event or WAITING), execution_timeout=120)
        callback_id = runner.wait_for_callback(arn, name="approval", timeout=60)
        if before_answer:
            before_answer()
        for answer in answers:
            try:
                runner.send_callback_success(callback_id, result=answer)
                outcomes.append(None)
            except Exception as problem:  # the second answer of a completed callback
                outcomes.append(problem)
        result = runner.wait_for_result(arn, timeout=60)
    return Run(result=result, notices=inbox.receive()), outcomes


def decision(value: str, reason: str = "", by: str = "alice") -> bytes:
    return json.dumps({"Decision": value, "Reason": reason, "By": by}).encode()


@pytest.fixture
def drifted(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()


def test_approved_run_heals_and_names_who_approved(
    aws: AwsSandbox, inbox: Inbox, drifted: None
) -> None:
    run, sent = answered(inbox, [decision("APPROVE", "looks right")])

    assert sent == [None]
    assert run.outcome == "HEALED"
    assert ssm_value("/drift-test/sample") == "initial-value"
    asking, final = run.notices
    assert asking.attributes["outcome"] == "APPROVAL_REQUIRED"
    callback_id = run.output["Approval"]["CallbackId"]
    assert f"Callback ID: {callback_id}" in asking.body
    assert "aws lambda send-durable-execution-callback-success" in asking.body
    assert "/Value: initial-value -> changed-by-hand" in asking.body
    assert asking.result is not None
    assert asking.result["Approval"]["CallbackId"] == callback_id
    assert final.attributes["outcome"] == "HEALED"
    assert "Decision: approved by alice at " in final.body
    assert run.output["Approval"]["Decision"] == "APPROVE"
    assert run.output["Approval"]["By"] == "alice"


def test_rejected_run_deletes_the_change_set_and_says_why(
    aws: AwsSandbox, inbox: Inbox, drifted: None
) -> None:
    run, _ = answered(inbox, [decision("REJECT", "intended change, template follows")])

    assert run.outcome == "REJECTED"
    assert run.result.error is None  # a decision, not a failure
    assert "rejected by alice: intended change, template follows" in run.output["Reason"]
    assert run.output["ChangeSetDeleted"] is True
    assert calls(aws, "ExecuteChangeSet") == 0
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
    rejected = run.notices[-1]
    assert rejected.attributes["outcome"] == "REJECTED"
    assert "  (deleted)\n" in rejected.body
    assert "reason: intended change, template follows" in rejected.body


def test_malformed_answer_executes_nothing_and_is_reported(
    aws: AwsSandbox, inbox: Inbox, drifted: None
) -> None:
    run, _ = answered(inbox, [b'{"Decision": "yes please"}'])

    assert run.outcome == "APPROVAL_INVALID"
    assert run.result.error is not None
    assert "Decision must be APPROVE, REJECT or ACCEPT, got 'yes please'" in run.output["Reason"]
    assert calls(aws, "ExecuteChangeSet") == 0
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
    assert run.notices[-1].attributes["outcome"] == "APPROVAL_INVALID"


def test_a_second_answer_after_the_decision_changes_nothing(
    aws: AwsSandbox, inbox: Inbox, drifted: None
) -> None:
    run, sent = answered(inbox, [decision("REJECT", "no"), decision("APPROVE", by="bob")])

    assert sent[0] is None
    assert sent[1] is not None  # the callback is completed: refused
    assert run.outcome == "REJECTED"
    assert run.output["Approval"]["By"] == "alice"
    assert calls(aws, "ExecuteChangeSet") == 0


def test_stack_updated_before_the_approval_is_obsolete_not_a_blind_execute(
    aws: AwsSandbox, inbox: Inbox, drifted: None
) -> None:
    def someone_deploys() -> None:
        template = json.loads(json.dumps(SAMPLE_TEMPLATE))
        template["Resources"]["SampleParameter"]["Properties"]["Description"] = "deployed"
        client("cloudformation").update_stack(StackName="sample", TemplateBody=json.dumps(template))

    run, _ = answered(inbox, [decision("APPROVE")], before_answer=someone_deploys)

    assert run.outcome == "OBSOLETE"
    assert "approved, but the change set" in run.output["Reason"]
    assert calls(aws, "ExecuteChangeSet") == 0


def test_no_answer_in_time_deletes_the_change_set(
    aws: AwsSandbox, inbox: Inbox, drifted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPROVAL_TIMEOUT_HOURS", "0.001")
    # The skipping clock jumps over the callback's timeout: nobody answers.
    run = run_handler(inbox, WAITING)

    assert run.outcome == "APPROVAL_TIMED_OUT"
    assert run.output["ChangeSetDeleted"] is True
    assert "nobody approved or rejected within 0.001 h" in run.output["Reason"]
    assert [n.attributes["outcome"] for n in run.notices] == [
        "APPROVAL_REQUIRED",
        "APPROVAL_TIMED_OUT",
    ]


def test_keep_change_set_on_timeout(
    aws: AwsSandbox, inbox: Inbox, drifted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPROVAL_TIMEOUT_HOURS", "0.001")
    monkeypatch.setenv("KEEP_CHANGE_SET_ON_TIMEOUT", "true")
    run = run_handler(inbox, WAITING)

    assert run.outcome == "APPROVAL_TIMED_OUT"
    assert run.output["ChangeSetDeleted"] is False
    assert calls(aws, "DeleteChangeSet") == 0


def test_a_wait_longer_than_the_execution_timeout_is_refused_at_the_start(
    aws: AwsSandbox, inbox: Inbox, drifted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DURABLE_EXECUTION_TIMEOUT_SECONDS", "21600")
    run = run_handler(inbox, WAITING)

    assert run.outcome == "ERROR"
    assert "APPROVAL_TIMEOUT_HOURS 72" in run.output["Reason"]
    assert "DURABLE_EXECUTION_TIMEOUT_SECONDS 21600" in run.output["Reason"]
    assert calls(aws, "CreateChangeSet") == 0


def test_without_wait_for_approval_review_mode_still_ends_review_required(
    aws: AwsSandbox, inbox: Inbox, drifted: None
) -> None:
    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    assert run.outcome == "REVIEW_REQUIRED"
    assert run.output["Approval"] is None


def test_an_automatic_run_held_by_the_safety_policy_waits_then_heals(
    aws: AwsSandbox, inbox: Inbox, drifted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_AUTO_CHANGES", "0")  # every change set is held
    event = {"StackName": "sample", "WaitForApproval": True}

    run, _ = answered(inbox, [decision("APPROVE", by="oncall")], event=event)

    assert run.outcome == "HEALED"
    assert run.output["Mode"] == "AUTOMATIC"
    assert run.output["ReviewReasons"]  # why a person had to decide
    asking = run.notices[0]
    assert asking.attributes["outcome"] == "APPROVAL_REQUIRED"
    assert "Held for review because:" in asking.body
    assert ssm_value("/drift-test/sample") == "initial-value"


def test_a_bad_approval_setting_ends_the_waiting_run_at_its_start(
    aws: AwsSandbox, inbox: Inbox, drifted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPROVAL_TIMEOUT_HOURS", "soon")
    run = run_handler(inbox, WAITING)

    assert run.outcome == "ERROR"
    assert "APPROVAL_TIMEOUT_HOURS" in run.output["Reason"]
    assert calls(aws, "CreateChangeSet") == 0
