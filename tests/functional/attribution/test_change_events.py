"""The sandbox emits CloudTrail- and Config-shaped change events to the trigger: from an
out-of-band change to a notice, end to end, and the delivery knobs."""

from __future__ import annotations

import threading
from typing import Any

from sandbox.emulator import AwsSandbox
from tests.functional.attribution.test_triggered_runs import Starts, trigger_settings
from tests.functional.attribution.test_who_changed_it import ALICE, PARAM, change
from tests.functional.handler.harness import Inbox, deploy, run_handler, ssm_value
from tests.stacks import SAMPLE_TEMPLATE
from trigger import aws as trigger_aws
from trigger.handler import Calls, handle


class Received:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.arrived = threading.Event()

    def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.arrived.set()

    def wait(self, count: int) -> list[dict[str, Any]]:
        for _ in range(200):  # bounded: delivery is a timer thread
            if len(self.events) >= count:
                break
            self.arrived.wait(0.05)
            self.arrived.clear()
        return list(self.events)


def test_an_out_of_band_change_reaches_the_trigger_and_ends_in_a_notice(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    received = Received()
    unsubscribe = aws.change_events.subscribe(received)
    try:
        change(aws, "changed-by-alice")
        events = [e for e in received.wait(1) if e["detail"]["eventName"] == "PutParameter"]
    finally:
        unsubscribe()
    [event] = events
    assert event["detail-type"] == "AWS API Call via CloudTrail" and event["source"] == "aws.ssm"
    starts = Starts()
    calls = Calls(owner=trigger_aws.owner, tags=trigger_aws.stack_tags, start=starts)
    assert handle(event, trigger_settings(), calls)["action"] == "started"
    [payload] = starts.runs.values()

    run = run_handler(inbox, payload)

    assert run.outcome == "HEALED" and ssm_value(PARAM) == "initial-value"
    body = run.notice.body
    assert "Triggered by: ssm:PutParameter" in body and f"Changed by: {ALICE.arn}" in body


def test_duplicates_are_coalesced_and_config_events_carry_no_actor(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    aws.change_events.knobs.duplicate = True
    aws.change_events.knobs.config = True
    received = Received()
    unsubscribe = aws.change_events.subscribe(received)
    try:
        change(aws, "changed")
        events = received.wait(4)
    finally:
        unsubscribe()
    kinds = sorted(e["detail-type"] for e in events)
    assert kinds == ["AWS API Call via CloudTrail"] * 2 + ["Config Configuration Item Change"] * 2
    starts = Starts()
    calls = Calls(owner=trigger_aws.owner, tags=trigger_aws.stack_tags, start=starts)
    actions = [handle(e, trigger_settings(), calls)["action"] for e in events]
    assert actions.count("started") == 1 and actions.count("coalesced") == 3
    config = next(e for e in events if e["source"] == "aws.config")
    assert config["detail"]["configurationItem"]["resourceName"] == PARAM


def test_dropped_events_reach_nobody(aws: AwsSandbox, inbox: Inbox) -> None:
    aws.change_events.knobs.drop = True
    received = Received()
    unsubscribe = aws.change_events.subscribe(received)
    try:
        change(aws, "changed")
    finally:
        unsubscribe()
    assert received.events == []
    assert aws.change_events.log[-1].fate == "dropped"
