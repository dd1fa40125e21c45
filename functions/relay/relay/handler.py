"""The relay: CloudFormation's EventBridge events wake the healer's waiting durable callback.

A plain (not durable) Lambda function on an EventBridge rule. For each event: read the
stack's waiter records, pick the ones the event ends (relay.matching), complete their
callbacks. No waiter, a stale or foreign event, a duplicate: logged, and the invocation ends
OK. The healer never trusts the event's content: it wakes up and Describes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from relay.aws import Clients, complete_callback, default_clients, query_waiters
from relay.matching import NotACloudFormationEventError, matching_waiters, parse_event

logger = logging.getLogger("relay")
logger.setLevel(logging.INFO)


def relay(event: Mapping[str, Any], clients: Clients, table: str) -> dict[str, Any]:
    """Handle one event; what was done, as a dict (also logged as one JSON line)."""
    try:
        parsed = parse_event(event)
    except NotACloudFormationEventError as problem:
        return _log({"action": "ignored", "why": str(problem)})
    summary: dict[str, Any] = {
        "stack-id": parsed.stack_id,
        "kind": parsed.kind,
        "status": parsed.status,
        "detection-id": parsed.detection_id,
        "client-request-token": parsed.client_request_token,
    }
    if not parsed.final:
        return _log(summary | {"action": "ignored", "why": "status not final"})
    waiters = query_waiters(clients, table, parsed.stack_id)
    matched = matching_waiters(parsed, waiters)
    if not matched:
        why = "no waiter for this stack" if not waiters else "no waiter for this operation"
        return _log(summary | {"action": "ignored", "why": why, "waiters": len(waiters)})
    results = {w.callback_id: complete_callback(clients, w.callback_id, parsed) for w in matched}
    return _log(summary | {"action": "woke", "callbacks": results})


def _log(summary: dict[str, Any]) -> dict[str, Any]:
    logger.info(json.dumps(summary, default=str))
    return summary


def lambda_handler(event: Mapping[str, Any], _context: Any) -> dict[str, Any]:
    table = os.environ.get("STATE_TABLE_NAME", "").strip()
    if not table:
        raise RuntimeError("STATE_TABLE_NAME is not set: the relay cannot find waiters")
    return relay(event, default_clients(), table)
