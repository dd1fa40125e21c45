"""A stack's lease held by an execution that has ended: found out, and taken over.

A BUSY run does not just give up. It asks Lambda whether the holder still runs
(`GetDurableExecution`): an execution that has ended (stopped by an operator, failed, timed
out, deleted) takes no more steps, so its lease protects nothing and the run takes it over
with a conditional write on that same holder. A holder that cannot be checked (not a durable
execution ARN, the call refused or throttled past its retries) is treated as running: a
guard that cannot check fails closed. A holder that keeps the stack past
BUSY_NOTICE_AFTER_HOURS is notified once (state.decisions.busy_notice_due).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.exceptions import DurableOperationError
from botocore.exceptions import ClientError

from drift_common.errors import error_code
from healer.aws import clients, step_config
from healer.state import store
from healer.state.model import Lease, NoState
from healer.state.settings import StateSettings
from healer.state.steps import guarded_step, unavailable_reason

# GetDurableExecution's DurableExecutionArn pattern (botocore model, lambda 2015-03-31).
DURABLE_EXECUTION_ARN = re.compile(
    r"arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+):"
    r"(\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)"
)
# ExecutionStatus values of an execution that takes no more steps (DELETING: being deleted),
# and what this module reports for ResourceNotFoundException (deleted, or its retention
# ended: a guess, the model does not say which error a purged execution gives).
ENDED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "DELETING", "NOT_FOUND"})


@durable_step
def check_lease_holder(_: StepContext, holder: str) -> str:
    """The holder's ExecutionStatus (RUNNING, PAUSED, STOPPED...), NOT_FOUND if Lambda has
    no such execution. Other errors fail the step (retried, then: cannot check)."""
    try:
        answer = clients.lambda_().get_durable_execution(
            DurableExecutionArn=holder, IncludeExecutionData=False
        )
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return "NOT_FOUND"
        raise
    return str(answer["Status"])


@durable_step
def take_over_lease(
    _: StepContext,
    *,
    table: str,
    stack_id: str,
    execution_arn: str,
    ended_holder: str,
    lease_seconds: float,
    ttl_days: int,
) -> Lease:
    now = datetime.now(UTC)
    return store.take_over_lease(
        table,
        stack_id,
        execution_arn,
        ended_holder=ended_holder,
        now=now,
        expires=now + timedelta(seconds=lease_seconds),
        ttl_days=ttl_days,
    )


@durable_step
def extend_lease(
    _: StepContext, table: str, stack_id: str, execution_arn: str, seconds: float
) -> bool:
    expires = datetime.now(UTC) + timedelta(seconds=seconds)
    return store.extend_lease(table, stack_id, execution_arn, expires)


@durable_step
def mark_busy_notified(_: StepContext, table: str, stack_id: str, holder: str) -> bool:
    return store.mark_busy_notified(table, stack_id, holder)


def take_over_if_ended(
    context: DurableContext,
    settings: StateSettings,
    stack_id: str,
    busy: Lease,
    *,
    lease_seconds: float,
    notes: list[str],
) -> Lease:
    """`busy`: the refused lease. The lease taken over from an ended holder, or `busy` as it
    was (the holder runs, or could not be checked: `notes` says which)."""
    holder = busy.holder
    if not DURABLE_EXECUTION_ARN.fullmatch(holder):
        notes.append(
            f"the lease holder {holder} is not a durable execution ARN: its status cannot be "
            "checked, so it is treated as running"
        )
        return busy
    try:
        status = context.step(check_lease_holder(holder), "check-lease-holder", step_config(str))
    except DurableOperationError as failure:
        reason = unavailable_reason(failure.message or failure.error_type)
        notes.append(
            f"the lease holder's status could not be checked ({reason}): treated as running"
        )
        return busy
    if status not in ENDED:
        if status != "RUNNING":
            notes.append(f"the lease holder is {status}: it keeps the stack until it ends")
        return busy
    taken = guarded_step(
        context,
        settings,
        lambda table: take_over_lease(
            table=table,
            stack_id=stack_id,
            execution_arn=context.execution_context.durable_execution_arn,
            ended_holder=holder,
            lease_seconds=lease_seconds,
            ttl_days=settings.history_ttl_days,
        ),
        "take-over-stack-lease",
        Lease,
    )
    if isinstance(taken, NoState):
        notes.append(f"the ended holder's lease could not be taken over: {taken.note}")
        return busy
    if taken.taken:
        ended = "is gone" if status == "NOT_FOUND" else f"ended {status}"
        notes.append(f"took over the stack's lease from {holder}, which {ended}")
    return taken


def extend_held_lease(
    context: DurableContext, settings: StateSettings, stack_id: str, seconds: float
) -> str | None:
    """Before a run waits for a person or executes: its lease must last that and what
    follows it (`seconds` from now). The reason it could not be extended (None: extended)."""
    extended = guarded_step(
        context,
        settings,
        lambda table: extend_lease(
            table, stack_id, context.execution_context.durable_execution_arn, seconds
        ),
        "extend-stack-lease",
        bool,
    )
    if isinstance(extended, NoState):
        return extended.unavailable or None
    return None if extended else "another execution holds the stack's lease now"


def notify_busy_once(
    context: DurableContext, settings: StateSettings, stack_id: str, holder: str
) -> bool:
    """True for the one run that records the long BUSY of `holder` (and notifies it)."""
    marked = guarded_step(
        context,
        settings,
        lambda table: mark_busy_notified(table, stack_id, holder),
        "note-long-busy",
        bool,
    )
    return marked is True
