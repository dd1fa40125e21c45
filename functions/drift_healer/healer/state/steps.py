"""Durable steps of the drift state: one DynamoDB call each, never a reason to fail a run.

Every state failure (table missing or unreachable, throttled past the step's retries,
AccessDenied, a lost lease) comes back as a NoState value whose `note` the notice shows
("state unavailable: ..."), and the run goes on as if stateless. No table configured
(STATE_TABLE_NAME unset) is NoState too, without a step or an AWS call: today's behaviour.

Clock reads happen inside the steps, so the times are checkpointed with the results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.exceptions import DurableOperationError

from healer.aws import step_config
from healer.state import store
from healer.state.decisions import lease_expiry, next_state
from healer.state.items import RunHistory
from healer.state.model import DriftState, Lease, NoState, PendingChangeSet, RunEnd
from healer.state.settings import StateSettings

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


# How botocore words a ClientError (the step's failure message is its str()).
_CLIENT_ERROR = re.compile(
    r"An error occurred \((?P<code>[^)]+)\) when calling the (?P<op>\w+) operation"
    r"(?: \([^)]*\))?: (?P<message>.*)",
    re.DOTALL,
)


def unavailable_reason(message: str) -> str:
    """`Code: message (Operation)` for an AWS error, the message as it is otherwise."""
    match = _CLIENT_ERROR.fullmatch(message.strip())
    if match is None:
        return message
    return f"{match['code']}: {match['message']} ({match['op']})"


def _unavailable(failure: DurableOperationError) -> NoState:
    return NoState.failed(unavailable_reason(failure.message or failure.error_type))


def guarded_step(
    context: DurableContext,
    settings: StateSettings,
    step: Callable[[str], Callable[[StepContext], T]],
    name: str,
    result_type: Any,
) -> T | NoState:
    """Run one state step on the configured table (`step` is made for the table's name). No
    table configured: NoState, without a step or an AWS call. The step's failure is a
    NoState value, never an exception."""
    table = settings.state_table_name
    if table is None:
        return NoState.stateless()
    try:
        return context.step(step(table), name, step_config(result_type))
    except DurableOperationError as failure:
        return _unavailable(failure)


@durable_step
def take_lease(
    _: StepContext,
    *,
    table: str,
    stack_id: str,
    execution_arn: str,
    execution_timeout_seconds: float,
    ttl_days: int,
) -> Lease:
    now = _now()
    expires = lease_expiry(now, execution_timeout_seconds)
    return store.take_lease(
        table, stack_id, execution_arn, now=now, expires=expires, ttl_days=ttl_days
    )


@durable_step
def read_state(_: StepContext, table: str, stack_id: str) -> DriftState | None:
    return store.read_state(table, stack_id)


@durable_step
def save_state(
    _: StepContext,
    *,
    table: str,
    previous: DriftState | None,
    stack_id: str,
    end: RunEnd,
    execution_arn: str,
    ttl_days: int,
    observed: datetime,
) -> DriftState:
    now = _now()
    state = next_state(
        previous,
        stack_id,
        facts=end.facts,
        now=now,
        notice=end.notice,
        notified=end.notified,
        observed=observed,
        phase_seconds=end.phase_seconds,
        relay_delivered=end.relay_delivered,
    )
    store.save_state(table, state, execution_arn, now=now, ttl_days=ttl_days)
    return state


@durable_step
def record_pending_approval(
    _: StepContext, table: str, stack_id: str, execution_arn: str, pending: PendingChangeSet
) -> bool:
    return store.record_pending_approval(table, stack_id, execution_arn, pending)


@durable_step
def release_lease(_: StepContext, table: str, stack_id: str, execution_arn: str) -> bool:
    return store.release_lease(table, stack_id, execution_arn)


@durable_step
def put_history(
    _: StepContext,
    *,
    table: str,
    stack_id: str,
    started: datetime,
    execution_arn: str,
    end: RunEnd,
    ttl_days: int,
) -> str:
    run = RunHistory(
        stack_id=stack_id,
        started=started,
        finished=_now(),
        execution_arn=execution_arn,
        outcome=end.facts.outcome,
        reason=end.reason,
        fingerprint=end.facts.fingerprint,
        drifted_count=end.facts.drifted_count,
        change_set_id=end.facts.change_set_id,
        change_set_name=end.facts.change_set_name,
        notified=end.notified,
        notice_why=end.notice.why.value if end.notice.why else None,
        changes=end.changes,
        healed_paths=end.healed_paths,
        trigger=end.trigger,
        accepted=end.accepted,
    )
    return store.put_history(table, run, ttl_days)


# --- how the flow calls them ------------------------------------------------------------------


def run_take_lease(
    context: DurableContext,
    settings: StateSettings,
    stack_id: str,
    execution_timeout_seconds: float,
) -> Lease | NoState:
    """The first step after describe-stack (the key is the stack ARN). Lease.taken False
    means BUSY (Lease.holder names the other execution). Lease.at is this run's "now" for
    its decisions; Lease.previous the state before the run (None on a stack's first run)."""
    return guarded_step(
        context,
        settings,
        lambda table: take_lease(
            table=table,
            stack_id=stack_id,
            execution_arn=context.execution_context.durable_execution_arn,
            execution_timeout_seconds=execution_timeout_seconds,
            ttl_days=settings.history_ttl_days,
        ),
        "take-stack-lease",
        Lease,
    )


def run_read_state(
    context: DurableContext, settings: StateSettings, stack_id: str
) -> DriftState | NoState | None:
    """The stack's state item without taking the lease (None: never seen)."""
    return guarded_step(
        context,
        settings,
        lambda table: read_state(table, stack_id),
        "read-drift-state",
        DriftState | None,
    )


def run_save_state(
    context: DurableContext,
    settings: StateSettings,
    lease: Lease | NoState,
    stack_id: str,
    end: RunEnd,
) -> DriftState | NoState:
    """The last step of a run that holds the lease: writes the state and releases the lease
    in one PutItem. Nothing is written without the lease (BUSY, or the state was unavailable
    at the start: the previous state is unknown and a write would lose it)."""
    if isinstance(lease, NoState):
        return lease
    if not lease.taken:
        return NoState.failed(f"not written: the lease is held by {lease.holder}")
    return guarded_step(
        context,
        settings,
        lambda table: save_state(
            table=table,
            previous=lease.previous,
            stack_id=stack_id,
            end=end,
            observed=lease.at,
            execution_arn=context.execution_context.durable_execution_arn,
            ttl_days=settings.history_ttl_days,
        ),
        "save-drift-state",
        DriftState,
    )


def run_record_pending_approval(
    context: DurableContext,
    settings: StateSettings,
    lease: Lease | NoState,
    stack_id: str,
    pending: PendingChangeSet,
) -> bool | NoState:
    """While a run waits for a decision: the approval it asked for, in the state item (a run
    that finds the lease held then names it). Only with the lease; never raises."""
    if isinstance(lease, NoState) or not lease.taken:
        return False
    return guarded_step(
        context,
        settings,
        lambda table: record_pending_approval(
            table,
            stack_id,
            context.execution_context.durable_execution_arn,
            pending,
        ),
        "record-pending-approval",
        bool,
    )


def run_release_lease(
    context: DurableContext, settings: StateSettings, lease: Lease | NoState, stack_id: str
) -> bool | NoState:
    """Only for a run that ends without run_save_state (which releases the lease itself)."""
    if isinstance(lease, NoState) or not lease.taken:
        return False
    return guarded_step(
        context,
        settings,
        lambda table: release_lease(
            table,
            stack_id,
            context.execution_context.durable_execution_arn,
        ),
        "release-stack-lease",
        bool,
    )


def run_put_history(
    context: DurableContext,
    settings: StateSettings,
    lease: Lease | NoState,
    stack_id: str,
    end: RunEnd,
) -> str | NoState:
    """One history item per run (BUSY runs too), keyed by the run's start (Lease.at). With
    the state unavailable at the start there is no checkpointed start: nothing is written."""
    if isinstance(lease, NoState):
        return lease
    return guarded_step(
        context,
        settings,
        lambda table: put_history(
            table=table,
            stack_id=stack_id,
            started=lease.at,
            execution_arn=context.execution_context.durable_execution_arn,
            end=end,
            ttl_days=settings.history_ttl_days,
        ),
        "put-run-history",
        str,
    )
