"""A step that fails after the outcome is known adds a note; it never replaces the outcome."""

from __future__ import annotations

from typing import Any

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import (
    Inbox,
    client,
    deploy,
    drift_sample,
    run_handler,
    ssm_value,
)
from tests.stacks import SAMPLE_TEMPLATE


def undo_drift_before_the_change_set(aws: AwsSandbox) -> None:
    def someone_fixes_it_by_hand(_: Any) -> None:
        client("ssm").put_parameter(
            Name="/drift-test/sample", Value="initial-value", Type="String", Overwrite=True
        )

    aws.faults.before("CreateChangeSet", someone_fixes_it_by_hand)


def test_a_lost_delete_response_is_still_nothing_to_revert(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    undo_drift_before_the_change_set(aws)
    # The delete works, its response is lost: the retry finds no change set.
    aws.faults.fail_after("DeleteChangeSet", times=1)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "NOTHING_TO_REVERT"
    assert run.result.error is None
    assert run.output["ChangeSetDeleted"] is True
    assert run.output["Notes"] == []
    assert aws.faults.counts()["DeleteChangeSet"] == 2  # the retry found it gone
    assert run.notice.attributes["outcome"] == "NOTHING_TO_REVERT"


def test_a_delete_that_keeps_failing_is_a_note_on_nothing_to_revert(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    undo_drift_before_the_change_set(aws)
    aws.faults.set("DeleteChangeSet", throttle_rate=1.0)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "NOTHING_TO_REVERT"
    assert run.result.error is None
    assert run.output["ChangeSetDeleted"] is False
    [note] = run.output["Notes"]
    assert note.startswith("the empty change set could not be deleted: ")
    assert "Rate exceeded" in note
    assert "Notes:" in run.notice.body and "could not be deleted" in run.notice.body


def test_throttled_stack_events_keep_execution_failed(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.faults.force_execute_failed("sample", "SampleParameter", reason="Access denied")
    aws.faults.set("DescribeStackEvents", throttle_rate=1.0)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "EXECUTION_FAILED"
    assert run.result.error is not None
    assert run.result.error.message.startswith("EXECUTION_FAILED: ")
    assert run.output["FailedResources"] == []
    [note] = run.output["Notes"]
    assert note.startswith("could not read the stack events (failed resources unknown): ")
    assert run.output["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert run.notice.attributes["outcome"] == "EXECUTION_FAILED"


def test_throttled_verification_still_says_the_stack_was_changed(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    def throttle_drift_detection_from_now_on(_: Any) -> None:
        aws.faults.set("DetectStackDrift", throttle_rate=1.0)

    aws.faults.before("ExecuteChangeSet", throttle_drift_detection_from_now_on)

    run = run_handler(inbox, {"StackName": "sample"})

    assert ssm_value("/drift-test/sample") == "initial-value"
    assert run.outcome == "HEALED_UNVERIFIED"
    assert run.result.error is None
    assert "the change set executed and the stack update completed" in run.output["Reason"]
    assert "drift detection could not start" in run.output["Reason"]
    assert run.output["StackStatus"] == "UPDATE_COMPLETE"
    assert run.notice.attributes["outcome"] == "HEALED_UNVERIFIED"
    assert "Stack status: UPDATE_COMPLETE" in run.notice.body
