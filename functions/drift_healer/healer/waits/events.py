"""Event-driven waits: sleep on a durable callback the relay completes, poll on timeout.

One round of a wait: create a callback, record it in the drift state table (the relay finds
it there by stack ARN and detection id / client request token), then sleep on it. Whatever
wakes it (CloudFormation's event through the relay, or the callback's timeout when an event
was lost or no rule is deployed), the decision is made by a fresh Describe in a step, with
the same `poll_once` the polling mode uses, so budgets, transient errors and TIMED_OUT are
classified alike in both modes.

Ordering, so that no event can slip between two callbacks:
- round 1: callback, record (before the operation starts), start, and for a detection the
  record again with the detection id (known only now; in between, the relay wakes the waiter
  on any detection event of the stack and the Describe decides);
- after an event: Describe first (the operation has almost surely finished); only if it has
  not, a new round (a stale or early event: rare);
- after a timeout: new callback, record it, THEN Describe, then sleep: an event that ends
  the operation after the Describe completes the new callback.

A record that cannot be written (the table unusable) turns the rest of the wait into the
polling wait: nobody could wake the callback.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.exceptions import (
    CallbackError,
    CallbackTimeoutError,
    DurableOperationError,
)
from aws_durable_execution_sdk_python.types import Callback
from botocore.exceptions import BotoCoreError, ClientError

from drift_common.errors import is_transient
from healer.aws import now, step_config
from healer.model import PollPolicy, PollState
from healer.waits import waiter as waiter_records
from healer.waits.settings import WaitSettings

S = TypeVar("S", bound=PollState)
Poll = Callable[[S, PollPolicy], S]  # one Describe, in the caller's own terms (poll_once)


@dataclass(frozen=True)
class EventWait:
    """Where the relay will look for this wait, and how long to sleep between fallbacks."""

    table: str
    stack_id: str
    execution_arn: str
    phase: str  # detection | verification | execution
    settings: WaitSettings
    # An earlier wait of this run was woken by an event: the relay works, the long
    # fallback schedule is safe (WaitSettings.callback_timeout).
    trusted: bool = False


@durable_step
def record_waiter(
    _: StepContext, listen: EventWait, callback_id: str, match_id: str | None, budget: float
) -> bool:
    """True once written; False when the table refused for good (the wait then polls)."""
    try:
        waiter_records.record_waiter(
            listen.table,
            stack_id=listen.stack_id,
            execution_arn=listen.execution_arn,
            phase=listen.phase,
            callback_id=callback_id,
            match_id=match_id,
            expires=now() + timedelta(seconds=budget),
        )
    except (ClientError, BotoCoreError) as error:
        if is_transient(error):
            raise  # the step's retries
        return False
    return True


@durable_step
def check_operation(_: StepContext, state: S, policy: PollPolicy, poll: Poll[S]) -> S:
    return poll(state, policy)


class EventRounds:
    """The rounds of one event-driven wait (orchestration only: every AWS call is a step)."""

    def __init__(
        self, context: DurableContext, name: str, listen: EventWait, polling: PollPolicy
    ) -> None:
        self.context, self.name, self.listen = context, name, listen
        self.polling = polling  # the phase's poll policy: the schedule until events are proven
        self.round = 0
        self.timeout = 0  # seconds, of the latest callback

    def callback(self, remaining: float, elapsed: float = 0.0) -> Callback[Any]:
        """The next round's callback, armed `elapsed` seconds after the operation started."""
        self.round += 1
        fallback = self.listen.settings.callback_timeout(
            self.round, trusted=self.listen.trusted, polling=self.polling, elapsed=elapsed
        )
        self.timeout = max(1, math.ceil(min(fallback, remaining)))
        return self.context.create_callback(
            f"{self.name}-event-{self.round}",
            CallbackConfig(timeout=Duration(seconds=self.timeout)),
        )

    def record(
        self, callback: Callback[Any], match_id: str | None, budget: float, suffix: str = ""
    ) -> bool:
        try:
            return self.context.step(
                record_waiter(self.listen, callback.callback_id, match_id, budget),
                f"{self.name}-listen-{self.round}{suffix}",
                step_config(bool),
            )
        except DurableOperationError:  # retried transient errors: the table is not usable
            return False

    def check(self, state: S, policy: PollPolicy, poll: Poll[S], label: str) -> S:
        return self.context.step(
            check_operation(state, policy, poll),
            f"{self.name}-check-{self.round}{label}",
            step_config(type(state)),
        )


def woken_by_event(callback: Callback[Any]) -> bool:
    """Sleep on the callback (the execution suspends); True when the relay completed it."""
    try:
        callback.result()
    except CallbackTimeoutError:
        return False
    except CallbackError:  # failed or cancelled from outside: the Describe decides anyway
        return True
    return True


def remaining_seconds(state: PollState, policy: PollPolicy) -> float:
    return policy.budget_seconds - state.elapsed_seconds


def event_wait(
    rounds: EventRounds,
    state: S,
    *,
    policy: PollPolicy,
    poll: Poll[S],
    first: Callback[Any],
    match_id: str | None,
    fall_back: Callable[[S], S],
) -> S:
    """Sleep on `first` (recorded, the operation started), then round after round until the
    operation finished, failed, or the budget ran out. `fall_back` finishes the wait by
    polling when a record cannot be written."""
    callback = first
    while True:
        slept = 0.0  # since the latest Describe (its time is the last one checkpointed)
        if woken_by_event(callback):
            woken = state.model_copy(update={"events": state.events + 1})
            state = rounds.check(woken, policy, poll, "-after-event")
            if state.finished:
                return state.model_copy(update={"ended_on": "event"})
        else:
            slept = rounds.timeout
        remaining = remaining_seconds(state, policy) - slept
        if remaining <= 0:  # the budget is spent: this Describe is the last (TIMED_OUT)
            state = rounds.check(state, policy, poll, "-last")
            if state.finished:
                return state.model_copy(update={"ended_on": "poll"})
            remaining = 1.0
        callback = rounds.callback(remaining, state.elapsed_seconds + slept)
        if not rounds.record(callback, match_id, policy.budget_seconds):
            return fall_back(state)
        state = rounds.check(state, policy, poll, "")
        if state.finished:
            return state.model_copy(update={"ended_on": "poll"})
