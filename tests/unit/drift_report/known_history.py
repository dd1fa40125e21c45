"""A known drift history (three stacks, ten days) as the drift state table holds it, and the
numbers a person works out from it by hand. Shared by the report's unit and browser tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeSerializer

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
# Day 1 of the history; `items(now)` moves it so that `now` is 9 days 2 hours after day 1's
# 10:00 (the browser test uses the real clock, the unit tests NOW).
FIRST_DAY = datetime(2026, 12, 1, tzinfo=UTC)
ACCOUNT = "123456789012"
_serializer = TypeSerializer()


def stack_id(name: str, region: str = "us-east-1") -> str:
    return f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{name}/0000-{name}"


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def at(base: datetime, day: int, hour: int, minute: int = 0) -> str:
    moment = base + timedelta(days=day - 1, hours=hour, minutes=minute)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run(  # noqa: PLR0917 - the rows of ITEMS read as a table
    base: datetime,
    stack: str,
    day: int,
    minutes: int,
    outcome: str,
    drifted: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    started, finished = at(base, day, 10), at(base, day, 10, minutes)
    return _item(
        {
            "StackId": stack,
            "RecordKey": f"RUN#{started}#{outcome.lower()[:16]}",
            "Outcome": outcome,
            "Reason": "because",
            "DriftedCount": drifted,
            "StartedAt": started,
            "FinishedAt": finished,
            "ExecutionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:h/durable-execution/{day}",
            "Notified": True,
        }
        | extra
    )


def change(logical_id: str, when: str, principal: str) -> dict[str, Any]:
    return {
        "LogicalId": logical_id,
        "ResourceType": "AWS::SSM::Parameter",
        "Paths": ["/Value"],
        "Principal": principal,
        "PrincipalType": "AssumedRole",
        "Via": "console",
        "EventName": "PutParameter",
        "EventTime": when,
    }


PAYMENTS, WEB, QUEUE = stack_id("payments"), stack_id("web", "eu-west-1"), stack_id("queue")


def items(now: datetime = NOW) -> list[dict[str, Any]]:
    """The history, ending 9 days 2 hours after day 1's 10:00 = `now`."""
    b = now.replace(second=0, microsecond=0) - timedelta(days=9, hours=12)
    return [
        # payments: held, then healed a day later (a person's); found and healed in one run
        # (automatic); drifted again and held, still open.
        run(
            b,
            PAYMENTS,
            1,
            5,
            "REVIEW_REQUIRED",
            2,
            Changes=[change("Limit", at(b, 1, 8), "arn:aws:sts::1:assumed-role/Admin/alice")],
        ),
        run(b, PAYMENTS, 2, 5, "HEALED"),
        run(
            b,
            PAYMENTS,
            5,
            2,
            "HEALED",
            1,
            Changes=[change("Mode", at(b, 5, 9), "arn:aws:iam::1:user/<b>bob</b>")],
        ),
        run(b, PAYMENTS, 8, 3, "REVIEW_REQUIRED", 1),
        _item(
            {
                "StackId": PAYMENTS,
                "RecordKey": "STATE",
                "LastOutcome": "REVIEW_REQUIRED",
                "DriftFirstSeen": at(b, 8, 10),
            }
        ),
        # web: in sync, drift accepted into the template, a busy run, a failed detection.
        run(b, WEB, 3, 1, "IN_SYNC"),
        run(
            b, WEB, 4, 4, "ACCEPTED", 1, Accepted={"By": "carol", "Reason": "intended", "Paths": []}
        ),
        run(b, WEB, 6, 1, "BUSY"),
        run(b, WEB, 7, 1, "DETECTION_FAILED"),
        # queue: the revert failed; still drifted (no state item).
        run(b, QUEUE, 9, 5, "EXECUTION_FAILED", 1),
        # not history: a waiter record of the relay.
        _item(
            {"StackId": QUEUE, "RecordKey": "WAIT#abc", "CallbackId": "cb", "Phase": "execution"}
        ),
    ]


ITEMS = items()

HOUR = 3600.0
EXPECTED_OVERALL = {
    "Stacks": 3,
    "Runs": 8,  # BUSY says nothing about the stack
    "DriftEvents": 5,
    "MTTDSeconds": 5400.0,  # (2 h + 1 h) / 2
    "MTTRSeconds": 29020.0,  # (24 h 5 min + 2 min + 4 min) / 3
    "Remediated": 3,
    "AutoRemediatedPercent": 33.3,  # one of three
    "FailureRatePercent": 25.0,  # two of eight
    "CurrentlyDrifted": 2,
    "OldestDriftAgeSeconds": 50 * HOUR,  # payments, first seen 12-08 10:00
}
