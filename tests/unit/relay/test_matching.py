"""The relay's pure matching: which waiter an event ends."""

from __future__ import annotations

from typing import Any

import pytest

from drift_common.table import Waiter
from relay.matching import NotACloudFormationEventError, StackEvent, matching_waiters, parse_event

STACK = "arn:aws:cloudformation:us-east-1:1:stack/s/1"


def drift(detection: str | None, status: str = "DETECTION_FAILED") -> StackEvent:
    return StackEvent(kind="drift", stack_id=STACK, status=status, detection_id=detection)


def stack(token: str | None, status: str = "UPDATE_ROLLBACK_COMPLETE") -> StackEvent:
    return StackEvent(kind="stack", stack_id=STACK, status=status, client_request_token=token)


DETECTING = Waiter(stack_id=STACK, callback_id="d", phase="detection", match_id="det-1")
VERIFYING_UNSTARTED = Waiter(stack_id=STACK, callback_id="v", phase="verification")
EXECUTING = Waiter(stack_id=STACK, callback_id="x", phase="execution", match_id="tok")


def test_detection_events_match_by_detection_id_or_a_waiter_without_one() -> None:
    waiters = [DETECTING, VERIFYING_UNSTARTED, EXECUTING]
    assert matching_waiters(drift("det-1"), waiters) == [DETECTING, VERIFYING_UNSTARTED]
    assert matching_waiters(drift("det-0"), waiters) == [VERIFYING_UNSTARTED]
    assert matching_waiters(drift("det-1", "DETECTION_IN_PROGRESS"), waiters) == []


def test_stack_events_match_only_the_execution_with_the_same_token() -> None:
    waiters = [DETECTING, EXECUTING]
    assert matching_waiters(stack("tok"), waiters) == [EXECUTING]
    assert matching_waiters(stack("other"), waiters) == []
    assert matching_waiters(stack(None), waiters) == []
    assert matching_waiters(stack("tok", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), waiters) == []


def event(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"source": "aws.cloudformation", "detail-type": detail_type, "detail": detail, "id": "i"}


def test_parse_reads_both_detail_types() -> None:
    parsed = parse_event(
        event(
            "CloudFormation Drift Detection Status Change",
            {
                "stack-id": STACK,
                "stack-drift-detection-id": "det-1",
                "status-details": {"detection-status": "DETECTION_COMPLETE"},
            },
        )
    )
    assert (parsed.kind, parsed.detection_id, parsed.final) == ("drift", "det-1", True)
    parsed = parse_event(
        event(
            "CloudFormation Stack Status Change",
            {
                "stack-id": STACK,
                "status-details": {"status": "UPDATE_COMPLETE"},
                "client-request-token": "tok",
            },
        )
    )
    assert (parsed.kind, parsed.client_request_token, parsed.final) == ("stack", "tok", True)


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ({"source": "aws.s3", "detail": {}}, "aws.s3"),
        (event("CloudFormation Stack Status Change", {}), "stack-id"),
        (event("CloudFormation Resource Status Change", {"stack-id": STACK}), "detail-type"),
    ],
)
def test_what_is_not_a_handled_event_is_named(bad: dict[str, Any], says: str) -> None:
    with pytest.raises(NotACloudFormationEventError, match=says):
        parse_event(bad)


def test_only_wait_items_with_a_callback_are_waiters() -> None:
    item = {
        "StackId": {"S": STACK},
        "RecordKey": {"S": "WAIT#abc"},
        "CallbackId": {"S": "cb"},
        "Phase": {"S": "execution"},
        "ClientRequestToken": {"S": "tok"},
    }
    assert Waiter.from_item(item) == Waiter(
        stack_id=STACK, callback_id="cb", phase="execution", match_id="tok"
    )
    assert Waiter.from_item(item | {"RecordKey": {"S": "STATE"}}) is None
    assert Waiter.from_item({k: v for k, v in item.items() if k != "CallbackId"}) is None


def test_a_waiter_the_healer_writes_is_the_waiter_the_relay_reads() -> None:
    for waiter in (DETECTING, VERIFYING_UNSTARTED, EXECUTING):
        item = waiter.to_item(expires_at=1_900_000_000)
        assert item["ExpiresAt"] == {"N": "1900000000"}
        assert Waiter.from_item(item) == waiter
