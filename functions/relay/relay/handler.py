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

from drift_common.credentials import ALLOW_LIST, parse_account_ids
from relay.aws import Clients, complete_callback, default_clients, query_waiters
from relay.matching import (
    Accounts,
    NotACloudFormationEventError,
    matching_waiters,
    origin_problem,
    parse_event,
)

logger = logging.getLogger("relay")
logger.setLevel(logging.INFO)


def relay(
    event: Mapping[str, Any], clients: Clients, table: str, accounts: Accounts
) -> dict[str, Any]:
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
    if distrusted := origin_problem(parsed, accounts):
        return _log(summary | {"action": "ignored", "why": distrusted, "account": parsed.account})
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


def accounts_from_environment(function_arn: str) -> Accounts:
    """The relay's own account (from its function ARN) and TARGET_ACCOUNT_IDS; a list that
    cannot be read accepts no other account (fails closed, logged)."""
    home = function_arn.split(":")[4] if function_arn.count(":") >= 6 else ""
    try:
        targets = frozenset(parse_account_ids(os.environ.get(ALLOW_LIST, "")))
    except ValueError as problem:
        logger.error(
            "%s is not usable (%s): only this account's events wake waiters", ALLOW_LIST, problem
        )
        targets = frozenset()
    return Accounts(home=home, targets=targets)


def lambda_handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    table = os.environ.get("STATE_TABLE_NAME", "").strip()
    if not table:
        raise RuntimeError("STATE_TABLE_NAME is not set: the relay cannot find waiters")
    accounts = accounts_from_environment(str(getattr(context, "invoked_function_arn", "")))
    return relay(event, default_clients(), table, accounts)
