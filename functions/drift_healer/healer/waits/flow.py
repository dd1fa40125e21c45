"""The three waits (drift detection, change-set creation, change-set execution).

Each look at CloudFormation is one `poll_once`: it reads CloudFormation, records what it saw,
and never raises for an AWS error (research.md: an exception ends the wait at once).

Detection (also used for verification) and execution are waited for in one of two modes
(healer.waits.settings): polling (`wait_for_condition` with growing intervals) or events
(healer.waits.events: a durable callback the relay completes, with a poll on every timeout).
`detect_and_wait` and `execute_and_wait` start the operation themselves, because in event
mode the waiter must be recorded before the operation starts. Change-set creation has no
CloudFormation event and is always polled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.types import WaitForConditionCheckContext
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig
from botocore.exceptions import BotoCoreError, ClientError

from drift_common.errors import describe_error, is_transient
from healer.aws import TypedSerDes, now, steps
from healer.aws import cloudformation as cfn
from healer.model import ChangeSetPoll, DetectionPoll, ExecutionPoll, PollPolicy, PollState, Started
from healer.state import load_state_settings
from healer.waits.decisions import out_of_budget, poll_decision
from healer.waits.events import EventRounds, EventWait, event_wait
from healer.waits.settings import WaitMode, load_wait_settings

S = TypeVar("S", bound=PollState)


def poll_once(state: S, policy: PollPolicy, read: Callable[[S], dict[str, Any]]) -> S:
    """One poll: what `read` saw, or the transient error it hit, plus the time budget."""
    update: dict[str, Any] = {"polls": state.polls + 1, "checked_at": now()}
    try:
        update |= read(state)
    except (ClientError, BotoCoreError) as error:
        if is_transient(error):
            update |= {
                "transient_errors": state.transient_errors + 1,
                "last_transient_error": describe_error(error),
            }
        else:
            update["failure"] = describe_error(error)
    polled = state.model_copy(update=update)
    if not polled.finished and not polled.transient_errors > state.transient_errors:
        polled = polled.model_copy(update={"pending_at": polled.checked_at})  # still running
    return (
        polled.model_copy(update={"timed_out": True}) if out_of_budget(polled, policy) else polled
    )


def _wait(
    context: DurableContext,
    name: str,
    initial: S,
    policy: PollPolicy,
    read: Callable[[S], dict[str, Any]],
) -> S:
    def check(state: S, _: WaitForConditionCheckContext) -> S:
        return poll_once(state, policy, read)

    config = WaitForConditionConfig(
        wait_strategy=lambda state, attempt: poll_decision(state, attempt, policy),
        initial_state=initial,
        serdes=TypedSerDes[S](type(initial)),
    )
    return context.wait_for_condition(check, config, name=name)


# Contexts whose run has had a wait woken by an event (the relay is proven to work). A
# DurableContext lives for one handler invocation, and the replay refills this in flow order
# from each wait's checkpointed result: a later wait's schedule depends on checkpoints only.
_EVENT_DELIVERED: WeakKeyDictionary[DurableContext, bool] = WeakKeyDictionary()


def events_delivered(context: DurableContext) -> bool:
    """An earlier wait of this run was woken by an event."""
    return _EVENT_DELIVERED.get(context, False)


def trust_events(
    context: DurableContext, delivered_at: datetime | None, now: datetime | None
) -> None:
    """An event the relay delivered for this stack recently (the drift state's
    RelayDeliveredAt, checkpointed with the lease) lets this run's waits trust events from
    the first (WaitSettings.trusts_relay; EVENT_TRUST_HOURS)."""
    if load_wait_settings().trusts_relay(delivered_at, now):
        _EVENT_DELIVERED[context] = True


def listener(context: DurableContext, stack_id: str, phase: str) -> EventWait | None:
    """The event wait of `phase`, or None to poll: WAIT_MODE=polling, or no state table.
    Configuration only (the same on every replay), validated when the run starts.

    A stack of another region or account is waited on by events too: the target-account
    template forwards its CloudFormation events to this account's bus. Where that is not
    deployed no event comes, and the wait costs what polling costs: until the relay has
    delivered for the stack, its callback timeouts follow the polling schedule."""
    wait = load_wait_settings()
    table = load_state_settings().state_table_name
    if wait.wait_mode is not WaitMode.EVENTS or table is None:
        return None
    arn = context.execution_context.durable_execution_arn
    return EventWait(
        table=table,
        stack_id=stack_id,
        execution_arn=arn,
        phase=phase,
        settings=wait,
        trusted=events_delivered(context),
    )


class Waited(NamedTuple, Generic[S]):
    """What a wait returns: how the operation started, the last poll, the policy in force."""

    started: Started
    poll: S
    policy: PollPolicy


def await_operation(
    context: DurableContext,
    name: str,
    *,
    start: Callable[[], Started],
    initial: Callable[[Started], S],
    base: PollPolicy,
    deadline: datetime | None,
    read: Callable[[S], dict[str, Any]],
    listen: EventWait | None,
    token: str | None = None,
) -> Waited[S]:
    """Start an operation and wait until it ends, in either mode (one flow for both).

    `token`: the id the relay matches events on when it is known before the start (the
    client request token); otherwise the started operation's id is recorded after it."""

    def poll(state: S, policy: PollPolicy) -> S:
        return poll_once(state, policy, read)

    if listen is None:
        started = start()
        policy = base.until(deadline, started.at)
        return Waited(started, _wait(context, name, initial(started), policy, read), policy)
    rounds = EventRounds(context, name, listen, base)
    first = rounds.callback(base.budget_seconds)
    recorded = rounds.record(first, token, base.budget_seconds)
    started = start()
    policy = base.until(deadline, started.at)
    state = initial(started)
    match_id = token or started.id
    if recorded and token is None:
        recorded = rounds.record(first, match_id, policy.budget_seconds, suffix="-id")
    if not recorded or started.rejection:  # nobody can wake it / nothing will happen
        return Waited(started, _wait(context, name, state, policy, read), policy)

    def fall_back(state: S) -> S:
        return _wait(context, f"{name}-polling", state, policy, read)

    waited = event_wait(
        rounds, state, policy=policy, poll=poll, first=first, match_id=match_id, fall_back=fall_back
    )
    if waited.events:
        _EVENT_DELIVERED[context] = True
    return Waited(started, waited, policy)


def _read_detection(state: DetectionPoll) -> dict[str, Any]:
    status = cfn.read_drift_detection(state.detection_id)
    return {
        "detection_status": status.detection_status,
        "stack_drift_status": status.stack_drift_status,
        "drifted_resource_count": status.drifted_resource_count,
        "reason": status.reason,
    }


def detect_and_wait(
    context: DurableContext,
    stack_id: str,
    *,
    phase: str,
    base: PollPolicy,
    deadline: datetime | None,
) -> Waited[DetectionPoll]:
    """DetectStackDrift (step `start-<phase>`), then wait (`wait-for-<phase>`)."""

    def initial(started: Started) -> DetectionPoll:
        return DetectionPoll(started_at=started.at, checked_at=started.at, detection_id=started.id)

    return await_operation(
        context,
        f"wait-for-{phase}",
        start=lambda: steps.run_start_drift_detection(context, stack_id, f"start-{phase}"),
        initial=initial,
        base=base,
        deadline=deadline,
        read=_read_detection,
        listen=listener(context, stack_id, phase),
    )


def wait_for_change_set(
    context: DurableContext, stack_id: str, started: Started, policy: PollPolicy
) -> ChangeSetPoll:
    def read(state: ChangeSetPoll) -> dict[str, Any]:
        status = cfn.read_change_set(stack_id, state.change_set_id)
        return {
            "status": status.status,
            "execution_status": status.execution_status,
            "reason": status.reason,
        }

    initial = ChangeSetPoll(started_at=started.at, checked_at=started.at, change_set_id=started.id)
    return _wait(context, "wait-for-change-set", initial, policy, read)


def execute_and_wait(
    context: DurableContext,
    stack_id: str,
    *,
    change_set_id: str,
    token: str,
    base: PollPolicy,
    deadline: datetime | None,
) -> Waited[ExecutionPoll]:
    """ExecuteChangeSet with `token` as its ClientRequestToken, then wait.

    Both signals count: the change set's ExecutionStatus and the stack's own status
    (a change set can read EXECUTE_COMPLETE while the stack still cleans up)."""

    def read(state: ExecutionPoll) -> dict[str, Any]:
        change_set = cfn.read_change_set(stack_id, state.change_set_id)
        stack = cfn.read_stack_status(stack_id)
        return {
            "execution_status": change_set.execution_status,
            "stack_status": stack.status,
            "stack_status_reason": stack.reason,
        }

    def initial(started: Started) -> ExecutionPoll:
        return ExecutionPoll(
            started_at=started.at,
            checked_at=started.at,
            change_set_id=started.id,
            execute_rejection=started.rejection,
        )

    return await_operation(
        context,
        "wait-for-execution",
        start=lambda: steps.run_execute_change_set(context, stack_id, change_set_id, token),
        initial=initial,
        base=base,
        deadline=deadline,
        read=read,
        listen=listener(context, stack_id, "execution"),
        token=token,
    )
