"""The local pieces every command starts: the AWS sandbox, the notice inbox and the durable
service running the real handler in-process."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sandbox.approval_page import ApprovalPage, create_signing_secret
from sandbox.clients import client
from sandbox.durable_service import DUMMY_CREDENTIALS, DurableService
from sandbox.functions import HEALER
from sandbox.notices import Inbox

if TYPE_CHECKING:
    from sandbox.emulator import AwsSandbox

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TOPIC, QUEUE = "drift-healer-notices", "drift-healer-inbox"
STATE_TABLE = "drift-healer-state"
FUNCTION_NAME = "drift-healer"


# Event-driven waits, as the template deploys them; a lost event costs 10 s here, not 30 s.
EVENT_WAITS = {
    "WAIT_MODE": "events",
    "EVENT_FALLBACK_INITIAL_SECONDS": "10",
    "EVENT_FALLBACK_MAX_SECONDS": "30",
}


def start_service(
    env: dict[str, str], *, region: str, skip_time: bool, timeout: float = 3600
) -> DurableService:
    """The durable service running the handler in-process (stop it with :func:`stop`)."""
    return DurableService.start(
        handler=HEALER.handler,
        handler_path=HEALER.code_uri,
        function_name=FUNCTION_NAME,
        env=env,
        skip_time=skip_time,
        region=region,
        execution_timeout=int(timeout) + 60,
    )


def stop(service: DurableService) -> None:
    shielded(service.stop)


def sandbox_env(
    sb: AwsSandbox, topic_arn: str, state_table: str | None = None, *, events: bool = True
) -> dict[str, str]:
    """The handler's environment against the sandbox: short polls (1 s, at most 2 s), and
    the drift state table and event-driven waits when there is a table (as the template
    deploys them; the caller subscribes the relay, see :func:`subscribe_relay`). `events`
    False: polling waits (under a skipping clock a callback times out before any event)."""
    polls = {
        f"{phase}_POLL_{edge}_SECONDS": seconds
        for phase in ("DETECTION", "CHANGE_SET", "EXECUTION")
        for edge, seconds in (("INITIAL", "1"), ("MAX", "2"))
    }
    region = {"AWS_REGION": sb.region, "AWS_DEFAULT_REGION": sb.region}
    # No CloudWatch here: the run metrics' EMF blobs would only clutter the terminal.
    polls["POWERTOOLS_METRICS_DISABLED"] = "true"
    return (
        DUMMY_CREDENTIALS
        | region
        | polls
        | (EVENT_WAITS if state_table and events else {})
        | {"AWS_ENDPOINT_URL": sb.endpoint_url, "SNS_TOPIC_ARN": topic_arn}
        | ({"STATE_TABLE_NAME": state_table} if state_table else {})
    )


def subscribe_relay(sb: AwsSandbox, service: DurableService, table: str) -> Callable[[], None]:
    """Run the relay function on the sandbox's CloudFormation events; returns unsubscribe."""
    from sandbox.relay_target import LocalRelay  # noqa: PLC0415 - loads the relay's code

    target = LocalRelay(
        aws_endpoint=sb.endpoint_url,
        lambda_endpoint=service.endpoint_url,
        region=sb.region,
        table=table,
    )
    return sb.events.subscribe(target)


def create_state_table_in(sb: AwsSandbox) -> str:
    from sandbox.dynamodb import create_state_table  # noqa: PLC0415 - moto loads slowly

    return create_state_table(client("dynamodb", sb.endpoint_url, sb.region), STATE_TABLE)


def shielded(stop: Callable[[], None]) -> None:
    """Run a server's stop with Ctrl-C ignored, so a second Ctrl-C cannot leave it running."""
    if threading.current_thread() is not threading.main_thread():
        stop()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        stop()
    finally:
        signal.signal(signal.SIGINT, previous)


def create_inbox(sb: AwsSandbox) -> Inbox:
    url, region = sb.endpoint_url, sb.region
    return Inbox.create(
        client("sns", url, region), client("sqs", url, region), TOPIC, QUEUE, sb.email_version
    )


class LocalAws(NamedTuple):
    sb: AwsSandbox
    service: DurableService
    inbox: Inbox
    page: ApprovalPage


@contextmanager
def local_aws(port: int, *, skip_time: bool, phase_seconds: float | None) -> Iterator[LocalAws]:
    """The AwsSandbox, a topic with a subscribed queue, and the durable service; stopped after.

    A reset of the sandbox (``POST /_sandbox/reset``) empties moto: the inbox and the
    timing are set up again right after, so the sandbox stays usable.
    Raises :class:`sandbox.emulator.PortInUseError` when ``port`` is taken.
    """
    from sandbox.emulator import AwsSandbox, Phase  # noqa: PLC0415 - moto loads slowly

    with ExitStack() as stack:
        sb = AwsSandbox.start(port=port)
        stack.callback(shielded, sb.stop)

        def set_timing() -> None:
            if phase_seconds is not None:
                phase = Phase(seconds=phase_seconds, min_polls=0 if phase_seconds else 1)
                sb.timing.detection = sb.timing.change_set_create = sb.timing.execution = phase

        if phase_seconds is not None:  # timing is process-wide: back to the defaults after
            stack.callback(sb.timing.reset)
        set_timing()
        inbox = create_inbox(sb)
        table = create_state_table_in(sb)
        sb.after_reset(set_timing)
        sb.after_reset(lambda: create_inbox(sb))
        sb.after_reset(lambda: create_state_table_in(sb))
        stack.callback(sb.clear_after_reset_hooks)
        env = sandbox_env(sb, inbox.topic_arn, table, events=not skip_time)
        # The approval page, signed with a key in the sandbox's Secrets Manager.
        secret = create_signing_secret(client("secretsmanager", sb.endpoint_url, sb.region))
        sb.after_reset(
            lambda: create_signing_secret(client("secretsmanager", sb.endpoint_url, sb.region))
        )
        page_env = {k: v for k, v in env.items() if k.startswith("AWS_")}
        page = ApprovalPage.start(page_env | {"APPROVAL_SECRET_ARN": secret})
        stack.callback(shielded, page.stop)
        env |= {"APPROVAL_PAGE_URL": page.url, "APPROVAL_SECRET_ARN": secret}
        service = start_service(env, region=sb.region, skip_time=skip_time)
        stack.callback(stop, service)
        stack.callback(subscribe_relay(sb, service, table))
        page.env["AWS_ENDPOINT_URL_LAMBDA"] = service.endpoint_url
        yield LocalAws(sb, service, inbox, page)
