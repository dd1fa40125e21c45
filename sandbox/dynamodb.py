"""DynamoDB in the sandbox: the drift state table, made from template.yaml, and a fault knob.

moto serves DynamoDB as it is. Its on-demand tables never throttle and never fail, so the
knob makes chosen actions answer with DynamoDB's own errors (JSON 1.0 error shape,
`__type` = `<namespace>#<Code>`, DynamoDB API reference "Error handling"):
- `ProvisionedThroughputExceededException` / `ThrottlingException`, HTTP 400: throttled
  (on-demand tables throttle too past their previous peak);
- `InternalServerError` HTTP 500;
- `AccessDeniedException` HTTP 400 (IAM's coral namespace);
- `ResourceNotFoundException` HTTP 400: the table does not exist.
Guess: the message texts.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from moto.dynamodb.responses import DynamoHandler

TEMPLATE = Path(__file__).parents[1] / "template.yaml"
STATE_TABLE_RESOURCE = "DriftStateTable"

_DYNAMODB = "com.amazonaws.dynamodb.v20120810"
ERRORS: dict[str, tuple[int, str, str]] = {
    "ProvisionedThroughputExceededException": (
        400,
        _DYNAMODB,
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
    "ThrottlingException": (400, _DYNAMODB, "Rate of requests exceeds the allowed throughput."),
    "InternalServerError": (500, _DYNAMODB, "Internal server error"),
    "AccessDeniedException": (
        400,
        "com.amazon.coral.service",
        "User is not authorized to perform this action on the table (sandbox fault).",
    ),
    "ResourceNotFoundException": (400, _DYNAMODB, "Requested resource not found"),
}


class DynamoFaults:
    """``sb.dynamodb_faults``: make DynamoDB actions fail, and count the requests.

    counts() keys: ``<Action>`` (received) and ``<Action>:<Code>`` (injected).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: dict[str, str] = {}
        self._counts: Counter[str] = Counter()

    def fail(self, error: str, action: str = "*") -> None:
        """Every request of ``action`` ("*" = any DynamoDB action) answers ``error``."""
        if error not in ERRORS:
            raise ValueError(f"error must be one of {sorted(ERRORS)}")
        with self._lock:
            self._errors[action] = error

    def clear(self) -> None:
        with self._lock:
            self._errors.clear()
            self._counts.clear()

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def decide(self, action: str) -> str | None:
        with self._lock:
            self._counts[action] += 1
            error = self._errors.get(action) or self._errors.get("*")
            if error:
                self._counts[f"{action}:{error}"] += 1
            return error


FAULTS = DynamoFaults()
_installed: list[bool] = []


def error_response(code: str) -> tuple[int, dict[str, str], str]:
    status, namespace, message = ERRORS[code]
    body = json.dumps({"__type": f"{namespace}#{code}", "message": message})
    return (
        status,
        {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())},
        body,
    )


def install() -> None:
    """Idempotent: fault injection in front of every DynamoDB action."""
    if _installed:
        return
    _installed.append(True)
    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        error = FAULTS.decide(self._get_action() or "")
        return error_response(error) if error else original(self)

    setattr(DynamoHandler, "call_action", call_action)  # noqa: B010


def state_table_properties(template: Path = TEMPLATE) -> dict[str, Any]:
    """The drift state table's Properties in template.yaml: the one key schema."""
    from cfnlint.decode import decode  # type: ignore[import-untyped]  # noqa: PLC0415

    parsed, errors = decode(str(template))
    if errors:
        raise ValueError(f"{template} does not parse: {errors}")
    return dict(parsed["Resources"][STATE_TABLE_RESOURCE]["Properties"])


def create_state_table(client: Any, table_name: str = "drift-healer-state") -> str:
    """Create the table as template.yaml defines it (CreateTable, then TTL and point-in-time
    recovery, which CreateTable does not take); returns its name."""
    props = state_table_properties()
    sse = props.get("SSESpecification", {})
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        BillingMode=props["BillingMode"],
        SSESpecification={
            "Enabled": bool(sse.get("SSEEnabled")),
            "SSEType": sse.get("SSEType", "KMS"),
        },
    )
    ttl = props["TimeToLiveSpecification"]
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]},
    )
    pitr = props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    client.update_continuous_backups(
        TableName=table_name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": pitr},
    )
    return table_name
