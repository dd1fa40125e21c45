"""Durable-execution plumbing: typed checkpoint serialisation and the step retry policy."""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

from aws_durable_execution_sdk_python.config import Duration, StepConfig, StepSemantics
from aws_durable_execution_sdk_python.exceptions import StepInterruptedError
from aws_durable_execution_sdk_python.retries import RetryDecision
from aws_durable_execution_sdk_python.serdes import SerDes, SerDesContext
from pydantic import TypeAdapter

from drift_common.errors import is_transient

T = TypeVar("T")

MAX_STEP_ATTEMPTS = 6


class TypedSerDes(SerDes[T], Generic[T]):
    """Checkpoints a step result as JSON and reads it back as the same pydantic type."""

    def __init__(self, kind: Any) -> None:
        self._adapter: TypeAdapter[T] = TypeAdapter(kind)

    def serialize(self, value: T, serdes_context: SerDesContext) -> str:
        return self._dump(value)

    def _dump(self, value: T) -> str:
        # pydantic writes UTF-8 as it is (not ensure_ascii): an emoji is one character here.
        return self._adapter.dump_json(value).decode()

    def checkpoint_bytes(self, value: T) -> int:
        """The bytes `value` takes in its checkpoint, which is what the 256 KB limit counts
        (the SDK's CHECKPOINT_SIZE_LIMIT_BYTES): the serialized string inside the checkpoint
        request's JSON, escaped as the SDK itself measures an operation update
        (`json.dumps(...).encode()`: non-ASCII as \\u escapes, 12 bytes an emoji, quotes and
        backslashes doubled). A checkpoint that does not fit does not fail the step: the
        invocation hangs. So this measure errs large, never small."""
        return len(json.dumps(self._dump(value)).encode())

    def deserialize(self, data: str, serdes_context: SerDesContext) -> T:
        return self._adapter.validate_json(data)


def retry_decision(
    error: Exception,
    attempts_made: int,
    *,
    retry_interrupted: bool = False,
    max_attempts: int = MAX_STEP_ATTEMPTS,
) -> RetryDecision:
    """Retry throttling, 5xx and connection errors with capped backoff; fail fast otherwise.

    botocore's standard mode has already retried inside the attempt; this covers longer
    outages. Deterministic delays (no jitter) keep the decision a pure function.
    An interrupted at-most-once attempt (StepInterruptedError) is retried only where the call
    is idempotent (`retry_interrupted`); otherwise the call may have gone through and running
    the side effect twice is worse than reporting it.
    """
    if attempts_made >= max_attempts:
        return RetryDecision.no_retry()
    interrupted = isinstance(error, StepInterruptedError)
    if (interrupted and not retry_interrupted) or (not interrupted and not is_transient(error)):
        return RetryDecision.no_retry()
    return RetryDecision.retry(Duration(seconds=min(5 * 2 ** (attempts_made - 1), 60)))


def step_config(
    result_type: Any,
    *,
    at_most_once: bool = False,
    retry_interrupted: bool = False,
    max_attempts: int = MAX_STEP_ATTEMPTS,
) -> StepConfig:
    def retry_strategy(error: Exception, attempts_made: int) -> RetryDecision:
        return retry_decision(
            error, attempts_made, retry_interrupted=retry_interrupted, max_attempts=max_attempts
        )

    return StepConfig(
        retry_strategy=retry_strategy,
        step_semantics=(
            StepSemantics.AT_MOST_ONCE_PER_RETRY
            if at_most_once
            else StepSemantics.AT_LEAST_ONCE_PER_RETRY
        ),
        serdes=TypedSerDes[Any](result_type),
    )
