"""The run history read back for the thrash guard: the heals of one stack within
THRASH_WINDOW_HOURS (history items with `HealedPaths`), and who had changed each property.

One DynamoDB Query (one page, newest first) in one step; pure counting below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from boto3.dynamodb.types import TypeDeserializer
from pydantic import Field

from drift_common.table import PARTITION_KEY, RUN_KEY_PREFIX, SORT_KEY
from healer.aws import clients
from healer.model import HealCount, Record
from healer.state.items import iso
from healer.state.model import NoState
from healer.state.settings import StateSettings
from healer.state.steps import guarded_step

_deserializer = TypeDeserializer()
# One page is plenty: a stack healed more than this often in the window is thrashing anyway.
MAX_RUNS = 200


class HealedRun(Record):
    """One HEALED history item: the properties it put back, who had changed each resource."""

    healed_paths: list[str] = Field(default_factory=list)
    # logical id -> principals of its Changes
    principals: dict[str, list[str]] = Field(default_factory=dict)


def read_heals(table: str, stack_id: str, since: datetime) -> list[HealedRun]:
    """Query the stack's history items started since `since` that record a heal."""
    answer = clients.dynamodb().query(
        TableName=table,
        KeyConditionExpression="#pk = :stack AND #sk BETWEEN :from AND :to",
        FilterExpression="attribute_exists(HealedPaths)",
        ProjectionExpression="HealedPaths, Changes",
        ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
        ExpressionAttributeValues={
            ":stack": {"S": stack_id},
            ":from": {"S": f"{RUN_KEY_PREFIX}{iso(since)}"},
            ":to": {"S": f"{RUN_KEY_PREFIX}~"},
        },
        ScanIndexForward=False,
        Limit=MAX_RUNS,
    )
    return [healed_run(dict(item)) for item in answer.get("Items", [])]


def healed_run(item: dict[str, Any]) -> HealedRun:
    values = {k: _deserializer.deserialize(v) for k, v in item.items()}
    principals: dict[str, list[str]] = {}
    for change in values.get("Changes") or []:
        if isinstance(change, dict) and change.get("LogicalId") and change.get("Principal"):
            principals.setdefault(str(change["LogicalId"]), []).append(str(change["Principal"]))
    return HealedRun(
        healed_paths=[str(p) for p in values.get("HealedPaths") or []], principals=principals
    )


def heal_counts(runs: Sequence[HealedRun]) -> dict[str, HealCount]:
    """Per "LogicalId/PropertyPath": how often it was healed, and by whom it had been changed."""
    counts: dict[str, HealCount] = {}
    for run in runs:
        for key in dict.fromkeys(run.healed_paths):
            logical_id = key.split("/", 1)[0]
            seen = counts.get(key, HealCount())
            who = [*seen.principals, *run.principals.get(logical_id, [])]
            counts[key] = HealCount(count=seen.count + 1, principals=list(dict.fromkeys(who)))
    return counts


@durable_step
def read_heal_history(
    _: StepContext, table: str, stack_id: str, since: datetime
) -> list[HealedRun]:
    return read_heals(table, stack_id, since)


def run_read_heal_history(
    context: DurableContext,
    settings: StateSettings,
    stack_id: str,
    now: datetime,
    window_hours: float,
) -> dict[str, HealCount] | NoState:
    since = now - timedelta(hours=window_hours)
    runs = guarded_step(
        context,
        settings,
        lambda table: read_heal_history(table, stack_id, since),
        "read-heal-history",
        list[HealedRun],
    )
    return runs if isinstance(runs, NoState) else heal_counts(runs)
