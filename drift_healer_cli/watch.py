"""Start an execution and follow it to its end: finished operations, live progress, summary."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, TextIO

from drift_healer_cli.follow import (
    TERMINAL_STATUSES,
    ExecutionResult,
    fold,
    format_operation,
    history,
)
from drift_healer_cli.live import LiveProgress

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient


def failure_reason(result: ExecutionResult) -> str:
    """Why the execution failed, in the execution's own words: the handler leads its error
    message with the cause (`NOTICE_NOT_PUBLISHED: ...` before the outcome it reports)."""
    error = result.error or {}
    return str(error.get("ErrorMessage") or error.get("ErrorType") or result.status)


def summary_lines(result: ExecutionResult, seconds: float) -> list[str]:
    """The last lines of a followed run: the outcome, or first why the execution failed."""
    record = result.record or {}
    outcome, reason = record.get("Outcome"), record.get("Reason") or ""
    took = f"in {seconds:.1f} s"
    if result.status == "SUCCEEDED":
        return [f"  Outcome: {outcome} ({reason}); execution SUCCEEDED {took}"]
    why = failure_reason(result)
    lines = [f"  Execution {result.status} {took}: {why}"]
    if outcome and not why.startswith(f"{outcome}:"):
        lines.append(f"  Outcome: {outcome} ({reason})")
    return lines


class ExecutionFollower:
    """Polls one execution's history, prints its operations as they finish and shows what
    it is busy with in between (``progress``, see :mod:`drift_healer_cli.live`)."""

    def __init__(self, client: LambdaClient, execution_arn: str, progress: LiveProgress) -> None:
        self._client = client
        self._arn = execution_arn
        self._progress = progress
        self._printed: set[str] = set()

    def _print_new(self) -> None:
        operations = fold(history(self._client, self._arn))
        for op in operations:
            if op.done and op.parent_id is None and op.op_id not in self._printed:
                self._printed.add(op.op_id)
                self._progress.line(format_operation(op))
        self._progress.show(operations)

    def follow(self, timeout: float, interval: float = 0.25) -> ExecutionResult:
        """Print operations until the execution ends; TimeoutError after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            details = self._client.get_durable_execution(DurableExecutionArn=self._arn)
            status = str(details["Status"])
            self._print_new()
            if status in TERMINAL_STATUSES:
                raw = details.get("Result")
                error = details.get("Error")
                return ExecutionResult(
                    status=status,
                    result=json.loads(raw) if raw else None,
                    error=dict(error) if error else None,
                )
            if time.monotonic() >= deadline:
                raise TimeoutError(f"execution {self._arn} still {status} after {timeout:g} s")
            time.sleep(interval)


def invoke_and_follow(
    client: LambdaClient,
    function_arn: str,
    payload: dict[str, Any],
    out: TextIO,
    timeout: float,
    *,
    progress_every: float = 10.0,
) -> ExecutionResult:
    """Start an execution (Lambda Invoke, InvocationType Event), follow it, print the outcome."""
    response = client.invoke(
        FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(payload).encode()
    )
    arn = str(response["DurableExecutionArn"])
    print(f"  Invoke {json.dumps(payload)} -> execution {arn}", file=out, flush=True)
    started = time.monotonic()
    with LiveProgress(out, every_seconds=progress_every) as progress:
        result = ExecutionFollower(client, arn, progress).follow(timeout)
    for line in summary_lines(result, time.monotonic() - started):
        print(line, file=out, flush=True)
    return result
