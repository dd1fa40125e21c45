"""The event-mode world: sandbox, durable service (real clock) and the in-process relay."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sandbox.durable_service import DurableService
from sandbox.emulator import AwsSandbox
from sandbox.relay_target import LocalRelay

TABLE = "events-state"
# Once an event has arrived in the run, a lost event costs FALLBACK seconds before the poll
# that finishes the wait; before that, the polling schedule's POLL_INITIAL (x1.5 per round).
FALLBACK = 8
# Two seconds: the sandbox's 0.3 s phases leave the event 1.7 s to beat the first poll on a
# loaded two-core CI machine (at 1 s, a slow relay lost the race and the wait ended on a poll).
POLL_INITIAL = 2
# A target account (TARGET_ACCOUNT_IDS): its events reach the relay as forwarded ones would.
TARGET_ACCOUNT = "555566667777"


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

    def heal(self, stack: str, timeout: float = 60, **event: str) -> tuple[dict[str, Any], str]:
        lam = self.service.lambda_client()
        started = lam.invoke(
            FunctionName=self.service.function_arn,
            InvocationType="Event",
            Payload=json.dumps({"StackName": stack} | event).encode(),
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
