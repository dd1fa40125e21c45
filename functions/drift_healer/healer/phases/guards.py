"""What the safety policy needs to know beyond the plan: cross-stack attachments, who
changed the drifted resources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.exceptions import DurableOperationError

from healer.attribution import attribute
from healer.aws import steps
from healer.model import (
    HeldAttachment,
    OwnerLookup,
    ResourceDrift,
)
from healer.policy import (
    Knowledge,
    find_removals,
    judge,
    lookup_ids,
    rules_by_group,
    with_rule_ids,
)
from healer.report import RunReport
from healer.settings import Settings
from healer.state import RunState


def check_attachments(
    context: DurableContext, report: RunReport, drifted: Sequence[ResourceDrift]
) -> list[HeldAttachment]:
    """What the change set removes that a stack may own (policy.attachments): the rule ids
    of each group (`find-rule-ids-N`), then the owner of each (`find-owner-N`), one AWS call
    per step. A step that fails leaves its removals held, saying why (fail closed)."""
    removals = find_removals(report.planned_changes, drifted)
    if not removals:
        return []
    rule_ids: dict[tuple[str, str], str | None] = {}
    unreadable: dict[str, str] = {}
    for n, (group_id, rules) in enumerate(rules_by_group(removals).items(), start=1):
        try:
            found = steps.run_find_rule_ids(context, group_id, rules, f"find-rule-ids-{n}")
        except DurableOperationError as failure:
            unreadable[group_id] = failure.message or type(failure).__name__
            continue
        rule_ids.update({(r.logical_id, r.path): found.get(r.path) for r in rules})
    removals = with_rule_ids(removals, rule_ids)
    types = {r.lookup_id: r.lookup_type for r in removals if r.lookup_id}
    lookups: dict[str, OwnerLookup | str] = {}
    for n, physical_id in enumerate(lookup_ids(removals), start=1):
        try:
            lookups[physical_id] = steps.run_find_owner(
                context, physical_id, types.get(physical_id), f"find-owner-{n}"
            )
        except DurableOperationError as failure:
            lookups[physical_id] = failure.message or type(failure).__name__
    return judge(removals, lookups, unreadable, report.stack_id)


def who_changed_it(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    state: RunState,
    now: datetime,
) -> None:
    """Each drifted resource's last change outside CloudFormation (ATTRIBUTION), looked up
    no further back than the stack was last in sync."""
    if settings.attribution:
        attribute(
            context,
            report,
            max_lookups=settings.attribution_max_lookups,
            ignore=settings.ignore_changes_by,
            last_in_sync=state.last_in_sync,
            now=now,
        )


def guard_knowledge(
    context: DurableContext, settings: Settings, report: RunReport, state: RunState
) -> Knowledge:
    """What the break-glass and thrash rules need: who changed what, and the heals of each
    property within THRASH_WINDOW_HOURS (read only when the thrash guard is on)."""
    heals, unknown = (
        state.heals(context, str(report.stack_id), settings.thrash_window_hours)
        if settings.thrash_heals > 0 and report.stack_id
        else ({}, None)
    )
    return Knowledge(report.changes, report.change_notes, heals, unknown)
