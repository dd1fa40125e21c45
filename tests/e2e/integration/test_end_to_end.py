"""The real handler behind the local durable execution service, driven over HTTP by boto3."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from sandbox.cloudformation.timing import Phase
from sandbox.durable_service import DurableService
from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox
from sandbox.functions import HEALER

pytestmark = pytest.mark.slow


def run_to_the_end(
    lam: Any, function_arn: str, payload: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Invoke, wait until the execution ends; its result and ARN."""
    started = lam.invoke(
        FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(payload).encode()
    )
    arn = started["DurableExecutionArn"]
    deadline = time.monotonic() + 60
    while (execution := lam.get_durable_execution(DurableExecutionArn=arn))["Status"] in {
        "RUNNING",
        "PENDING",
    }:
        assert time.monotonic() < deadline, "the execution did not finish in 60 s"
        time.sleep(0.2)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    return json.loads(execution["Result"]), arn


def test_drift_is_healed_through_the_durable_service(aws_sandbox: AwsSandbox) -> None:
    aws_sandbox.reset()
    aws_sandbox.timing.detection = aws_sandbox.timing.change_set_create = Phase(0.0, 1)
    aws_sandbox.timing.execution = Phase(0.0, 1)
    cfn, ssm = aws_sandbox.client("cloudformation"), aws_sandbox.client("ssm")
    topic_arn = aws_sandbox.client("sns").create_topic(Name="e2e-notices")["TopicArn"]
    template = {
        "Resources": {
            "SampleParameter": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/e2e/sample", "Type": "String", "Value": "initial-value"},
            }
        }
    }
    cfn.create_stack(StackName="e2e", TemplateBody=json.dumps(template))
    ssm.put_parameter(Name="/e2e/sample", Value="changed", Type="String", Overwrite=True)
    env = {
        "AWS_ENDPOINT_URL": aws_sandbox.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SNS_TOPIC_ARN": topic_arn,
        "DETECTION_POLL_INITIAL_SECONDS": "1",
        "CHANGE_SET_POLL_INITIAL_SECONDS": "1",
        "EXECUTION_POLL_INITIAL_SECONDS": "1",
    }

    with DurableService.start(
        handler=HEALER.handler, handler_path=HEALER.code_uri, env=env, skip_time=True
    ) as service:
        lam = service.lambda_client()
        result, arn = run_to_the_end(lam, service.function_arn, {"StackName": "e2e"})
        history = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]

    assert result["Outcome"] == "HEALED"
    assert ssm.get_parameter(Name="/e2e/sample")["Parameter"]["Value"] == "initial-value"
    step_names = {event.get("Name") for event in history}
    assert {
        "describe-stack",
        "create-change-set",
        "execute-change-set",
        "publish-notice",
    } <= step_names


def test_scheduled_review_runs_keep_state_in_the_table(aws_sandbox: AwsSandbox) -> None:
    aws_sandbox.reset()
    aws_sandbox.timing.detection = aws_sandbox.timing.change_set_create = Phase(0.0, 1)
    cfn, ssm = aws_sandbox.client("cloudformation"), aws_sandbox.client("ssm")
    dynamodb = aws_sandbox.client("dynamodb")
    table = create_state_table(dynamodb, "e2e-state")
    topic_arn = aws_sandbox.client("sns").create_topic(Name="e2e-notices")["TopicArn"]
    template = {
        "Resources": {
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/e2e/state", "Type": "String", "Value": "initial"},
            }
        }
    }
    stack_id = cfn.create_stack(StackName="e2e-state", TemplateBody=json.dumps(template))["StackId"]
    ssm.put_parameter(Name="/e2e/state", Value="changed", Type="String", Overwrite=True)
    env = {
        "AWS_ENDPOINT_URL": aws_sandbox.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SNS_TOPIC_ARN": topic_arn,
        "STATE_TABLE_NAME": table,
        "DETECTION_POLL_INITIAL_SECONDS": "1",
        "CHANGE_SET_POLL_INITIAL_SECONDS": "1",
    }
    review = {"StackName": "e2e-state", "CreateChangeSetOnly": True}

    with DurableService.start(
        handler=HEALER.handler, handler_path=HEALER.code_uri, env=env, skip_time=True
    ) as service:
        lam = service.lambda_client()
        first, _ = run_to_the_end(lam, service.function_arn, review)
        second, _ = run_to_the_end(lam, service.function_arn, review)

    assert first["Outcome"] == second["Outcome"] == "REVIEW_REQUIRED"
    assert first["Notified"] is True and first["NoticeReason"] == "new"
    assert second["Notified"] is False  # unchanged drift: quiet
    assert second["ChangeSetId"] == first["ChangeSetId"]
    items = dynamodb.query(
        TableName=table,
        KeyConditionExpression="StackId = :s",
        ExpressionAttributeValues={":s": {"S": stack_id}},
    )["Items"]
    kinds = sorted(item["RecordKey"]["S"].split("#")[0] for item in items)
    assert kinds == ["RUN", "RUN", "STATE"]  # one state item, one history item per run
