"""The real handler behind the local durable execution service, driven over HTTP by boto3."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sandbox.cloudformation.timing import Phase
from sandbox.durable_service import DurableService
from sandbox.emulator import AwsSandbox

pytestmark = pytest.mark.slow

FUNCTION_DIR = Path(__file__).resolve().parents[2] / "functions" / "drift_healer"


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
        handler="app.lambda_handler", handler_path=FUNCTION_DIR, env=env, skip_time=True
    ) as service:
        lam = service.lambda_client()
        started = lam.invoke(
            FunctionName=service.function_arn,
            InvocationType="Event",
            Payload=json.dumps({"StackName": "e2e"}).encode(),
        )
        arn = started["DurableExecutionArn"]
        deadline = time.monotonic() + 60
        while (execution := lam.get_durable_execution(DurableExecutionArn=arn))["Status"] in {
            "RUNNING",
            "PENDING",
        }:
            assert time.monotonic() < deadline, "the execution did not finish in 60 s"
            time.sleep(0.2)
        history = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]

    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    result = json.loads(execution["Result"])
    assert result["Outcome"] == "HEALED"
    assert ssm.get_parameter(Name="/e2e/sample")["Parameter"]["Value"] == "initial-value"
    step_names = {event.get("Name") for event in history}
    assert {
        "describe-stack",
        "create-change-set",
        "execute-change-set",
        "publish-notice",
    } <= step_names
