"""Event-mode heals: the real handler behind the local durable service (real clock), the
emulated CloudFormation sending its EventBridge events to the relay, run in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.cloudformation.timing import Phase
from sandbox.durable_service import DurableService
from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox
from sandbox.functions import HEALER
from sandbox.relay_target import LocalRelay
from tests.e2e.events.world import FALLBACK, POLL_INITIAL, TABLE, TARGET_ACCOUNT, EventWorld


@pytest.fixture(scope="module")
def world(aws_sandbox: AwsSandbox) -> Iterator[EventWorld]:
    sb = aws_sandbox
    sb.reset()
    topic = sb.client("sns").create_topic(Name="event-notices")["TopicArn"]
    table = create_state_table(sb.client("dynamodb"), TABLE)
    env = {
        "AWS_ENDPOINT_URL": sb.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SNS_TOPIC_ARN": topic,
        "STATE_TABLE_NAME": table,
        "WAIT_MODE": "events",
        "EVENT_FALLBACK_INITIAL_SECONDS": str(FALLBACK),
        "EVENT_FALLBACK_MAX_SECONDS": str(FALLBACK),
        "CHANGE_SET_POLL_INITIAL_SECONDS": "1",
        "DETECTION_POLL_INITIAL_SECONDS": str(POLL_INITIAL),
        "EXECUTION_POLL_INITIAL_SECONDS": str(POLL_INITIAL),
        "TARGET_ACCOUNT_IDS": TARGET_ACCOUNT,
    }
    with DurableService.start(
        handler=HEALER.handler, handler_path=HEALER.code_uri, env=env, skip_time=False
    ) as service:
        relay = LocalRelay(
            aws_endpoint=sb.endpoint_url,
            lambda_endpoint=service.endpoint_url,
            region=sb.region,
            table=table,
            target_accounts=[TARGET_ACCOUNT],
        )
        unsubscribe = sb.events.subscribe(relay)
        try:
            yield EventWorld(sb, service, relay, topic)
        finally:
            unsubscribe()
            sb.reset()


@pytest.fixture
def events(world: EventWorld) -> EventWorld:
    """Every phase takes a little real time and needs nobody to look at it."""
    world.sb.events.reset()
    world.sb.faults.clear()
    world.relay.results.clear()
    timing = world.sb.timing
    timing.detection = timing.execution = Phase(0.3, 0)
    timing.change_set_create = Phase(0.0, 1)
    return world
