"""Running a fleet on this machine: the fleet and healer functions in-process.

The local durable service the other commands use serves one function and has no chained
invokes, so a fleet runs in the durable testing SDK's runner instead (the same SDK code
path as Lambda: every stack is its own durable execution, `context.invoke`d by the fleet),
against whatever AWS the environment points at (the sandbox, or an account).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sandbox.functions import FLEET, HEALER
from sandbox.inprocess_handler import ENV_LOCK, patched_environ

HEALER_NAME = "drift-healer:live"
FLEET_NAME = "drift-healer-fleet:live"


@dataclass
class Progress:
    """What the stacks' executions are doing: done per outcome, running."""

    done: Counter[str] = field(default_factory=Counter)
    running: int = 0
    batches_running: int = 0
    finished: bool = False
    invocations: int = 0  # handler invocations of the stacks' executions

    @property
    def done_count(self) -> int:
        return sum(self.done.values())


def _outcome(execution: Any) -> str:
    result = execution.result
    if result is None:
        return "UNKNOWN"
    payload = result.result if result.result else (result.error.data if result.error else None)
    try:
        record = json.loads(payload) if payload else {}
    except ValueError:
        record = {}
    return str(record.get("Outcome") or ("INVOKE_FAILED" if result.error else "UNKNOWN"))


def progress_of(executions: list[Any], top_arn: str) -> Progress:
    progress = Progress()
    for execution in executions:
        name = execution.start_input.function_name
        if execution.durable_execution_arn == top_arn:
            progress.finished = bool(execution.is_complete)
        elif (
            name == HEALER_NAME.split(":", maxsplit=1)[0]
        ):  # children are named without the qualifier
            if execution.is_complete:
                progress.done[_outcome(execution)] += 1
            else:
                progress.running += 1
        elif not execution.is_complete:
            progress.batches_running += 1
    return progress


def _import_handlers() -> tuple[Any, Any]:
    return HEALER.load(), FLEET.load()


@dataclass
class FleetOutcome:
    digest: dict[str, Any] | None
    error: str | None
    progress: Progress
    seconds: float


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    # On a terminal EMF blobs and JSON log lines are noise (the digest says it all); the
    # caller's environment may still ask for them.
    quiet = {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}
    values = quiet | dict(env)
    values |= {"HEALER_FUNCTION_ARN": HEALER_NAME, "FLEET_FUNCTION_ARN": FLEET_NAME}
    with ENV_LOCK, patched_environ(values):
        yield


def run_fleet(
    event: dict[str, Any],
    env: Mapping[str, str],
    *,
    skip_time: bool,
    on_progress: Callable[[Progress], None] = lambda _: None,
    timeout: float = 3600,
    every: float = 0.5,
) -> FleetOutcome:
    """Run one fleet execution to its end; `on_progress` is called every `every` seconds."""
    from aws_durable_execution_sdk_python_testing.runner import (  # noqa: PLC0415 - slow import
        DurableFunctionTestRunner,
    )

    began = time.monotonic()
    with _environment(env):
        healer, fleet = _import_handlers()
        invocations = [0]
        lock = threading.Lock()

        def counted_healer(event: Any, context: Any) -> Any:
            with lock:
                invocations[0] += 1
            return healer(event, context)

        # The environment is process-wide: held for the whole run (handlers read it per call).
        with DurableFunctionTestRunner(handler=fleet, skip_time=skip_time) as runner:
            runner.register_durable_function(
                HEALER_NAME, counted_healer, execution_timeout=int(timeout)
            )
            runner.register_durable_function(FLEET_NAME, fleet, execution_timeout=int(timeout))
            arn = runner.run_async(
                input=json.dumps(event),
                execution_timeout=int(timeout),
                function_name=FLEET_NAME,
                execution_name=f"fleet-{int(time.time())}",
            )
            store = runner._store  # the runner lists no executions otherwise
            stop = threading.Event()
            progress = Progress()
            while not stop.wait(every):
                progress = progress_of(store.list_all(), arn)
                progress.invocations = invocations[0]
                on_progress(progress)
                if progress.finished or time.monotonic() - began > timeout:
                    break
            top = store.load(arn)
    result = top.result
    digest: dict[str, Any] | None = None
    error: str | None = None
    if result is not None and result.result:
        digest = json.loads(result.result)
    elif result is not None and result.error is not None:
        error = result.error.message
    else:
        error = f"the fleet did not finish within {timeout:.0f} s"
    return FleetOutcome(digest, error, progress, time.monotonic() - began)
