"""Approval that waits (issue 8): ask, wait on a durable callback, act on the decision.

Called by the handler at step 6 when the event says `"WaitForApproval": true` and the change
set is held (review mode, or the safety policy). Every AWS call and clock read is a named
step; the wait itself is a durable callback (no compute while waiting).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.exceptions import CallbackTimeoutError, DurableOperationError

from drift_common.approval import CALLBACK_NAME, REQUEST_STEP_NAME
from drift_common.outcomes import Outcome
from healer.approval.decisions import invalid_answer, read_answer, recheck, rejected, timed_out
from healer.approval.link import signed_link
from healer.approval.settings import ApprovalSettings
from healer.aws import cloudformation as cfn
from healer.aws import sns as sns_notices
from healer.aws import step_config, steps
from healer.model import Approval, Record, Started
from healer.report import RunReport, render_chat, render_notice
from healer.settings import Settings


class ApprovalRequest(Record):
    """Checkpointed, and so readable by whoever may read the execution's history: what the
    page shows besides the live change set and drift. Nothing here lets anyone decide."""

    expires: datetime
    mode: str = ""
    review_reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@durable_step
def note_approval_request(
    _: StepContext, approval: ApprovalSettings, held: ApprovalRequest
) -> ApprovalRequest:
    """The expiry, by this step's clock."""
    expires = datetime.now(UTC) + timedelta(seconds=approval.timeout_seconds)
    return held.model_copy(update={"expires": expires})


@durable_step
def publish_approval_request(
    _: StepContext,
    topic_arn: str,
    report: RunReport,
    arn: str,
    approval: ApprovalSettings,
    change_set_id: str,
) -> str:
    """Sign the page link and publish the request; returns the SNS message id only, so
    neither the link nor the e-mail carrying it is ever checkpointed."""
    asking = _asking(report)
    link = _signed_link(report, arn, approval, change_set_id)
    if link and report.approval:
        asking.approval = report.approval.model_copy(update={"link": link})
    return sns_notices.publish(topic_arn, render_notice(asking, arn))


@durable_step
def publish_approval_chat(
    _: StepContext,
    topic_arn: str,
    report: RunReport,
    arn: str,
    approval: ApprovalSettings,
    change_set_id: str,
    *,
    with_link: bool,
) -> str:
    """The request in chat; the link (signed here, never checkpointed) only `with_link`
    (CHAT_APPROVAL_LINKS): whoever reads the channel could decide with it."""
    link = _signed_link(report, arn, approval, change_set_id) if with_link else None
    return sns_notices.publish_chat(topic_arn, render_chat(_asking(report), arn, link))


def _asking(report: RunReport) -> RunReport:
    return dataclasses.replace(report).finish(
        Outcome.APPROVAL_REQUIRED, "the change set waits for a person to approve or reject it"
    )


def _signed_link(
    report: RunReport, arn: str, approval: ApprovalSettings, change_set_id: str
) -> str | None:
    waiting = report.approval
    if not (waiting and approval.approval_page_url and approval.approval_secret_arn):
        return None
    return signed_link(
        approval.approval_page_url,
        approval.approval_secret_arn,
        callback_id=waiting.callback_id,
        stack_id=str(report.stack_id),
        change_set_id=change_set_id,
        execution_arn=arn,
        expires=waiting.expires,
    )


@durable_step
def note_decision_time(_: StepContext) -> datetime:
    return datetime.now(UTC)


@durable_step
def read_stack_status(_: StepContext, stack_id: str) -> str:
    return cfn.read_stack_status(stack_id).status


def await_approval(
    context: DurableContext,
    settings: Settings,
    approval: ApprovalSettings,
    report: RunReport,
    created: Started,
    *,
    on_asked: Callable[[Approval], None] | None = None,
) -> bool:
    """Ask and wait; `on_asked` records the waiting approval in the drift state.

    True: approved and still valid, the caller executes and verifies; or answered ACCEPT
    (`report.keeps_change`: the reverting change set is deleted, the caller accepts the
    drift instead). False: the report is finished (REJECTED, APPROVAL_TIMED_OUT,
    APPROVAL_INVALID, OBSOLETE).
    """
    stack_id = str(report.stack_id)
    execution_arn = context.execution_context.durable_execution_arn
    callback = context.create_callback(
        CALLBACK_NAME, CallbackConfig(timeout=Duration.from_seconds(approval.timeout_seconds))
    )
    held = ApprovalRequest(
        expires=datetime.fromtimestamp(0, UTC),
        mode=report.mode_label,
        review_reasons=tuple(report.review_reasons[:50]),
        warnings=tuple(report.warnings[:20]),
    )
    request = context.step(
        note_approval_request(approval, held), REQUEST_STEP_NAME, step_config(ApprovalRequest)
    )
    topic = settings.sns_topic_arn
    report.approval = Approval(
        callback_id=callback.callback_id,
        expires=request.expires,
        page=approval.approval_page_url if approval.page_enabled else None,
        asked=topic,
    )
    if topic:
        context.step(
            publish_approval_request(topic, report, execution_arn, approval, created.id),
            "publish-approval-request",
            step_config(str),
        )
    else:  # outside Lambda: the callback id goes to the log (a link only ever to e-mail)
        context.logger.warning("approval required; callback id %s", callback.callback_id)
    if settings.chat_topic_arn:  # best effort: the e-mail asked already
        try:
            context.step(
                publish_approval_chat(
                    settings.chat_topic_arn,
                    report,
                    execution_arn,
                    approval,
                    created.id,
                    with_link=settings.chat_approval_links,
                ),
                "publish-approval-chat",
                step_config(str),
            )
        except DurableOperationError as failure:
            report.notes.append(f"the chat notice could not be published: {failure.message}")
    if on_asked is not None:
        on_asked(report.approval)

    try:
        raw = callback.result()
    except CallbackTimeoutError:
        kept = approval.keep_change_set_on_timeout
        if not kept:
            _delete(context, report, created, "delete-unanswered-change-set")
        report.finish(*timed_out(approval.approval_timeout_hours, kept=kept))
        return False
    at = context.step(note_decision_time(), "note-decision-time", step_config(datetime))
    answer = read_answer(raw if raw is None or isinstance(raw, str) else str(raw))
    if isinstance(answer, str):
        report.finish(*invalid_answer(answer))
        return False
    report.approval = report.approval.decided(answer, at)
    if answer.decision == "REJECT":
        _delete(context, report, created, "delete-rejected-change-set")
        report.finish(*rejected(answer))
        return False
    if answer.decision == "ACCEPT":  # --- issue 17: keep the change, do not revert it ---
        _delete(context, report, created, "delete-reverting-change-set")
        return True  # the caller accepts (report.keeps_change)

    # Approved: re-check in steps that the change set still runs as reviewed.
    found = steps.run_read_change_set(context, stack_id, created.id, "recheck-change-set")
    stack_status = context.step(read_stack_status(stack_id), "recheck-stack", step_config(str))
    report.stack_status = stack_status
    problem = recheck(
        found.status if found else None, found.execution_status if found else None, stack_status
    )
    if problem:
        report.finish(*problem)
        return False
    return True


def _delete(context: DurableContext, report: RunReport, created: Started, name: str) -> None:
    try:
        report.change_set_deleted = steps.run_delete_change_set(
            context, str(report.stack_id), created.id, name
        )
    except DurableOperationError as failure:
        report.notes.append(f"the change set could not be deleted: {failure.message}")
