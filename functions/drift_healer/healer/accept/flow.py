"""Accepting drift (issue 17): keep the change, write it into the stack's template.

Called by the handler instead of the reverting change set when the event says
`"AcceptDrift": true` (or a reviewer answered ACCEPT). The deployed template is read
(GetTemplate, Original), the actual values are written into it (a pure patch, all or
nothing), and a REVERT_DRIFT change set with that template is created; it runs only if
CloudFormation plans nothing but SyncWithActual, then drift detection must find the stack
in sync. Every AWS call is a named step; the patch is recomputed, identically, on replay.
"""

from __future__ import annotations

from datetime import datetime

from aws_durable_execution_sdk_python import DurableContext

from drift_common.accept import change_parameters, patch_template
from drift_common.outcomes import Outcome
from healer.accept import decisions, steps
from healer.accept.store import MAX_TEMPLATE_BODY_BYTES
from healer.aws import steps as aws_steps
from healer.model import (
    ChangeSetRef,
    StackSnapshot,
    Started,
    classify_change_set,
    client_token,
)
from healer.model.accept import Accepted
from healer.model.naming import accept_change_set_name
from healer.phases import execute_change_set, noted, verify
from healer.report import PhaseReport, RunReport
from healer.settings import Settings
from healer.state import RunState
from healer.waits import wait_for_change_set


def accept_drift(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    stack: StackSnapshot,
    *,
    by: str,
    reason: str,
    state: RunState,
    deadline: datetime | None,
) -> RunReport:
    stack_id = stack.stack_id
    # 1. The drift with its full actual values, and the template as it was submitted.
    reading = steps.run_read_drift_to_accept(context, stack_id)
    if reading.problem:
        return report.finish(*decisions.cannot_accept(reading.problem))
    template = steps.run_get_deployed_template(context, stack_id)
    if template.body is None:
        return report.finish(*decisions.cannot_accept(template.problem or "no template"))

    # 2. The patch (pure): every drifted value accepted, or nothing.
    patch = patch_template(template.body, reading.resources)
    report.accepted = Accepted(
        by=by,
        reason=reason,
        paths=patch.paths,
        diff=patch.diff,
        parameter_changes=patch.parameter_changes,
        not_accepted=patch.not_accepted,
    )
    if patch.body is None or not patch.complete:
        return report.finish(*decisions.not_accepted(patch))
    if len(patch.body.encode()) > MAX_TEMPLATE_BODY_BYTES:
        return report.finish(
            *decisions.cannot_accept(
                f"the patched template is over {MAX_TEMPLATE_BODY_BYTES:,} bytes (TemplateBody)"
            )
        )

    # 3. The accept change set, waited for, and checked: SyncWithActual only.
    arn = context.execution_context.durable_execution_arn
    name = accept_change_set_name(arn)
    created = steps.run_create_accept_change_set(
        context,
        stack,
        name,
        client_token(arn, "accept-create"),
        role_arn=report.service_role.to_pass if report.service_role else None,
        body=patch.body,
        parameters=change_parameters(stack.parameter_keys, patch.parameter_changes),
    )
    report.change_set = ChangeSetRef(change_set_id=created.id, change_set_name=name)
    report.change_set_deleted = False  # this one, not the reverting one a reviewer declined
    policy = settings.poll_policy("change_set").until(deadline, created.at)
    creation = wait_for_change_set(context, stack_id, created, policy)
    report.phases["change_set"] = PhaseReport.of(creation)
    ended = classify_change_set(creation, policy.budget_seconds)
    if ended:
        if ended[0] is Outcome.NOTHING_TO_REVERT:
            _delete(context, report, created, "delete-empty-accept")
        return _not_pending(report).finish(*ended)
    plan = steps.run_read_accept_plan(context, stack_id, created.id)
    problems = decisions.plan_problems(plan, [r.logical_id for r in reading.resources])
    if problems:
        deleted = _delete(context, report, created, "delete-refused-accept")
        return _not_pending(report).finish(*decisions.refused_plan(problems, deleted))
    # Only while this run still holds the stack, for as long as the rest can take.
    seconds = settings.execute_and_verify_seconds
    if refused := state.lease_refused(context, report, seconds, "accepting"):
        deleted = _delete(context, report, created, "delete-unheld-accept")
        return _not_pending(report).finish(*decisions.cannot_accept(_unheld(refused, deleted)))

    # 4. Execute it like a heal, then drift detection must find the stack in sync.
    return _execute_and_verify(context, settings, report, created, deadline, state=state)


def _unheld(refused: str, deleted: bool) -> str:
    fate = "deleted" if deleted else "not deleted: delete it in the console"
    return refused.replace(
        "the change set was left for review", f"the accept change set was {fate}"
    )


def _not_pending(report: RunReport) -> RunReport:
    """An accept change set is never a pending review (a later run must not take it for the
    reverting one): it is named in a note instead of as the run's change set."""
    if report.change_set is not None:
        state = "deleted" if report.change_set_deleted else "left in place"
        report.notes.append(
            f"the accept change set {report.change_set.change_set_name} was {state}"
        )
        report.change_set = None
    return report


def accept_answered(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    stack: StackSnapshot,
    *,
    state: RunState,
    deadline: datetime | None,
) -> RunReport:
    """A reviewer answered ACCEPT: the reverting change set is gone; accept instead."""
    approval = report.approval
    return accept_drift(
        context,
        settings,
        report,
        stack,
        by=approval.by if approval and approval.by else "(not given)",
        reason=approval.reason if approval and approval.reason else "",
        state=state,
        deadline=deadline,
    )


def _delete(context: DurableContext, report: RunReport, created: Started, name: str) -> bool:
    report.change_set_deleted = noted(
        report,
        "the accept change set could not be deleted",
        lambda: aws_steps.run_delete_change_set(context, str(report.stack_id), created.id, name),
        default=False,
    )
    return report.change_set_deleted


def _execute_and_verify(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    created: Started,
    deadline: datetime | None,
    *,
    state: RunState,
) -> RunReport:
    ended = execute_change_set(
        context, settings, report, created, purpose="accept-execute", state=state, deadline=deadline
    )
    if ended:
        return report.finish(*ended)
    return report.finish(
        *decisions.verified(*verify(context, settings, report, state=state, deadline=deadline))
    )
