"""Accepting drift: the records of the patch, and the drift as the patch reads it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class AcceptDifference(_Record):
    path: str  # PropertyPath, "/VisibilityTimeout", "/Tags/0/Value"
    difference_type: str  # ADD | REMOVE | NOT_EQUAL


class DriftToAccept(_Record):
    """One drifted resource, with the full actual and expected values (JSON text) of the
    top-level properties its differences touch: what the template is patched with."""

    logical_id: str
    resource_type: str
    drift_status: str  # MODIFIED | DELETED
    differences: list[AcceptDifference] = Field(default_factory=list)
    actual_json: str = "{}"
    expected_json: str = "{}"


class NotAccepted(_Record):
    logical_id: str
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {
            "LogicalResourceId": self.logical_id,
            "PropertyPath": self.path,
            "Reason": self.reason,
        }


class ParameterChange(_Record):
    key: str
    old: str | None
    new: str

    def to_json(self) -> dict[str, str | None]:
        return {"ParameterKey": self.key, "OldValue": self.old, "NewValue": self.new}


class AcceptPatch(_Record):
    """The template with the actual values written in (None when anything is refused: a
    stack is accepted whole or not at all), its unified diff and the parameter changes."""

    body: str | None = None
    diff: str = ""
    parameter_changes: list[ParameterChange] = Field(default_factory=list)
    not_accepted: list[NotAccepted] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)  # "LogicalId/PropertyPath" accepted

    @property
    def complete(self) -> bool:
        return self.body is not None and not self.not_accepted


def _top(path: str) -> str:
    return path.strip("/").split("/")[0]


def drift_to_accept(drift: Mapping[str, Any]) -> DriftToAccept:
    """One StackResourceDrift (DescribeStackResourceDrifts, as boto3 returns it), reduced to
    what the patch needs: the differences' paths and the touched properties' values."""
    differences = [
        AcceptDifference(path=d["PropertyPath"], difference_type=d["DifferenceType"])
        for d in drift.get("PropertyDifferences", [])
    ]
    touched = {_top(d.path) for d in differences}
    actual = json.loads(drift.get("ActualProperties") or "{}")
    expected = json.loads(drift.get("ExpectedProperties") or "{}")
    return DriftToAccept(
        logical_id=drift["LogicalResourceId"],
        resource_type=drift["ResourceType"],
        drift_status=drift["StackResourceDriftStatus"],
        differences=differences,
        actual_json=json.dumps({k: v for k, v in actual.items() if k in touched}),
        expected_json=json.dumps({k: v for k, v in expected.items() if k in touched}),
    )
