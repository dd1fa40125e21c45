"""The emulated CloudFormation sends its EventBridge events: shape, rule filter, knobs."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.cloudformation.timing import Phase
from sandbox.emulator import AwsSandbox


def template(name: str, value: str = "a") -> str:
    properties = {"Name": f"/{name}/p", "Type": "String", "Value": value}
    return json.dumps(
        {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": properties}}}
    )


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.arrived = threading.Event()

    def __call__(self, event: dict[str, Any]) -> None:
        self.events.append((time.monotonic(), event))
        self.arrived.set()

    def wait(self, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [e for _, e in self.events]


@pytest.fixture
def recorder(aws_sandbox: AwsSandbox) -> Iterator[Recorder]:
    aws_sandbox.reset()
    aws_sandbox.timing.detection = aws_sandbox.timing.execution = Phase(0.0, 0)
    aws_sandbox.timing.change_set_create = Phase(0.0, 0)
    rec = Recorder()
    unsubscribe = aws_sandbox.events.subscribe(rec)
    yield rec
    unsubscribe()


def detect(sb: AwsSandbox, name: str) -> tuple[str, str]:
    cfn = sb.client("cloudformation")
    stack_id = cfn.create_stack(StackName=name, TemplateBody=template(name))["StackId"]
    detection = cfn.detect_stack_drift(StackName=name)["StackDriftDetectionId"]
    return stack_id, detection


def test_a_finished_detection_sends_the_documented_event(
    aws_sandbox: AwsSandbox, recorder: Recorder
) -> None:
    stack_id, detection = detect(aws_sandbox, "ev-shape")
    [event] = recorder.wait(1)
    assert event["source"] == "aws.cloudformation"
    assert event["detail-type"] == "CloudFormation Drift Detection Status Change"
    assert event["resources"] == [stack_id]
    assert event["detail"] == {
        "stack-id": stack_id,
        "stack-drift-detection-id": detection,
        "status-details": {
            "stack-drift-status": "IN_SYNC",
            "detection-status": "DETECTION_COMPLETE",
        },
        "drift-detection-details": {"drifted-stack-resource-count": 0},
    }


def test_an_executed_change_set_sends_its_final_stack_status_with_the_token(
    aws_sandbox: AwsSandbox, recorder: Recorder
) -> None:
    cfn = aws_sandbox.client("cloudformation")
    cfn.create_stack(StackName="ev-exec", TemplateBody=template("ev-exec"))
    cs = cfn.create_change_set(
        StackName="ev-exec", ChangeSetName="c1", TemplateBody=template("ev-exec", "b")
    )["Id"]
    cfn.describe_change_set(ChangeSetName=cs)
    cfn.execute_change_set(ChangeSetName=cs, ClientRequestToken="tok-1")
    cfn.describe_stacks(StackName="ev-exec")
    events = recorder.wait(1)
    statuses = [e["detail"]["status-details"]["status"] for e in events]
    assert statuses == ["UPDATE_COMPLETE"]  # the rule passes final statuses only
    assert events[0]["detail"]["client-request-token"] == "tok-1"
    log = aws_sandbox.events.log
    assert any(e.status == "UPDATE_IN_PROGRESS" and e.fate == "filtered" for e in log)


def test_knobs_drop_duplicate_and_delay_events(aws_sandbox: AwsSandbox, recorder: Recorder) -> None:
    aws_sandbox.events.knobs.drop = True
    detect(aws_sandbox, "ev-drop")
    time.sleep(0.3)
    assert recorder.events == []
    assert aws_sandbox.events.log[-1].fate == "dropped"

    aws_sandbox.events.knobs.drop = False
    aws_sandbox.events.knobs.duplicate = True
    detect(aws_sandbox, "ev-dup")
    assert len(recorder.wait(2)) == 2

    aws_sandbox.events.knobs.duplicate = False
    aws_sandbox.events.knobs.delay_seconds = 0.5
    began = time.monotonic()
    detect(aws_sandbox, "ev-late")
    recorder.wait(3)
    assert recorder.events[2][0] - began >= 0.5


def test_the_control_api_sets_and_shows_the_knobs(
    aws_sandbox: AwsSandbox, recorder: Recorder
) -> None:
    def call(method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{aws_sandbox.endpoint_url}/_sandbox/events",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    call("POST", {"drop": True, "delay_seconds": 1.5})
    detect(aws_sandbox, "ev-api")
    shown = call("GET")
    assert shown["knobs"] == {"delay_seconds": 1.5, "drop": True, "duplicate": False}
    assert shown["log"][-1]["fate"] == "dropped"
