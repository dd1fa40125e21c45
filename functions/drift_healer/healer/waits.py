"""The three waits (drift detection, change-set creation, change-set execution).

Each poll is one `wait_for_condition` check: it reads CloudFormation, records what it saw,
and never raises for an AWS error (research.md: an exception ends the wait at once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.types import WaitForConditionCheckContext
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig
from botocore.exceptions import BotoCoreError, ClientError

from healer import cloudformation as cfn
from healer.aws_errors import describe_error, is_transient
from healer.durable import TypedSerDes
from healer.polling import (
    ChangeSetPoll,
    DetectionPoll,
    ExecutionPoll,
    PollState,
    out_of_budget,
    poll_decision,
)
from healer.settings import PollPolicy
from healer.steps import Started, now

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


def _read_detection(state: DetectionPoll) -> dict[str, Any]:
    status = cfn.read_drift_detection(state.detection_id)
    return {
        "detection_status": status.detection_status,
        "stack_drift_status": status.stack_drift_status,
        "drifted_resource_count": status.drifted_resource_count,
        "reason": status.reason,
    }


def wait_for_drift_detection(
    context: DurableContext, started: Started, policy: PollPolicy, name: str
) -> DetectionPoll:
    initial = DetectionPoll(started_at=started.at, checked_at=started.at, detection_id=started.id)
    return _wait(context, name, initial, policy, _read_detection)


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


def wait_for_execution(
    context: DurableContext, stack_id: str, started: Started, policy: PollPolicy
) -> ExecutionPoll:
    """Both signals count: the change set's ExecutionStatus and the stack's own status
    (a change set can read EXECUTE_COMPLETE while the stack still cleans up)."""

    def read(state: ExecutionPoll) -> dict[str, Any]:
        change_set = cfn.read_change_set(stack_id, state.change_set_id)
        stack = cfn.read_stack_status(stack_id)
        return {
            "execution_status": change_set.execution_status,
            "stack_status": stack.status,
            "stack_status_reason": stack.reason,
        }

    initial = ExecutionPoll(
        started_at=started.at,
        checked_at=started.at,
        change_set_id=started.id,
        execute_rejection=started.rejection,
    )
    return _wait(context, "wait-for-execution", initial, policy, read)
