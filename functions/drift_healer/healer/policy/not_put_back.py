"""What REVERT_DRIFT will not put back, made visible so nobody believes the stack fully healed.

From the botocore model (DescribeChangeSet, drift-aware change sets) and the drift-aware
change set guide as issue 15 cites it:
- `ResourceChange.ResourceDriftIgnoredAttributes`: attributes whose drift is ignored, with
  `Reason` `MANAGED_BY_AWS` (expected to change dynamically), `WRITE_ONLY_PROPERTY` (not in
  the read of the live state: compared with the previous deployment, never with the live
  value) or `SENSITIVE_PROPERTY` (e.g. a Secrets Manager value);
- `ResourceDriftStatus` `UNSUPPORTED`: "Resource type does not support actual state
  comparison": the change set falls back to a two-way (template to template) comparison, so
  nothing changed outside CloudFormation on it is reverted;
- tag keys added outside the template are not removed (guess: the guide as cited; our
  sources could not confirm it, and the sandbox does remove them, docs/fidelity.md).
Pure: each item is one line of the notice and one item of the result's `NotPutBack`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from healer.model import NotPutBack, PlannedChange, ResourceDrift

TAG_ADDED = "TAG_ADDED_OUTSIDE_TEMPLATE"
TWO_WAY = "TWO_WAY_COMPARISON"
MAX_ITEMS = 50

EXPLAINED = {
    "MANAGED_BY_AWS": "managed by AWS, expected to change: its drift is ignored",
    "WRITE_ONLY_PROPERTY": (
        "write-only: compared with the previous deployment, not the live value"
    ),
    "SENSITIVE_PROPERTY": "a sensitive value (e.g. from Secrets Manager): its drift is ignored",
    TAG_ADDED: "a tag key added outside the template: REVERT_DRIFT does not remove it",
    TWO_WAY: (
        "its type does not support actual-state comparison (UNSUPPORTED): the change set "
        "compares templates only and reverts nothing changed outside CloudFormation"
    ),
}


def describe_not_put_back(item: NotPutBack) -> str:
    """One line for the notice."""
    where = "" if item.path == "*" else f" {item.path}"
    why = EXPLAINED.get(item.reason, item.reason)
    return f"{item.logical_id} ({item.resource_type}){where}: {why}"


def _added_tag_key(path: str, actual: str | None) -> str | None:
    parts = path.strip("/").split("/")
    if parts[0] != "Tags" or len(parts) != 2:
        return None
    try:
        value = json.loads(actual or "")
    except ValueError:
        value = None
    if isinstance(value, dict) and "Key" in value:
        return str(value["Key"])
    return None if parts[1].isdigit() else parts[1]  # map-valued Tags (SSM): /Tags/<key>


def not_put_back(
    changes: Sequence[PlannedChange], drifted: Sequence[ResourceDrift]
) -> list[NotPutBack]:
    """In change-set order, then the added tags of the drifted resources; at most MAX_ITEMS."""
    items: list[NotPutBack] = []
    for change in changes:
        if change.drift_status == "UNSUPPORTED":
            items.append(
                NotPutBack(
                    logical_id=change.logical_id,
                    resource_type=change.resource_type,
                    path="*",
                    reason=TWO_WAY,
                )
            )
        items += [
            NotPutBack(
                logical_id=change.logical_id,
                resource_type=change.resource_type,
                path=a.path,
                reason=a.reason,
            )
            for a in change.ignored_attributes
        ]
    for resource in drifted:
        for difference in resource.differences:
            key = (
                _added_tag_key(difference.path, difference.actual)
                if difference.difference_type == "ADD"
                else None
            )
            if key is not None:
                items.append(
                    NotPutBack(
                        logical_id=resource.logical_id,
                        resource_type=resource.resource_type,
                        path=f"/Tags/{key}",
                        reason=TAG_ADDED,
                    )
                )
    return items[:MAX_ITEMS]
