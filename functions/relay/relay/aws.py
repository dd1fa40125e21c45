"""The relay's AWS calls: one call per function, clients handed in (the sandbox passes its
own; Lambda uses the defaults from `default_clients`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from relay.matching import PARTITION_KEY, SORT_KEY, WAIT_KEY_PREFIX, StackEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_lambda import LambdaClient

# SendDurableExecutionCallbackSuccess answers these for a callback that is already closed
# (completed, timed out: "The callback ID token has either expired or the callback associated
# with the token has already been closed") or whose execution is gone: nothing left to do.
CLOSED = frozenset({"CallbackTimeoutException", "ResourceNotFoundException"})


@dataclass(frozen=True)
class Clients:
    dynamodb: DynamoDBClient
    lambda_: LambdaClient


def default_clients() -> Clients:
    return Clients(dynamodb=boto3.client("dynamodb"), lambda_=boto3.client("lambda"))


def query_waiters(clients: Clients, table: str, stack_id: str) -> list[dict[str, Any]]:
    """Query (strongly consistent) the stack's WAIT# items: the waiter records."""
    pages = clients.dynamodb.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="#pk = :stack AND begins_with(#sk, :wait)",
        ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
        ExpressionAttributeValues={":stack": {"S": stack_id}, ":wait": {"S": WAIT_KEY_PREFIX}},
        ConsistentRead=True,
    )
    return [dict(item) for page in pages for item in page.get("Items", [])]


def complete_callback(clients: Clients, callback_id: str, event: StackEvent) -> str:
    """SendDurableExecutionCallbackSuccess; "completed", or "already closed" when the
    callback was completed before (a duplicate event) or timed out. Other errors raise
    (Lambda retries the asynchronous invocation, then the DLQ keeps the event)."""
    result = json.dumps(
        {"kind": event.kind, "status": event.status, "event-id": event.event_id}
    ).encode()
    try:
        clients.lambda_.send_durable_execution_callback_success(
            CallbackId=callback_id, Result=result
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # The local durable service (dex-local-runner) answers a closed callback with a bare
        # 404 "not in STARTED state" instead of the documented CallbackTimeoutException.
        if code in CLOSED or status == 404:
            return "already closed"
        raise
    return "completed"
