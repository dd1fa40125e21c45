"""A tiny durable handler used only by the durable service tests.

It exercises every operation the sandbox relies on: a step, a timed wait, a
``wait_for_condition`` poll and a ``wait_for_callback`` that an outside caller
completes with ``SendDurableExecutionCallbackSuccess``. With ``{"fail": true}``
in the event it raises after the step, so the execution ends FAILED.
"""

from __future__ import annotations

import os
from typing import Any

from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
)
from aws_durable_execution_sdk_python.config import Duration, WaitForCallbackConfig
from aws_durable_execution_sdk_python.serdes import JsonSerDes
from aws_durable_execution_sdk_python.types import (
    WaitForCallbackContext,
    WaitForConditionCheckContext,
)
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
)

FAILURE_MESSAGE = "fixture handler was asked to fail"


@durable_step
def greet(_step_context: StepContext, name: str) -> dict[str, str]:
    """The step: proves the handler ran with the service's env vars."""
    return {"greeting": f"hello {name}", "marker": os.environ.get("FIXTURE_MARKER", "")}


def _count_up(state: int, _ctx: WaitForConditionCheckContext) -> int:
    return state + 1


def _until_three(state: int, _attempt: int) -> WaitForConditionDecision:
    if state >= 3:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(1))


def _submit(_callback_id: str, _ctx: WaitForCallbackContext) -> None:
    """Nothing to send: the test finds the callback id in the history."""


@durable_execution
def lambda_handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    greeting = context.step(greet(str(event.get("name", "world"))), name="greet")
    if event.get("fail"):
        raise RuntimeError(FAILURE_MESSAGE)
    context.wait(Duration.from_seconds(1), name="pause")
    polls = context.wait_for_condition(
        _count_up,
        config=WaitForConditionConfig(wait_strategy=_until_three, initial_state=0),
        name="count-up",
    )
    approval = context.wait_for_callback(
        _submit,
        name="approval",
        config=WaitForCallbackConfig(serdes=JsonSerDes()),
    )
    return {"greeting": greeting, "polls": polls, "approval": approval}
