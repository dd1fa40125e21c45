"""The control API reads its bodies strictly (issue 15): a wrong type or range is a 400 that
names the field and changes nothing; values the emulated API returns are always valid XML."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.emulator import AwsSandbox
from tests.functional.sandbox.helpers import PARAM_NAME, Clients, call, create_stack, detect


def refused(sb: AwsSandbox, path: str, body: Any, field: str) -> None:
    status, answer = call(sb, "POST", path, body)
    assert status == 400, answer
    assert field in answer["error"], answer


@pytest.mark.parametrize("value", ["false", "true", 0, 1, None, "no"])
def test_event_knobs_take_only_json_booleans(sb: AwsSandbox, value: Any) -> None:
    refused(sb, "/events", {"drop": value}, "drop")
    refused(sb, "/events", {"duplicate": value}, "duplicate")
    status, answer = call(sb, "GET", "/events")
    assert status == 200 and answer["knobs"]["drop"] is False
    assert answer["knobs"]["duplicate"] is False


def test_event_knobs_accept_true(sb: AwsSandbox) -> None:
    status, _ = call(sb, "POST", "/events", {"drop": True})
    assert status == 200
    assert call(sb, "GET", "/events")[1]["knobs"]["drop"] is True


@pytest.mark.parametrize("value", [-1, -0.5, "2", "fast", True, float("inf"), 301])
def test_latency_must_be_a_number_from_0_to_300(sb: AwsSandbox, aws: Clients, value: Any) -> None:
    body = {"action": "DescribeStacks", "latency_seconds": value}
    if value == float("inf"):
        body["latency_seconds"] = 1e999  # json.dumps writes Infinity; the server reads inf
    refused(sb, "/faults", body, "latency_seconds")
    assert call(sb, "GET", "/faults")[1]["rules"] == {}
    aws.cf.describe_stacks()  # CloudFormation still answers


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/faults", {"action": "X", "throttle_rate": "0.5"}, "throttle_rate"),
        ("/faults", {"action": "X", "server_error_rate": 2}, "server_error_rate"),
        ("/faults", {"throttle_rate": 0.1}, "action"),
        ("/events", {"delay_seconds": -2}, "delay_seconds"),
        ("/faults/seed", {"seed": "12"}, "seed"),
        ("/faults/fail-after", {"action": "X", "times": -1}, "times"),
        ("/faults/fail-after", {"action": "X", "times": 1.5}, "times"),
        ("/faults/detection-failed", {"stack_name": 7}, "stack_name"),
        ("/timing", {"detection": {"seconds": -1}}, "seconds"),
        ("/timing", {"detection": {"min_polls": "2"}}, "min_polls"),
        ("/timing", {"detection": 5}, "JSON object"),
        ("/faults/clear", ["not", "an", "object"], "JSON object"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(
    sb: AwsSandbox, path: str, body: Any, field: str
) -> None:
    refused(sb, path, body, field)


def test_control_characters_in_a_drifted_value_stay_valid_xml(aws: Clients) -> None:
    create_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="bad\x01value\x1b[31m", Overwrite=True)
    assert detect(aws)["StackDriftStatus"] == "DRIFTED"
    drifts = aws.cf.describe_stack_resource_drifts(
        StackName="app", StackResourceDriftStatusFilters=["MODIFIED"]
    )["StackResourceDrifts"]
    (difference,) = drifts[0]["PropertyDifferences"]
    # Written as JSON escapes, as the JSON-valued ActualProperties prints them.
    assert difference["ActualValue"] == "bad\\u0001value\\u001b[31m"
    assert "\\u0001" in drifts[0]["ActualProperties"]
