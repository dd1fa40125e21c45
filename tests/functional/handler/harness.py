"""Helpers for handler tests: deploy stacks, drift them, run the handler, read notices."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from aws_durable_execution_sdk_python_testing.runner import (
    DurableFunctionTestResult,
    DurableFunctionTestRunner,
)

from healer.handler import lambda_handler as healer_handler
from sandbox.emulator import AwsSandbox
from sandbox.notices import Inbox, ReceivedNotice

REGION = "us-east-1"
FAST_POLLS = {
    "DETECTION_POLL_INITIAL_SECONDS": "1",
    "DETECTION_POLL_MAX_SECONDS": "2",
    "CHANGE_SET_POLL_INITIAL_SECONDS": "1",
    "CHANGE_SET_POLL_MAX_SECONDS": "2",
    "EXECUTION_POLL_INITIAL_SECONDS": "1",
    "EXECUTION_POLL_MAX_SECONDS": "2",
}


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def new_inbox(aws: AwsSandbox) -> Inbox:
    """An SQS queue subscribed to the notice topic: what a subscriber receives (the JSON),
    with the text an email subscriber gets for each notice."""
    return Inbox.create(
        client("sns"), client("sqs"), "drift-notices", "drift-notices-inbox", aws.email_version
    )


@dataclass
class Run:
    result: DurableFunctionTestResult
    notices: list[ReceivedNotice]

    @property
    def output(self) -> dict[str, Any]:
        """The handler's JSON: its return value, or the record attached to its failure."""
        if self.result.result is not None:
            return json.loads(self.result.result)  # type: ignore[no-any-return]
        assert self.result.error is not None and self.result.error.data
        return json.loads(self.result.error.data)  # type: ignore[no-any-return]

    @property
    def outcome(self) -> str:
        return str(self.output["Outcome"])

    @property
    def notice(self) -> ReceivedNotice:
        assert len(self.notices) == 1, [n.subject for n in self.notices]
        return self.notices[0]


def run_handler(inbox: Inbox, event: dict[str, Any], *, skip_time: bool = True) -> Run:
    with DurableFunctionTestRunner(handler=healer_handler, skip_time=skip_time) as runner:
        result = runner.run(input=json.dumps(event), execution_timeout=120)
    return Run(result=result, notices=inbox.receive())


def deploy(
    stack_name: str,
    template: dict[str, Any],
    parameters: dict[str, str] | None = None,
    capabilities: list[str] | None = None,
) -> str:
    cfn = client("cloudformation")
    stack_id = cfn.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(template),
        Parameters=[
            {"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()
        ],
        Capabilities=capabilities or [],
    )["StackId"]
    status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE", status
    return str(stack_id)


def ssm_value(name: str) -> str:
    return str(client("ssm").get_parameter(Name=name)["Parameter"]["Value"])


def drift_sample() -> None:
    client("ssm").put_parameter(
        Name="/drift-test/sample", Value="changed-by-hand", Type="String", Overwrite=True
    )


def calls(aws: Any, action: str) -> int:
    """Successful requests of one CloudFormation action the sandbox answered."""
    return int(aws.faults.counts().get(f"{action}:OK", 0))


def throttled(aws: Any) -> int:
    return sum(n for key, n in aws.faults.counts().items() if key.endswith(":Throttling"))
