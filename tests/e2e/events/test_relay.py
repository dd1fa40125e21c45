"""The relay: which event wakes which waiter (records written by the healer's own code into
the sandbox's DynamoDB), and what it does with no waiter, stale events and duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from healer.waits import waiter as waiter_records
from relay import matching
from relay.aws import Clients
from relay.handler import lambda_handler, relay
from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox

TABLE = "relay-state"
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1111"
OTHER_STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/other/2222"
RUN = "arn:aws:lambda:us-east-1:123456789012:function:h:live/durable-execution/run/1"
TARGET = "111122223333"
TARGET_STACK = f"arn:aws:cloudformation:eu-west-1:{TARGET}:stack/app/3333"
ACCOUNTS = matching.Accounts(home="123456789012", targets=frozenset({TARGET}))


def origin(stack: str) -> dict[str, str]:
    """The envelope's account and region: those of the stack's ARN (CloudFormation's own)."""
    _, _, _, region, account, _ = stack.split(":", 5)
    return {"account": account, "region": region}


def drift_event(
    stack: str, detection_id: str, status: str = "DETECTION_COMPLETE"
) -> dict[str, Any]:
    return origin(stack) | {
        "id": "e1",
        "source": "aws.cloudformation",
        "detail-type": matching.DRIFT_DETAIL_TYPE,
        "detail": {
            "stack-id": stack,
            "stack-drift-detection-id": detection_id,
            "status-details": {"stack-drift-status": "DRIFTED", "detection-status": status},
            "drift-detection-details": {"drifted-stack-resource-count": 1},
        },
    }


def stack_event(stack: str, token: str | None, status: str = "UPDATE_COMPLETE") -> dict[str, Any]:
    detail: dict[str, Any] = {"stack-id": stack, "status-details": {"status": status}}
    if token:
        detail["client-request-token"] = token
    return origin(stack) | {
        "id": "e2",
        "source": "aws.cloudformation",
        "detail-type": matching.STACK_DETAIL_TYPE,
        "detail": detail,
    }


class Callbacks:
    """Stands in for the Lambda client: records completions, answers as AWS documents for a
    callback completed before (CallbackTimeoutException)."""

    def __init__(self) -> None:
        self.completed: list[str] = []

    def send_durable_execution_callback_success(self, CallbackId: str, Result: bytes) -> None:  # noqa: N803
        if CallbackId in self.completed:
            raise ClientError(
                {"Error": {"Code": "CallbackTimeoutException", "Message": "closed"}},
                "SendDurableExecutionCallbackSuccess",
            )
        self.completed.append(CallbackId)


@pytest.fixture
def world(
    aws_sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Clients, Callbacks]]:
    aws_sandbox.reset()
    for name, value in {
        "AWS_ENDPOINT_URL": aws_sandbox.endpoint_url,
        "AWS_REGION": aws_sandbox.region,
        "AWS_DEFAULT_REGION": aws_sandbox.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    create_state_table(aws_sandbox.client("dynamodb"), TABLE)
    callbacks = Callbacks()
    yield Clients(dynamodb=aws_sandbox.client("dynamodb"), lambda_=callbacks), callbacks  # type: ignore[arg-type]


def wait_for(
    phase: str, callback_id: str, match_id: str | None, stack: str = STACK, run: str = RUN
) -> None:
    waiter_records.record_waiter(
        TABLE,
        stack_id=stack,
        execution_arn=run,
        phase=phase,
        callback_id=callback_id,
        match_id=match_id,
        expires=datetime.now(UTC),
    )


def test_detection_event_wakes_the_waiter_of_that_detection(
    world: tuple[Clients, Callbacks],
) -> None:
    clients, callbacks = world
    wait_for("detection", "cb-1", "det-1")
    done = relay(drift_event(STACK, "det-1"), clients, TABLE, ACCOUNTS)
    assert done["action"] == "woke"
    assert callbacks.completed == ["cb-1"]


def test_waiter_recorded_before_the_detection_id_is_known_is_woken(
    world: tuple[Clients, Callbacks],
) -> None:
    clients, callbacks = world
    wait_for("verification", "cb-early", None)  # DetectStackDrift has not answered yet
    relay(drift_event(STACK, "det-9"), clients, TABLE, ACCOUNTS)
    assert callbacks.completed == ["cb-early"]


def test_duplicated_event_is_harmless(world: tuple[Clients, Callbacks]) -> None:
    clients, callbacks = world
    wait_for("detection", "cb-1", "det-1")
    relay(drift_event(STACK, "det-1"), clients, TABLE, ACCOUNTS)
    again = relay(drift_event(STACK, "det-1"), clients, TABLE, ACCOUNTS)
    assert again["callbacks"] == {"cb-1": "already closed"}
    assert callbacks.completed == ["cb-1"]


def test_event_of_another_stack_or_detection_wakes_nobody(world: tuple[Clients, Callbacks]) -> None:
    clients, callbacks = world
    wait_for("detection", "cb-1", "det-1")
    other_stack = relay(drift_event(OTHER_STACK, "det-1"), clients, TABLE, ACCOUNTS)
    stale = relay(
        drift_event(STACK, "det-0"), clients, TABLE, ACCOUNTS
    )  # an earlier run's detection
    assert other_stack["why"] == "no waiter for this stack"
    assert stale["why"] == "no waiter for this operation"
    assert callbacks.completed == []


def test_stack_event_wakes_only_the_execution_with_its_token(
    world: tuple[Clients, Callbacks],
) -> None:
    clients, callbacks = world
    wait_for("execution", "cb-x", "token-now")
    earlier = relay(stack_event(STACK, "token-before"), clients, TABLE, ACCOUNTS)  # an earlier run
    untokened = relay(
        stack_event(STACK, None), clients, TABLE, ACCOUNTS
    )  # e.g. a deploy by a person
    in_progress = relay(
        stack_event(STACK, "token-now", "UPDATE_IN_PROGRESS"), clients, TABLE, ACCOUNTS
    )
    assert callbacks.completed == []
    assert {earlier["action"], untokened["action"], in_progress["action"]} == {"ignored"}
    relay(stack_event(STACK, "token-now", "UPDATE_ROLLBACK_COMPLETE"), clients, TABLE, ACCOUNTS)
    assert callbacks.completed == ["cb-x"]


def test_a_detection_event_does_not_wake_an_execution_waiter(
    world: tuple[Clients, Callbacks],
) -> None:
    clients, callbacks = world
    wait_for("execution", "cb-x", "token-now")
    relay(drift_event(STACK, "det-1"), clients, TABLE, ACCOUNTS)
    assert callbacks.completed == []


def test_the_newest_callback_of_a_run_replaces_the_previous_one(
    world: tuple[Clients, Callbacks],
) -> None:
    clients, callbacks = world
    wait_for("detection", "cb-1", "det-1")
    wait_for("detection", "cb-2", "det-1")  # after a fallback poll: a new callback
    relay(drift_event(STACK, "det-1"), clients, TABLE, ACCOUNTS)
    assert callbacks.completed == ["cb-2"]


def test_input_that_is_not_a_cloudformation_event_is_ignored_with_the_reason(
    world: tuple[Clients, Callbacks],
) -> None:
    clients, _ = world
    done = relay({"source": "aws.s3", "detail": {}}, clients, TABLE, ACCOUNTS)
    assert done["action"] == "ignored" and "aws.s3" in done["why"]


def test_the_relay_without_a_table_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STATE_TABLE_NAME", raising=False)
    with pytest.raises(RuntimeError, match="STATE_TABLE_NAME"):
        lambda_handler(drift_event(STACK, "d"), None)


def test_a_forwarded_event_of_a_target_account_wakes_its_waiter(
    world: tuple[Clients, Callbacks],
) -> None:
    clients, callbacks = world
    wait_for("detection", "cb-far", "det-far", stack=TARGET_STACK)
    done = relay(drift_event(TARGET_STACK, "det-far"), clients, TABLE, ACCOUNTS)
    assert done["action"] == "woke"
    assert callbacks.completed == ["cb-far"]


@pytest.mark.parametrize(
    ("envelope", "why"),
    [
        ({"account": TARGET}, "forged"),  # an allowed account, about another account's stack
        ({"region": "eu-west-1"}, "forged"),  # the right account, another region
        ({"account": "444455556666"}, "forged"),
        ({"account": None}, "no account"),
    ],
)
def test_a_forged_event_wakes_nobody(
    world: tuple[Clients, Callbacks], envelope: dict[str, Any], why: str
) -> None:
    clients, callbacks = world
    wait_for("detection", "cb-1", "det-1")
    event = drift_event(STACK, "det-1") | envelope
    done = relay({k: v for k, v in event.items() if v is not None}, clients, TABLE, ACCOUNTS)
    assert done["action"] == "ignored" and why in done["why"]
    assert callbacks.completed == []


def test_an_account_nobody_allowed_wakes_nobody(world: tuple[Clients, Callbacks]) -> None:
    clients, callbacks = world
    stranger = "arn:aws:cloudformation:us-east-1:444455556666:stack/app/4444"
    wait_for("detection", "cb-4", "det-4", stack=stranger)
    done = relay(drift_event(stranger, "det-4"), clients, TABLE, ACCOUNTS)
    assert done["action"] == "ignored" and "TARGET_ACCOUNT_IDS" in done["why"]
    assert callbacks.completed == []


def test_the_relay_reads_its_account_and_the_allowed_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from relay.handler import accounts_from_environment  # noqa: PLC0415

    arn = "arn:aws:lambda:us-east-1:123456789012:function:s-relay"
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", f"{TARGET}, 444455556666")
    assert accounts_from_environment(arn) == matching.Accounts(
        home="123456789012", targets=frozenset({TARGET, "444455556666"})
    )
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", "not-an-account")  # unreadable: nobody else
    assert accounts_from_environment(arn).targets == frozenset()
