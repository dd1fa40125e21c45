"""A stack of another account or region is waited on by events too: the target-account
template forwards its CloudFormation events to the healer's bus (issue 19)."""

from __future__ import annotations

from contextvars import copy_context
from types import SimpleNamespace
from typing import Any

import pytest

from healer.aws import clients
from healer.waits.flow import listener

ARN = "arn:aws:lambda:us-east-1:123456789012:function:h:live/durable-execution/x/y"
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1"


class FakeContext:
    """Like DurableContext, hashable by identity and weakly referenceable (the waits
    remember per context whether an event has arrived in the run)."""

    def __init__(self, arn: str) -> None:
        self.execution_context = SimpleNamespace(durable_execution_arn=arn)


def listen(region: str | None, account: str | None) -> Any:
    def inside() -> Any:
        clients.use_target(region, account)
        context = FakeContext(ARN)
        return listener(context, STACK, "detection")  # type: ignore[arg-type]

    return copy_context().run(inside)


def test_events_are_awaited_for_stacks_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAIT_MODE", "events")
    monkeypatch.setenv("STATE_TABLE_NAME", "drift-healer-state")
    assert listen(None, None) is not None
    assert listen("eu-west-1", None) is not None
    assert listen(None, "111122223333") is not None
