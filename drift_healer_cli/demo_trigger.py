"""The demo's step on issue 16: alice changes a parameter from the console; the sandbox's
CloudTrail records it and emits the change event; the trigger starts the stack's run; the
notice names alice, says what triggered the run, and the time from change to notice is
printed."""

from __future__ import annotations

import json
import os
import time
from typing import Any, TextIO

import boto3
from botocore.exceptions import ClientError

from drift_healer_cli import demo_stacks
from sandbox.clients import client
from sandbox.cloudtrail import Principal
from sandbox.durable_service import DurableService
from sandbox.functions import TRIGGER
from sandbox.notices import Inbox

ALICE = Principal.role_session("Admin", "alice", console=True)
SETTLE_SECONDS = "3"


ALREADY_STARTED = "DurableExecutionAlreadyStartedException"


def trigger_calls(sb: Any, svc: DurableService) -> Any:
    """The trigger's calls, aimed at the sandbox and the local durable service."""
    TRIGGER.put_on_path()
    from drift_common.owners import owning_stack  # noqa: PLC0415
    from trigger.handler import Calls  # noqa: PLC0415 - functions/trigger is on the path now

    cfn = client("cloudformation", sb.endpoint_url, sb.region)
    lam = svc.lambda_client()

    def start(function_arn: str, name: str, payload: dict[str, Any]) -> str:
        try:
            lam.invoke(
                FunctionName=function_arn,
                InvocationType="Event",
                DurableExecutionName=name,
                Payload=json.dumps(payload).encode(),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == ALREADY_STARTED:
                return "coalesced"
            raise
        return "started"

    def tags(stack_id: str) -> dict[str, str]:
        stacks = cfn.describe_stacks(StackName=stack_id)["Stacks"]
        return {t["Key"]: t["Value"] for s in stacks for t in s.get("Tags", [])}

    return Calls(owner=lambda pid, rtype: owning_stack(cfn, pid, rtype), tags=tags, start=start)


def wait_for_notice(inbox: Inbox, out: TextIO | None, since: float) -> Any:
    while time.monotonic() - since < 120:
        for notice in inbox.receive(wait_seconds=2):
            if out is not None:
                print(notice.render(), file=out, flush=True)
            # The trigger names the stack by its ARN (exact, even for a re-created stack).
            if f"stack/{demo_stacks.SAMPLE_STACK}/" in notice.attributes.get("stack", ""):
                return notice
    return None


class TriggeredHeal:
    """The trigger subscribed to the sandbox's change events, for as long as it is open."""

    def __init__(self, sb: Any, svc: DurableService, out: TextIO | None, settle: str) -> None:
        calls = trigger_calls(sb, svc)
        from trigger.handler import handle  # noqa: PLC0415 - on the path (trigger_calls)
        from trigger.settings import TriggerSettings  # noqa: PLC0415

        # The trigger's window must not exceed the healer's settle (docs/triggers.md): the
        # run then detects after every change of its window.
        settings = TriggerSettings(healer_function_arn=svc.function_arn, settle_seconds=int(settle))
        self.actions: list[str] = []
        self.settle = settle

        def on_event(event: dict[str, Any]) -> None:
            summary = handle(event, settings, calls)
            self.actions.append(str(summary["action"]))
            if out is not None and summary["action"] != "ignored":
                print(
                    f"  trigger: {summary['event']} on {summary['resource']} -> "
                    f"{summary['action']} {summary.get('execution-name', '')}",
                    file=out,
                    flush=True,
                )

        self._on_event = on_event
        self._sb = sb
        self._saved = os.environ.get("SETTLE_SECONDS")

    def __enter__(self) -> TriggeredHeal:
        os.environ["SETTLE_SECONDS"] = self.settle  # the in-process healer reads it per run
        self._unsubscribe = self._sb.change_events.subscribe(self._on_event)
        return self

    def __exit__(self, *exc: object) -> None:
        self._unsubscribe()
        if self._saved is None:
            os.environ.pop("SETTLE_SECONDS", None)
        else:
            os.environ["SETTLE_SECONDS"] = self._saved


def alice_changes(sb: Any, value: str) -> str:
    """alice (console) puts `value` into the sample parameter; returns its name."""
    sb.trail.map_key("AKIDALICE", ALICE)
    alice = boto3.client(
        "ssm",
        endpoint_url=sb.endpoint_url,
        region_name=sb.region,
        aws_access_key_id="AKIDALICE",
        aws_secret_access_key="testing",
    )
    account = demo_stacks.DemoAccount(sb.endpoint_url, sb.region)
    name = account.physical_ids(demo_stacks.SAMPLE_STACK)["SampleParameter"]
    alice.put_parameter(Name=name, Value=value, Overwrite=True)
    return name


def demo_triggered_heal(
    sb: Any, svc: DurableService, inbox: Inbox, *, fast: bool, out: TextIO
) -> list[str]:
    with TriggeredHeal(sb, svc, out, SETTLE_SECONDS) as trigger:
        print("  alice (console): ssm put-parameter /drift-test/sample = 'set by alice'", file=out)
        changed = time.monotonic()
        alice_changes(sb, "set by alice")
        healed = wait_for_notice(inbox, out, changed)
        if healed is None:
            return ["no notice arrived for the event-triggered run"]
        print(
            f"  change -> notice: {time.monotonic() - changed:.1f} s "
            f"(settle {SETTLE_SECONDS} s; the schedule would have waited up to a day)",
            file=out,
            flush=True,
        )
    problems = []
    if healed.attributes.get("outcome") != "HEALED":
        problems.append(f"the triggered run ended {healed.attributes.get('outcome')}")
    if f"Changed by: {ALICE.arn}" not in healed.body:
        problems.append("the notice does not name alice")
    if "started" not in trigger.actions:
        problems.append("the trigger started no run")
    return problems
