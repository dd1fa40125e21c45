"""REVERT_DRIFT on a stack with Fn::Sub names, a defaulted Number parameter kept with
UsePreviousValue, an IAM role, and a resource type moto cannot update (log group)."""

from __future__ import annotations

import json

from tests.functional.sandbox.helpers import Clients, detect, drifts, wait_change_set, wait_stack
from tests.stacks import APP_TEMPLATE

TEMPLATE = APP_TEMPLATE
KEEP_ALL = [
    {"ParameterKey": "EnvName", "UsePreviousValue": True},
    {"ParameterKey": "Retention", "UsePreviousValue": True},
]


def deploy(aws: Clients) -> str:
    stack_id: str = aws.cf.create_stack(
        StackName="prod-app",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[{"ParameterKey": "EnvName", "ParameterValue": "prod"}],
        Capabilities=["CAPABILITY_IAM"],
    )["StackId"]
    return stack_id


def live(aws: Clients) -> tuple[str, str, int]:
    url = aws.sqs.get_queue_url(QueueName="prod-jobs")["QueueUrl"]
    attrs = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    groups = aws.logs.describe_log_groups(logGroupNamePrefix="/app/prod")["logGroups"]
    return (
        aws.ssm.get_parameter(Name="/app/prod/mode")["Parameter"]["Value"],
        attrs["Attributes"]["VisibilityTimeout"],
        groups[0]["retentionInDays"],
    )


def test_revert_drift_with_defaulted_parameter_kept_by_use_previous_value(aws: Clients) -> None:
    stack_id = deploy(aws)
    aws.ssm.put_parameter(Name="/app/prod/mode", Value="lax", Type="String", Overwrite=True)
    url = aws.sqs.get_queue_url(QueueName="prod-jobs")["QueueUrl"]
    aws.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "300"})
    aws.logs.put_retention_policy(logGroupName="/app/prod", retentionInDays=1)
    assert detect(aws, stack_id)["StackDriftStatus"] == "DRIFTED"
    modified = {
        k for k, d in drifts(aws, stack_id).items() if d["StackResourceDriftStatus"] == "MODIFIED"
    }
    assert modified == {"Setting", "Jobs", "Logs"}

    cs_id = aws.cf.create_change_set(
        StackName=stack_id,
        ChangeSetName="drift-healer-x",
        ChangeSetType="UPDATE",
        UsePreviousTemplate=True,
        Parameters=KEEP_ALL,
        Capabilities=["CAPABILITY_IAM"],
        DeploymentMode="REVERT_DRIFT",
        ClientToken="t1",
    )["Id"]
    cs = wait_change_set(aws, cs_id)
    assert cs["Status"] == "CREATE_COMPLETE"
    assert {
        c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"]["Action"]
        for c in cs["Changes"]
    } == {
        "Setting": "Modify",
        "Jobs": "Modify",
        "Logs": "Modify",
    }
    aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert wait_stack(aws, stack_id) == "UPDATE_COMPLETE"
    assert wait_change_set(aws, cs_id)["ExecutionStatus"] == "EXECUTE_COMPLETE"
    assert live(aws) == ("strict", "30", 14)
    events = aws.cf.describe_stack_events(StackName=stack_id)["StackEvents"]
    assert not [e for e in events if e["ResourceStatus"].endswith("FAILED")]
    resources = aws.cf.describe_stack_resources(StackName=stack_id)["StackResources"]
    assert {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}[
        "Logs"
    ] == "/app/prod"
    assert detect(aws, stack_id)["StackDriftStatus"] == "IN_SYNC"


def test_parameter_update_keeps_a_resource_moto_cannot_update(aws: Clients) -> None:
    """moto has no update for AWS::Logs::LogGroup; the stack must keep the resource and
    apply RetentionInDays ("Update requires: No interruption")."""
    stack_id = deploy(aws)
    cs_id = aws.cf.create_change_set(
        StackName=stack_id,
        ChangeSetName="retention",
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": "EnvName", "UsePreviousValue": True},
            {"ParameterKey": "Retention", "ParameterValue": "7"},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )["Id"]
    assert wait_change_set(aws, cs_id)["Status"] == "CREATE_COMPLETE"
    aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert wait_stack(aws, stack_id) == "UPDATE_COMPLETE"
    assert live(aws) == ("strict", "30", 7)
    logs = aws.cf.describe_stack_resource(StackName=stack_id, LogicalResourceId="Logs")
    assert logs["StackResourceDetail"]["PhysicalResourceId"] == "/app/prod"
    assert detect(aws, stack_id)["StackDriftStatus"] == "IN_SYNC"
