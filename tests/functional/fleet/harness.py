"""Running the fleet function in the durable testing SDK with a stubbed healer."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
)
from aws_durable_execution_sdk_python.exceptions import DurableOperationError
from aws_durable_execution_sdk_python_testing.runner import (
    DurableFunctionTestResult,
    DurableFunctionTestRunner,
)

from fleet.handler import lambda_handler as fleet_handler

HEALER = "drift-healer:live"
FLEET = "drift-healer-fleet:live"


class StubHealingFailedError(DurableOperationError):
    """Like the healer's HealingFailedError: the record rides in `data`."""


@dataclass
class StubHealer:
    """A durable healer answering by stack name: *-drifted heals, *-broken fails, else in sync.
    `reason` replaces the reason of held and failed stacks."""

    started: Counter[str] = field(default_factory=Counter)
    reason: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> Callable[..., Any]:
        stub = self

        @durable_step
        def count(_: StepContext, key: str) -> bool:
            with stub.lock:
                stub.started[key] += 1
            return True

        @durable_execution
        def healer(event: Any, context: DurableContext) -> dict[str, Any]:
            key = f"{event.get('AccountId', 'home')}/{event.get('Region', 'home')}/{event['StackName']}"
            context.step(count(key), name="count")
            with stub.lock:
                stub.events.append(event)
            name = event["StackName"]
            record = {
                "StackName": name,
                "Outcome": "IN_SYNC",
                "Reason": "no drift",
                "DriftedResourceCount": 0,
            }
            if name.endswith("-drifted"):
                record |= {
                    "Outcome": "HEALED",
                    "Reason": "healed",
                    "DriftedResourceCount": 2,
                    "DriftFirstSeen": "2026-11-20T00:00:00+00:00",
                }
            if name.endswith("-review"):
                record |= {
                    "Outcome": "REVIEW_REQUIRED",
                    "Reason": stub.reason or "review mode",
                    "DriftedResourceCount": 1,
                }
            if name.endswith("-broken"):
                raise StubHealingFailedError(
                    "EXECUTION_FAILED: the update failed",
                    data=json.dumps(
                        record
                        | {
                            "Outcome": "EXECUTION_FAILED",
                            "Reason": stub.reason or "the update failed",
                            "DriftedResourceCount": 1,
                        }
                    ),
                )
            return record

        return healer


@dataclass(frozen=True)
class ExecutionSize:
    """What one durable execution of the run wrote."""

    arn: str
    operations: int
    largest_update_bytes: int  # one operation update's JSON (a checkpoint carries >= 1)
    input_bytes: int


@dataclass
class FleetRun:
    result: DurableFunctionTestResult
    executions: list[ExecutionSize]

    @property
    def digest(self) -> dict[str, Any]:
        if self.result.result is None:
            raise AssertionError(f"the fleet failed: {self.result.error}")
        return json.loads(self.result.result)  # type: ignore[no-any-return]


def _size(execution: Any) -> ExecutionSize:
    largest = max((len(json.dumps(u.to_dict())) for u in execution.updates), default=0)
    return ExecutionSize(
        arn=execution.durable_execution_arn,
        operations=len(execution.operations),
        largest_update_bytes=largest,
        input_bytes=len(execution.start_input.input or ""),
    )


def run_fleet(event: dict[str, Any], stub: StubHealer, timeout: int = 3000) -> FleetRun:
    with DurableFunctionTestRunner(handler=fleet_handler, skip_time=True) as runner:
        runner.register_durable_function(HEALER, stub.handler(), execution_timeout=300)
        runner.register_durable_function(FLEET, fleet_handler, execution_timeout=3000)
        result = runner.run(input=json.dumps(event), execution_timeout=timeout)
        executions = [_size(e) for e in runner._store.list_all()]  # the runner lists no executions
    return FleetRun(result, executions)


def page_stacks(stacks: list[dict[str, Any]], page_size: int = 100) -> Iterator[dict[str, Any]]:
    for start in range(0, len(stacks), page_size):
        yield {"Stacks": stacks[start : start + page_size]}


class FakeCloudFormation:
    """DescribeStacks over a list, `page_size` stacks a page (NextToken: the page number)."""

    def __init__(self, stacks: list[dict[str, Any]], page_size: int = 100) -> None:
        self.pages = list(page_stacks(stacks, page_size))
        self.calls = 0

    def describe_stacks(self, NextToken: str | None = None) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        index = int(NextToken or 0)
        page = dict(self.pages[index]) if self.pages else {"Stacks": []}
        if index + 1 < len(self.pages):
            page["NextToken"] = str(index + 1)
        return page
