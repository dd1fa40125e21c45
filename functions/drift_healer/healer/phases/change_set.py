"""The change set: a pending review reused (checked with CloudFormation), or a new one
created and waited for."""

from __future__ import annotations

from datetime import datetime

from aws_durable_execution_sdk_python import DurableContext

from drift_common.outcomes import Outcome
from healer.aws import steps
from healer.model import (
    ChangeSetRef,
    StackSnapshot,
    Started,
    change_set_name,
    classify_change_set,
    client_token,
)
from healer.phases.notes import noted
from healer.report import PhaseReport, RunReport
from healer.settings import Settings
from healer.state import RunState, not_ours
from healer.waits import wait_for_change_set


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
