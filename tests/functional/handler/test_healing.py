"""Automatic mode: drift is found, reverted, verified, and reported once."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import (
    Inbox,
    calls,
    client,
    deploy,
    drift_sample,
    run_handler,
    ssm_value,
    throttled,
)
from tests.stacks import APP_TEMPLATE, SAMPLE_TEMPLATE


def test_drifted_parameter_is_healed_verified_and_notified(aws: AwsSandbox, inbox: Inbox) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    assert ssm_value("/drift-test/sample") == "initial-value"
    output = run.output
    assert output["StackId"] == stack_id
    [drifted] = output["DriftedResources"]
    assert drifted["LogicalResourceId"] == "SampleParameter"
    assert drifted["StackResourceDriftStatus"] == "MODIFIED"
    assert {
        "PropertyPath": "/Value",
        "ExpectedValue": "initial-value",
        "ActualValue": "changed-by-hand",
        "DifferenceType": "NOT_EQUAL",
    } in drifted["PropertyDifferences"]
    assert output["ChangeSetId"] and output["ChangeSetUrl"].startswith("https://us-east-1.console")
    assert set(output["Phases"]) == {"detection", "change_set", "execution", "verification"}
    assert all(phase["Polls"] >= 1 for phase in output["Phases"].values())
    notice = run.notice
    assert notice.attributes["stack"] == "sample" and notice.attributes["outcome"] == "HEALED"
    assert notice.attributes["region"] == "us-east-1"
    assert len(notice.attributes["notice-id"]) == 32
    assert output["StackStatus"] == "UPDATE_COMPLETE"  # after the update, not before
    # An SQS subscriber gets the result JSON; the email text is what a person reads.
    assert notice.result is not None
    assert notice.result["Outcome"] == "HEALED" and notice.result["SchemaVersion"]
    assert notice.result["ChangeSetId"] == output["ChangeSetId"]
    assert notice.subject == "drift-healer HEALED: sample"
    assert "/Value: initial-value -> changed-by-hand" in notice.body
    assert output["ChangeSetName"] in notice.body
    assert calls(aws, "ExecuteChangeSet") == 1


def test_stack_with_parameters_and_iam_resources_heals(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("app", APP_TEMPLATE, {"EnvName": "prod"}, capabilities=["CAPABILITY_IAM"])
    client("ssm").put_parameter(Name="/app/prod/mode", Value="lax", Type="String", Overwrite=True)
    queue_url = client("sqs").get_queue_url(QueueName="prod-jobs")["QueueUrl"]
    client("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "300"})
    client("logs").put_retention_policy(logGroupName="/app/prod", retentionInDays=1)

    run = run_handler(inbox, {"StackName": "app"})

    assert run.outcome == "HEALED", run.output["Reason"]
    assert {r["LogicalResourceId"] for r in run.output["DriftedResources"]} == {
        "Setting",
        "Jobs",
        "Logs",
    }
    assert ssm_value("/app/prod/mode") == "strict"
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "30"
    [group] = client("logs").describe_log_groups(logGroupNamePrefix="/app/prod")["logGroups"]
    assert group["retentionInDays"] == 14
    assert run.notice.attributes["outcome"] == "HEALED"


def test_deleted_resource_is_recreated(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECREATE_DELETED", "true")  # held by default (tests/handler/test_policy)
    deploy("sample", SAMPLE_TEMPLATE)
    client("ssm").delete_parameter(Name="/drift-test/sample")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED", run.output["Reason"]
    [drifted] = run.output["DriftedResources"]
    assert drifted["StackResourceDriftStatus"] == "DELETED"
    assert ssm_value("/drift-test/sample") == "initial-value"
    assert "SampleParameter (AWS::SSM::Parameter" in run.notice.body
    assert "DELETED" in run.notice.body


def test_drift_that_comes_back_during_healing_is_partially_healed(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    detections: list[Any] = []

    def someone_changes_it_again(params: Any) -> None:
        detections.append(params)
        if len(detections) == 2:  # the verification detection
            client("ssm").put_parameter(
                Name="/drift-test/sample", Value="changed-again", Type="String", Overwrite=True
            )

    aws.faults.before("DetectStackDrift", someone_changes_it_again)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "PARTIALLY_HEALED"
    [left] = run.output["RemainingDrift"]
    assert left["PropertyDifferences"][0]["ActualValue"] == "changed-again"
    assert run.notice.attributes["outcome"] == "PARTIALLY_HEALED"
    assert "Still drifted after healing:" in run.notice.body
    assert run.result.error is None  # not a failure: the heal itself worked


def test_heals_through_30_percent_throttling_on_every_cloudformation_action(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.faults.set("*", throttle_rate=0.3)

    run = run_handler(inbox, {"StackName": "sample"})
    aws.faults.set("*", throttle_rate=0.0)  # the test's own checks below

    assert run.outcome == "HEALED", run.output["Reason"]
    assert ssm_value("/drift-test/sample") == "initial-value"
    assert throttled(aws) > 0
    assert calls(aws, "CreateChangeSet") == 1
    assert calls(aws, "ExecuteChangeSet") == 1
    assert len(run.notices) == 1
    change_sets = client("cloudformation").list_change_sets(StackName="sample")["Summaries"]
    assert len(change_sets) == 1


def test_verification_can_be_turned_off(aws: AwsSandbox, inbox: Inbox, monkeypatch: Any) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    monkeypatch.setenv("VERIFY_AFTER_HEAL", "false")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    assert "verification" not in run.output["Phases"]
    assert calls(aws, "DetectStackDrift") == 1
