"""CloudTrail in the sandbox: every write call made to it, recorded with who made it, and
`LookupEvents` answered from that record (moto 5.2.5 implements no LookupEvents).

What is recorded (research.md §1): management write calls that reached the sandbox over HTTP
and succeeded, as CloudTrail records them — `eventSource` `<service>.amazonaws.com`,
`eventName` the API, `requestParameters` (top-level keys in camelCase), `userIdentity` of the
caller, `userAgent` and `sourceIPAddress` of the request, `readOnly` false. The caller is the
principal its access key is mapped to (`sb.trail.map_key(key, principal)`), else the default
principal. A console principal's calls carry `userAgent: "AWS Internal"` and
`sessionCredentialFromConsole: "true"`, as public console samples do. CloudFormation's own
writes (a REVERT_DRIFT execution putting a value back) are recorded as invoked by
CloudFormation: `invokedBy`, `sourceIPAddress` and `userAgent` `cloudformation.amazonaws.com`,
the identity of the caller of ExecuteChangeSet, or `assumed-role/<ServiceRole>/AWSCloudFormation`
when the stack has a service role.

Not recorded: reads (Describe*/Get*/List*/...), data events (items, objects, messages,
Publish, Invoke), failed calls (simplification: CloudTrail records them with `errorCode`).

`LookupEvents`: one lookup attribute (any of the eight keys; `ResourceName` matches the
recorded `Resources`, which hold the request parameter naming the resource and its ARN when
the sandbox knows it — which one real CloudTrail indexes is not documented), StartTime /
EndTime, MaxResults (1-50), NextToken; newest first. Knobs (`sb.trail`, or
POST /_sandbox/trail): `delivery_delay_seconds` (an event is visible only that long after the
call: CloudTrail delivers in about 5 minutes on average), `throttle_next` (that many lookups
answer ThrottlingException).
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

ACCOUNT = "123456789012"
LOOKUP_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
CLOUDFORMATION = "cloudformation.amazonaws.com"
_READ_PREFIXES = (
    "Describe",
    "Get",
    "List",
    "Head",
    "Lookup",
    "Query",
    "Scan",
    "BatchGet",
    "Receive",
    "Search",
    "Select",
    "Validate",
    "Estimate",
    "Check",
)
# Data events: not in CloudTrail's event history (management events only).
_DATA_EVENTS = frozenset(
    {
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "PutObject",
        "DeleteObject",
        "DeleteObjects",
        "SendMessage",
        "SendMessageBatch",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "Publish",
        "PublishBatch",
        "Invoke",
    }
)
# The request parameter naming the resource, per event source, for `Resources`.
_NAMING_KEYS = (
    "name",
    "queueUrl",
    "topicArn",
    "resourceArn",
    "resourceId",
    "bucketName",
    "logGroupName",
    "tableName",
    "roleName",
    "stackName",
)


@dataclass(frozen=True)
class Principal:
    """Who a call is made as."""

    arn: str
    type: str = "IAMUser"  # IAMUser | AssumedRole
    console: bool = False
    source_ip: str | None = None

    @classmethod
    def user(cls, name: str, *, console: bool = False, account: str = ACCOUNT) -> Principal:
        return cls(f"arn:aws:iam::{account}:user/{name}", "IAMUser", console)

    @classmethod
    def role_session(
        cls, role: str, session: str, *, console: bool = False, account: str = ACCOUNT
    ) -> Principal:
        return cls(f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "AssumedRole", console)

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    def identity(self, access_key: str, invoked_by: str | None = None) -> dict[str, Any]:
        ident: dict[str, Any] = {
            "type": self.type,
            "arn": self.arn,
            "accountId": self.account,
            "accessKeyId": access_key,
        }
        if self.type == "AssumedRole":
            _, _, rest = self.arn.partition(":assumed-role/")
            role, _, session = rest.partition("/")
            issuer = f"arn:aws:iam::{self.account}:role/{role}"
            ident["principalId"] = f"AROA{_digits(role)}:{session}"
            ident["sessionContext"] = {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{_digits(role)}",
                    "arn": issuer,
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": _stamp(datetime.now(UTC)),
                    "mfaAuthenticated": "false",
                },
            }
        else:
            ident["principalId"] = f"AIDA{_digits(self.name)}"
            ident["userName"] = self.name
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    @property
    def username(self) -> str:
        """LookupEvents `Username`: the user name, or the role session's name."""
        return self.name


DEFAULT_PRINCIPAL = Principal.user("sandbox-user")


def _digits(text: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_OID, text).hex[:17].upper()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]


def is_write(event_name: str) -> bool:
    return not event_name.startswith(_READ_PREFIXES) and event_name not in _DATA_EVENTS


@dataclass
class Recorded:
    record: dict[str, Any]
    at: float  # time.monotonic() of the call
    moment: datetime
    access_key: str
    username: str
    resources: list[dict[str, str | None]]


@dataclass
class Trail:
    """``sb.trail``: the principals, the record, the knobs."""

    default_principal: Principal = DEFAULT_PRINCIPAL
    delivery_delay_seconds: float = 0.0
    throttle_next: int = 0
    lookups: int = 0
    _keys: dict[str, Principal] = field(default_factory=dict)
    _events: list[Recorded] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _listeners: list[Callable[[dict[str, Any]], object]] = field(default_factory=list)

    def map_key(self, access_key: str, principal: Principal) -> None:
        with self._lock:
            self._keys[access_key] = principal

    def principal(self, access_key: str) -> Principal:
        with self._lock:
            return self._keys.get(access_key, self.default_principal)

    def on_record(self, listener: Callable[[dict[str, Any]], object]) -> Callable[[], None]:
        """Call ``listener(record)`` for every recorded write (e.g. EventBridge emission)."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def reset(self) -> None:
        """Record, principals and knobs cleared; listeners stay."""
        with self._lock:
            self._keys.clear()
            self._events.clear()
            self.default_principal = DEFAULT_PRINCIPAL
            self.delivery_delay_seconds = 0.0
            self.throttle_next = 0
            self.lookups = 0

    def events(self) -> list[dict[str, Any]]:
        """Every recorded CloudTrail record, oldest first (visible or not yet)."""
        with self._lock:
            return [r.record for r in self._events]

    # -- recording ----------------------------------------------------------------------------
    def record(
        self,
        *,
        service: str,
        event_name: str,
        region: str,
        params: dict[str, Any],
        access_key: str,
        user_agent: str,
        source_ip: str,
        principal: Principal | None = None,
        invoked_by: str | None = None,
        arn: str | None = None,
    ) -> dict[str, Any]:
        who = principal or self.principal(access_key)
        moment = datetime.now(UTC)
        request = {_camel(k): v for k, v in params.items()}
        record: dict[str, Any] = {
            "eventVersion": "1.08",
            "userIdentity": who.identity(access_key, invoked_by),
            "eventTime": _stamp(moment),
            "eventSource": f"{service}.amazonaws.com",
            "eventName": event_name,
            "awsRegion": region,
            "sourceIPAddress": invoked_by or who.source_ip or source_ip,
            "userAgent": invoked_by or ("AWS Internal" if who.console else user_agent),
            "requestParameters": request,
            "responseElements": None,
            "requestID": str(uuid.uuid4()),
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": who.account,
            "eventCategory": "Management",
        }
        if who.console and not invoked_by:
            record["sessionCredentialFromConsole"] = "true"
        names = [str(request[k]) for k in _NAMING_KEYS if isinstance(request.get(k), str)]
        resources: list[dict[str, str | None]] = [
            {"ResourceType": None, "ResourceName": n}
            for n in dict.fromkeys([*names, arn or ""])
            if n
        ]
        with self._lock:
            self._events.append(
                Recorded(record, time.monotonic(), moment, access_key, who.username, resources)
            )
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(record)
            except Exception:  # a listener must never fail the call it observes
                continue
        return record

    # -- LookupEvents ------------------------------------------------------------------------
    def lookup(self, body: dict[str, Any], region: str) -> tuple[int, dict[str, Any]]:
        """One LookupEvents call in `region` (event history is per region)."""
        with self._lock:
            self.lookups += 1
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
            visible = [
                r
                for r in self._events
                if time.monotonic() - r.at >= self.delivery_delay_seconds
                and r.record["awsRegion"] == region
            ]
        attributes = body.get("LookupAttributes") or []
        if len(attributes) > 1:
            return 400, {
                "__type": "InvalidLookupAttributesException",
                "message": "You cannot specify more than one lookup attribute.",
            }
        limit = int(body.get("MaxResults") or 50)
        if not 1 <= limit <= 50:
            return 400, {
                "__type": "InvalidMaxResultsException",
                "message": "MaxResults must be between 1 and 50.",
            }
        start, end = _when(body.get("StartTime")), _when(body.get("EndTime"))
        matching = [
            r
            for r in reversed(visible)
            if (not attributes or _matches(r, attributes[0]))
            and (start is None or r.moment >= start)
            and (end is None or r.moment <= end)
        ]
        offset = int(body.get("NextToken") or 0)
        page = matching[offset : offset + limit]
        answer: dict[str, Any] = {"Events": [_event(r) for r in page]}
        if offset + limit < len(matching):
            answer["NextToken"] = str(offset + limit)
        return 200, answer


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _matches(r: Recorded, attribute: dict[str, Any]) -> bool:
    key, value = attribute.get("AttributeKey"), str(attribute.get("AttributeValue", ""))
    rec = r.record
    if key == "EventId":
        return bool(rec["eventID"] == value)
    if key == "EventName":
        return bool(rec["eventName"] == value)
    if key == "ReadOnly":
        return str(rec["readOnly"]).lower() == value.lower()
    if key == "Username":
        return r.username == value
    if key == "EventSource":
        return bool(rec["eventSource"] == value)
    if key == "AccessKeyId":
        return r.access_key == value
    if key == "ResourceName":
        return any(res["ResourceName"] == value for res in r.resources)
    if key == "ResourceType":
        return any(res["ResourceType"] == value for res in r.resources)
    return False


def _event(r: Recorded) -> dict[str, Any]:
    rec = r.record
    return {
        "EventId": rec["eventID"],
        "EventName": rec["eventName"],
        "ReadOnly": "false",
        "AccessKeyId": r.access_key,
        "EventTime": r.moment.timestamp(),
        "EventSource": rec["eventSource"],
        "Username": r.username,
        "Resources": r.resources,
        "CloudTrailEvent": json.dumps(rec),
    }


TRAIL = Trail()

# -- the HTTP side: what a call to the sandbox was -----------------------------------------

_CREDENTIAL = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")


@dataclass(frozen=True)
class Call:
    service: str
    region: str
    access_key: str
    action: str
    params: dict[str, Any]


def parse_call(environ: dict[str, Any], raw: bytes) -> Call | None:
    """The service, action and parameters of one request, or None (unsigned, unknown)."""
    found = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if not found:
        return None
    access_key, region, service = found.groups()
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            return None
        return Call(service, region, access_key, target.rsplit(".", 1)[-1], dict(params))
    if service == "s3":
        return _s3_call(environ, region, access_key)
    form = parse_qs(raw.decode(errors="replace")) if raw else {}
    form |= parse_qs(str(environ.get("QUERY_STRING", "")))
    action = (form.pop("Action", [""]) or [""])[0]
    if not action:
        return None
    form.pop("Version", None)
    return Call(service, region, access_key, action, {k: v[0] for k, v in form.items()})


def _s3_call(environ: dict[str, Any], region: str, access_key: str) -> Call | None:
    """Bucket-level S3 writes (path-style): the management events the sandbox's types use."""
    method = str(environ.get("REQUEST_METHOD", ""))
    parts = [p for p in str(environ.get("PATH_INFO", "")).split("/") if p]
    if len(parts) != 1:
        return None  # object calls are data events
    query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    sub = next((k for k in ("tagging", "versioning", "policy", "encryption") if k in query), "")
    names = {
        ("PUT", ""): "CreateBucket",
        ("DELETE", ""): "DeleteBucket",
        ("PUT", "tagging"): "PutBucketTagging",
        ("DELETE", "tagging"): "DeleteBucketTagging",
        ("PUT", "versioning"): "PutBucketVersioning",
        ("PUT", "policy"): "PutBucketPolicy",
        ("DELETE", "policy"): "DeleteBucketPolicy",
        ("PUT", "encryption"): "PutBucketEncryption",
    }
    action = names.get((method, sub))
    if action is None:
        return None
    return Call("s3", region, access_key, action, {"bucketName": parts[0]})


class TrailApp:
    """WSGI middleware: answers LookupEvents, records every successful write it passes on."""

    def __init__(self, inner: Callable[..., Any], trail: Trail = TRAIL) -> None:
        self.inner = inner
        self.trail = trail

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        if environ.get("HTTP_X_AMZ_TARGET") == LOOKUP_TARGET:
            found = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
            region = found.group(2) if found else "us-east-1"
            status, answer = self.trail.lookup(json.loads(raw) if raw else {}, region)
            data = json.dumps(answer).encode()
            start_response(
                "200 OK" if status == 200 else "400 Bad Request",
                [
                    ("Content-Type", "application/x-amz-json-1.1"),
                    ("Content-Length", str(len(data))),
                ],
            )
            return [data]
        seen: list[str] = []

        def recording_start(status: str, headers: Any, *args: Any) -> Any:
            seen.append(status)
            return start_response(status, headers, *args)

        result: Iterable[bytes] = self.inner(environ, recording_start)
        body = list(result)
        call = parse_call(environ, raw)
        if call and seen and seen[0].startswith("2") and is_write(call.action):
            self.trail.record(
                service=call.service,
                event_name=call.action,
                region=call.region,
                params=call.params,
                access_key=call.access_key,
                user_agent=str(environ.get("HTTP_USER_AGENT", "")),
                source_ip=str(environ.get("REMOTE_ADDR", "127.0.0.1")),
            )
        return body


# -- CloudFormation's own writes ------------------------------------------------------------

# What CloudFormation calls to put a resource back, per type: (service, event, parameter).
_CFN_WRITES: dict[str, tuple[str, str, str]] = {
    "AWS::SSM::Parameter": ("ssm", "PutParameter", "name"),
    "AWS::SQS::Queue": ("sqs", "SetQueueAttributes", "queueUrl"),
    "AWS::SNS::Topic": ("sns", "SetTopicAttributes", "topicArn"),
    "AWS::S3::Bucket": ("s3", "PutBucketTagging", "bucketName"),
    "AWS::Logs::LogGroup": ("logs", "PutRetentionPolicy", "logGroupName"),
    "AWS::DynamoDB::Table": ("dynamodb", "UpdateTable", "tableName"),
    "AWS::IAM::Role": ("iam", "UpdateAssumeRolePolicy", "roleName"),
}


def record_cloudformation_write(
    resource_type: str,
    physical_id: str,
    *,
    region: str,
    access_key: str,
    service_role_arn: str | None,
) -> None:
    """A stack operation wrote `physical_id`: recorded as invoked by CloudFormation, as the
    stack's service role's `AWSCloudFormation` session or as the operation's caller."""
    service, event_name, param = _CFN_WRITES.get(resource_type, ("", "", ""))
    if not service:
        return
    if service_role_arn:
        account, role = service_role_arn.split(":")[4], service_role_arn.rsplit("/", 1)[-1]
        who = Principal.role_session(role, "AWSCloudFormation", account=account)
    else:
        who = TRAIL.principal(access_key)
    TRAIL.record(
        service=service,
        event_name=event_name,
        region="us-east-1" if service == "iam" else region,
        params={param: physical_id},
        access_key=access_key,
        user_agent=CLOUDFORMATION,
        source_ip=CLOUDFORMATION,
        principal=who,
        invoked_by=CLOUDFORMATION,
    )
