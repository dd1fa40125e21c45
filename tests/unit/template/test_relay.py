"""The relay in the template: its rule sends only final statuses, and its role can read the
waiter records and wake the healer's own executions, nothing else."""

from pathlib import Path
from typing import Any

import pytest

from sandbox.cloudformation.eventbridge import DRIFT_DETAIL_TYPE, STACK_DETAIL_TYPE, rule_matches
from tools.expand_template import expand

TEMPLATE = Path(__file__).parents[3] / "template.yaml"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return expand(TEMPLATE)["Resources"]  # type: ignore[no-any-return]


def relay_statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    policies = resources["RelayFunctionRole"]["Properties"]["Policies"]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def test_relay_role_reads_the_table_and_wakes_only_the_healers_executions(
    resources: dict[str, Any],
) -> None:
    granted = {
        (s["Action"] if isinstance(s["Action"], str) else tuple(s["Action"])): s["Resource"]
        for s in relay_statements(resources)
    }
    assert granted == {
        "dynamodb:Query": {"Fn::GetAtt": ["DriftStateTable", "Arn"]},
        "lambda:SendDurableExecutionCallbackSuccess": {
            "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-drift-healer:*"
        },
        "sqs:SendMessage": {"Fn::GetAtt": ["RelayDeadLetterQueue", "Arn"]},
    }
    healer = resources["DriftHealerFunction"]["Properties"]
    assert healer["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-drift-healer"}


def test_relay_has_a_dead_letter_queue_and_a_retained_log_group(resources: dict[str, Any]) -> None:
    relay = resources["RelayFunction"]["Properties"]
    assert relay["DeadLetterConfig"] == {
        "TargetArn": {"Fn::GetAtt": ["RelayDeadLetterQueue", "Arn"]}
    }
    assert resources["RelayDeadLetterQueue"]["Properties"]["KmsMasterKeyId"] == "alias/aws/sqs"
    assert resources["RelayLogGroup"]["DeletionPolicy"] == "Retain"
    assert relay["LoggingConfig"] == {"LogGroup": {"Ref": "RelayLogGroup"}}
    assert relay["Environment"]["Variables"]["STATE_TABLE_NAME"] == {"Ref": "DriftStateTable"}


def test_healer_waits_on_events_and_may_write_its_waiter_records(resources: dict[str, Any]) -> None:
    healer = resources["DriftHealerFunction"]["Properties"]
    assert healer["Environment"]["Variables"]["WAIT_MODE"] == "events"
    policies = resources["DriftHealerFunctionRole"]["Properties"]["Policies"]
    table_actions = {
        action
        for p in policies
        if "PolicyDocument" in p
        for s in p["PolicyDocument"]["Statement"]
        if s.get("Resource") == {"Fn::GetAtt": ["DriftStateTable", "Arn"]}
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "dynamodb:PutItem" in table_actions  # healer.waits.waiter.record_waiter


def event(detail_type: str, status_details: dict[str, str]) -> dict[str, Any]:
    return {
        "source": "aws.cloudformation",
        "detail-type": detail_type,
        "detail": {"stack-id": "arn:s", "status-details": status_details},
    }


def test_the_rule_and_the_sandboxs_rule_agree_on_final_statuses(resources: dict[str, Any]) -> None:
    pattern = resources["RelayFunctionCloudFormationFinished"]["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.cloudformation"]
    assert set(pattern["detail-type"]) == {DRIFT_DETAIL_TYPE, STACK_DETAIL_TYPE}
    detection, stack = pattern["detail"]["status-details"]["$or"]
    for status in detection["detection-status"]:
        assert rule_matches(event(DRIFT_DETAIL_TYPE, {"detection-status": status}))
    assert not rule_matches(event(DRIFT_DETAIL_TYPE, {"detection-status": "DETECTION_IN_PROGRESS"}))
    for status in stack["status"]:
        assert not status.endswith("_IN_PROGRESS")
        assert rule_matches(event(STACK_DETAIL_TYPE, {"status": status}))
    # Every final status an update can end in reaches the relay.
    assert {
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "UPDATE_FAILED",
    } <= set(stack["status"])
