"""Events trusted across runs: the relay delivered for this stack recently (the drift
state's RelayDeliveredAt), so a run's first wait already sleeps on the long schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.events.world import FALLBACK, TABLE, EventWorld

pytestmark = pytest.mark.slow


def state_item(events: EventWorld, stack: str) -> dict[str, dict[str, str]]:
    cfn, ddb = events.sb.client("cloudformation"), events.sb.client("dynamodb")
    stack_id = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
    key = {"StackId": {"S": stack_id}, "RecordKey": {"S": "STATE"}}
    return dict(ddb.get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"])


def heal_again_with_events_lost(events: EventWorld, stack: str) -> dict[str, dict[str, object]]:
    events.sb.client("ssm").put_parameter(
        Name=f"/{stack}/p", Value="changed again", Type="String", Overwrite=True
    )
    events.sb.events.knobs.drop = True
    result, _ = events.heal(stack)
    assert result["Outcome"] == "HEALED"
    return dict(result["Phases"])


def test_a_stack_whose_events_arrived_trusts_them_from_the_first_wait(events: EventWorld) -> None:
    events.deploy_drifted("ev-trust")
    first, _ = events.heal("ev-trust")
    assert first["Phases"]["detection"]["EndedOn"] == "event"
    assert "RelayDeliveredAt" in state_item(events, "ev-trust")

    phases = heal_again_with_events_lost(events, "ev-trust")

    # The detection is the run's first wait: trusted, it sleeps one long round (not the
    # polling schedule's 1-2 s) before the Describe that ends it.
    detection = phases["detection"]
    assert detection["EndedOn"] == "poll" and detection["Polls"] == 1, detection
    assert float(str(detection["Seconds"])) >= FALLBACK - 0.5, detection
    # Every event wait of that run ended on a poll: the next run does not trust events.
    assert "RelayDeliveredAt" not in state_item(events, "ev-trust")


def test_trust_expires_after_event_trust_hours(events: EventWorld) -> None:
    events.deploy_drifted("ev-stale")
    first, _ = events.heal("ev-stale")
    assert first["Phases"]["detection"]["EndedOn"] == "event"
    item = state_item(events, "ev-stale")
    long_ago = datetime.now(UTC) - timedelta(hours=25)  # EVENT_TRUST_HOURS: 24
    item["RelayDeliveredAt"] = {"S": long_ago.isoformat().replace("+00:00", "Z")}
    events.sb.client("dynamodb").put_item(TableName=TABLE, Item=item)

    phases = heal_again_with_events_lost(events, "ev-stale")

    # Untrusted: the detection looks when its history says (0.3 s phases: 1 s after the
    # start), long before a trusted fallback would.
    detection = phases["detection"]
    assert detection["EndedOn"] == "poll", detection
    assert float(str(detection["Seconds"])) < FALLBACK - 2, detection
