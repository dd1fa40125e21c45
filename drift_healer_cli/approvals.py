"""``drift-healer approve | reject | pending``: answer the approvals runs are waiting for.

A waiting approval is found where it lives: the function's RUNNING durable executions
(ListDurableExecutionsByFunction), the stack each was started for (its input), and its
`approval` callback in the history (started, not yet answered or timed out). The answer is
the public contract `{"Decision": ..., "Reason": ..., "By": ...}`, sent with
SendDurableExecutionCallbackSuccess: the same call the approval page makes.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from drift_common.approval import CALLBACK_NAME, answer
from drift_common.errors import callback_closed

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient


@dataclass(frozen=True)
class Waiting:
    stack: str
    execution_arn: str
    callback_id: str
    asked_at: datetime | None
    expires: datetime | None


def lambda_client(endpoint: str | None) -> LambdaClient:
    region = os.environ.get("AWS_REGION") or boto3.Session().region_name or "us-east-1"
    client: LambdaClient = boto3.client(
        "lambda",
        endpoint_url=endpoint or None,
        region_name=region,
        config=Config(retries={"mode": "standard"}, connect_timeout=5, read_timeout=60),
    )
    return client


def _stack_matches(wanted: str | None, started_for: str) -> bool:
    if wanted is None:
        return True
    return started_for == wanted or f":stack/{wanted}/" in started_for


def _waiting_callback(client: LambdaClient, arn: str) -> tuple[str, Any, Any] | None:
    """The approval callback of one execution, if it is still waiting."""
    started: dict[str, Any] = {}
    ended: set[str] = set()
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"DurableExecutionArn": arn}
        if marker:
            kwargs["Marker"] = marker
        page = client.get_durable_execution_history(**kwargs)
        for event in page.get("Events", []):
            details = event.get("CallbackStartedDetails")
            if details and event.get("Name") == CALLBACK_NAME:
                started[event.get("Id", "")] = (details, event.get("EventTimestamp"))
            elif event.get("EventType", "").startswith("Callback") and not details:
                ended.add(event.get("Id", ""))
        marker = page.get("NextMarker")
        if not marker:
            break
    for operation_id, (details, at) in started.items():
        if operation_id not in ended:
            timeout = details.get("Timeout")
            expires = at + timedelta(seconds=timeout) if at and timeout else None
            return details["CallbackId"], at, expires
    return None


def find_waiting(client: LambdaClient, function: str, stack: str | None) -> list[Waiting]:
    found: list[Waiting] = []
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"FunctionName": function, "Statuses": ["RUNNING"]}
        if marker:
            kwargs["Marker"] = marker
        page = client.list_durable_executions_by_function(**kwargs)
        for execution in page.get("DurableExecutions", []):
            arn = execution["DurableExecutionArn"]
            described = client.get_durable_execution(DurableExecutionArn=arn)
            try:
                started_for = str(json.loads(described.get("InputPayload") or "{}")["StackName"])
            except (ValueError, KeyError, TypeError):
                continue
            if not _stack_matches(stack, started_for):
                continue
            callback = _waiting_callback(client, arn)
            if callback:
                found.append(Waiting(started_for, arn, *callback))
        marker = page.get("NextMarker")
        if not marker:
            return found


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "?"


def pending(args: argparse.Namespace) -> int:
    return _guarded(args, _pending)


def _pending(args: argparse.Namespace, client: LambdaClient) -> int:
    waiting = find_waiting(client, args.function, args.stack)
    if not waiting:
        print("No approval is waiting.")
        return 0
    for item in waiting:
        print(
            f"{item.stack}: waiting since {_when(item.asked_at)}, until {_when(item.expires)}\n"
            f"  callback {item.callback_id}\n  execution {item.execution_arn}"
        )
    return 0


def approve(args: argparse.Namespace) -> int:
    return _guarded(args, lambda a, c: _answer(a, c, "APPROVE"))


def reject(args: argparse.Namespace) -> int:
    return _guarded(args, lambda a, c: _answer(a, c, "REJECT"))


def _answer(args: argparse.Namespace, client: LambdaClient, decision: str) -> int:
    waiting = find_waiting(client, args.function, args.stack)
    if not waiting:
        print(f"error: no approval is waiting for {args.stack}", file=sys.stderr)
        return 1
    if len(waiting) > 1:
        print(f"error: {len(waiting)} approvals wait for {args.stack}:", file=sys.stderr)
        for item in waiting:
            print(f"  {item.execution_arn}", file=sys.stderr)
        return 1
    [item] = waiting
    by = args.by or f"{getpass.getuser()} (drift-healer CLI)"
    body = answer(decision, args.reason or "", by).to_json()
    try:
        client.send_durable_execution_callback_success(
            CallbackId=item.callback_id, Result=body.encode()
        )
    except ClientError as error:
        if callback_closed(error):
            print(f"error: {item.stack}: already decided (or expired)", file=sys.stderr)
            return 1
        raise
    verb = "approved" if decision == "APPROVE" else "rejected"
    print(f"{item.stack}: {verb} by {by}; the run goes on ({item.execution_arn})")
    return 0


def _guarded(args: argparse.Namespace, act: Any) -> int:
    endpoint = args.durable_endpoint or os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
    try:
        return int(act(args, lambda_client(endpoint)))
    except (BotoCoreError, ClientError) as problem:
        where = endpoint or "AWS Lambda"
        print(f"error: {where}: {problem}", file=sys.stderr)
        return 2
