"""Failure outcomes: each is notified with CloudFormation's reason, then fails the execution."""

from __future__ import annotations

import pytest

from sandbox.cloudformation.timing import Phase
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import (
    Inbox,
    calls,
    client,
    deploy,
    drift_sample,
    run_handler,
    ssm_value,
)
from tests.stacks import SAMPLE_TEMPLATE


def assert_failed_with(run_outcome: str, run: object) -> None:
    error = run.result.error  # type: ignore[attr-defined]
    assert error is not None, "a failure outcome must fail the durable execution"
    assert error.message.startswith(f"{run_outcome}: ")


def test_detection_failure_reports_reason_and_partial_results(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.faults.force_detection_failed("sample", reason="Failed to detect drift on resource [Other]")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "DETECTION_FAILED"
    assert_failed_with("DETECTION_FAILED", run)
    assert "Failed to detect drift on resource [Other]" in run.notice.body
    assert calls(aws, "CreateChangeSet") == 0
    assert run.notice.attributes["outcome"] == "DETECTION_FAILED"


def test_execution_failure_lists_failed_resources(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.faults.force_execute_failed(
        "sample", "SampleParameter", reason="User is not authorized to perform ssm:PutParameter"
    )

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "EXECUTION_FAILED"
    assert_failed_with("EXECUTION_FAILED", run)
    [failed] = run.output["FailedResources"]
    assert failed["LogicalResourceId"] == "SampleParameter"
    assert "not authorized" in failed["ResourceStatusReason"]
    assert (
        "SampleParameter (AWS::SSM::Parameter) UPDATE_FAILED: User is not authorized"
        in run.notice.body
    )
    assert ssm_value("/drift-test/sample") == "changed-by-hand"


def test_change_set_made_obsolete_by_another_update(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    def someone_deploys_meanwhile(_: object) -> None:
        client("cloudformation").update_stack(
            StackName="sample",
            UsePreviousTemplate=True,
            Tags=[{"Key": "deployed-by", "Value": "someone-else"}],
        )

    aws.faults.before("ExecuteChangeSet", someone_deploys_meanwhile)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "OBSOLETE"
    assert_failed_with("OBSOLETE", run)
    assert run.notice.attributes["outcome"] == "OBSOLETE"


def test_detection_that_never_finishes_times_out(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    aws.timing.detection = Phase(0.0, 10_000)
    monkeypatch.setenv("DETECTION_TIMEOUT_SECONDS", "3")
    monkeypatch.setenv("DETECTION_POLL_INITIAL_SECONDS", "1")

    run = run_handler(inbox, {"StackName": "sample"}, skip_time=False)

    assert run.outcome == "TIMED_OUT"
    assert_failed_with("TIMED_OUT", run)
    assert "drift detection did not finish within 3 s" in run.notice.body
    assert calls(aws, "CreateChangeSet") == 0


def test_change_set_creation_failure_reports_cloudformations_reason(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.faults.force_change_set_failed(
        "sample", reason="Resource handler returned message: Access denied for ssm:GetParameter"
    )

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "CHANGE_SET_FAILED"
    assert_failed_with("CHANGE_SET_FAILED", run)
    assert "Access denied for ssm:GetParameter" in run.notice.body
    assert run.output["ChangeSetDeleted"] is False  # kept for inspection
    assert calls(aws, "ExecuteChangeSet") == 0
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
