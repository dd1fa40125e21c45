"""Running a durable handler in this process, the way Lambda would invoke it.

The front door hands each dex-local-runner invocation to `InProcessHandler`: the handler is
imported once, its environment variables are set around each invocation, and its SDK
checkpoints to dex-local-runner through a client that travels with the event (so a user's
Lambda client in the same process is unaffected).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from aws_durable_execution_sdk_python.execution import (
    DurableExecutionInvocationInput,
    DurableExecutionInvocationInputWithClient,
)
from aws_durable_execution_sdk_python.lambda_service import LambdaClient
from botocore.config import Config

from sandbox.functions import COMMON_LAYER

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FunctionIdentity:
    """The one function this front door serves."""

    name: str
    region: str
    account_id: str
    alias: str

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"

    def parse(self, identifier: str, qualifier: str | None = None) -> tuple[str, str | None]:
        """Split a FunctionName (name, name:qualifier, full or partial ARN) into both parts."""
        parts = identifier.split(":")
        if identifier.startswith("arn:"):
            parts = parts[6:]  # arn:aws:lambda:region:account:function:NAME[:QUALIFIER]
        elif len(parts) >= 3 and parts[1] == "function":
            parts = parts[2:]  # account:function:NAME[:QUALIFIER]
        name = parts[0] if parts else ""
        found = parts[1] if len(parts) > 1 else None
        return name, qualifier or found

    def accepts(self, name: str, qualifier: str | None) -> bool:
        if name != self.name:
            return False
        return qualifier in (None, "$LATEST", self.alias) or qualifier.isdigit()


# The process environment is global: every in-process handler invocation (of any service in
# this process) mutates it, so they all take this lock.
ENV_LOCK = threading.Lock()


@contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` and restore the previous values afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@dataclass
class LocalLambdaContext:
    """The Lambda context object handed to the handler (the attributes Lambda provides)."""

    aws_request_id: str
    function_name: str
    invoked_function_arn: str
    deadline: float
    function_version: str = "$LATEST"
    memory_limit_in_mb: str = "128"
    log_group_name: str | None = None
    log_stream_name: str | None = None
    tenant_id: str | None = None
    client_context: Any = None
    identity: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))

    def log(self, msg: str) -> None:
        sys.stdout.write(msg)


@dataclass
class InProcessHandler:
    """Runs the durable handler in this process, one invocation at a time.

    The handler's SDK checkpoints through ``checkpoint_client`` (a boto3 Lambda client aimed
    at dex-local-runner). It is handed over inside the event, as the testing SDK's own
    in-process invoker does, instead of through ``AWS_ENDPOINT_URL_LAMBDA``: the SDK caches
    its env-built client for the life of the process (``LambdaClient.initialize_client``),
    and that variable would also redirect a user's Lambda client in the same process.
    """

    handler: str
    handler_path: str | None
    function: FunctionIdentity
    env: Mapping[str, str]
    checkpoint_endpoint: str
    invocation_timeout: float = 900.0
    # Called with every invocation's envelope before the handler runs (benchmarks count
    # invocations and the operations each one replays).
    observers: list[Callable[[DurableExecutionInvocationInput], None]] = field(default_factory=list)
    _func: Callable[[Any, Any], Any] | None = field(default=None, init=False, repr=False)
    _checkpoint: LambdaClient | None = field(default=None, init=False, repr=False)

    def handler_env(self) -> dict[str, str]:
        fn = self.function
        base = {
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        }
        if not os.environ.get("AWS_ACCESS_KEY_ID") and "AWS_ACCESS_KEY_ID" not in self.env:
            base |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        return base | dict(self.env)

    def load(self) -> None:
        """Import the handler (with its env set, as module code may read it)."""
        # The common layer is on every function's path, as /opt/python is in Lambda.
        for path in (
            str(COMMON_LAYER),
            *([str(Path(self.handler_path).resolve())] if self.handler_path else []),
        ):
            if path not in sys.path:
                sys.path.insert(0, path)
        module_name, _, attr = self.handler.rpartition(".")
        if not module_name:
            raise ValueError(f"handler must be 'module.attr', got {self.handler!r}")
        with ENV_LOCK, patched_environ(self.handler_env()):
            func = getattr(importlib.import_module(module_name), attr)
            client = boto3.client(
                "lambda",
                endpoint_url=self.checkpoint_endpoint,
                region_name=self.function.region,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=Config(connect_timeout=5, read_timeout=50, retries={"max_attempts": 3}),
            )
        if not callable(func):
            raise TypeError(f"{self.handler} is not callable")
        self._func = func
        self._checkpoint = LambdaClient(client=client)

    def invoke(self, body: bytes, qualifier: str | None) -> tuple[bytes, str | None]:
        """One handler invocation: the output payload and Lambda's FunctionError, if any."""
        if self._func is None or self._checkpoint is None:
            raise RuntimeError("InProcessHandler.load() was not called")
        fn = self.function
        invoked = f"{fn.arn}:{qualifier}" if qualifier else fn.arn
        context = LocalLambdaContext(
            aws_request_id=str(uuid.uuid4()),
            function_name=fn.name,
            invoked_function_arn=invoked,
            deadline=time.monotonic() + self.invocation_timeout,
        )
        try:
            envelope = DurableExecutionInvocationInput.from_json_dict(json.loads(body))
            for observe in self.observers:
                observe(envelope)
            with_client = DurableExecutionInvocationInputWithClient
            event = with_client.from_durable_execution_invocation_input(envelope, self._checkpoint)
            with ENV_LOCK, patched_environ(self.handler_env()):
                output = self._func(event, context)
            return json.dumps(output).encode(), None
        except Exception as exc:
            logger.exception("durable handler %s raised", self.handler)
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_exception(exc),
            }
            return json.dumps(error).encode(), "Unhandled"
