"""The run's record: filled in as the flow learns things, returned as the handler's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from healer.drift_ignore import difference_count
from healer.model import ChangeSetRef, FailedResource, PlannedChange, ResourceDrift
from healer.naming import change_set_url, region_of
from healer.outcomes import Outcome
from healer.polling import PollState


@dataclass(frozen=True)
class PhaseReport:
    seconds: float
    polls: int
    transient_errors: int

    @classmethod
    def of(cls, poll: PollState) -> PhaseReport:
        return cls(round(poll.elapsed_seconds, 3), poll.polls, poll.transient_errors)


@dataclass
class RunReport:
    stack_name: str
    review_mode: bool
    # Set when the stack tag drift-healer:mode made the run stricter than its event.
    report_only: bool = False  # detect (or off): no change set
    mode_note: str | None = None
    # The client's region: the stack's own region until DescribeStacks gives the stack ARN.
    client_region: str = ""
    outcome: Outcome | None = None
    reason: str = ""
    stack_id: str | None = None
    stack_status: str | None = None
    drifted: list[ResourceDrift] = field(default_factory=list)
    remaining_drift: list[ResourceDrift] = field(default_factory=list)
    change_set: ChangeSetRef | None = None
    change_set_deleted: bool = False
    planned_changes: list[PlannedChange] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # safety policy warnings (re-creation)
    ignored_drift: list[ResourceDrift] = field(default_factory=list)  # IGNORE_DRIFT matches
    failed_resources: list[FailedResource] = field(default_factory=list)
    phases: dict[str, PhaseReport] = field(default_factory=dict)
    notified: bool = False

    def finish(self, outcome: Outcome, reason: str) -> RunReport:
        self.outcome, self.reason = outcome, reason
        return self

    @property
    def final_outcome(self) -> Outcome:
        if self.outcome is None:  # pragma: no cover - the flow always finishes a report
            raise RuntimeError("the run ended without an outcome")
        return self.outcome

    @property
    def region(self) -> str:
        return region_of(self.stack_id or self.stack_name) or self.client_region

    @property
    def change_set_url(self) -> str | None:
        if self.change_set is None or self.stack_id is None or self.change_set_deleted:
            return None
        return change_set_url(self.stack_id, self.change_set.change_set_id)

    @property
    def mode_label(self) -> str:
        if self.report_only:
            return "REPORT_ONLY"
        return "REVIEW" if self.review_mode else "AUTOMATIC"

    def to_result(self) -> dict[str, Any]:
        """The handler's JSON (PascalCase, like CloudFormation's own APIs)."""
        return {
            "StackName": self.stack_name,
            "StackId": self.stack_id,
            "Region": self.region or None,
            "Outcome": self.final_outcome.value,
            "Reason": self.reason,
            "Mode": self.mode_label,
            "ModeNote": self.mode_note,
            "StackStatus": self.stack_status,
            "DriftedResources": [_drift_json(r) for r in self.drifted],
            "RemainingDrift": [_drift_json(r) for r in self.remaining_drift],
            "ChangeSetName": self.change_set.change_set_name if self.change_set else None,
            "ChangeSetId": self.change_set.change_set_id if self.change_set else None,
            "ChangeSetUrl": self.change_set_url,
            "ChangeSetDeleted": self.change_set_deleted,
            "PlannedChanges": [
                {
                    "LogicalResourceId": c.logical_id,
                    "ResourceType": c.resource_type,
                    "Action": c.action,
                    "Replacement": c.replacement,
                    "ResourceDriftStatus": c.drift_status,
                    "PropertyPaths": list(c.property_paths),
                }
                for c in self.planned_changes
            ],
            "ReviewReasons": list(self.review_reasons),
            "Warnings": list(self.warnings),
            "IgnoredDriftCount": difference_count(self.ignored_drift),
            "FailedResources": [
                {
                    "LogicalResourceId": f.logical_id,
                    "ResourceType": f.resource_type,
                    "ResourceStatus": f.status,
                    "ResourceStatusReason": f.reason,
                }
                for f in self.failed_resources
            ],
            "Phases": {
                name: {
                    "Seconds": p.seconds,
                    "Polls": p.polls,
                    "TransientErrors": p.transient_errors,
                }
                for name, p in self.phases.items()
            },
            "Notified": self.notified,
        }


def _drift_json(resource: ResourceDrift) -> dict[str, Any]:
    return {
        "LogicalResourceId": resource.logical_id,
        "PhysicalResourceId": resource.physical_id,
        "ResourceType": resource.resource_type,
        "StackResourceDriftStatus": resource.drift_status,
        "PropertyDifferences": [
            {
                "PropertyPath": d.path,
                "ExpectedValue": d.expected,
                "ActualValue": d.actual,
                "DifferenceType": d.difference_type,
            }
            for d in resource.differences
        ],
    }
