"""Change-set life cycle and REVERT_DRIFT fidelity (model doc strings of CreateChangeSet,
DescribeChangeSet, ExecuteChangeSet, DeleteChangeSet, ResourceChange, ResourceTargetDefinition)."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.emulator import AwsSandbox, Phase
from tests.functional.sandbox.helpers import (
    PARAM_NAME,
    TEMPLATE,
    Clients,
    create_stack,
    physical_id,
    wait_change_set,
    wait_stack,
)

KEEP = [{"ParameterKey": "Greeting", "UsePreviousValue": True}]
NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)


def revert_drift(aws: Clients, name: str = "heal", **kw: Any) -> str:
    cs_id: str = aws.cf.create_change_set(
        StackName="app",
        ChangeSetName=name,
        UsePreviousTemplate=True,
        Parameters=KEEP,
        DeploymentMode="REVERT_DRIFT",
        **kw,
    )["Id"]
    return cs_id


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    resp = exc.value.response
    return resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]


def test_revert_drift_change_set_contents(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    cs_id = revert_drift(aws)  # no ChangeSetType: the documented default is UPDATE

    cs = wait_change_set(aws, cs_id, IncludePropertyValues=True)

    assert (cs["Status"], cs["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    assert cs["DeploymentMode"] == "REVERT_DRIFT"
    assert cs["StackDriftStatus"] == "DRIFTED"
    params = {p["ParameterKey"]: p["ParameterValue"] for p in cs["Parameters"]}
    assert params == {"Greeting": "hello", "Env": "dev"}  # UsePreviousValue + default
    [change] = cs["Changes"]
    rc = change["ResourceChange"]
    assert (rc["Action"], rc["LogicalResourceId"], rc["Replacement"]) == (
        "Modify",
        "Param",
        "False",
    )
    assert rc["ResourceDriftStatus"] == "MODIFIED"
    assert rc["PhysicalResourceId"] == PARAM_NAME
    [detail] = rc["Details"]
    assert detail["Target"] == {
        "Attribute": "Properties",
        "Name": "Value",
        "RequiresRecreation": "Never",
        "Path": "/Properties/Value",
        "BeforeValue": "changed",
        "AfterValue": "hello",
        "BeforeValueFrom": "ACTUAL_STATE",
        "AfterValueFrom": "TEMPLATE",
        "Drift": {"PreviousValue": "hello", "ActualValue": "changed"},
        "AttributeChangeType": "Modify",
    }
    plain = aws.cf.describe_change_set(ChangeSetName=cs_id)
    target = plain["Changes"][0]["ResourceChange"]["Details"][0]["Target"]
    assert "BeforeValue" not in target and "Drift" not in target  # IncludePropertyValues


def test_execute_reverts_real_resources_with_events(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    url = physical_id(aws, "app", "Queue")
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    aws.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "99"})
    cs_id = revert_drift(aws)
    wait_change_set(aws, cs_id)
    sb.timing.execution = Phase(seconds=0, min_polls=3)

    aws.cf.execute_change_set(ChangeSetName=cs_id, ClientRequestToken="tok-1")

    assert (
        aws.cf.describe_change_set(ChangeSetName=cs_id)["ExecutionStatus"] == "EXECUTE_IN_PROGRESS"
    )
    assert (
        aws.cf.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"] == "UPDATE_IN_PROGRESS"
    )
    assert aws.ssm.get_parameter(Name=PARAM_NAME)["Parameter"]["Value"] == "changed"
    # Retry with the same token while executing: accepted, nothing new happens.
    aws.cf.execute_change_set(ChangeSetName=cs_id, ClientRequestToken="tok-1")
    assert wait_stack(aws) == "UPDATE_COMPLETE"
    assert aws.cf.describe_change_set(ChangeSetName=cs_id)["ExecutionStatus"] == "EXECUTE_COMPLETE"
    assert aws.ssm.get_parameter(Name=PARAM_NAME)["Parameter"]["Value"] == "hello"
    attrs = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "30"
    events = aws.cf.describe_stack_events(StackName="app")["StackEvents"]
    seen = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events]
    for expected in [
        ("app", "UPDATE_IN_PROGRESS"),
        ("Param", "UPDATE_IN_PROGRESS"),
        ("Param", "UPDATE_COMPLETE"),
        ("Queue", "UPDATE_COMPLETE"),
        ("app", "UPDATE_COMPLETE"),
    ]:
        assert expected in seen
    assert seen[0] == ("app", "UPDATE_COMPLETE")  # newest first
    assert seen.count(("app", "UPDATE_IN_PROGRESS")) == 1
    assert all(e.get("ClientRequestToken") == "tok-1" for e in events[:5])
    with pytest.raises(ClientError) as err:  # executing again
        aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert error(err) == ("InvalidChangeSetStatus", 400)


def test_deleted_resource_is_recreated(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.delete_parameter(Name=PARAM_NAME)
    cs = wait_change_set(aws, revert_drift(aws))
    [change] = cs["Changes"]
    assert change["ResourceChange"]["Action"] == "Add"
    assert change["ResourceChange"]["ResourceDriftStatus"] == "DELETED"
    aws.cf.execute_change_set(ChangeSetName=cs["ChangeSetId"])
    assert wait_stack(aws) == "UPDATE_COMPLETE"
    assert aws.ssm.get_parameter(Name=PARAM_NAME)["Parameter"]["Value"] == "hello"


def test_replacement_follows_update_behaviour(aws: Clients) -> None:
    create_stack(aws)
    template = copy.deepcopy(TEMPLATE)
    template["Resources"]["Queue"]["Properties"]["QueueName"] = "orders-v2"
    template["Resources"]["Param"]["Properties"]["Description"] = "new"
    cs_id = aws.cf.create_change_set(
        StackName="app",
        ChangeSetName="rename",
        TemplateBody=json.dumps(template),
        Parameters=KEEP,
    )["Id"]
    cs = wait_change_set(aws, cs_id)
    by_id = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in cs["Changes"]}
    assert by_id["Queue"]["Replacement"] == "True"
    assert by_id["Queue"]["Details"][0]["Target"]["RequiresRecreation"] == "Always"
    assert by_id["Param"]["Replacement"] == "False"
    assert "DeploymentMode" not in cs and "ResourceDriftStatus" not in by_id["Param"]
    aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert wait_stack(aws) == "UPDATE_COMPLETE"
    described = aws.ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Values": [PARAM_NAME]}]
    )["Parameters"]
    assert described[0]["Description"] == "new"


def test_async_creation_statuses(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    sb.timing.change_set_create = Phase(seconds=1.0, min_polls=2)
    cs_id = revert_drift(aws)
    first = aws.cf.describe_change_set(ChangeSetName=cs_id)
    second = aws.cf.describe_change_set(ChangeSetName=cs_id)
    assert (first["Status"], first["ExecutionStatus"]) == ("CREATE_PENDING", "UNAVAILABLE")
    assert (second["Status"], second["ExecutionStatus"]) == ("CREATE_IN_PROGRESS", "UNAVAILABLE")
    with pytest.raises(ClientError) as err:
        aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert error(err) == ("InvalidChangeSetStatus", 400)
    time.sleep(1.0)
    done = aws.cf.describe_change_set(ChangeSetName=cs_id)
    assert (done["Status"], done["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")


def test_nothing_to_do_fails(aws: Clients) -> None:
    create_stack(aws)
    for name, mode in (("same", {}), ("nodrift", {"DeploymentMode": "REVERT_DRIFT"})):
        cs_id = aws.cf.create_change_set(
            StackName="app", ChangeSetName=name, UsePreviousTemplate=True, Parameters=KEEP, **mode
        )["Id"]
        cs = wait_change_set(aws, cs_id)
        assert (cs["Status"], cs["ExecutionStatus"], cs["StatusReason"]) == (
            "FAILED",
            "UNAVAILABLE",
            NO_CHANGES,
        )
        assert cs["Changes"] == []
        with pytest.raises(ClientError) as err:
            aws.cf.execute_change_set(ChangeSetName=cs_id)
        assert error(err) == ("InvalidChangeSetStatus", 400)


def test_parameter_and_capability_validation(aws: Clients) -> None:
    create_stack(aws)
    with pytest.raises(ClientError) as err:
        aws.cf.create_change_set(StackName="app", ChangeSetName="x", UsePreviousTemplate=True)
    assert error(err) == ("ValidationError", 400)
    assert err.value.response["Error"]["Message"] == "Parameters: [Greeting] must have values"

    iam = copy.deepcopy(TEMPLATE)
    iam["Resources"]["Role"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}},
    }
    body = json.dumps(iam)
    with pytest.raises(ClientError) as err:
        aws.cf.create_change_set(
            StackName="app", ChangeSetName="x", TemplateBody=body, Parameters=KEEP
        )
    assert error(err) == ("InsufficientCapabilitiesException", 400)
    assert "CAPABILITY_IAM" in err.value.response["Error"]["Message"]
    cs_id = aws.cf.create_change_set(
        StackName="app",
        ChangeSetName="x",
        TemplateBody=body,
        Parameters=KEEP,
        Capabilities=["CAPABILITY_IAM"],
    )["Id"]
    assert wait_change_set(aws, cs_id)["Capabilities"] == ["CAPABILITY_IAM"]
    aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert wait_stack(aws) == "UPDATE_COMPLETE"
    stack = aws.cf.describe_stacks(StackName="app")["Stacks"][0]
    assert stack["Capabilities"] == ["CAPABILITY_IAM"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "Env": "dev",
        "Greeting": "hello",
    }


def test_client_token_idempotency(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    first = revert_drift(aws, ClientToken="t1")
    assert revert_drift(aws, ClientToken="t1") == first
    for kw in ({}, {"ClientToken": "t2"}):
        with pytest.raises(ClientError) as err:
            revert_drift(aws, **kw)
        assert error(err) == ("AlreadyExistsException", 400)
    assert len(aws.cf.list_change_sets(StackName="app")["Summaries"]) == 1


def test_not_found_errors(aws: Clients) -> None:
    create_stack(aws)
    arn = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/x/0000"
    for call in (
        lambda: aws.cf.describe_change_set(ChangeSetName=arn),
        lambda: aws.cf.describe_change_set(ChangeSetName="missing", StackName="app"),
        lambda: aws.cf.execute_change_set(ChangeSetName="missing", StackName="app"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert error(err) == ("ChangeSetNotFound", 404)
    with pytest.raises(ClientError) as err:
        aws.cf.create_change_set(StackName="ghost", ChangeSetName="x", UsePreviousTemplate=True)
    assert error(err) == ("ValidationError", 400)
    assert err.value.response["Error"]["Message"] == "Stack with id ghost does not exist"


def test_busy_stack(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    cs_id = revert_drift(aws)
    wait_change_set(aws, cs_id)
    sb.set_stack_status("app", "UPDATE_IN_PROGRESS")
    with pytest.raises(ClientError) as err:
        aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert error(err) == ("InvalidChangeSetStatus", 400)
    with pytest.raises(ClientError) as err:
        revert_drift(aws, name="other")
    assert error(err) == ("ValidationError", 400)


def test_execute_deletes_other_change_sets_and_delete_works(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    keep, other, gone = (
        revert_drift(aws, "keep"),
        revert_drift(aws, "other"),
        revert_drift(aws, "gone"),
    )
    aws.cf.delete_change_set(ChangeSetName=gone)
    with pytest.raises(ClientError) as err:
        aws.cf.describe_change_set(ChangeSetName=gone)
    assert error(err) == ("ChangeSetNotFound", 404)
    for cs in (keep, other):
        wait_change_set(aws, cs)
    aws.cf.execute_change_set(ChangeSetName="keep", StackName="app")
    names = [s["ChangeSetName"] for s in aws.cf.list_change_sets(StackName="app")["Summaries"]]
    assert names == ["keep"]
    with pytest.raises(ClientError) as err:
        aws.cf.describe_change_set(ChangeSetName=other)
    assert error(err) == ("ChangeSetNotFound", 404)


def test_update_stack_makes_change_set_obsolete(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    cs_id = revert_drift(aws)
    wait_change_set(aws, cs_id)
    template = copy.deepcopy(TEMPLATE)
    template["Resources"]["Logs"]["Properties"]["RetentionInDays"] = 14
    aws.cf.update_stack(StackName="app", TemplateBody=json.dumps(template), Parameters=KEEP)
    assert aws.cf.describe_change_set(ChangeSetName=cs_id)["ExecutionStatus"] == "OBSOLETE"
    with pytest.raises(ClientError) as err:
        aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert error(err) == ("InvalidChangeSetStatus", 400)


def test_forced_execute_failure_rolls_back(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    cs_id = revert_drift(aws)
    wait_change_set(aws, cs_id)
    sb.faults.force_execute_failed("app", "Param", reason="Rate exceeded by SSM")
    sb.timing.execution = Phase(seconds=0, min_polls=1)
    aws.cf.execute_change_set(ChangeSetName=cs_id)
    statuses = [
        aws.cf.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"] for _ in range(4)
    ]
    assert statuses == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
    ]
    assert aws.cf.describe_change_set(ChangeSetName=cs_id)["ExecutionStatus"] == "EXECUTE_FAILED"
    events = aws.cf.describe_stack_events(StackName="app")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert [(e["LogicalResourceId"], e["ResourceStatusReason"]) for e in failed] == [
        ("Param", "Rate exceeded by SSM")
    ]
    assert aws.ssm.get_parameter(Name=PARAM_NAME)["Parameter"]["Value"] == "changed"


def test_before_hook_simulates_concurrent_fix(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    seen: list[dict[str, Any]] = []

    def fix_out_of_band(params: dict[str, Any]) -> None:
        seen.append(params)
        aws.ssm.put_parameter(Name=PARAM_NAME, Value="hello", Overwrite=True)

    sb.faults.before("CreateChangeSet", fix_out_of_band)
    cs = wait_change_set(aws, revert_drift(aws))
    assert seen[0]["ChangeSetName"] == "heal"
    assert (cs["Status"], cs["StatusReason"]) == ("FAILED", NO_CHANGES)
    counts = sb.faults.counts()
    assert counts["CreateChangeSet"] == 1 and counts["CreateChangeSet:OK"] == 1
