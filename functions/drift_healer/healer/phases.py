"""The flow's building blocks below the handler: the change set (a pending review reused,
or a new one created and waited for), drift detection with its wait, and bookkeeping that
turns a late failure into a note, and the cross-stack attachment lookups. healer.handler
reads as the flow; these are its phases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.exceptions import DurableOperationError

from drift_common.outcomes import Outcome
from healer.attribution import attribute
from healer.aws import steps
from healer.model import (
    ChangeSetRef,
    DetectionPoll,
    HealRequest,
    HeldAttachment,
    OwnerLookup,
    ResourceDrift,
    StackSnapshot,
    Started,
    change_set_name,
    classify_change_set,
    classify_execution,
    classify_verification,
    client_token,
    unverified,
)
from healer.policy import (
    Knowledge,
    find_removals,
    judge,
    lookup_ids,
    rules_by_group,
    with_rule_ids,
)
from healer.report import PhaseReport, RunReport
from healer.settings import Settings
from healer.state import RunState, not_ours
from healer.waits import detect_and_wait, execute_and_wait, wait_for_change_set

T = TypeVar("T")


def settle_pending_review(
    context: DurableContext, report: RunReport, state: RunState
) -> Started | None:
    """The change set a person was asked to review: reused when it still reverts exactly
    this drift (the Started it stands for), deleted, with a note, when it is stale."""
    pending = state.pending
    if pending is None or report.stack_id is None or state.now is None:
        return None
    stack_id = report.stack_id
    found = steps.run_read_change_set(
        context, stack_id, pending.change_set_id, "read-pending-review"
    )
    if found is not None and (foreign := not_ours(pending, found, stack_id)):
        report.notes.append(foreign)  # not ours to run or delete: as if there were none
        found = None
    plan = state.plan_review(
        report, found.status if found else None, found.execution_status if found else None
    )
    if plan.delete is not None:
        stale = plan.delete
        if noted(
            report,
            f"the stale pending review {stale.change_set_name} could not be deleted",
            lambda: steps.run_delete_change_set(
                context, stack_id, stale.change_set_id, "delete-stale-review"
            ),
            default=False,
        ):
            report.notes.append(
                f"the pending review {stale.change_set_name} was deleted: the drift it "
                "reverted has changed or is gone"
            )
    if plan.reuse is None:
        return None
    report.change_set = ChangeSetRef(
        change_set_id=plan.reuse.change_set_id, change_set_name=plan.reuse.change_set_name
    )
    report.notes.append(
        f"reusing the pending review {plan.reuse.change_set_name} (created "
        f"{plan.reuse.created:%Y-%m-%d %H:%M} UTC): it reverts exactly this drift"
    )
    return Started(at=state.now, id=plan.reuse.change_set_id)


def create_change_set(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    stack: StackSnapshot,
    deadline: datetime | None,
    *,
    state: RunState,
) -> Started:
    """Steps 4-5: create the REVERT_DRIFT change set (name and token fixed per execution),
    under the stack's own service role if it has one, and wait for it. A change set that
    failed or had nothing to do finishes the report."""
    execution_arn = context.execution_context.durable_execution_arn
    name = change_set_name(execution_arn)
    role = report.service_role.to_pass if report.service_role else None
    created = steps.run_create_change_set(
        context, stack, name, client_token(execution_arn, "create"), role
    )
    report.change_set = ChangeSetRef(change_set_id=created.id, change_set_name=name)
    policy = state.with_history(settings.poll_policy("change_set"), "change_set")
    policy = policy.until(deadline, created.at)
    creation = wait_for_change_set(context, stack.stack_id, created, policy)
    report.phases["change_set"] = PhaseReport.of(creation)
    ended = classify_change_set(creation, policy.budget_seconds)
    if ended and ended[0] is Outcome.NOTHING_TO_REVERT:
        report.change_set_deleted = noted(
            report,
            "the empty change set could not be deleted",
            lambda: steps.run_delete_change_set(
                context, stack.stack_id, created.id, "delete-empty-change-set"
            ),
            default=False,
        )
    if ended:
        report.finish(*ended)
    return created


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


class Detection(NamedTuple):
    poll: DetectionPoll
    budget_seconds: float


def detect_drift(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    stack_id: str,
    *,
    phase: str,
    deadline: datetime | None,
    state: RunState,
) -> Detection:
    """DetectStackDrift, then wait (events or polls) until it finishes; the looks are
    scheduled from this stack's history of `phase` (detection or verification)."""
    base = state.with_history(settings.poll_policy("detection"), phase)
    _, poll, policy = detect_and_wait(context, stack_id, phase=phase, base=base, deadline=deadline)
    report.phases[phase] = PhaseReport.of(poll)
    return Detection(poll, policy.budget_seconds)


def settle_after_change(
    context: DurableContext,
    settings: Settings,
    request: HealRequest,
    report: RunReport,
    started: datetime,
) -> None:
    """An event-triggered run (the event's `Trigger`) waits SETTLE_SECONDS before it
    detects (a durable wait: free), so that a burst of edits is healed by one run."""
    trigger = request.trigger
    if trigger is None:
        return
    report.trigger_source = "event"
    report.trigger = trigger.model_dump(mode="json", by_alias=True)
    report.trigger_text = trigger.describe(started)
    if settings.settle_seconds > 0:
        context.wait(Duration.from_seconds(settings.settle_seconds), name="settle-after-change")


def take_stack_lease(
    context: DurableContext,
    settings: Settings,
    request: HealRequest,
    state: RunState,
    stack_id: str,
    *,
    room_seconds: float | None,
) -> None:
    """The stack's lease. A triggered run that finds it held waits for it (durable waits,
    60 s doubling to 15 min, at most TRIGGER_BUSY_WAIT_SECONDS, and never into the time its
    phases need: `room_seconds` is what the ExecutionTimeout leaves): the change that
    started it is checked after the holder ends, not left to the schedule."""
    state.begin(context, stack_id, settings.lease_seconds)
    budget = settings.trigger_busy_wait_seconds if request.trigger is not None else 0
    if room_seconds is not None:
        budget = max(0, min(budget, int(room_seconds - settings.phase_budget_seconds)))
    waited, delay, attempt = 0, 60, 0
    while state.busy and waited < budget:
        attempt += 1
        pause = min(delay, budget - waited)
        context.wait(Duration.from_seconds(pause), name=f"wait-for-stack-lease-{attempt}")
        waited, delay = waited + pause, min(delay * 2, 900)
        state.begin(context, stack_id, settings.lease_seconds)


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


def noted(report: RunReport, what: str, call: Callable[[], T], *, default: T) -> T:
    """Bookkeeping after the outcome is known: a failure becomes a note, never the outcome."""
    try:
        return call()
    except DurableOperationError as failure:
        report.notes.append(f"{what}: {failure.message or type(failure).__name__}")
        return default


# Stack events are stamped by CloudFormation, `executed.at` by this function's clock.
CLOCK_SKEW = timedelta(minutes=1)


def execute_change_set(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    created: Started,
    *,
    purpose: str,
    state: RunState,
    deadline: datetime | None,
) -> tuple[Outcome, str] | None:
    """Execute the change set (token fixed per execution and `purpose`) and wait for the
    stack update; how it ended if it did not complete (failed resources read, as a note if
    that fails). None: the update completed."""
    stack_id = str(report.stack_id)
    token = client_token(context.execution_context.durable_execution_arn, purpose)
    executed, execution, policy = execute_and_wait(
        context,
        stack_id,
        change_set_id=created.id,
        token=token,
        base=state.with_history(settings.poll_policy("execution"), "execution"),
        deadline=deadline,
    )
    report.phases["execution"] = PhaseReport.of(execution)
    report.stack_status = execution.stack_status or report.stack_status  # after the update
    ended = classify_execution(execution, policy.budget_seconds)
    if ended and ended[0] is Outcome.EXECUTION_FAILED:
        report.failed_resources = noted(
            report,
            "could not read the stack events (failed resources unknown)",
            lambda: steps.run_read_failed_resources(
                context, stack_id, token, executed.at - CLOCK_SKEW
            ),
            default=[],
        )
    return ended


def verify(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    *,
    state: RunState,
    deadline: datetime | None,
) -> tuple[Outcome, str]:
    """Detect drift again after the stack was changed: nothing here may hide that it was."""
    stack_id = str(report.stack_id)
    try:
        verification = detect_drift(
            context,
            settings,
            report,
            stack_id,
            phase="verification",
            deadline=deadline,
            state=state,
        )
    except DurableOperationError as failure:
        return unverified(f"drift detection could not start: {failure.message}")
    outcome, reason = classify_verification(verification.poll, verification.budget_seconds)
    if outcome is Outcome.PARTIALLY_HEALED:
        noted(
            report,
            "could not read the drift that is left",
            lambda: report.take_remaining_drift(
                steps.run_read_resource_drifts(context, stack_id, "read-remaining-drift")
            ),
            default=None,
        )
    return outcome, reason
