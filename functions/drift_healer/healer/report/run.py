"""The run's record: filled in as the flow learns things, returned as the handler's JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from drift_common.outcomes import Outcome
from drift_common.sns import clip
from healer.model import (
    Accepted,
    Approval,
    ChangeSetPlan,
    ChangeSetRef,
    DriftReading,
    FailedResource,
    HeldAttachment,
    LastChange,
    NotPutBack,
    PlannedChange,
    PollState,
    ResourceDrift,
    change_set_url,
    region_of,
)
from healer.policy import ServiceRole, difference_count, split_drift

# Bumped when a field of the result (and the JSON notice) changes meaning or goes away.
SCHEMA_VERSION = "2"


@dataclass(frozen=True)
class PhaseReport:
    seconds: float
    polls: int
    transient_errors: int
    ended_on: str | None = None  # event mode: "event" or "poll"; None when polling only
    # CloudFormation finished the operation (not timed out, no AWS error): `took` (its
    # estimate of CloudFormation's time) is worth remembering (the drift state's
    # PhaseSeconds). Neither is in the result JSON.
    settled: bool = False
    took: float = 0.0

    @classmethod
    def of(cls, poll: PollState) -> PhaseReport:
        return cls(
            round(poll.elapsed_seconds, 3),
            poll.polls,
            poll.transient_errors,
            poll.ended_on,
            settled=poll.settled and not poll.timed_out and poll.failure is None,
            took=round(poll.cloudformation_seconds, 3),
        )


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
    drifted_total: int = 0  # every drifted resource reported, also those not kept
    drift_cut: str | None = None  # what was cut from `drifted` to keep checkpoints small
    remaining_drift: list[ResourceDrift] = field(default_factory=list)
    remaining_total: int = 0
    service_role: ServiceRole | None = None
    change_set: ChangeSetRef | None = None
    change_set_deleted: bool = False
    planned_changes: list[PlannedChange] = field(default_factory=list)
    planned_total: int = 0
    review_reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # safety policy warnings (re-creation)
    # Removals of another stack's rules or policies (or of unknown owner) held for review.
    held_attachments: list[HeldAttachment] = field(default_factory=list)
    not_put_back: list[NotPutBack] = field(default_factory=list)  # what REVERT_DRIFT leaves
    ignored_drift: list[ResourceDrift] = field(default_factory=list)  # IGNORE_DRIFT matches
    failed_resources: list[FailedResource] = field(default_factory=list)
    phases: dict[str, PhaseReport] = field(default_factory=dict)
    # What went wrong after the outcome was known (bookkeeping): added, never replacing it.
    notes: list[str] = field(default_factory=list)
    notified: bool = False
    notice_why: str | None = None  # why the notice was sent (new, changed, reminder, ...)
    drift_first_seen: datetime | None = None  # from the drift state: drifted since
    drift_age: str | None = None  # "drifted for 3 days"
    # For the metrics (issue 18): the run's clock reading, and when the drift this run found
    # (healed, accepted or left) was first seen; None without drift state.
    checked_at: datetime | None = None
    drift_since: datetime | None = None
    approval: Approval | None = None  # runs that wait for a decision (WaitForApproval)
    # Who changed each drifted resource (CloudTrail), or why that is not known.
    changes: dict[str, LastChange] = field(default_factory=dict)
    change_notes: dict[str, str] = field(default_factory=dict)
    trigger_source: str | None = None  # what started the run: "event", "schedule", "manual"
    trigger: dict[str, Any] | None = None  # the change that started it (result `Trigger`)
    trigger_text: str | None = None  # the same, for the notice
    accepted: Accepted | None = None  # issue 17: what accepting drift wrote (or refused)

    @property
    def keeps_change(self) -> bool:
        """A reviewer answered ACCEPT: keep the change (issue 17)."""
        return self.approval is not None and self.approval.decision == "ACCEPT"

    def finish(self, outcome: Outcome, reason: str) -> RunReport:
        self.outcome, self.reason = outcome, reason
        return self

    def take_drift(self, reading: DriftReading, ignore: Sequence[str] = ()) -> None:
        """The drift read, less what IGNORE_DRIFT matches (kept apart, counted)."""
        self.drifted, self.ignored_drift = split_drift(reading.resources, ignore)
        self.drifted_total = reading.total - len(self.ignored_drift)
        self.drift_cut = reading.cut

    @property
    def drift_complete(self) -> bool:
        """Every drifted resource and property path was kept (cut values do not matter)."""
        return self.drifted_total == len(self.drifted) and not any(
            r.omitted_differences for r in self.drifted
        )

    @property
    def plan_complete(self) -> bool:
        return self.planned_total == len(self.planned_changes)

    def take_remaining_drift(self, reading: DriftReading) -> None:
        self.remaining_drift, self.remaining_total = reading.resources, reading.total

    def take_changes(self, changes: dict[str, LastChange], notes: dict[str, str]) -> None:
        self.changes, self.change_notes = changes, notes

    @property
    def principals(self) -> list[str]:
        """Who changed the drifted resources, newest change first, each once."""
        newest = sorted(self.changes.values(), key=lambda c: c.event_time, reverse=True)
        return list(dict.fromkeys(c.principal for c in newest))

    @property
    def healed_paths(self) -> list[str]:
        """ "LogicalId/PropertyPath" of every property a heal put back (history contract)."""
        return [f"{r.logical_id}/{d.path.lstrip('/')}" for r in self.drifted for d in r.differences]

    def take_plan(self, plan: ChangeSetPlan) -> None:
        self.planned_changes, self.planned_total = plan.changes, plan.total

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
            "SchemaVersion": SCHEMA_VERSION,
            "StackName": self.stack_name,
            "StackId": self.stack_id,
            "Region": self.region or None,
            "Outcome": self.final_outcome.value,
            "Reason": self.reason,
            "Mode": self.mode_label,
            "ModeNote": self.mode_note,
            "StackStatus": self.stack_status,
            "ServiceRole": (
                {"Arn": self.service_role.arn, "Source": self.service_role.source.value}
                if self.service_role
                else None
            ),
            "DriftedResourceCount": max(self.drifted_total, len(self.drifted)),
            "DriftedResources": [
                _drift_json(r)
                | {
                    "LastChange": c.to_json() if (c := self.changes.get(r.logical_id)) else None,
                    "LastChangeNote": None if c else self.change_notes.get(r.logical_id),
                }
                for r in self.drifted
            ],
            "DriftDetailCut": self.drift_cut,
            "RemainingDriftCount": max(self.remaining_total, len(self.remaining_drift)),
            "RemainingDrift": [_drift_json(r) for r in self.remaining_drift],
            "ChangeSetName": self.change_set.change_set_name if self.change_set else None,
            "ChangeSetId": self.change_set.change_set_id if self.change_set else None,
            "ChangeSetUrl": self.change_set_url,
            "ChangeSetDeleted": self.change_set_deleted,
            "PlannedChangeCount": max(self.planned_total, len(self.planned_changes)),
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
            "HeldAttachments": [a.to_json() for a in self.held_attachments],
            "NotPutBack": [n.to_json() for n in self.not_put_back],
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
                | ({"EndedOn": p.ended_on} if p.ended_on else {})
                for name, p in self.phases.items()
            },
            "Trigger": self.trigger,
            "DriftFirstSeen": (
                self.drift_first_seen.isoformat(timespec="seconds")
                if self.drift_first_seen
                else None
            ),
            "DriftAge": self.drift_age,
            "Approval": self.approval.to_json() if self.approval else None,
            "Accept": self.accepted.to_result() if self.accepted else None,
            "Notes": list(self.notes),
            "Notified": self.notified,
            "NoticeReason": self.notice_why,
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
        "OmittedPropertyDifferences": resource.omitted_differences,
    }


# Lists a result can drop items from when it must be smaller, least important first.
_CUTTABLE = (
    "RemainingDrift",
    "DriftedResources",
    "PlannedChanges",
    "FailedResources",
    "NotPutBack",
    "HeldAttachments",
)
# Free text, cut when dropping list items was not enough (an invalid StackName quoted whole
# in the Reason, a long AWS error in a note): name or field -> characters kept.
_TEXTS = {"StackName": 300, "Reason": 2000, "ModeNote": 500}
_TEXT_LISTS = ("ReviewReasons", "Warnings", "Notes")
_TEXT_ITEMS, _TEXT_ITEM_CHARS = 20, 500
# What identifies the run and its outcome: kept when nothing else can be.
_ESSENTIAL = (
    "SchemaVersion",
    "StackName",
    "StackId",
    "Region",
    "Outcome",
    "Reason",
    "Mode",
    "DriftedResourceCount",
    "RemainingDriftCount",
    "PlannedChangeCount",
    "ChangeSetId",
    "Notified",
    "DurableExecutionArn",
)


def _size(value: dict[str, Any]) -> int:
    # What the SDK writes for a returned result (json.dumps: non-ASCII escaped, so an emoji
    # takes 12 bytes); `data=json.dumps(result)` of a failure is this same string.
    return len(json.dumps(value).encode())


def fit_result(result: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    """The result, with list items dropped from the end until its JSON fits `max_bytes`,
    then its free text cut, then every list emptied.

    The counts (`DriftedResourceCount`, ...) stay; `Omitted` says how many items of each list
    were left out. Used for the JSON notice (SNS: 256 KB a message) and the handler's result.
    """
    if _size(result) <= max_bytes:
        return result
    fitted = dict(result)
    omitted: dict[str, int] = {}
    for key in _CUTTABLE:
        items = list(fitted.get(key) or [])
        while items and _size(fitted) > max_bytes:
            items = items[: len(items) * 3 // 4]
            omitted[key] = len(result[key]) - len(items)
            fitted[key] = items
            fitted["Omitted"] = dict(omitted)
    if _size(fitted) > max_bytes:  # only the free text is left to shorten
        for key, chars in _TEXTS.items():
            if isinstance(fitted.get(key), str):
                fitted[key] = clip(fitted[key], chars)
        for key in _TEXT_LISTS:
            items = [str(item) for item in fitted.get(key) or []]
            fitted[key] = [clip(item, _TEXT_ITEM_CHARS) for item in items[:_TEXT_ITEMS]]
            if len(items) > _TEXT_ITEMS:
                omitted[key] = len(items) - _TEXT_ITEMS
                fitted["Omitted"] = dict(omitted)
    if _size(fitted) > max_bytes:  # still too long: no list item at all, the counts say it
        for key in (*_CUTTABLE, *_TEXT_LISTS):
            if fitted.get(key):
                omitted[key] = len(result.get(key) or [])
                fitted[key] = []
        fitted["Omitted"] = dict(omitted)
    if _size(fitted) > max_bytes:  # something else is huge: keep what identifies the run
        fitted = {key: fitted[key] for key in _ESSENTIAL if key in fitted}
        fitted["Omitted"] = {"Detail": "everything but the outcome: the result was too long"}
    return fitted
