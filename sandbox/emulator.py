"""Public entry point of the local AWS sandbox.

    sb = AwsSandbox.start(port=0)   # moto server on 127.0.0.1 with drift-capable CloudFormation
    boto3.client("cloudformation", endpoint_url=sb.endpoint_url, region_name=sb.region, ...)
    sb.timing.detection = Phase(seconds=0, min_polls=2)
    sb.faults.set("*", throttle_rate=0.3); sb.faults.seed(1234)
    sb.reset(); sb.stop()

moto keeps its state per process, so all sandboxes of one process share it: start one.
The HTTP control API is documented in ``sandbox.cloudformation.control``.
"""

from __future__ import annotations

import errno
import json
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from sandbox.clients import client
from sandbox.cloudformation import install
from sandbox.cloudformation.control import ControlApp
from sandbox.cloudformation.eventbridge import EventBus
from sandbox.cloudformation.faults import Faults
from sandbox.cloudformation.patches import advance_all
from sandbox.cloudformation.store import STATE, find_stack_anywhere
from sandbox.cloudformation.timing import Phase, Timing
from sandbox.durable_executions import EXECUTIONS, DurableExecutions, DurableExecutionsApp
from sandbox.dynamodb import FAULTS as DYNAMODB_FAULTS
from sandbox.dynamodb import DynamoFaults
from sandbox.dynamodb import install as install_dynamodb
from sandbox.sns import FAULTS as SNS_FAULTS
from sandbox.sns import SnsFaults
from sandbox.sns import install as install_sns
from sandbox.sts import FAULTS as STS_FAULTS
from sandbox.sts import StsFaults
from sandbox.sts import install as install_sts

__all__ = ["AwsSandbox", "Phase", "PortInUseError"]

_TICK_SECONDS = 0.05


class _QuietHandler(MotoRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        """No access log lines on stderr."""


class PortInUseError(OSError):
    """The sandbox's port is taken by another program."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            errno.EADDRINUSE,
            f"port {port} on {host} is in use by another program (another sandbox?)",
        )
        self.port = port


def _check_port_free(host: str, port: int) -> None:
    """Raise PortInUseError now rather than let werkzeug print and end its thread."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug binds
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(host, port) from None
            raise


class _Server(ThreadedMotoServer):
    """moto's ThreadedMotoServer with the control API in front of moto's app.

    moto's start() waits for a ready event that is never set when binding fails (werkzeug
    calls sys.exit in the server thread): the failure is kept and start() raises it.
    """

    def __init__(self, host: str, port: int, sandbox: AwsSandbox) -> None:
        super().__init__(ip_address=host, port=port, verbose=False)
        self._sandbox = sandbox
        self.startup_error: BaseException | None = None

    def _server_entry(self) -> None:
        moto_app = DomainDispatcherApplication(create_backend_app)
        app = ControlApp(DurableExecutionsApp(moto_app, EXECUTIONS), self._sandbox)
        try:
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=_QuietHandler
            )
        except (OSError, SystemExit) as error:  # werkzeug: print, then sys.exit(1)
            self.startup_error = error
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()

    def start(self) -> None:
        _check_port_free(self._ip_address, self._port)
        super().start()
        if self.startup_error is not None:
            if isinstance(self.startup_error, SystemExit):  # werkzeug printed why
                raise OSError(f"the sandbox could not listen on {self._ip_address}:{self._port}")
            raise self.startup_error


class AwsSandbox:
    def __init__(self, host: str, port: int, region: str) -> None:
        self.region = region
        self._server = _Server(host, port, self)
        self._stop = threading.Event()
        self._after_reset: list[Callable[[], object]] = []
        self._ticker = threading.Thread(target=self._tick, name="sandbox-ticker", daemon=True)

    @classmethod
    def start(cls, port: int = 0, region: str = "us-east-1", host: str = "127.0.0.1") -> AwsSandbox:
        install()
        install_dynamodb()
        install_sns()
        install_sts()
        sandbox = cls(host, port, region)
        sandbox._server.start()
        sandbox._ticker.start()
        return sandbox

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def client(self, service: str) -> Any:
        """A boto3 client for this sandbox (dummy credentials)."""
        return client(service, self.endpoint_url, self.region)

    @property
    def timing(self) -> Timing:
        return STATE.timing

    @property
    def faults(self) -> Faults:
        return STATE.faults

    @property
    def events(self) -> EventBus:
        """CloudFormation's EventBridge events: subscribe a target, set the knobs."""
        return STATE.events

    @property
    def dynamodb_faults(self) -> DynamoFaults:
        return DYNAMODB_FAULTS

    @property
    def sns_faults(self) -> SnsFaults:
        """Publish errors (KMSThrottling, ...) and counts; Publish is measured as SNS does."""
        return SNS_FAULTS

    @property
    def durable_executions(self) -> DurableExecutions:
        """Lambda's durable executions as GetDurableExecution reports them."""
        return EXECUTIONS

    @property
    def sts_faults(self) -> StsFaults:
        """Accounts whose roles deny AssumeRole, and AssumeRole counts per account."""
        return STS_FAULTS

    def set_stack_status(self, stack_name: str, status: str) -> None:
        """Force a stack status (e.g. UPDATE_IN_PROGRESS for "not stable" tests)."""
        with STATE.lock:
            find_stack_anywhere(stack_name).status = status

    def email_version(self, topic_arn: str, message_id: str) -> str | None:
        """What an email subscriber of `topic_arn` got for SNS message `message_id` (moto
        delivers no email; it keeps every published message, from which SNS picks the
        `email` version of a `MessageStructure=json` message, else `default`)."""
        from moto.sns.models import sns_backends  # noqa: PLC0415 - moto is loaded already

        _, _, _, region, account, _ = topic_arn.split(":", 5)
        topic = sns_backends[account][region].topics.get(topic_arn)
        for sent_id, message, *_ in getattr(topic, "sent_notifications", []):
            if sent_id == message_id:
                try:
                    structured = json.loads(message)
                except ValueError:
                    return str(message)
                if isinstance(structured, dict) and "default" in structured:
                    return str(structured.get("email") or structured["default"])
                return str(message)
        return None

    def reset(self) -> None:
        """Clear all moto state, faults, counters and timings, then run the after-reset hooks."""
        with STATE.lock:
            moto_api_backend.reset()
            STATE.reset()
            DYNAMODB_FAULTS.clear()
            SNS_FAULTS.clear()
            STS_FAULTS.clear()
            EXECUTIONS.clear()
        for hook in list(self._after_reset):
            hook()

    def after_reset(self, hook: Callable[[], object]) -> None:
        """Call ``hook()`` after every reset (e.g. to re-create a topic the owner relies on)."""
        self._after_reset.append(hook)

    def clear_after_reset_hooks(self) -> None:
        self._after_reset.clear()

    def stop(self) -> None:
        self._stop.set()
        self._server.stop()
        if self._ticker.is_alive():
            self._ticker.join(timeout=2)

    def _tick(self) -> None:
        while not self._stop.wait(_TICK_SECONDS):
            advance_all()

    def __enter__(self) -> AwsSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"AwsSandbox(endpoint_url={self.endpoint_url!r}, region={self.region!r})"
