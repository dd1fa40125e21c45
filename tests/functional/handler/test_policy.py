"""The safety policy reads properties; stack owners opt out with a tag; known drift is ignored."""

from __future__ import annotations

import json
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
)
from tests.stacks import APP_TEMPLATE, SAMPLE_TEMPLATE

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
ROLE_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Worker": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": "worker",
                "AssumeRolePolicyDocument": TRUST,
                "Tags": [{"Key": "team", "Value": "payments"}],
            },
        }
    }
}
TABLE_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Orders": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "TableName": "orders",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            },
        }
    }
}


def deploy_tagged(name: str, template: dict[str, Any], mode: str) -> None:
    client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Tags=[{"Key": "drift-healer:mode", "Value": mode}, {"Key": "owner", "Value": "team-a"}],
    )


def retag_role() -> None:
    client("iam").tag_role(RoleName="worker", Tags=[{"Key": "team", "Value": "growth"}])


def deploy_role() -> None:
    deploy("roles", ROLE_TEMPLATE, capabilities=["CAPABILITY_NAMED_IAM"])


# --- the change set is compared with the drift, property by property ----------------------


def test_tag_only_drift_on_a_role_is_healed(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy_role()
    retag_role()

    run = run_handler(inbox, {"StackName": "roles"})

    assert run.outcome == "HEALED", run.output["ReviewReasons"]
    [planned] = run.output["PlannedChanges"]
    assert planned["PropertyPaths"] == ["/Tags"]
    tags = client("iam").list_role_tags(RoleName="worker")["Tags"]
    assert tags == [{"Key": "team", "Value": "payments"}]


def test_tag_only_drift_with_a_trust_policy_change_planned_is_held(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy_role()
    retag_role()
    # The over-broad REVERT_DRIFT change set users report: it also "changes" the trust policy.
    aws.faults.distort_change_set("roles", "Worker", extra_property="AssumeRolePolicyDocument")

    run = run_handler(inbox, {"StackName": "roles"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert calls(aws, "ExecuteChangeSet") == 0
    [reason] = run.output["ReviewReasons"]
    assert reason.startswith("Worker (AWS::IAM::Role): the change set also changes")
    assert "/AssumeRolePolicyDocument" in reason and "(drifted: /Tags/0/Value)" in reason
    assert reason in run.notice.body
    assert client("iam").list_role_tags(RoleName="worker")["Tags"][0]["Value"] == "growth"


def test_modified_resource_planned_as_add_is_held(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.faults.distort_change_set("sample", "SampleParameter", action="Add")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert run.output["ReviewReasons"] == [
        "SampleParameter (AWS::SSM::Parameter): drift detection reported it MODIFIED, "
        "but the change set plans Add"
    ]
    assert calls(aws, "ExecuteChangeSet") == 0
    assert ssm_value("/drift-test/sample") == "changed-by-hand"


def test_deleted_resource_is_held_by_default(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    client("ssm").delete_parameter(Name="/drift-test/sample")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "REVIEW_REQUIRED"
    [reason] = run.output["ReviewReasons"]
    assert "deleted out of band" in reason and "RECREATE_DELETED=true" in reason
    assert calls(aws, "ExecuteChangeSet") == 0
    with pytest.raises(client("ssm").exceptions.ParameterNotFound):
        client("ssm").get_parameter(Name="/drift-test/sample")


def test_deleted_resource_is_recreated_when_allowed_with_a_warning(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECREATE_DELETED", "true")
    deploy("sample", SAMPLE_TEMPLATE)
    client("ssm").delete_parameter(Name="/drift-test/sample")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED", run.output["ReviewReasons"]
    assert ssm_value("/drift-test/sample") == "initial-value"
    [warning] = run.output["Warnings"]
    assert warning.startswith("SampleParameter (AWS::SSM::Parameter) was deleted out of band")
    assert "is not restored" in warning
    assert f"Warnings:\n  - {warning}" in run.notice.body


def test_stateful_type_is_held_by_default(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("orders", TABLE_TEMPLATE)
    client("dynamodb").update_table(
        TableName="orders",
        ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 5},
    )

    run = run_handler(inbox, {"StackName": "orders"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert run.output["ReviewReasons"] == [
        "Orders (AWS::DynamoDB::Table): its type is excluded from automatic healing "
        "(AUTO_HEAL_EXCLUDE_TYPES: AWS::DynamoDB::*)"
    ]
    assert calls(aws, "ExecuteChangeSet") == 0


# --- the stack tag drift-healer:mode ---------------------------------------------------------


def test_mode_off_never_touches_the_stack(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy_tagged("sample", SAMPLE_TEMPLATE, "off")
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "OPTED_OUT"
    assert run.result.error is None
    assert "drift-healer:mode=off" in run.output["Reason"]
    assert calls(aws, "DetectStackDrift") == 0
    assert calls(aws, "CreateChangeSet") == 0
    assert run.notices == []
    assert ssm_value("/drift-test/sample") == "changed-by-hand"


def test_mode_detect_reports_drift_without_a_change_set(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy_tagged("sample", SAMPLE_TEMPLATE, "detect")
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "DRIFTED"
    assert run.result.error is None
    assert run.output["Mode"] == "REPORT_ONLY"
    assert [d["LogicalResourceId"] for d in run.output["DriftedResources"]] == ["SampleParameter"]
    assert calls(aws, "CreateChangeSet") == 0
    assert run.notice.attributes["outcome"] == "DRIFTED"
    assert "/Value: initial-value -> changed-by-hand" in run.notice.body
    assert ssm_value("/drift-test/sample") == "changed-by-hand"


def test_mode_review_tag_holds_an_automatic_run(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy_tagged("sample", SAMPLE_TEMPLATE, "review")
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert run.output["Mode"] == "REVIEW"
    assert run.output["ModeNote"] == "stack tag drift-healer:mode=review"
    assert calls(aws, "ExecuteChangeSet") == 0


def test_mode_auto_tag_cannot_loosen_a_review_run(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy_tagged("sample", SAMPLE_TEMPLATE, "auto")
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    assert run.outcome == "REVIEW_REQUIRED"
    assert calls(aws, "ExecuteChangeSet") == 0


def test_unknown_mode_value_is_report_only_and_says_so(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy_tagged("sample", SAMPLE_TEMPLATE, "disabled")
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "DRIFTED"
    assert "drift-healer:mode='disabled' is not one of" in run.output["ModeNote"]
    assert run.output["ModeNote"] in run.notice.body
    assert calls(aws, "CreateChangeSet") == 0


# --- IGNORE_DRIFT ------------------------------------------------------------------------------


def test_only_ignored_drift_counts_as_in_sync(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGNORE_DRIFT", "AWS::SSM::Parameter:/Value")
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "IN_SYNC"
    assert "IGNORE_DRIFT" in run.output["Reason"]
    assert run.output["DriftedResources"] == []
    assert run.output["IgnoredDriftCount"] == 1
    assert calls(aws, "CreateChangeSet") == 0
    assert run.notices == []


def test_ignored_drift_is_not_reported_and_its_revert_is_held(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGNORE_DRIFT", "AWS::SQS::Queue:/VisibilityTimeout, Logs")
    deploy("app", APP_TEMPLATE, {"EnvName": "prod"}, capabilities=["CAPABILITY_IAM"])
    client("ssm").put_parameter(Name="/app/prod/mode", Value="lax", Type="String", Overwrite=True)
    queue_url = client("sqs").get_queue_url(QueueName="prod-jobs")["QueueUrl"]
    client("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "300"})

    run = run_handler(inbox, {"StackName": "app"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert [d["LogicalResourceId"] for d in run.output["DriftedResources"]] == ["Setting"]
    assert "VisibilityTimeout" not in run.notice.body.split("Change set:")[0]
    assert run.output["ReviewReasons"] == [
        "Jobs (AWS::SQS::Queue): the change set would also revert ignored drift at "
        "/VisibilityTimeout (IGNORE_DRIFT)"
    ]
    assert calls(aws, "ExecuteChangeSet") == 0
