"""``drift-healer release-lease STACK``: free a stack whose lease a run left behind.

A stack's lease is its state item's `LeaseHolder`/`LeaseExpires` in the drift state table
(docs/drift-state.md). A run that ended takes over such a lease by itself (it asks Lambda
whether the holder still runs); this command is for what it cannot decide, e.g. a holder
whose status cannot be read. Without --holder it shows the lease and the command that
releases it; with --holder it removes the lease only if that execution still holds it (one
conditional UpdateItem), so a lease taken meanwhile by a new run is never released by
mistake. Releasing the lease of a run that still runs lets a second run heal the stack at the
same time: stop that run first (`aws lambda stop-durable-execution`).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from drift_common.table import (
    BUSY_NOTIFIED,
    LEASE_EXPIRES,
    LEASE_HOLDER,
    LEASE_TAKEN,
    PARTITION_KEY,
    SORT_KEY,
    STATE_KEY,
)


def release_lease(args: argparse.Namespace) -> int:
    table = args.table or os.environ.get("STATE_TABLE_NAME")
    if not table:
        print("error: no table: pass --table or set STATE_TABLE_NAME", file=sys.stderr)
        return 2
    try:
        return _release(args, table)
    except (ClientError, BotoCoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _release(args: argparse.Namespace, table: str) -> int:
    region = {"region_name": args.region} if args.region else {}
    cfn = boto3.client("cloudformation", **region)
    dynamodb = boto3.client("dynamodb", **region)
    stack_id = cfn.describe_stacks(StackName=args.stack)["Stacks"][0]["StackId"]
    key = {PARTITION_KEY: {"S": stack_id}, SORT_KEY: {"S": STATE_KEY}}
    item: dict[str, Any] = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get(
        "Item", {}
    )
    holder = item.get(LEASE_HOLDER, {}).get("S")
    if holder is None:
        print(f"{args.stack}: no lease is held; nothing to release")
        return 0
    print(f"{args.stack}: held by {holder}{_times(item)}")
    if args.holder is None:
        print(
            "stop that run first if it still runs, then release the lease with:\n"
            f"  drift-healer release-lease {args.stack} --holder {holder}"
        )
        return 1
    if args.holder != holder:
        print(f"error: the lease is held by {holder}, not {args.holder}", file=sys.stderr)
        return 1
    try:
        dynamodb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="REMOVE #holder, #expires, #taken, #busy",
            ConditionExpression="#holder = :holder",
            ExpressionAttributeNames={
                "#holder": LEASE_HOLDER,
                "#expires": LEASE_EXPIRES,
                "#taken": LEASE_TAKEN,
                "#busy": BUSY_NOTIFIED,
            },
            ExpressionAttributeValues={":holder": {"S": holder}},
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        print("error: the lease changed hands meanwhile; nothing released", file=sys.stderr)
        return 1
    print(f"released: the next run of {args.stack} takes the stack")
    return 0


def _times(item: dict[str, Any]) -> str:
    def at(name: str) -> str | None:
        value = item.get(name, {}).get("N")
        return f"{datetime.fromtimestamp(int(value), UTC):%Y-%m-%d %H:%M} UTC" if value else None

    taken, expires = at(LEASE_TAKEN), at(LEASE_EXPIRES)
    return (f" since {taken}" if taken else "") + (f", until {expires}" if expires else "")
