"""WAIT_MODE=events without what it needs: the waits poll, the heal still succeeds.

Run by the durable testing SDK (skip_time=True: every timer fires at once, so a callback
nobody completes times out immediately, as it would after EVENT_FALLBACK_* seconds)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from healer.handler import lambda_handler as healer_handler
from sandbox.cloudformation.timing import Phase
from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox

EVENT_PHASES = ("detection", "execution", "verification")


@pytest.fixture
def sandbox(aws_sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch) -> AwsSandbox:
    sb = aws_sandbox
    sb.reset()
    sb.timing.detection = sb.timing.change_set_create = sb.timing.execution = Phase(0.0, 2)
    topic = sb.client("sns").create_topic(Name="fallback-notices")["TopicArn"]
    for name, value in {
        "AWS_ENDPOINT_URL": sb.endpoint_url,
        "AWS_REGION": sb.region,
        "AWS_DEFAULT_REGION": sb.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SNS_TOPIC_ARN": topic,
        "WAIT_MODE": "events",
        # Skipped timers still advance the runner's clock toward execution_timeout.
        "EVENT_FALLBACK_INITIAL_SECONDS": "1",
        "EVENT_FALLBACK_MAX_SECONDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STATE_TABLE_NAME", raising=False)
    template = {
        "Resources": {
            "Param": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/fallback/p", "Type": "String", "Value": "initial"},
            }
        }
    }
    sb.client("cloudformation").create_stack(StackName="fb", TemplateBody=json.dumps(template))
    sb.client("ssm").put_parameter(Name="/fallback/p", Value="x", Type="String", Overwrite=True)
    return sb


def heal() -> tuple[dict[str, Any], list[str]]:
    with DurableFunctionTestRunner(handler=healer_handler, skip_time=True) as runner:
        result = runner.run(input=json.dumps({"StackName": "fb"}), execution_timeout=120)
    assert result.result is not None, result.error
    names = [op.name for op in result.operations if op.name]
    return json.loads(result.result), names


def test_without_a_state_table_the_waits_poll(sandbox: AwsSandbox) -> None:
    output, names = heal()
    assert output["Outcome"] == "HEALED"
    assert all("EndedOn" not in output["Phases"][p] for p in EVENT_PHASES)
    assert not any("-event-" in name for name in names)  # no callback was created


def test_a_waiter_record_the_table_refuses_turns_the_wait_into_polling(
    sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lease is taken (UpdateItem); every PutItem is refused: the waiter records, and at
    # the end the state itself. (A table that refuses the lease too only reports: no waits.)
    monkeypatch.setenv(
        "STATE_TABLE_NAME", create_state_table(sandbox.client("dynamodb"), "refusing-state")
    )
    sandbox.dynamodb_faults.fail("AccessDeniedException", "PutItem")
    output, _ = heal()
    assert output["Outcome"] == "HEALED"
    assert all("EndedOn" not in output["Phases"][p] for p in EVENT_PHASES)
    assert any("the drift state was not saved" in note for note in output["Notes"])


def test_no_event_ever_arrives_the_fallback_polls_finish_the_run(
    sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A table but no rule/relay: every callback times out and the poll after it decides.
    # Until an event has arrived, the callback timeouts follow the phases' polling schedule,
    # and the test SDK waits those timeouts on the real clock even with skip_time: 1 s polls.
    for phase in ("DETECTION", "CHANGE_SET", "EXECUTION"):
        monkeypatch.setenv(f"{phase}_POLL_INITIAL_SECONDS", "1")
        monkeypatch.setenv(f"{phase}_POLL_MAX_SECONDS", "1")
    monkeypatch.setenv(
        "STATE_TABLE_NAME", create_state_table(sandbox.client("dynamodb"), "fb-state")
    )
    output, names = heal()
    assert output["Outcome"] == "HEALED"
    for phase in EVENT_PHASES:
        assert output["Phases"][phase]["EndedOn"] == "poll"
        # seen in progress (Phase(0, 2)) before a later Describe sees it finished
        assert output["Phases"][phase]["Polls"] >= 2, (phase, output["Phases"])
    assert output["Phases"]["detection"]["Polls"] == 3
    assert "wait-for-detection-event-1" in names and "wait-for-detection-check-3" in names


def test_a_detection_past_its_budget_is_timed_out_in_event_mode_too(
    sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "STATE_TABLE_NAME", create_state_table(sandbox.client("dynamodb"), "to-state")
    )
    monkeypatch.setenv("DETECTION_TIMEOUT_SECONDS", "5")
    # No event has arrived in the run: the callback timeouts follow the detection's polls.
    monkeypatch.setenv("DETECTION_POLL_INITIAL_SECONDS", "2")
    monkeypatch.setenv("DETECTION_POLL_MAX_SECONDS", "2")
    sandbox.timing.detection = Phase(0.0, 1000)  # never finishes
    with DurableFunctionTestRunner(handler=healer_handler, skip_time=True) as runner:
        result = runner.run(input=json.dumps({"StackName": "fb"}), execution_timeout=120)
    assert result.error is not None and result.error.data
    output = json.loads(result.error.data)
    assert output["Outcome"] == "TIMED_OUT"
    assert output["Phases"]["detection"]["EndedOn"] == "poll"
    # Callbacks of 2 s, each followed by a Describe, until the 5 s budget is spent.
    assert 2 <= output["Phases"]["detection"]["Polls"] <= 4
