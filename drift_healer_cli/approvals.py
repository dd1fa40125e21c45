"""``drift-healer approve | reject | pending``: answer the approvals runs are waiting for.

A waiting approval is found where it lives: the function's RUNNING durable executions
(ListDurableExecutionsByFunction), the stack each was started for (its input: StackName,
and Region/AccountId for a fleet's stack elsewhere), and its `approval` callback in the
history (started, not yet answered or timed out). Several waiting for one stack name (the
same name in two regions or accounts) are told apart with --execution, --region or
--account. The answer is the public contract `{"Decision": ..., "Reason": ..., "By": ...}`,
sent with SendDurableExecutionCallbackSuccess: the same call the approval page makes.
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
    region: str  # where the stack is (the input's Region, else the function's)
    account: str  # whose it is (the input's AccountId, else the function's)
    execution_arn: str
    callback_id: str
    asked_at: datetime | None
    expires: datetime | None

    @property
    def where(self) -> str:
        return f"{self.stack} in {self.region} (account {self.account})"


@dataclass(frozen=True)
class Wanted:
    """Which waiting approvals a command is about (None: any)."""

    stack: str | None = None
    execution: str | None = None
    region: str | None = None
    account: str | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> Wanted:
        return cls(
            args.stack,
            getattr(args, "execution", None),
            getattr(args, "region", None),
            getattr(args, "account", None),
        )

    def matches(self, item: Waiting) -> bool:
        return (
            (self.execution is None or item.execution_arn == self.execution)
            and (self.region is None or item.region == self.region)
            and (self.account is None or item.account == self.account)
        )


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


def _arn_part(arn: str, index: int) -> str | None:
    """REGION (3) or ACCOUNT (4) of an ARN; None if it is none."""
    parts = arn.split(":")
    return parts[index] if arn.startswith("arn:") and len(parts) > 5 and parts[index] else None


def _place(started: dict[str, Any], function_arn: str) -> tuple[str, str]:
    """(region, account) of the stack a run was started for: the event's Region/AccountId,
    a stack ARN's, else the function's own (its ARN, as ListDurableExecutions gives it)."""
    stack = str(started.get("StackName", ""))
    region = started.get("Region") or _arn_part(stack, 3) or _arn_part(function_arn, 3)
    account = started.get("AccountId") or _arn_part(stack, 4) or _arn_part(function_arn, 4)
    return str(region or "?"), str(account or "?")


def find_waiting(client: LambdaClient, function: str, wanted: Wanted) -> list[Waiting]:
    found: list[Waiting] = []
    marker: str | None = None
    while True:
        kwargs: dict[str, Any] = {"FunctionName": function, "Statuses": ["RUNNING"]}
        if marker:
            kwargs["Marker"] = marker
        page = client.list_durable_executions_by_function(**kwargs)
        for execution in page.get("DurableExecutions", []):
            arn = execution["DurableExecutionArn"]
            if wanted.execution is not None and arn != wanted.execution:
                continue
            described = client.get_durable_execution(DurableExecutionArn=arn)
            try:
                started = json.loads(described.get("InputPayload") or "{}")
                started_for = str(started["StackName"])
            except (ValueError, KeyError, TypeError):
                continue
            if not _stack_matches(wanted.stack, started_for):
                continue
            function_arn = str(described.get("FunctionArn") or execution.get("FunctionArn", ""))
            region, account = _place(started, function_arn)
            callback = _waiting_callback(client, arn)
            if callback:
                item = Waiting(started_for, region, account, arn, *callback)
                if wanted.matches(item):
                    found.append(item)
        marker = page.get("NextMarker")
        if not marker:
            return found


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "?"


def pending(args: argparse.Namespace) -> int:
    return _guarded(args, _pending)


def _pending(args: argparse.Namespace, client: LambdaClient) -> int:
    waiting = find_waiting(client, args.function, Wanted.of(args))
    if not waiting:
        print("No approval is waiting.")
        return 0
    for item in waiting:
        print(
            f"{item.stack}: waiting since {_when(item.asked_at)}, until {_when(item.expires)}\n"
            f"  in {item.region}, account {item.account}\n"
            f"  callback {item.callback_id}\n  execution {item.execution_arn}"
        )
    return 0


def approve(args: argparse.Namespace) -> int:
    return _guarded(args, lambda a, c: _answer(a, c, "APPROVE"))


def reject(args: argparse.Namespace) -> int:
    return _guarded(args, lambda a, c: _answer(a, c, "REJECT"))


def _answer(args: argparse.Namespace, client: LambdaClient, decision: str) -> int:
    wanted = Wanted.of(args)
    waiting = find_waiting(client, args.function, wanted)
    if not waiting:
        print(f"error: no approval is waiting for {_described(wanted)}", file=sys.stderr)
        return 1
    if len(waiting) > 1:
        print(
            f"error: {len(waiting)} approvals wait for {_described(wanted)}; choose one"
            " (or narrow with --region / --account):",
            file=sys.stderr,
        )
        for item in waiting:
            print(f"  {item.where}: --execution {item.execution_arn}", file=sys.stderr)
        return 1
    [item] = waiting
    chosen = answer(
        decision, args.reason or "", args.by or f"{getpass.getuser()} (drift-healer CLI)"
    )
    try:
        client.send_durable_execution_callback_success(
            CallbackId=item.callback_id, Result=chosen.to_json().encode()
        )
    except ClientError as error:
        if callback_closed(error):
            print(f"error: {item.stack}: already decided (or expired)", file=sys.stderr)
            return 1
        raise
    verb = {"APPROVE": "approved", "ACCEPT": "kept (accepted)"}.get(decision, "rejected")
    print(f"{item.stack}: {verb} by {chosen.by}; the run goes on ({item.execution_arn})")
    return 0


def _described(wanted: Wanted) -> str:
    narrowed = [
        f"{flag} {value}"
        for flag, value in (
            ("--execution", wanted.execution),
            ("--region", wanted.region),
            ("--account", wanted.account),
        )
        if value
    ]
    return f"{wanted.stack}" + (f" ({', '.join(narrowed)})" if narrowed else "")


def _guarded(args: argparse.Namespace, act: Any) -> int:
    endpoint = args.durable_endpoint or os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
    try:
        return int(act(args, lambda_client(endpoint)))
    except (BotoCoreError, ClientError) as problem:
        where = endpoint or "AWS Lambda"
        print(f"error: {where}: {problem}", file=sys.stderr)
        return 2
