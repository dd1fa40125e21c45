"""Runs that stop before executing: review mode, the safety gate, nothing to revert."""

from __future__ import annotations

from typing import Any

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


def test_review_mode_creates_the_change_set_but_never_executes_it(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    assert run.outcome == "REVIEW_REQUIRED"
    assert run.result.error is None
    assert calls(aws, "CreateChangeSet") == 1
    assert calls(aws, "ExecuteChangeSet") == 0
    assert ssm_value("/drift-test/sample") == "changed-by-hand"  # untouched
    described = client("cloudformation").describe_change_set(
        ChangeSetName=run.output["ChangeSetId"], StackName="sample"
    )
    assert described["ExecutionStatus"] == "AVAILABLE"
    assert described["DeploymentMode"] == "REVERT_DRIFT"
    [planned] = run.output["PlannedChanges"]
    assert planned["LogicalResourceId"] == "SampleParameter"
    assert planned["Action"] == "Modify"
    notice = run.notice
    assert notice.attributes.items() >= {"stack": "sample", "outcome": "REVIEW_REQUIRED"}.items()
    assert "SampleParameter (AWS::SSM::Parameter): Modify, replacement False" in notice.body
    assert run.output["ChangeSetUrl"] in notice.body
    assert "/Value: initial-value -> changed-by-hand" in notice.body


def test_drift_undone_before_the_change_set_is_nothing_to_revert(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    def someone_fixes_it_by_hand(_: Any) -> None:
        client("ssm").put_parameter(
            Name="/drift-test/sample", Value="initial-value", Type="String", Overwrite=True
        )

    aws.faults.before("CreateChangeSet", someone_fixes_it_by_hand)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "NOTHING_TO_REVERT"
    assert "didn't contain changes" in run.output["Reason"]
    assert run.output["ChangeSetDeleted"] is True
    assert calls(aws, "DeleteChangeSet") == 1
    assert calls(aws, "ExecuteChangeSet") == 0
    assert client("cloudformation").list_change_sets(StackName="sample")["Summaries"] == []
    assert run.notice.attributes["outcome"] == "NOTHING_TO_REVERT"
    assert "(deleted: it had no changes)" in run.notice.body


TWO_PARAMETERS = {
    "Resources": {
        name: {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": f"/gate/{name}", "Type": "String", "Value": "template"},
        }
        for name in ("First", "Second")
    }
}


def test_safety_gate_holds_a_change_set_that_touches_undetected_resources(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("gate", TWO_PARAMETERS)
    client("ssm").put_parameter(Name="/gate/First", Value="x", Type="String", Overwrite=True)

    def second_drifts_after_detection(_: Any) -> None:
        client("ssm").put_parameter(Name="/gate/Second", Value="y", Type="String", Overwrite=True)

    aws.faults.before("CreateChangeSet", second_drifts_after_detection)

    run = run_handler(inbox, {"StackName": "gate"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert calls(aws, "ExecuteChangeSet") == 0
    assert run.output["ReviewReasons"] == [
        "Second (AWS::SSM::Parameter): the change set changes it, but drift detection did not report it"
    ]
    assert "Held for review because:" in run.notice.body
    assert ssm_value("/gate/First") == "x"  # nothing was executed
