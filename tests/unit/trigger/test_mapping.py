"""The trigger's pure mapping: event -> changed resource -> the run it starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drift_common.owners import Owner
from drift_common.trail import WRITE_EVENTS
from healer.model import parse_request
from trigger.handler import Calls, handle
from trigger.mapping import Changed, Ignored, changed_resource, execution_name, payload
from trigger.settings import TriggerSettings

ALICE = "arn:aws:sts::123456789012:assumed-role/Admin/alice"
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/abc"
VALUES = {
    "AWS::SSM::Parameter": "/app/greeting",
    "AWS::SQS::Queue": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
    "AWS::SNS::Topic": "arn:aws:sns:us-east-1:123456789012:alerts",
    "AWS::S3::Bucket": "app-bucket",
    "AWS::Logs::LogGroup": "/app/logs",
    "AWS::DynamoDB::Table": "orders",
    "AWS::IAM::Role": "app-role",
}


def cloudtrail_event(source: str, name: str, params: dict[str, Any], **over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventID": "ev-1",
        "eventTime": "2026-12-08T01:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "requestParameters": params,
        "userIdentity": {"type": "AssumedRole", "arn": ALICE},
        "userAgent": "aws-cli/2.15",
        "readOnly": False,
    }
    record.update(over)
    return {
        "version": "0",
        "id": "env-1",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws." + source.split(".", maxsplit=1)[0],
        "region": "us-east-1",
        "detail": record,
    }


@pytest.mark.parametrize(("key", "write"), sorted(WRITE_EVENTS.items()), ids=str)
def test_every_mapped_write_names_its_resource(key: tuple[str, str], write: Any) -> None:
    source, name = key
    value = VALUES[write.resource_type]
    if write.resource_type == "AWS::DynamoDB::Table" and write.parameter == "resourceArn":
        value = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    changed = changed_resource(cloudtrail_event(source, name, {write.parameter: value}))
    assert isinstance(changed, Changed), changed
    assert changed.resource_type == write.resource_type
    assert changed.physical_id == VALUES[write.resource_type]
    assert changed.principal == ALICE and changed.event_id == "ev-1"


def test_unknown_events_are_ignored_and_say_why() -> None:
    changed = changed_resource(cloudtrail_event("ec2.amazonaws.com", "RunInstances", {}))
    assert changed == Ignored("unmapped event ec2.amazonaws.com:RunInstances")
    assert isinstance(changed_resource({"detail-type": "Something Else"}), Ignored)
    assert isinstance(changed_resource({}), Ignored)


@pytest.mark.parametrize(
    "over",
    [
        {"userIdentity": {"arn": ALICE, "invokedBy": "cloudformation.amazonaws.com"}},
        {"sourceIPAddress": "cloudformation.amazonaws.com"},
        {"errorCode": "AccessDenied"},
        {"readOnly": True},
    ],
    ids=["heal-by-cloudformation", "cfn-source", "failed", "read"],
)
def test_the_heals_own_events_and_failures_start_nothing(over: dict[str, Any]) -> None:
    event = cloudtrail_event("ssm.amazonaws.com", "PutParameter", {"name": "/p"}, **over)
    assert isinstance(changed_resource(event), Ignored)


def test_ignored_principals_start_nothing() -> None:
    event = cloudtrail_event("ssm.amazonaws.com", "PutParameter", {"name": "/p"})
    assert isinstance(changed_resource(event, ("arn:aws:sts::*:assumed-role/Admin/*",)), Ignored)


def config_event(resource_type: str, **item: Any) -> dict[str, Any]:
    return {
        "id": "cfg-1",
        "detail-type": "Config Configuration Item Change",
        "source": "aws.config",
        "time": "2026-12-08T01:00:05Z",
        "detail": {
            "messageType": "ConfigurationItemChangeNotification",
            "configurationItem": {
                "resourceType": resource_type,
                "configurationItemCaptureTime": "2026-12-08T01:00:03.000Z",
                "configurationItemStatus": "OK",
                "awsRegion": "us-east-1",
                **item,
            },
        },
    }


def test_config_items_name_their_resource() -> None:
    bucket = changed_resource(config_event("AWS::S3::Bucket", resourceName="app-bucket"))
    assert isinstance(bucket, Changed)
    assert (bucket.source, bucket.physical_id, bucket.principal) == ("config", "app-bucket", None)
    queue_url = VALUES["AWS::SQS::Queue"]
    queue = changed_resource(config_event("AWS::SQS::Queue", resourceId=queue_url))
    assert isinstance(queue, Changed) and queue.physical_id == queue_url
    assert isinstance(
        changed_resource(config_event("AWS::EC2::Instance", resourceId="i-1")), Ignored
    )
    oversized = {
        "detail-type": "Config Configuration Item Change",
        "detail": {"s3DeliverySummary": {}},
    }
    assert isinstance(changed_resource(oversized), Ignored)


def test_one_execution_name_per_stack_and_settle_window() -> None:
    t = datetime(2026, 12, 8, 1, 0, 0, tzinfo=UTC)
    burst = {execution_name(STACK_ID, t + timedelta(seconds=s), 60) for s in (0, 20, 59)}
    assert len(burst) == 1
    assert execution_name(STACK_ID, t + timedelta(seconds=61), 60) not in burst
    assert execution_name(STACK_ID.replace("app", "other"), t, 60) not in burst
    name = burst.pop()
    assert len(name) <= 64 and name.replace("-", "").replace("_", "").isalnum()


def test_the_payload_is_an_event_the_healer_accepts() -> None:
    changed = changed_resource(
        cloudtrail_event("ssm.amazonaws.com", "PutParameter", {"name": "/app/greeting"})
    )
    assert isinstance(changed, Changed)
    request = parse_request(payload(STACK_ID, changed))
    assert request.trigger is not None
    assert request.trigger.principal == ALICE
    assert request.trigger.event_name == "ssm:PutParameter"
    assert request.trigger.resource == "/app/greeting"


def test_the_healer_refuses_a_malformed_trigger() -> None:
    with pytest.raises(ValueError, match="Trigger"):
        parse_request({"StackName": "app", "Trigger": {"Source": "cloudtrail", "Extra": 1}})
    with pytest.raises(ValueError, match="Trigger"):
        parse_request({"StackName": "app", "Trigger": "yes"})


OWNER = Owner(STACK_ID, "app", "Param", "AWS::SSM::Parameter", "UPDATE_COMPLETE")


def run(settings: dict[str, Any] | None = None, **calls: Any) -> tuple[dict[str, Any], list[Any]]:
    started: list[Any] = []
    defaults = {
        "owner": lambda pid, rtype: OWNER,
        "tags": lambda stack_id: {},
        "start": lambda fn, name, body: started.append((fn, name, body)) or "started",
    }
    defaults.update(calls)
    config = TriggerSettings(healer_function_arn="healer:live", **(settings or {}))
    event = cloudtrail_event("ssm.amazonaws.com", "PutParameter", {"name": "/app/greeting"})
    return handle(event, config, Calls(**defaults)), started


def test_a_change_to_a_managed_stack_starts_its_run() -> None:
    summary, started = run()
    assert summary["action"] == "started" and summary["stack"] == "app"
    [(fn, name, body)] = started
    assert fn == "healer:live" and name.startswith("trigger-")
    assert body["StackName"] == STACK_ID


@pytest.mark.parametrize(
    ("settings", "calls", "why"),
    [
        ({}, {"owner": lambda pid, rtype: None}, "no live stack owns the resource"),
        ({"healer_stack_name": "app"}, {}, "the healer's own stack"),
        ({"target_stack_name_pattern": "prod-*"}, {}, "outside TARGET_STACK_NAME_PATTERN"),
        ({}, {"tags": lambda s: {"drift-healer:mode": "off"}}, "opted out (drift-healer:mode=off)"),
    ],
)
def test_stacks_not_to_heal_are_ignored(
    settings: dict[str, Any], calls: dict[str, Any], why: str
) -> None:
    summary, started = run(settings, **calls)
    assert (summary["action"], summary["why"], started) == ("ignored", why, [])


def test_a_second_change_in_the_window_is_coalesced() -> None:
    summary, _ = run(start=lambda fn, name, body: "coalesced")
    assert summary["action"] == "coalesced"
