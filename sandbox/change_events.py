"""EventBridge events about resource changes, emitted by the sandbox: every write its
CloudTrail records becomes an "AWS API Call via CloudTrail" event (the envelope of the
EventBridge user guide, `detail` = the CloudTrail record, `resources` empty as documented),
and, with `config` on, a "Config Configuration Item Change" event for the types a Config
recorder would record (research.md §2-§3). Delivered to subscribed targets (the trigger)
on a timer thread.

Knobs (`sb.change_events.knobs`, or POST /_sandbox/change-events): `delay_seconds` before
delivery (CloudTrail's ~5 minutes, shortened), `drop` (no trail / rule: nothing delivered),
`duplicate` (every event twice: EventBridge delivers at least once), `config` (also emit
the Config-shaped event). `sb.change_events.log` lists what was emitted and its fate.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.cloudformation.eventbridge import Target, deliver_later, subscribe
from sandbox.cloudtrail import Trail

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"
CONFIG_DETAIL_TYPE = "Config Configuration Item Change"
# event source -> (Config resource type, request parameter, item field it fills)
_CONFIG_TYPES: dict[str, tuple[str, str, str]] = {
    "ssm.amazonaws.com": ("AWS::SSM::Parameter", "name", "resourceName"),
    "sqs.amazonaws.com": ("AWS::SQS::Queue", "queueUrl", "resourceId"),
    "sns.amazonaws.com": ("AWS::SNS::Topic", "topicArn", "resourceId"),
    "s3.amazonaws.com": ("AWS::S3::Bucket", "bucketName", "resourceName"),
    "dynamodb.amazonaws.com": ("AWS::DynamoDB::Table", "tableName", "resourceName"),
    "iam.amazonaws.com": ("AWS::IAM::Role", "roleName", "resourceName"),
}


@dataclass
class ChangeKnobs:
    delay_seconds: float = 0.0
    drop: bool = False
    duplicate: bool = False
    config: bool = False


@dataclass
class ChangeEmitted:
    detail_type: str
    event_name: str
    emitted_at: float
    fate: str  # "dropped", "no target", "delivered"
    copies: int = 0


def cloudtrail_event(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": CLOUDTRAIL_DETAIL_TYPE,
        "source": "aws." + str(record.get("eventSource", "")).split(".", 1)[0],
        "account": (record.get("userIdentity") or {}).get("accountId", ""),
        "time": record.get("eventTime"),
        "region": record.get("awsRegion"),
        "resources": [],
        "detail": record,
    }


def config_event(record: dict[str, Any]) -> dict[str, Any] | None:
    """The Config item change a recorder would send for this write (None: type not
    recorded). No actor: Config items do not carry one."""
    mapped = _CONFIG_TYPES.get(str(record.get("eventSource")))
    params = record.get("requestParameters") or {}
    if mapped is None or not isinstance(params.get(mapped[1]), str):
        return None
    resource_type, param, item_field = mapped
    value = params[param]
    item = {
        "resourceType": resource_type,
        "resourceId": value,
        "resourceName": value.rsplit("/", 1)[-1] if item_field == "resourceId" else value,
        item_field: value,
        "awsRegion": record.get("awsRegion"),
        "awsAccountId": (record.get("userIdentity") or {}).get("accountId", ""),
        "configurationItemCaptureTime": record.get("eventTime"),
        "configurationItemStatus": "OK",
        "configurationStateId": str(int(time.time() * 1000)),
        "relatedEvents": [],
        "configuration": {},
        "tags": {},
    }
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": CONFIG_DETAIL_TYPE,
        "source": "aws.config",
        "account": item["awsAccountId"],
        "time": record.get("eventTime"),
        "region": record.get("awsRegion"),
        "resources": [value],
        "detail": {
            "recordVersion": "1.3",
            "messageType": "ConfigurationItemChangeNotification",
            "configurationItemDiff": {"changedProperties": {}, "changeType": "UPDATE"},
            "configurationItem": item,
        },
    }


@dataclass
class ChangeEvents:
    knobs: ChangeKnobs = field(default_factory=ChangeKnobs)
    log: list[ChangeEmitted] = field(default_factory=list)
    attached: bool = False
    _targets: list[Target] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, trail: Trail) -> None:
        trail.on_record(self.on_write)
        self.attached = True

    def subscribe(self, target: Target) -> Callable[[], None]:
        return subscribe(self._targets, self._lock, target)

    def reset(self) -> None:
        with self._lock:
            self.knobs = ChangeKnobs()
            self.log.clear()

    def on_write(self, record: dict[str, Any]) -> None:
        with self._lock:
            knobs, targets = ChangeKnobs(**asdict(self.knobs)), list(self._targets)
        events = [cloudtrail_event(record)]
        if knobs.config and (item := config_event(record)):
            events.append(item)
        for event in events:
            entry = ChangeEmitted(
                event["detail-type"], str(record.get("eventName")), time.monotonic(), "delivered"
            )
            with self._lock:
                self.log.append(entry)
            if knobs.drop:
                entry.fate = "dropped"
                continue
            if not targets:
                entry.fate = "no target"
                continue
            entry.copies = 2 if knobs.duplicate else 1
            deliver_later(event, targets, copies=entry.copies, delay_seconds=knobs.delay_seconds)


CHANGE_EVENTS = ChangeEvents()
