"""Pure: which managed resource an EventBridge event says was changed, and the run it starts.

Two sources (docs/triggers.md): "AWS API Call via CloudTrail" write events, mapped by
(event source, event name) to the request parameter naming the resource
(drift_common.trail.WRITE_EVENTS, shared with the healer's attribution), and AWS Config
"Config Configuration Item Change" events, mapped by resource type to the item field holding
the physical id. Anything else is ignored, with the reason, never an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from drift_common import trail

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"
CONFIG_DETAIL_TYPE = "Config Configuration Item Change"

# Config item field holding what CloudFormation reports as the physical id, per type.
# Guess (not documented per type): resourceName for named resources, resourceId (an ARN or
# URL) where that is CloudFormation's physical id. Types Config does not record are absent.
CONFIG_PHYSICAL_ID: dict[str, str] = {
    "AWS::S3::Bucket": "resourceName",
    "AWS::SQS::Queue": "resourceId",
    "AWS::SNS::Topic": "resourceId",
    "AWS::DynamoDB::Table": "resourceName",
    "AWS::IAM::Role": "resourceName",
    "AWS::SSM::Parameter": "resourceName",
    "AWS::Logs::LogGroup": "resourceName",
}


@dataclass(frozen=True)
class Changed:
    source: str  # cloudtrail | config
    resource_type: str
    physical_id: str
    event_id: str
    event_time: datetime
    event_name: str | None = None
    principal: str | None = None
    issuer: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Ignored:
    why: str


def _physical_id(resource_type: str, value: str) -> str:
    """The physical id CloudFormation knows the resource by, from the naming parameter."""
    if resource_type == "AWS::DynamoDB::Table" and ":table/" in value:
        return value.split(":table/", 1)[1].split("/", 1)[0]
    if resource_type == "AWS::SSM::Parameter" and ":parameter/" in value:
        return "/" + value.split(":parameter/", 1)[1]
    return value


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def from_cloudtrail(event: Mapping[str, Any], ignore: tuple[str, ...]) -> Changed | Ignored:
    record = event.get("detail")
    if not isinstance(record, dict):
        return Ignored("no CloudTrail record in the event")
    if trail.by_cloudformation(record):
        return Ignored("made by CloudFormation (a stack operation, or the healer's own heal)")
    if trail.is_failed_or_read(record):
        return Ignored("a failed or read-only call")
    who = trail.who(record)
    if glob := trail.matches_any(who, list(ignore)):
        return Ignored(f"made by an ignored principal ({glob})")
    named = trail.named_value(record)
    if named is None:
        return Ignored(f"unmapped event {record.get('eventSource')}:{record.get('eventName')}")
    write, value = named
    when = _when(record.get("eventTime"))
    if when is None:
        return Ignored("the record has no eventTime")
    return Changed(
        source="cloudtrail",
        resource_type=write.resource_type,
        physical_id=_physical_id(write.resource_type, value),
        event_id=str(record.get("eventID") or event.get("id") or ""),
        event_time=when,
        event_name=f"{str(record.get('eventSource')).split('.', 1)[0]}:{record.get('eventName')}",
        principal=who.principal,
        issuer=who.issuer,
        region=str(record.get("awsRegion") or event.get("region") or "") or None,
    )


def from_config(event: Mapping[str, Any]) -> Changed | Ignored:
    detail = event.get("detail")
    item = detail.get("configurationItem") if isinstance(detail, dict) else None
    if not isinstance(item, dict):
        # An oversized notification carries only a summary: not enough to act on (guess).
        return Ignored("no configurationItem (oversized or unknown Config message)")
    resource_type = str(item.get("resourceType") or "")
    field = CONFIG_PHYSICAL_ID.get(resource_type)
    if field is None:
        return Ignored(f"unmapped Config resource type {resource_type or '(none)'}")
    physical_id = item.get(field)
    when = _when(item.get("configurationItemCaptureTime")) or _when(event.get("time"))
    if not isinstance(physical_id, str) or not physical_id or when is None:
        return Ignored(f"the configuration item has no {field} or capture time")
    return Changed(
        source="config",
        resource_type=resource_type,
        physical_id=physical_id,
        event_id=str(event.get("id") or item.get("configurationStateId") or ""),
        event_time=when,
        event_name=f"config:{item.get('configurationItemStatus') or 'change'}",
        region=str(item.get("awsRegion") or event.get("region") or "") or None,
    )


def changed_resource(event: Mapping[str, Any], ignore: tuple[str, ...] = ()) -> Changed | Ignored:
    """What the event says was changed, or why it is ignored."""
    kind = event.get("detail-type")
    if kind == CLOUDTRAIL_DETAIL_TYPE:
        return from_cloudtrail(event, ignore)
    if kind == CONFIG_DETAIL_TYPE:
        return from_config(event)
    return Ignored(f"not a change event ({kind!r})")


def execution_name(stack_id: str, event_time: datetime, settle_seconds: int) -> str:
    """Single-flight per stack and settle window: every change of one stack within the same
    SETTLE_SECONDS window names the same durable execution, which Lambda starts once
    (DurableExecutionName: 1-64 of [a-zA-Z0-9-_])."""
    window = int(event_time.timestamp()) // max(settle_seconds, 1)
    digest = hashlib.sha256(stack_id.encode()).hexdigest()[:24]
    return f"trigger-{digest}-{window}"


def payload(stack_id: str, changed: Changed) -> dict[str, Any]:
    """The healer's event: the stack and the strictly shaped `Trigger`."""
    trigger: dict[str, Any] = {
        "Source": changed.source,
        "EventId": changed.event_id or "unknown",
        "EventTime": changed.event_time.isoformat(timespec="seconds"),
        "Resource": changed.physical_id[:2048],
        "ResourceType": changed.resource_type,
    }
    if changed.event_name:
        trigger["EventName"] = changed.event_name
    if changed.principal:
        trigger["Principal"] = changed.principal[:2048]
    return {"StackName": stack_id, "Trigger": trigger}
