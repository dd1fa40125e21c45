"""DescribeChangeSet and ListChangeSets output shapes (model doc strings of
DescribeChangeSetOutput and ChangeSetSummary)."""

from __future__ import annotations

from typing import Any

from . import changes
from .changesets import records_of
from .request import Req
from .store import ChangeSetRecord, find_stack


def describe(rec: ChangeSetRecord, include_values: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ChangeSetName": rec.name,
        "ChangeSetId": rec.change_set_id,
        "StackId": rec.stack_id,
        "StackName": rec.stack_name,
        "Description": rec.description,
        # Parameter values in effect (passed, previous or default), as DescribeStacks shows.
        "Parameters": [
            {
                "ParameterKey": k,
                "ParameterValue": ",".join(map(str, v)) if isinstance(v, list) else str(v),
            }
            for k, v in rec.resolved_parameters.items()
        ],
        "CreationTime": rec.creation_time,
        "ExecutionStatus": rec.execution_status,
        "Status": rec.status,
        "StatusReason": rec.status_reason,
        "NotificationARNs": rec.notification_arns,
        "Capabilities": rec.capabilities,
        "Tags": rec.tags,
        "Changes": [changes.render(p.change, include_values) for p in rec.planned],
        "IncludeNestedStacks": False,
    }
    if rec.drift_aware:
        out["DeploymentMode"] = rec.deployment_mode
        out["StackDriftStatus"] = rec.stack_drift_status
    return {k: v for k, v in out.items() if v is not None}


def summary(rec: ChangeSetRecord) -> dict[str, Any]:
    keys = (
        "StackId",
        "StackName",
        "ChangeSetId",
        "ChangeSetName",
        "ExecutionStatus",
        "Status",
        "StatusReason",
        "CreationTime",
        "Description",
        "IncludeNestedStacks",
    )
    full = describe(rec, include_values=False)
    return {k: full[k] for k in keys if k in full}


def list_change_sets(req: Req) -> dict[str, Any]:
    stack = find_stack(req.account, req.region, req.get("StackName"))
    return {"Summaries": [summary(r) for r in records_of(stack.stack_id)]}
