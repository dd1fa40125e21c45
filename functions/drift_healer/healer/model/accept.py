"""Accepting drift into the template: the records the accept flow checkpoints and reports.

The deployed template (GetTemplate, TemplateStage=Original) and the drift read for accepting
(DescribeStackResourceDrifts with the actual values of the drifted properties) are step
results; the patch is computed from them by a pure function (healer.accept.patch), so it is
the same on every replay and never needs a checkpoint of its own.
"""

from __future__ import annotations

from pydantic import Field

from drift_common.accept import (
    AcceptDifference,
    AcceptPatch,
    DriftToAccept,
    NotAccepted,
    ParameterChange,
)
from healer.model.records import Record

__all__ = [
    "AcceptCheck",
    "AcceptDifference",
    "AcceptPatch",
    "AcceptPlan",
    "AcceptReading",
    "Accepted",
    "DeployedTemplate",
    "DriftToAccept",
    "NotAccepted",
    "ParameterChange",
]

# What the history item keeps of the diff (shared contract: Accepted.Diff, <= 4000 chars).
MAX_HISTORY_DIFF_CHARS = 4000
MAX_RESULT_DIFF_CHARS = 60_000  # the result and the JSON notice (SNS: 256 KB a message)


def cut_diff(diff: str, limit: int) -> str:
    if len(diff) <= limit:
        return diff
    return diff[:limit] + f"\n... [diff cut: {len(diff) - limit} more characters]\n"


class DeployedTemplate(Record):
    """GetTemplate's TemplateBody as text (JSON text too), or why it cannot be used."""

    body: str | None = None
    problem: str | None = None


class AcceptReading(Record):
    resources: list[DriftToAccept] = Field(default_factory=list)
    problem: str | None = None  # set when the drift could not be read whole


class AcceptCheck(Record):
    """One resource change of the accept change set, reduced to what proves it changes
    nothing: its Action and each detail's AttributeChangeType and ChangeSource."""

    logical_id: str
    action: str
    replacement: str | None = None
    # (path, AttributeChangeType, ChangeSource) of each detail
    details: list[tuple[str, str | None, str | None]] = Field(default_factory=list)


class AcceptPlan(Record):
    changes: list[AcceptCheck] = Field(default_factory=list)
    total: int = 0


class Accepted(Record):
    """What a run accepted (the history item's `Accepted`, the result's `Accept`)."""

    by: str
    reason: str
    paths: list[str] = Field(default_factory=list)
    diff: str = ""
    parameter_changes: list[ParameterChange] = Field(default_factory=list)
    not_accepted: list[NotAccepted] = Field(default_factory=list)

    def to_history(self) -> dict[str, object]:
        return {
            "By": self.by,
            "Reason": self.reason,
            "Paths": list(self.paths),
            "Diff": cut_diff(self.diff, MAX_HISTORY_DIFF_CHARS - 60),
        }

    def to_result(self) -> dict[str, object]:
        return {
            "Diff": cut_diff(self.diff, MAX_RESULT_DIFF_CHARS),
            "ParameterChanges": [c.to_json() for c in self.parameter_changes],
            "NotAccepted": [n.to_json() for n in self.not_accepted],
        }
