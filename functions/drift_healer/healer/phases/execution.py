"""Executing the change set the flow decided to run, and verifying the stack after."""

from __future__ import annotations

from datetime import datetime, timedelta

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.exceptions import DurableOperationError

from drift_common.outcomes import Outcome
from healer.aws import steps
from healer.model import (
    Started,
    classify_execution,
    classify_verification,
    client_token,
    unverified,
)
from healer.phases.detection import detect_drift
from healer.phases.notes import noted
from healer.report import PhaseReport, RunReport
from healer.settings import Settings
from healer.state import RunState
from healer.waits import execute_and_wait

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
