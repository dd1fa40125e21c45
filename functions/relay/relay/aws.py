"""The relay's AWS calls: one call per function, clients handed in (the sandbox passes its
own; Lambda uses the defaults from `default_clients`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from drift_common import clients as aws_clients
from drift_common.errors import callback_closed
from drift_common.table import PARTITION_KEY, SORT_KEY, WAIT_KEY_PREFIX, Waiter
from relay.matching import StackEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_lambda import LambdaClient

USER_AGENT = "cfn-drift-healer-relay/0.1"


@dataclass(frozen=True)
class Clients:
    dynamodb: DynamoDBClient
    lambda_: LambdaClient


def default_clients() -> Clients:
    return Clients(
        dynamodb=aws_clients.client("dynamodb", agent=USER_AGENT),
        lambda_=aws_clients.client("lambda", agent=USER_AGENT),
    )


def query_waiters(clients: Clients, table: str, stack_id: str) -> list[Waiter]:
    """Query (strongly consistent) the stack's WAIT# items: the waiter records."""
    pages = clients.dynamodb.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="#pk = :stack AND begins_with(#sk, :wait)",
        ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
        ExpressionAttributeValues={":stack": {"S": stack_id}, ":wait": {"S": WAIT_KEY_PREFIX}},
        ConsistentRead=True,
    )
    items = (item for page in pages for item in page.get("Items", []))
    return [waiter for item in items if (waiter := Waiter.from_item(item)) is not None]


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
        if callback_closed(error):
            return "already closed"
        raise
    return "completed"
