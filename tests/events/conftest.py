"""Event-mode heals: the real handler behind the local durable service (real clock), the
emulated CloudFormation sending its EventBridge events to the relay, run in-process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.cloudformation.timing import Phase
from sandbox.durable_service import DurableService
from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox
from sandbox.relay_target import LocalRelay

FUNCTION_DIR = Path(__file__).resolve().parents[2] / "functions" / "drift_healer"
TABLE = "events-state"
# A lost event costs FALLBACK seconds before the poll that finishes the wait.
FALLBACK = 3


@dataclass
class EventWorld:
    sb: AwsSandbox
    service: DurableService
    relay: LocalRelay
    topic_arn: str

    def deploy_drifted(self, name: str, value: str = "changed") -> None:
        template = {
            "Resources": {
                "Param": {
                    "Type": "AWS::SSM::Parameter",
                    "Properties": {"Name": f"/{name}/p", "Type": "String", "Value": "initial"},
                }
            }
        }
        self.sb.client("cloudformation").create_stack(
            StackName=name, TemplateBody=json.dumps(template)
        )
        self.sb.client("ssm").put_parameter(
            Name=f"/{name}/p", Value=value, Type="String", Overwrite=True
        )

    def heal(self, stack: str, timeout: float = 60) -> tuple[dict[str, Any], str]:
        lam = self.service.lambda_client()
        started = lam.invoke(
            FunctionName=self.service.function_arn,
            InvocationType="Event",
            Payload=json.dumps({"StackName": stack}).encode(),
        )
        arn = started["DurableExecutionArn"]
        deadline = time.monotonic() + timeout
        while (run := lam.get_durable_execution(DurableExecutionArn=arn))["Status"] in {
            "RUNNING",
            "PENDING",
        }:
            assert time.monotonic() < deadline, f"the execution did not finish in {timeout} s"
            time.sleep(0.1)
        result = json.loads(run.get("Result") or json.loads(run["Error"]["ErrorData"]))
        return result, arn

    def history_names(self, arn: str) -> list[str]:
        lam = self.service.lambda_client()
        events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
        return [str(e.get("Name")) for e in events if e.get("Name")]


@pytest.fixture(scope="module")
def world(aws_sandbox: AwsSandbox) -> Iterator[EventWorld]:
    sb = aws_sandbox
    sb.reset()
    topic = sb.client("sns").create_topic(Name="event-notices")["TopicArn"]
    table = create_state_table(sb.client("dynamodb"), TABLE)
    env = {
        "AWS_ENDPOINT_URL": sb.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SNS_TOPIC_ARN": topic,
        "STATE_TABLE_NAME": table,
        "WAIT_MODE": "events",
        "EVENT_FALLBACK_INITIAL_SECONDS": str(FALLBACK),
        "EVENT_FALLBACK_MAX_SECONDS": str(FALLBACK),
        "CHANGE_SET_POLL_INITIAL_SECONDS": "1",
    }
    with DurableService.start(
        handler="app.lambda_handler", handler_path=FUNCTION_DIR, env=env, skip_time=False
    ) as service:
        relay = LocalRelay(
            aws_endpoint=sb.endpoint_url,
            lambda_endpoint=service.endpoint_url,
            region=sb.region,
            table=table,
        )
        unsubscribe = sb.events.subscribe(relay)
        try:
            yield EventWorld(sb, service, relay, topic)
        finally:
            unsubscribe()
            sb.reset()


@pytest.fixture
def events(world: EventWorld) -> EventWorld:
    """Every phase takes a little real time and needs nobody to look at it."""
    world.sb.events.reset()
    world.sb.faults.clear()
    world.relay.results.clear()
    timing = world.sb.timing
    timing.detection = timing.execution = Phase(0.5, 0)
    timing.change_set_create = Phase(0.0, 1)
    return world
