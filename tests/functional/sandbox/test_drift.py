"""Drift detection fidelity (model doc strings of DetectStackDrift,
DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts, DetectStackResourceDrift)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from sandbox.emulator import AwsSandbox, Phase
from tests.functional.sandbox.helpers import (
    PARAM_NAME,
    Clients,
    create_stack,
    detect,
    drifts,
    physical_id,
)

SUPPORTED = {"Param", "Queue", "Topic", "Bucket", "Logs", "Table"}


def test_fresh_stack_is_in_sync_and_unsupported_types_are_left_out(aws: Clients) -> None:
    create_stack(aws)
    stack = aws.cf.describe_stacks(StackName="app")["Stacks"][0]
    assert stack["DriftInformation"]["StackDriftStatus"] == "NOT_CHECKED"

    status = detect(aws)

    assert status["DetectionStatus"] == "DETECTION_COMPLETE"
    assert status["StackDriftStatus"] == "IN_SYNC"
    assert status["DriftedStackResourceCount"] == 0
    results = drifts(aws)
    assert set(results) == SUPPORTED  # the EC2 VPC is not checked, so not included
    assert {d["StackResourceDriftStatus"] for d in results.values()} == {"IN_SYNC"}
    info = aws.cf.describe_stacks(StackName="app")["Stacks"][0]["DriftInformation"]
    assert info["StackDriftStatus"] == "IN_SYNC"
    assert "LastCheckTimestamp" in info


def test_detection_stays_in_progress_for_min_polls_and_count_is_null(
    sb: AwsSandbox, aws: Clients
) -> None:
    create_stack(aws)
    sb.timing.detection = Phase(seconds=0, min_polls=2)
    det_id = aws.cf.detect_stack_drift(StackName="app")["StackDriftDetectionId"]
    seen = [
        aws.cf.describe_stack_drift_detection_status(StackDriftDetectionId=det_id) for _ in range(3)
    ]
    assert [s["DetectionStatus"] for s in seen] == [
        "DETECTION_IN_PROGRESS",
        "DETECTION_IN_PROGRESS",
        "DETECTION_COMPLETE",
    ]
    assert "DriftedStackResourceCount" not in seen[0]
    assert seen[2]["DriftedStackResourceCount"] == 0


def test_detection_completes_by_time_without_polls(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    sb.timing.detection = Phase(seconds=1.0, min_polls=0)
    det_id = aws.cf.detect_stack_drift(StackName="app")["StackDriftDetectionId"]
    first = aws.cf.describe_stack_drift_detection_status(StackDriftDetectionId=det_id)
    assert first["DetectionStatus"] == "DETECTION_IN_PROGRESS"
    time.sleep(1.2)
    last = aws.cf.describe_stack_drift_detection_status(StackDriftDetectionId=det_id)
    assert last["DetectionStatus"] == "DETECTION_COMPLETE"


def test_ssm_value_drift_with_resolved_intrinsics(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)

    status = detect(aws)

    assert status["StackDriftStatus"] == "DRIFTED"
    assert status["DriftedStackResourceCount"] == 1
    param = drifts(aws)["Param"]
    assert param["StackResourceDriftStatus"] == "MODIFIED"
    assert param["PhysicalResourceId"] == PARAM_NAME
    assert param["PropertyDifferences"] == [
        {
            "PropertyPath": "/Value",
            "ExpectedValue": "hello",
            "ActualValue": "changed",
            "DifferenceType": "NOT_EQUAL",
        }
    ]
    expected = json.loads(param["ExpectedProperties"])
    assert expected["Name"] == PARAM_NAME  # Fn::Sub with a parameter default resolved
    assert expected["Value"] == "hello"  # Ref to a passed parameter resolved
    assert json.loads(param["ActualProperties"])["Value"] == "changed"
    assert "Timestamp" in param
    stack = aws.cf.describe_stacks(StackName="app")["Stacks"][0]
    assert stack["DriftInformation"]["StackDriftStatus"] == "DRIFTED"


def test_ssm_tag_map_add_and_remove(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.add_tags_to_resource(
        ResourceType="Parameter", ResourceId=PARAM_NAME, Tags=[{"Key": "extra", "Value": "x"}]
    )
    aws.ssm.remove_tags_from_resource(
        ResourceType="Parameter", ResourceId=PARAM_NAME, TagKeys=["team"]
    )
    detect(aws)
    diffs = {d["PropertyPath"]: d for d in drifts(aws)["Param"]["PropertyDifferences"]}
    assert diffs["/Tags/team"]["DifferenceType"] == "REMOVE"
    assert diffs["/Tags/extra"]["DifferenceType"] == "ADD"
    assert diffs["/Tags/extra"]["ActualValue"] == "x"


def test_sqs_number_normalisation_and_unordered_tags(aws: Clients) -> None:
    create_stack(aws)
    url = physical_id(aws, "app", "Queue")
    # Undeclared property: never drift ("Only resource properties explicitly defined").
    aws.sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "2048"})
    detect(aws)
    assert drifts(aws)["Queue"]["StackResourceDriftStatus"] == "IN_SYNC"

    aws.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
    aws.sqs.tag_queue(QueueUrl=url, Tags={"a": "changed", "c": "3"})
    detect(aws)
    diffs = {d["PropertyPath"]: d for d in drifts(aws)["Queue"]["PropertyDifferences"]}
    assert diffs["/VisibilityTimeout"]["ExpectedValue"] == "30"
    assert diffs["/VisibilityTimeout"]["ActualValue"] == "60"
    assert diffs["/Tags/0/Value"] == {
        "PropertyPath": "/Tags/0/Value",
        "ExpectedValue": "1",
        "ActualValue": "changed",
        "DifferenceType": "NOT_EQUAL",
    }
    assert diffs["/Tags/2"]["DifferenceType"] == "ADD"
    assert set(diffs) == {"/VisibilityTimeout", "/Tags/0/Value", "/Tags/2"}


@pytest.mark.parametrize(
    ("logical_id", "path", "expected", "actual"),
    [
        ("Topic", "/DisplayName", "Alerts", "Other"),
        ("Bucket", "/VersioningConfiguration/Status", "Enabled", "Suspended"),
        ("Logs", "/RetentionInDays", "7", "30"),
        ("Table", "/ProvisionedThroughput/ReadCapacityUnits", "1", "5"),
    ],
)
def test_drift_per_resource_type(
    aws: Clients, logical_id: str, path: str, expected: str, actual: str
) -> None:
    create_stack(aws)
    pid = physical_id(aws, "app", logical_id)
    if logical_id == "Topic":
        aws.sns.set_topic_attributes(
            TopicArn=pid, AttributeName="DisplayName", AttributeValue="Other"
        )
    elif logical_id == "Bucket":
        aws.s3.put_bucket_versioning(Bucket=pid, VersioningConfiguration={"Status": "Suspended"})
    elif logical_id == "Logs":
        aws.logs.put_retention_policy(logGroupName=pid, retentionInDays=30)
    else:
        aws.ddb.update_table(
            TableName=pid,
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 1},
        )
    detect(aws)
    result = drifts(aws)
    assert result[logical_id]["PropertyDifferences"] == [
        {
            "PropertyPath": path,
            "ExpectedValue": expected,
            "ActualValue": actual,
            "DifferenceType": "NOT_EQUAL",
        }
    ]
    others = {k: v["StackResourceDriftStatus"] for k, v in result.items() if k != logical_id}
    assert set(others.values()) == {"IN_SYNC"}


def test_s3_tag_drift(aws: Clients) -> None:
    create_stack(aws)
    bucket = physical_id(aws, "app", "Bucket")
    aws.s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "x"}]})
    detect(aws)
    diffs = drifts(aws)["Bucket"]["PropertyDifferences"]
    assert [(d["PropertyPath"], d["ActualValue"]) for d in diffs] == [("/Tags/0/Value", "x")]


def test_deleted_resource(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.delete_parameter(Name=PARAM_NAME)
    status = detect(aws)
    assert status["DriftedStackResourceCount"] == 1
    param = drifts(aws)["Param"]
    assert param["StackResourceDriftStatus"] == "DELETED"
    assert "ExpectedProperties" not in param
    assert "ActualProperties" not in param
    assert "PropertyDifferences" not in param


def test_filters_and_pagination(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    detect(aws)
    first = aws.cf.describe_stack_resource_drifts(StackName="app", MaxResults=4)
    assert len(first["StackResourceDrifts"]) == 4
    second = aws.cf.describe_stack_resource_drifts(
        StackName="app", MaxResults=4, NextToken=first["NextToken"]
    )
    assert len(second["StackResourceDrifts"]) == 2
    assert "NextToken" not in second
    ids = [
        d["LogicalResourceId"] for d in first["StackResourceDrifts"] + second["StackResourceDrifts"]
    ]
    assert sorted(ids) == sorted(SUPPORTED)
    modified = aws.cf.describe_stack_resource_drifts(
        StackName="app", StackResourceDriftStatusFilters=["MODIFIED", "DELETED"]
    )["StackResourceDrifts"]
    assert [d["LogicalResourceId"] for d in modified] == ["Param"]


def test_detect_stack_resource_drift(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    result = aws.cf.detect_stack_resource_drift(StackName="app", LogicalResourceId="Param")
    assert result["StackResourceDrift"]["StackResourceDriftStatus"] == "MODIFIED"
    assert drifts(aws)["Param"]["StackResourceDriftStatus"] == "MODIFIED"
    with pytest.raises(ClientError) as err:
        aws.cf.detect_stack_resource_drift(StackName="app", LogicalResourceId="Vpc")
    assert err.value.response["Error"]["Code"] == "ValidationError"


def test_forced_detection_failure_keeps_other_results(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    sb.faults.force_detection_failed("app", reason="Access denied", logical_id="Queue")
    status = detect(aws)
    assert status["DetectionStatus"] == "DETECTION_FAILED"
    assert "Queue" in status["DetectionStatusReason"]
    assert "Access denied" in status["DetectionStatusReason"]
    assert status["StackDriftStatus"] == "DRIFTED"
    results = drifts(aws)
    assert "Queue" not in results
    assert results["Param"]["StackResourceDriftStatus"] == "MODIFIED"


def test_errors(sb: AwsSandbox, aws: Clients) -> None:
    with pytest.raises(ClientError) as err:
        aws.cf.detect_stack_drift(StackName="nope")
    assert err.value.response["Error"] == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": "Stack with id nope does not exist",
    }
    create_stack(aws)
    sb.set_stack_status("app", "UPDATE_IN_PROGRESS")
    with pytest.raises(ClientError) as err:
        aws.cf.detect_stack_drift(StackName="app")
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert "UPDATE_IN_PROGRESS" in err.value.response["Error"]["Message"]
