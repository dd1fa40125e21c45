"""CloudTrail event history: one LookupEvents call per function."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from healer.aws import clients

PAGE_SIZE = 50  # LookupEvents MaxResults: 1-50


def lookup_events_by_name(
    event_name: str, start: datetime, token: str | None, region: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of management events named `event_name` since `start`, newest first.

    No EndTime: a NextToken must be sent again with identical parameters, and "until now"
    is what every page means."""
    kwargs: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": event_name}],
        "StartTime": start,
        "MaxResults": PAGE_SIZE,
    }
    if token:
        kwargs["NextToken"] = token
    answer = clients.cloudtrail(region).lookup_events(**kwargs)
    return [dict(e) for e in answer.get("Events", [])], answer.get("NextToken")
