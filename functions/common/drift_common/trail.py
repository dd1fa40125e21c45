"""CloudTrail write events: which resource an event changed, who made it, and how.

Shared by the healer (who changed a drifted resource: LookupEvents) and the trigger (which
resource an "AWS API Call via CloudTrail" event changed). Pure: no AWS calls.

`WRITE_EVENTS` maps (event source, event name) to the resource type it changes and the
request parameter that names the resource (the parameter names are those of each API's
request, in CloudTrail's camelCase; research.md §1-§2). `kind` says what it changes:
`props` (properties), `tags`, `delete`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any

CLOUDFORMATION = "cloudformation.amazonaws.com"
CONSOLE_AGENTS = ("signin.amazonaws.com", "console.amazonaws.com", "AWS Internal")


@dataclass(frozen=True)
class WriteEvent:
    resource_type: str
    parameter: str  # request parameter naming the resource
    kind: str = "props"  # props | tags | delete


def _events(
    source: str, resource_type: str, table: dict[str, tuple[str, str]]
) -> dict[tuple[str, str], WriteEvent]:
    return {
        (source, name): WriteEvent(resource_type, param, kind)
        for name, (param, kind) in table.items()
    }


WRITE_EVENTS: dict[tuple[str, str], WriteEvent] = {
    **_events(
        "ssm.amazonaws.com",
        "AWS::SSM::Parameter",
        {
            "PutParameter": ("name", "props"),
            "AddTagsToResource": ("resourceId", "tags"),
            "RemoveTagsFromResource": ("resourceId", "tags"),
            "DeleteParameter": ("name", "delete"),
        },
    ),
    **_events(
        "sqs.amazonaws.com",
        "AWS::SQS::Queue",
        {
            "SetQueueAttributes": ("queueUrl", "props"),
            "TagQueue": ("queueUrl", "tags"),
            "UntagQueue": ("queueUrl", "tags"),
            "DeleteQueue": ("queueUrl", "delete"),
        },
    ),
    **_events(
        "sns.amazonaws.com",
        "AWS::SNS::Topic",
        {
            "SetTopicAttributes": ("topicArn", "props"),
            "TagResource": ("resourceArn", "tags"),
            "UntagResource": ("resourceArn", "tags"),
            "DeleteTopic": ("topicArn", "delete"),
        },
    ),
    **_events(
        "s3.amazonaws.com",
        "AWS::S3::Bucket",
        {
            "PutBucketVersioning": ("bucketName", "props"),
            "PutBucketPolicy": ("bucketName", "props"),
            "PutBucketEncryption": ("bucketName", "props"),
            "PutBucketTagging": ("bucketName", "tags"),
            "DeleteBucketTagging": ("bucketName", "tags"),
            "DeleteBucket": ("bucketName", "delete"),
        },
    ),
    **_events(
        "logs.amazonaws.com",
        "AWS::Logs::LogGroup",
        {
            "PutRetentionPolicy": ("logGroupName", "props"),
            "DeleteRetentionPolicy": ("logGroupName", "props"),
            "TagLogGroup": ("logGroupName", "tags"),
            "UntagLogGroup": ("logGroupName", "tags"),
            "DeleteLogGroup": ("logGroupName", "delete"),
        },
    ),
    **_events(
        "dynamodb.amazonaws.com",
        "AWS::DynamoDB::Table",
        {
            "UpdateTable": ("tableName", "props"),
            "TagResource": ("resourceArn", "tags"),
            "UntagResource": ("resourceArn", "tags"),
            "DeleteTable": ("tableName", "delete"),
        },
    ),
    **_events(
        "iam.amazonaws.com",
        "AWS::IAM::Role",
        {
            "UpdateAssumeRolePolicy": ("roleName", "props"),
            "PutRolePolicy": ("roleName", "props"),
            "DeleteRolePolicy": ("roleName", "props"),
            "AttachRolePolicy": ("roleName", "props"),
            "DetachRolePolicy": ("roleName", "props"),
            "UpdateRole": ("roleName", "props"),
            "UpdateRoleDescription": ("roleName", "props"),
            "TagRole": ("roleName", "tags"),
            "UntagRole": ("roleName", "tags"),
            "DeleteRole": ("roleName", "delete"),
        },
    ),
}

# IAM is a global service: its events are only in us-east-1's event history and reach only
# us-east-1's default event bus (research.md §1, §2).
GLOBAL_SOURCES = {"iam.amazonaws.com": "us-east-1"}


def covered_types() -> set[str]:
    return {event.resource_type for event in WRITE_EVENTS.values()}


def lookup_names(resource_type: str, *, tags: bool, props: bool, deleted: bool) -> list[str]:
    """The event names that can have made this drift (tag paths, other paths, deletion)."""
    wanted = {kind for kind, on in (("tags", tags), ("props", props), ("delete", deleted)) if on}
    return [
        name
        for (_, name), event in WRITE_EVENTS.items()
        if event.resource_type == resource_type and event.kind in wanted
    ]


def source_of(resource_type: str) -> str | None:
    return next(
        (src for (src, _), ev in WRITE_EVENTS.items() if ev.resource_type == resource_type), None
    )


def names_resource(value: str, physical_id: str) -> bool:
    """Does a request parameter value name the resource with this physical id? Equal, or an
    ARN / URL whose tail is the id (a table ARN for a table name, a parameter ARN for a
    parameter name, a queue URL through another endpoint host)."""
    if not value or not physical_id:
        return False
    if value == physical_id:
        return True
    if physical_id.startswith(("https://", "http://")) and value.startswith(
        ("https://", "http://")
    ):
        return value.split("/")[-2:] == physical_id.split("/")[-2:]
    tail = physical_id.lstrip("/")
    return value.endswith((f"/{tail}", f":{tail}"))


def named_value(record: dict[str, Any]) -> tuple[WriteEvent, str] | None:
    """The mapped write event and the value naming its resource, or None (unknown event)."""
    event = WRITE_EVENTS.get((str(record.get("eventSource")), str(record.get("eventName"))))
    if event is None:
        return None
    params = record.get("requestParameters")
    value = params.get(event.parameter) if isinstance(params, dict) else None
    return (event, value) if isinstance(value, str) and value else None


def by_cloudformation(record: dict[str, Any]) -> bool:
    """A call CloudFormation made (a stack operation, the healer's REVERT_DRIFT included)."""
    ident = record.get("userIdentity") or {}
    return CLOUDFORMATION in {
        ident.get("invokedBy"),
        record.get("sourceIPAddress"),
        record.get("userAgent"),
    }


def is_failed_or_read(record: dict[str, Any]) -> bool:
    return bool(record.get("errorCode")) or record.get("readOnly") in (True, "true")


@dataclass(frozen=True)
class Who:
    principal: str  # the caller's ARN (assumed-role/Role/Session, user/Name, ...)
    principal_type: str  # userIdentity.type
    issuer: str | None  # the role behind a session (sessionContext.sessionIssuer.arn)
    via: str


def who(record: dict[str, Any]) -> Who:
    ident = record.get("userIdentity") or {}
    issuer = ((ident.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
    principal = str(
        ident.get("arn") or ident.get("invokedBy") or ident.get("principalId") or "unknown"
    )
    return Who(principal, str(ident.get("type") or "Unknown"), issuer, via(record))


def via(record: dict[str, Any]) -> str:
    """How the change was made: console, AWS CLI, an SDK, another IaC tool, an AWS service."""
    ident = record.get("userIdentity") or {}
    agent = str(record.get("userAgent") or "")
    lowered = agent.lower()
    if str(record.get("sessionCredentialFromConsole")).lower() == "true":
        return "console"
    if ident.get("invokedBy") and ident.get("invokedBy") != "AWS Internal":
        return f"AWS service ({ident['invokedBy']})"
    if agent in CONSOLE_AGENTS:
        return "console"
    if lowered.startswith("aws-cli/") or " aws-cli/" in lowered:
        return "AWS CLI"
    for tool in ("Terraform", "Pulumi", "Crossplane", "Ansible"):
        if tool.lower() in lowered:
            return f"{tool} (another IaC tool)"
    for sdk, label in (
        ("boto3", "SDK (Boto3)"),
        ("aws-sdk-js", "SDK (JavaScript)"),
        ("aws-sdk-java", "SDK (Java)"),
        ("aws-sdk-go", "SDK (Go)"),
        ("aws-sdk-dotnet", "SDK (.NET)"),
        ("aws-sdk-", "SDK"),
        ("botocore", "SDK (botocore)"),
    ):
        if sdk in lowered:
            return label
    return f"unknown ({agent[:60]})" if agent else "unknown"


def matches_any(who_: Who, globs: tuple[str, ...] | list[str]) -> str | None:
    """The first ARN glob matching the principal or the role behind its session."""
    for glob in globs:
        if fnmatchcase(who_.principal, glob) or (who_.issuer and fnmatchcase(who_.issuer, glob)):
            return glob
    return None


def event_time(record: dict[str, Any]) -> datetime | None:
    raw = record.get("eventTime")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def parse_record(text: str) -> dict[str, Any] | None:
    """LookupEvents' CloudTrailEvent (a JSON string), or None when it is not an object."""
    try:
        record = json.loads(text)
    except (TypeError, ValueError):
        return None
    return record if isinstance(record, dict) else None
