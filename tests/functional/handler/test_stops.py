"""Runs that end early: in sync, not stable, bad input, missing stack."""

from __future__ import annotations

import pytest

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import (
    Inbox,
    calls,
    deploy,
    drift_sample,
    run_handler,
    ssm_value,
)
from tests.stacks import SAMPLE_TEMPLATE


def test_in_sync_stack_is_quiet_and_creates_nothing(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "IN_SYNC"
    assert run.output["DriftedResources"] == []
    assert run.output["Notified"] is False
    assert run.notices == []
    assert calls(aws, "CreateChangeSet") == 0


def test_in_sync_is_notified_when_asked(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    monkeypatch.setenv("NOTIFY_ON_IN_SYNC", "true")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "IN_SYNC"
    assert run.notice.attributes.items() >= {"stack": "sample", "outcome": "IN_SYNC"}.items()


@pytest.mark.parametrize("status", ["UPDATE_IN_PROGRESS", "ROLLBACK_COMPLETE"])
def test_unstable_stack_is_skipped_without_detection(
    aws: AwsSandbox, inbox: Inbox, status: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    aws.set_stack_status("sample", status)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "SKIPPED"
    assert run.result.error is None
    assert calls(aws, "DetectStackDrift") == 0
    assert run.notice.attributes.items() >= {"stack": "sample", "outcome": "SKIPPED"}.items()
    assert f"the stack is {status}" in run.notice.body


def test_missing_stack_is_an_error_notice_and_a_failed_execution(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    run = run_handler(inbox, {"StackName": "no-such-stack"})

    assert run.outcome == "ERROR"
    assert run.result.error is not None
    assert run.result.error.message.startswith("ERROR: ")
    assert "does not exist" in run.result.error.message
    assert run.notice.attributes.items() >= {"stack": "no-such-stack", "outcome": "ERROR"}.items()
    assert "does not exist" in run.notice.body


def test_typo_in_event_is_rejected_with_a_notice_and_never_heals(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)

    run = run_handler(inbox, {"StackName": "sample", "CreateChangesetOnly": True})

    assert run.outcome == "ERROR"
    assert run.result.error is not None
    assert "unknown field 'CreateChangesetOnly'" in run.result.error.message
    assert calls(aws, "DescribeStacks") == 1  # only the test's own deploy check
    assert calls(aws, "CreateChangeSet") == 0
    assert "unknown field 'CreateChangesetOnly'" in run.notice.body


def test_missing_topic_in_lambda_fails_before_any_aws_call(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    monkeypatch.delenv("SNS_TOPIC_ARN")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "drift-healer")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.result.error is not None
    assert run.result.error.message.startswith("ERROR: invalid configuration: SNS_TOPIC_ARN")
    assert calls(aws, "DetectStackDrift") == 0


def test_notice_that_cannot_be_published_fails_the_run_visibly(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    monkeypatch.setenv("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:deleted-topic")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"  # the heal itself happened...
    assert ssm_value("/drift-test/sample") == "initial-value"
    assert run.result.error is not None  # ...but nobody was told, so the run fails
    # The message leads with why the execution failed, then what the run did.
    assert run.result.error.message.startswith(
        "NOTICE_NOT_PUBLISHED: the notice could not be published: "
    )
    assert "the run's outcome was HEALED: " in run.result.error.message
    assert run.output["Notified"] is False
    assert calls(aws, "CreateChangeSet") == 1
