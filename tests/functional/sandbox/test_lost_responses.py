"""sb.faults.fail_after (a response lost after CloudFormation acted) and
sb.faults.force_change_set_failed, in process and over the HTTP control API."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from sandbox.emulator import AwsSandbox, Phase
from tests.functional.sandbox.helpers import (
    PARAM_NAME,
    Clients,
    call,
    create_stack,
    wait_change_set,
    wait_stack,
)

KEEP = [{"ParameterKey": "Greeting", "UsePreviousValue": True}]


def code(err: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    resp = err.value.response
    return resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]


def heal(aws: Clients, name: str = "heal", stack: str = "app") -> str:
    cs_id: str = aws.cf.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        UsePreviousTemplate=True,
        Parameters=KEEP,
        DeploymentMode="REVERT_DRIFT",
        ClientToken=f"token-{name}",
    )["Id"]
    return cs_id


def test_lost_create_change_set_response_and_client_token_retry(
    sb: AwsSandbox, aws: Clients
) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    sb.faults.fail_after("CreateChangeSet")
    with pytest.raises(ClientError) as err:
        heal(aws)
    assert code(err) == ("InternalFailure", 500)
    [created] = aws.cf.list_change_sets(StackName="app")["Summaries"]  # it took effect
    assert heal(aws) == created["ChangeSetId"]  # the retry returns the same change set
    assert len(aws.cf.list_change_sets(StackName="app")["Summaries"]) == 1
    counts = sb.faults.counts()
    assert counts["CreateChangeSet"] == 2
    assert counts["CreateChangeSet:OK"] == 2  # both requests were processed
    assert counts["CreateChangeSet:InternalFailure"] == 1


def test_lost_execute_responses_retried_with_the_same_token(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    cs_id = heal(aws)
    wait_change_set(aws, cs_id)
    sb.faults.fail_after("ExecuteChangeSet", error="ServiceUnavailable", times=2)
    for _ in range(2):
        with pytest.raises(ClientError) as err:
            aws.cf.execute_change_set(ChangeSetName=cs_id, ClientRequestToken="exec-1")
        assert code(err) == ("ServiceUnavailable", 503)
    aws.cf.execute_change_set(ChangeSetName=cs_id, ClientRequestToken="exec-1")
    assert wait_stack(aws) == "UPDATE_COMPLETE"
    assert aws.ssm.get_parameter(Name=PARAM_NAME)["Parameter"]["Value"] == "hello"
    counts = sb.faults.counts()
    assert counts["ExecuteChangeSet:OK"] == 3
    assert counts["ExecuteChangeSet:ServiceUnavailable"] == 2


def test_error_answers_pass_through_and_do_not_use_up_a_time(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    sb.faults.fail_after("DescribeStacks")
    with pytest.raises(ClientError) as err:
        aws.cf.describe_stacks(StackName="ghost")
    assert code(err) == ("ValidationError", 400)
    with pytest.raises(ClientError) as err:
        aws.cf.describe_stacks(StackName="app")
    assert code(err) == ("InternalFailure", 500)
    aws.cf.describe_stacks(StackName="app")
    with pytest.raises(ValueError):
        sb.faults.fail_after("DescribeStacks", error="Throttling")
    with pytest.raises(ValueError):
        sb.faults.fail_after("DescribeStacks", times=0)
    sb.faults.fail_after("ListStacks", times=3)
    sb.faults.clear("ListStacks")
    aws.cf.list_stacks()


def test_forced_change_set_failure(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    reason = "Resource handler returned message: Access Denied"
    sb.faults.force_change_set_failed("app", reason)
    sb.timing.change_set_create = Phase(seconds=0.5, min_polls=2)
    cs_id = heal(aws)
    first = aws.cf.describe_change_set(ChangeSetName=cs_id)
    second = aws.cf.describe_change_set(ChangeSetName=cs_id)
    assert [first["Status"], second["Status"]] == ["CREATE_PENDING", "CREATE_IN_PROGRESS"]
    time.sleep(0.5)
    cs = wait_change_set(aws, cs_id)
    assert (cs["Status"], cs["ExecutionStatus"], cs["StatusReason"]) == (
        "FAILED",
        "UNAVAILABLE",
        reason,
    )
    assert cs["Changes"] == []
    [summary] = aws.cf.list_change_sets(StackName="app")["Summaries"]
    assert summary["Status"] == "FAILED" and summary["StatusReason"] == reason
    with pytest.raises(ClientError) as err:
        aws.cf.execute_change_set(ChangeSetName=cs_id)
    assert code(err) == ("InvalidChangeSetStatus", 400)
    assert wait_stack(aws) == "CREATE_COMPLETE"  # the stack is untouched


def test_http_control(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="changed", Overwrite=True)
    body = {"action": "CreateChangeSet", "error": "ServiceUnavailable", "times": 1}
    assert call(sb, "POST", "/faults/fail-after", body)[0] == 200
    assert call(sb, "GET", "/faults")[1]["fail_after"] == {
        "CreateChangeSet": ["ServiceUnavailable"]
    }
    with pytest.raises(ClientError) as err:
        heal(aws, "one")
    assert code(err) == ("ServiceUnavailable", 503)
    assert call(sb, "GET", "/faults")[1]["fail_after"] == {}
    assert call(sb, "POST", "/faults/fail-after", {"action": "X", "error": "Nope"})[0] == 400

    body = {"stack_name": "app", "reason": "Template error: boom"}
    assert call(sb, "POST", "/faults/change-set-failed", body)[0] == 200
    assert call(sb, "GET", "/faults")[1]["change_set_failures"] == {"app": "Template error: boom"}
    cs = wait_change_set(aws, heal(aws, "two"))
    assert (cs["Status"], cs["StatusReason"]) == ("FAILED", "Template error: boom")
    assert call(sb, "POST", "/reset", {})[0] == 200
    assert sb.faults.change_set_failures == {}
