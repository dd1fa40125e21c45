"""cfn-drift-healer: find CloudFormation drift, show it, put the stack back, tell people.

A Lambda durable function. This module is the flow and nothing else: every AWS call is a
named durable step (healer.aws.steps), every wait a `wait_for_condition` or an event round
(healer.waits), every decision a pure function (healer.model, healer.policy, healer.report).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.exceptions import DurableOperationError

from drift_common.credentials import account_problem
from drift_common.outcomes import Outcome
from drift_common.validation import ConfigurationError
from healer.accept import accept_answered, accept_drift
from healer.approval import approval_problem, await_approval, load_approval_settings
from healer.aws import clients, steps
from healer.model import (
    HealRequest,
    InvalidRequestError,
    ResourceDrift,
    Started,
    classify_detection,
    is_stable,
    parse_request,
    stack_label,
)
from healer.phases import (
    check_attachments,
    create_change_set,
    detect_drift,
    execute_change_set,
    guard_knowledge,
    noted,
    settle_after_change,
    settle_pending_review,
    take_stack_lease,
    verify,
    who_changed_it,
)
from healer.policy import (
    RunMode,
    choose_service_role,
    classify_found_drift,
    decide_run_mode,
    evaluate,
    not_put_back,
)
from healer.report import RunReport, fit_result, render_chat, render_notice
from healer.report import metrics as run_metrics
from healer.settings import NoticeTarget, Settings, load_settings, notice_target_from_environment
from healer.state import RunState, load_state_settings
from healer.waits import load_wait_settings, trust_events

# The result is checkpointed and attached to a failure: well under the 256 KB checkpoint limit.
MAX_RESULT_BYTES = 200_000

T = TypeVar("T")


class HealingFailedError(DurableOperationError):
    """Fails the durable execution; the message starts with the outcome, `data` is the record."""


@durable_execution
def lambda_handler(event: Any, context: DurableContext) -> dict[str, Any]:
    region = clients.cloudformation().meta.region_name  # configuration, not an AWS call
    try:
        settings = load_settings()
        state = RunState(load_state_settings())
        load_wait_settings()  # checked up front; the waits read it when they start
    except ConfigurationError as problem:
        # Reported to whoever reads the topic, if the topic itself is usable.
        report = RunReport(stack_label(event), review_mode=False, client_region=region)
        report.finish(Outcome.ERROR, str(problem))
        return conclude(context, notice_target_from_environment(), report, RunState.stateless())
    try:
        request = parse_request(event)
    except InvalidRequestError as problem:
        report = RunReport(stack_label(event), review_mode=False, client_region=region)
        report.finish(Outcome.ERROR, str(problem))
    else:
        clients.use_target(request.region, request.account_id)  # the fleet's other regions
        report = RunReport(
            request.stack_name,
            review_mode=request.create_change_set_only,
            client_region=request.region or region,
        )
        try:
            heal(context, settings, request, report, state)
        except DurableOperationError as failure:  # a step failed for good (not found, denied)
            report.finish(Outcome.ERROR, failure.message or type(failure).__name__)
    return conclude(context, settings.notice_target, report, state)


def heal(
    context: DurableContext,
    settings: Settings,
    request: HealRequest,
    report: RunReport,
    state: RunState,
) -> RunReport:
    # 0. Only an account TARGET_ACCOUNT_IDS lists: whoever sends the event chooses AccountId.
    if request.account_id and (problem := account_problem(request.account_id)):
        return report.finish(Outcome.ERROR, problem)
    started = steps.run_note_start_time(context)
    deadline = settings.deadline(started)
    if request.wait_for_approval and (problem := approval_problem(settings)):
        return report.finish(Outcome.ERROR, problem)
    settle_after_change(context, settings, request, report, started)  # triggered runs only

    # 1. Describe the stack; never fight an in-flight deploy.
    stack = steps.run_describe_stack(context, request.stack_name)
    report.stack_id, report.stack_status = stack.stack_id, stack.status
    # 1a. One run per stack: the stack's lease (and its drift state before this run).
    room = (deadline - started).total_seconds() if deadline else None
    take_stack_lease(context, settings, request, state, stack.stack_id, room_seconds=room)
    if state.busy:
        return report.finish(Outcome.BUSY, state.busy)
    # 1a'. The relay delivered for this stack recently: events are trusted from the first wait.
    trust_events(context, state.relay_delivered_at, state.now)
    # 1b. The stack tag drift-healer:mode may only make the run stricter (or opt out); a run
    #     whose lease could not be taken (the table configured but unusable) only reports.
    mode = decide_run_mode(
        review_requested=request.create_change_set_only,
        tags=stack.tags,
        unleased=state.lease_problem,
    )
    report.review_mode = mode.mode is RunMode.REVIEW
    report.report_only = mode.mode in {RunMode.DETECT, RunMode.OFF}
    report.mode_note = mode.note
    if mode.mode is RunMode.OFF:
        return report.finish(Outcome.OPTED_OUT, f"{mode.note}: the healer leaves the stack alone")
    if not is_stable(stack.status):
        reason = f"the stack is {stack.status}" + (
            f" ({stack.status_reason})" if stack.status_reason else ""
        )
        return report.finish(Outcome.SKIPPED, f"{reason}; drift is only healed on a stable stack")

    # 2. Detect drift and wait until the detection finishes.
    detection = detect_drift(
        context, settings, report, stack.stack_id, phase="detection", deadline=deadline, state=state
    )
    ended = classify_detection(detection.poll, detection.budget_seconds)

    # 3. Read the resource-level drift (also what a failed detection did find); drift
    # matching IGNORE_DRIFT is left out of the report.
    all_drift: list[ResourceDrift] = []
    if ended is None or ended[0] is Outcome.DETECTION_FAILED:
        reading = steps.run_read_resource_drifts(context, stack.stack_id, "read-resource-drifts")
        all_drift = reading.resources
        report.take_drift(reading, settings.ignore_drift)
        who_changed_it(context, settings, report, state, started)  # CloudTrail, never fatal
    ended = ended or classify_found_drift(report.drifted, report.ignored_drift, mode)
    if ended:
        if ended[0] is Outcome.IN_SYNC:
            settle_pending_review(context, report, state)  # in sync again: nothing to review
        return report.finish(*ended)

    # 4-5. The change set: a pending review of this same drift is reused (a stale one is
    #      deleted); otherwise a new one is created and waited for.
    report.service_role = choose_service_role(stack.role_arn, settings.cloudformation_role_arn)
    if request.accept_drift:  # --- issue 17: keep the change, write it into the template ---
        return accept_drift(
            context,
            settings,
            report,
            stack,
            by=request.accepted_by or "AcceptDrift in the event",
            reason=request.accept_reason or "",
            state=state,
            deadline=deadline,
        )
    created = settle_pending_review(context, report, state) or create_change_set(
        context, settings, report, stack, deadline, state=state
    )
    if report.outcome is not None:  # the change set could not be made, or had nothing to do
        return report

    # 6. Review mode, or a change set the safety gate will not run unattended, stops here.
    report.take_plan(steps.run_read_planned_changes(context, stack.stack_id, created.id))
    # 6a. What the change set removes that another stack attached (a rule, a policy).
    report.held_attachments = check_attachments(context, report, all_drift)
    decision = evaluate(
        report.planned_changes,
        all_drift,
        settings.safety_policy(),
        complete=report.plan_complete and report.drift_complete,
        attachments=report.held_attachments,
        known=guard_knowledge(context, settings, report, state),
    )
    report.review_reasons, report.warnings = decision.held, decision.warnings
    report.not_put_back = not_put_back(report.planned_changes, all_drift)
    if request.wait_for_approval and (report.review_mode or not decision.automatic):
        if deferred := state.approval_deferred(report):
            return report.finish(Outcome.REVIEW_REQUIRED, deferred)
        approval = load_approval_settings()  # checked at the run's start (heal)
        wait = approval.timeout_seconds + settings.execute_and_verify_seconds
        if refused := state.lease_refused(context, report, wait, "the approval wait"):
            return report.finish(Outcome.REVIEW_REQUIRED, refused)
        if not await_approval(
            context,
            settings,
            approval,
            report,
            created,
            on_asked=lambda asked: state.record_pending_approval(context, report, asked),
        ):
            return report
        if report.keeps_change:  # --- issue 17: answered ACCEPT ---
            return accept_answered(context, settings, report, stack, state=state, deadline=deadline)
        return execute_and_verify(
            context, settings, report, created, state=state, deadline=deadline
        )
    if report.review_mode:
        return report.finish(
            Outcome.REVIEW_REQUIRED,
            f"review mode ({mode.note or 'CreateChangeSetOnly'}): "
            "the change set waits for a person, not executed",
        )
    if not decision.automatic:
        return report.finish(
            Outcome.REVIEW_REQUIRED, "the safety policy held the change set for a person to review"
        )

    return execute_and_verify(context, settings, report, created, state=state, deadline=deadline)


def execute_and_verify(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    created: Started,
    *,
    state: RunState,
    deadline: datetime | None,
) -> RunReport:
    """Steps 7 and 8: run the change set the flow decided to run, then check the result."""
    # 7a. Only while this run still holds the stack, for as long as the rest can take.
    seconds = settings.execute_and_verify_seconds
    if refused := state.lease_refused(context, report, seconds, "the execution"):
        return report.finish(Outcome.REVIEW_REQUIRED, refused)

    # 7. Execute it and wait for the stack update to finish.
    ended = execute_change_set(
        context, settings, report, created, purpose="execute", state=state, deadline=deadline
    )
    if ended:
        return report.finish(*ended)

    # 8. Verify: detect drift again. The stack was changed: nothing below may hide that.
    if not settings.verify_after_heal:
        return report.finish(
            Outcome.HEALED, "the change set executed (not verified: VERIFY_AFTER_HEAL=false)"
        )
    return report.finish(*verify(context, settings, report, state=state, deadline=deadline))


def conclude(
    context: DurableContext, target: NoticeTarget, report: RunReport, state: RunState
) -> dict[str, Any]:
    """Notify on what changed (every outcome but IN_SYNC without state), save the drift
    state, then return or fail the execution."""
    outcome = report.final_outcome
    report.notes.extend(state.report_notes)  # state unavailable, a lease taken over...
    state.note_drift_age(report)
    decision = state.decide_notice(report, notify_on_in_sync=target.notify_on_in_sync)
    report.notice_why = decision.why.value if decision.why else None
    # CloudWatch EMF, in a step: not again on replay.
    run_metrics.emit_once(context, report, per_stack=target.per_stack_metrics)
    undelivered = ""
    if decision.notify:
        execution_arn = context.execution_context.durable_execution_arn
        notice = render_notice(report, execution_arn)
        if target.topic_arn:
            try:
                steps.run_publish_notice(context, target.topic_arn, notice)
                report.notified = True
            except DurableOperationError as failure:
                undelivered = f"the notice could not be published: {failure.message}"
                report.notes.append(undelivered)
        else:  # outside Lambda, or SNS_TOPIC_ARN itself is what is wrong
            context.logger.warning("SNS_TOPIC_ARN is not usable; notice not sent:\n%s", notice.body)
        if target.chat_topic_arn:  # the chat copy: best effort, a note if it fails
            noted(
                report,
                "the chat notice could not be published",
                lambda: steps.run_publish_chat_notice(
                    context, str(target.chat_topic_arn), render_chat(report, execution_arn)
                ),
                default="",
            )
    state.finish(context, report, decision)  # saves the state, releases the lease
    result = fit_result(report.to_result(), MAX_RESULT_BYTES)
    context.logger.info("%s %s: %s", report.stack_name, outcome.value, report.reason)
    # A lost notice fails the run too: the failed execution is then the only signal left.
    # Its message leads with why the execution failed.
    if undelivered:
        message = f"NOTICE_NOT_PUBLISHED: {undelivered}; the run's outcome was {outcome.value}: "
        raise HealingFailedError(message + report.reason, data=json.dumps(result))
    if outcome.is_failure:
        raise HealingFailedError(f"{outcome.value}: {report.reason}", data=json.dumps(result))
    return result
