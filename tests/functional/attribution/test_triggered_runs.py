"""Event-triggered runs: the trigger finds the owning stack in the sandbox and starts one run
per settle window; the healer settles, says what triggered it, and checks a change made while
another run held the stack once that run ends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.cloudtrail import Principal
from sandbox.emulator import AwsSandbox
from tests.functional.attribution.test_who_changed_it import ALICE, PARAM, change
from tests.functional.handler.harness import Inbox, deploy, run_handler, ssm_value
from tests.functional.handler.test_lease_guards import HOLDER, hold_the_stack
from tests.stacks import SAMPLE_TEMPLATE
from trigger import aws as trigger_aws
from trigger.handler import Calls, handle
from trigger.settings import TriggerSettings


def cloudtrail_events(aws: AwsSandbox) -> list[dict[str, Any]]:
    """The sandbox's records of PutParameter, as EventBridge delivers CloudTrail events."""
    return [
        {
            "version": "0",
            "id": f"env-{n}",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.ssm",
            "region": "us-east-1",
            "detail": record,
        }
        for n, record in enumerate(aws.trail.events())
        if record["eventName"] == "PutParameter"
    ]


class Starts:
    """Lambda's single-flight by DurableExecutionName: one execution per name."""

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}

    def __call__(self, function_arn: str, name: str, payload: dict[str, Any]) -> str:
        if name in self.runs:
            return "coalesced"
        self.runs[name] = payload
        return "started"


def trigger_settings(**over: Any) -> TriggerSettings:
    return TriggerSettings(healer_function_arn="healer:live", settle_seconds=600, **over)


def test_a_burst_of_three_edits_starts_one_run(aws: AwsSandbox, inbox: Inbox) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    for value in ("one", "two", "three"):
        change(aws, value)
    starts = Starts()
    calls = Calls(owner=trigger_aws.owner, tags=trigger_aws.stack_tags, start=starts)

    actions = [handle(e, trigger_settings(), calls)["action"] for e in cloudtrail_events(aws)]

    # The three edits fall in one 10-minute window unless the test straddles its boundary.
    assert actions.count("started") in {1, 2}
    assert actions.count("started") + actions.count("coalesced") == 3
    [first, *_] = starts.runs.values()
    assert first["StackName"] == stack_id and first["Trigger"]["Principal"] == ALICE.arn


def test_the_heals_own_write_starts_nothing(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed")
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"
    starts = Starts()
    calls = Calls(owner=trigger_aws.owner, tags=trigger_aws.stack_tags, start=starts)
    heal = cloudtrail_events(aws)[-1]  # CloudFormation's PutParameter putting the value back
    assert heal["detail"]["userIdentity"]["invokedBy"] == "cloudformation.amazonaws.com"
    summary = handle(heal, trigger_settings(), calls)
    assert summary["action"] == "ignored" and "CloudFormation" in summary["why"]
    assert starts.runs == {}


def test_a_resource_of_no_managed_stack_starts_nothing(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/not/managed", Value="x", Type="String")
    starts = Starts()
    calls = Calls(owner=trigger_aws.owner, tags=trigger_aws.stack_tags, start=starts)
    [event] = cloudtrail_events(aws)
    assert handle(event, trigger_settings(), calls)["why"] == "no live stack owns the resource"
    assert (
        handle(
            cloudtrail_events(aws)[0], trigger_settings(target_stack_name_pattern="prod-*"), calls
        )["action"]
        == "ignored"
    )


def triggered(aws: AwsSandbox) -> dict[str, Any]:
    starts = Starts()
    calls = Calls(owner=trigger_aws.owner, tags=trigger_aws.stack_tags, start=starts)
    handle(cloudtrail_events(aws)[-1], trigger_settings(), calls)
    [payload] = starts.runs.values()
    return payload


def test_a_triggered_run_settles_and_says_what_triggered_it(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed")
    payload = triggered(aws)

    run = run_handler(inbox, payload)

    assert run.outcome == "HEALED"
    assert ssm_value(PARAM) == "initial-value"
    assert "settle-after-change" in [op.name for op in run.result.operations]
    assert run.output["Trigger"]["EventName"] == "ssm:PutParameter"
    body = run.notice.body
    assert f"Triggered by: ssm:PutParameter on {PARAM} by {ALICE.arn} at " in body
    assert "s before this run)" in body


def test_an_edit_while_another_run_holds_the_stack_is_checked_when_it_ends(
    aws: AwsSandbox, inbox: Inbox, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    hold_the_stack(table, stack_id)  # a run is healing the stack right now
    change(aws, "changed-meanwhile", "AKIDBOB", Principal.user("bob"))
    payload = triggered(aws)
    # The holder runs for its first two checks, then ends.
    answers = iter(["RUNNING", "RUNNING"])
    monkeypatch.setattr(
        aws.durable_executions,
        "get",
        lambda arn: (next(answers, "SUCCEEDED"), datetime.now(UTC).timestamp()),
    )

    run = run_handler(inbox, payload)

    assert run.outcome == "HEALED"  # not BUSY: it waited for the lease, then healed
    assert ssm_value(PARAM) == "initial-value"
    names = [op.name for op in run.result.operations]
    assert "wait-for-stack-lease-1" in names and "wait-for-stack-lease-2" in names
    assert f"took over the stack's lease from {HOLDER}" in " ".join(run.output["Notes"])


def test_a_scheduled_run_that_finds_the_stack_held_ends_busy_at_once(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    hold_the_stack(table, stack_id)
    aws.durable_executions.set(HOLDER, "RUNNING")
    change(aws, "changed")
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "BUSY"
