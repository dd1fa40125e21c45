"""What the safety policy needs from the sandbox: stack tags, IAM roles, DELETED resources,
and the over-broad change sets users report (``faults.distort_change_set``)."""

from __future__ import annotations

import json
from typing import Any

import boto3

from sandbox.emulator import AwsSandbox
from tests.functional.sandbox.helpers import Clients, detect, drifts, wait_change_set

ROLE_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Worker": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": "worker",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Tags": [{"Key": "team", "Value": "payments"}],
            },
        }
    }
}


def iam(sb: AwsSandbox) -> Any:
    return boto3.client(
        "iam",
        endpoint_url=sb.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def create_role_stack(aws: Clients) -> None:
    aws.cf.create_stack(
        StackName="roles",
        TemplateBody=json.dumps(ROLE_TEMPLATE),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Tags=[{"Key": "drift-healer:mode", "Value": "review"}],
    )


def revert(aws: Clients) -> dict[str, Any]:
    cs_id = aws.cf.create_change_set(
        StackName="roles",
        ChangeSetName="heal",
        UsePreviousTemplate=True,
        Capabilities=["CAPABILITY_NAMED_IAM"],
        DeploymentMode="REVERT_DRIFT",
    )["Id"]
    return wait_change_set(aws, cs_id)


def test_stack_tags_are_described_and_not_reported_as_resource_drift(
    sb: AwsSandbox, aws: Clients
) -> None:
    create_role_stack(aws)
    [stack] = aws.cf.describe_stacks(StackName="roles")["Stacks"]
    assert stack["Tags"] == [{"Key": "drift-healer:mode", "Value": "review"}]
    assert detect(aws, "roles")["StackDriftStatus"] == "IN_SYNC"
    assert iam(sb).list_role_tags(RoleName="worker")["Tags"] == [
        {"Key": "team", "Value": "payments"}
    ]


def test_role_tag_drift_is_detected_and_reverted_as_a_tags_change(
    sb: AwsSandbox, aws: Clients
) -> None:
    create_role_stack(aws)
    iam(sb).tag_role(RoleName="worker", Tags=[{"Key": "team", "Value": "growth"}])
    assert detect(aws, "roles")["StackDriftStatus"] == "DRIFTED"
    [difference] = drifts(aws, "roles")["Worker"]["PropertyDifferences"]
    assert difference["PropertyPath"] == "/Tags/0/Value"

    [change] = revert(aws)["Changes"]
    targets = [d["Target"] for d in change["ResourceChange"]["Details"]]
    assert targets == [
        {
            "Attribute": "Tags",
            "RequiresRecreation": "Never",
            "Path": "/Properties/Tags",
            "AttributeChangeType": "Modify",
        }
    ]


def test_distorted_change_set_names_a_property_that_did_not_drift(
    sb: AwsSandbox, aws: Clients
) -> None:
    create_role_stack(aws)
    iam(sb).tag_role(RoleName="worker", Tags=[{"Key": "team", "Value": "growth"}])
    sb.faults.distort_change_set("roles", "Worker", extra_property="AssumeRolePolicyDocument")

    [change] = revert(aws)["Changes"]
    details = change["ResourceChange"]["Details"]
    assert [d["Target"]["Path"] for d in details] == [
        "/Properties/Tags",
        "/Properties/AssumeRolePolicyDocument",
    ]
    assert details[1]["Evaluation"] == "Dynamic"
    assert change["ResourceChange"]["Replacement"] == "False"


def test_distorted_action_and_deleted_resources_plan_add(sb: AwsSandbox, aws: Clients) -> None:
    create_role_stack(aws)
    iam(sb).tag_role(RoleName="worker", Tags=[{"Key": "team", "Value": "growth"}])
    sb.faults.distort_change_set("roles", "Worker", action="Add")
    [change] = revert(aws)["Changes"]
    assert change["ResourceChange"]["Action"] == "Add"
    assert change["ResourceChange"]["ResourceDriftStatus"] == "MODIFIED"
    assert change["ResourceChange"]["Details"] == []

    sb.reset()
    create_role_stack(aws)
    iam(sb).delete_role(RoleName="worker")
    detect(aws, "roles")
    assert drifts(aws, "roles")["Worker"]["StackResourceDriftStatus"] == "DELETED"
    [change] = revert(aws)["Changes"]
    assert change["ResourceChange"]["Action"] == "Add"
    assert change["ResourceChange"]["ResourceDriftStatus"] == "DELETED"
