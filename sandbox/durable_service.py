"""A local AWS Lambda durable execution service for the sandbox (no Docker, no AWS).

Two pieces, both on 127.0.0.1 with free ports:

* ``dex-local-runner start-server`` (aws-durable-execution-sdk-python-testing), run as a
  subprocess with dummy credentials: the real durable execution APIs (``/2025-12-01/...``)
  and the scheduler that drives executions. It runs the handler by calling Lambda
  ``Invoke`` on ``--lambda-endpoint``, which is
* the front door (:mod:`sandbox.lambda_front_door`), in this process: it runs those handler
  invocations in-process, starts executions for a user's ``Invoke``, and proxies every
  other durable API to dex-local-runner. ``endpoint_url`` is the front door, so one
  ``boto3.client("lambda", endpoint_url=svc.endpoint_url)`` does everything a user does.

Usage::

    svc = DurableService.start(handler="app.lambda_handler", handler_path="functions/x",
                               function_name="drift-healer", env={...}, skip_time=True)
    arn = svc.invoke({"StackName": "demo"})
    svc.wait_for_result(arn)     # {"Status": ..., "Result": ..., "Error": ...}
    svc.stop()
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config

from sandbox.inprocess_handler import FunctionIdentity, InProcessHandler
from sandbox.lambda_front_door import TERMINAL_STATUSES, FrontDoor, FrontDoorConfig

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_lambda.type_defs import GetDurableExecutionResponseTypeDef

logger = logging.getLogger(__name__)

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DurableService:
    """A running local durable execution service. Create it with :meth:`start`."""

    def __init__(
        self,
        *,
        front_door: FrontDoor,
        process: subprocess.Popen[bytes],
        workdir: Path,
        dex_endpoint_url: str,
        function: FunctionIdentity,
    ) -> None:
        self._front_door = front_door
        self.runner = front_door.runner
        self._process = process
        self._workdir = workdir
        self._function = function
        self._stopped = False
        self.dex_endpoint_url = dex_endpoint_url
        self.endpoint_url = f"http://127.0.0.1:{front_door.port}"
        self.function_name = function.name
        self.region = function.region
        self.function_arn = f"{function.arn}:{function.alias}"
        self.log_path = workdir / "dex-local-runner.log"
        self._client: LambdaClient | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        handler: str,
        handler_path: str | os.PathLike[str] | None = None,
        function_name: str = "drift-healer",
        env: Mapping[str, str] | None = None,
        skip_time: bool = True,
        *,
        alias: str = "live",
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        execution_timeout: int = 3600,
        invocation_timeout: int = 300,
        sync_invoke_timeout: float = 900.0,
        store: Literal["memory", "sqlite"] = "memory",
        startup_timeout: float = 30.0,
    ) -> DurableService:
        """Start dex-local-runner and the front door; return once both answer.

        ``handler`` is ``"module.attr"``, imported in-process after ``handler_path`` is put
        on ``sys.path``. ``env`` is set around each handler invocation (and the import).
        ``skip_time`` skips durable waits (tests); ``False`` waits for real (demos).
        ``store="sqlite"`` keeps executions in a sqlite file in the service's temp dir.
        """
        function = FunctionIdentity(
            name=function_name, region=region, account_id=account_id, alias=alias
        )
        dex_port = _free_port()
        dex_url = f"http://127.0.0.1:{dex_port}"
        runner = InProcessHandler(
            handler=handler,
            handler_path=os.fspath(handler_path) if handler_path is not None else None,
            function=function,
            env=dict(env or {}),
            checkpoint_endpoint=dex_url,
            invocation_timeout=float(invocation_timeout),
        )
        front_door = FrontDoor(
            FrontDoorConfig(
                function=function,
                dex_host="127.0.0.1",
                dex_port=dex_port,
                execution_timeout_seconds=execution_timeout,
                sync_invoke_timeout=sync_invoke_timeout,
            ),
            runner,
        )
        # The handler checkpoints through the front door, which keeps what the history of
        # dex-local-runner leaves out (sandbox.retry_payloads) and forwards the rest.
        runner.checkpoint_endpoint = f"http://127.0.0.1:{front_door.port}"
        try:
            runner.load()
        except BaseException:
            front_door.stop()
            raise
        front_door.start()
        workdir = Path(tempfile.mkdtemp(prefix="durable-service-"))
        try:
            process = cls._spawn_dex(
                workdir=workdir,
                port=dex_port,
                lambda_endpoint=f"http://127.0.0.1:{front_door.port}",
                region=region,
                skip_time=skip_time,
                store=store,
                execution_timeout=execution_timeout,
                invocation_timeout=invocation_timeout,
            )
        except BaseException:
            front_door.stop()
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        service = cls(
            front_door=front_door,
            process=process,
            workdir=workdir,
            dex_endpoint_url=dex_url,
            function=function,
        )
        atexit.register(service.stop)
        try:
            service._wait_until_ready(startup_timeout)
        except BaseException:
            service.stop()
            raise
        return service

    @staticmethod
    def _spawn_dex(
        *,
        workdir: Path,
        port: int,
        lambda_endpoint: str,
        region: str,
        skip_time: bool,
        store: str,
        execution_timeout: int,
        invocation_timeout: int,
    ) -> subprocess.Popen[bytes]:
        args = [
            sys.executable,
            "-m",
            "aws_durable_execution_sdk_python_testing.cli",
            "start-server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lambda-endpoint",
            lambda_endpoint,
            "--local-runner-endpoint",
            f"http://127.0.0.1:{port}",
            "--local-runner-region",
            region,
            "--store-type",
            store,
            "--execution-timeout",
            str(execution_timeout),
            "--invocation-timeout",
            str(invocation_timeout),
            "--skip-time" if skip_time else "--no-skip-time",
        ]
        if store == "sqlite":
            args += ["--store-path", str(workdir / "executions.db")]
        child_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "DURABLE_"))
        }
        child_env |= DUMMY_CREDENTIALS | {"AWS_DEFAULT_REGION": region, "AWS_REGION": region}
        child_env["PYTHONUNBUFFERED"] = "1"
        with (workdir / "dex-local-runner.log").open("wb") as log:
            return subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env,
                cwd=workdir,
                start_new_session=True,
            )

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"dex-local-runner exited with code {self._process.returncode}:\n"
                    + self.log_tail()
                )
            try:
                with urllib.request.urlopen(f"{self.dex_endpoint_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"dex-local-runner did not answer within {timeout:g}s:\n" + self.log_tail()
                )
            time.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines dex-local-runner wrote (for error messages)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop dex-local-runner and the front door. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._front_door.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)

    @property
    def running(self) -> bool:
        """True while dex-local-runner is alive and :meth:`stop` was not called."""
        return not self._stopped and self._process.poll() is None

    def __enter__(self) -> DurableService:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- convenience (a user's boto3 client against the front door) ----------------------------

    def lambda_client(self) -> LambdaClient:
        """A boto3 Lambda client aimed at the front door, with dummy credentials."""
        return boto3.client(
            "lambda",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 2}, read_timeout=120),
        )

    def _shared_client(self) -> LambdaClient:
        if self._client is None:
            self._client = self.lambda_client()
        return self._client

    def invoke(self, payload: dict[str, Any], *, execution_name: str | None = None) -> str:
        """Start an execution (asynchronous ``Invoke`` of the alias); return its ARN."""
        kwargs: dict[str, Any] = {
            "FunctionName": self.function_arn,
            "InvocationType": "Event",
            "Payload": json.dumps(payload).encode(),
        }
        if execution_name is not None:
            kwargs["DurableExecutionName"] = execution_name
        response = self._shared_client().invoke(**kwargs)
        return str(response["DurableExecutionArn"])

    def describe(self, execution_arn: str) -> GetDurableExecutionResponseTypeDef:
        """``GetDurableExecution`` for one execution."""
        return self._shared_client().get_durable_execution(DurableExecutionArn=execution_arn)

    def wait_for_result(self, execution_arn: str, timeout: float = 60) -> dict[str, Any]:
        """Poll until the execution ends; return ``{"Status", "Result", "Error"}``.

        ``Result`` is the parsed JSON result (or None), ``Error`` the ErrorObject (or None).
        Raises TimeoutError if it is still running after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            details = self.describe(execution_arn)
            status = str(details["Status"])
            if status in TERMINAL_STATUSES:
                raw = details.get("Result")
                return {
                    "Status": status,
                    "Result": json.loads(raw) if raw else None,
                    "Error": details.get("Error"),
                }
            if time.monotonic() >= deadline:
                raise TimeoutError(f"execution {execution_arn} still {status} after {timeout:g}s")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
