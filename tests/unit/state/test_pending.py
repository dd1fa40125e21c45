"""Whether a pending review read from the drift table is the healer's own, for this stack."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from healer.aws.cloudformation import ChangeSetStatus
from healer.model import CHANGE_SET_DESCRIPTION
from healer.state import PendingChangeSet, not_ours

STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1"
NAME = "drift-healer-0123456789abcdef"
PENDING = PendingChangeSet(
    change_set_id="arn:aws:cloudformation:us-east-1:123456789012:changeSet/x/1",
    change_set_name=NAME,
    fingerprint="f",
    created=datetime(2026, 12, 1, tzinfo=UTC),
)


def described(**changes: str | None) -> ChangeSetStatus:
    values: dict[str, str | None] = {
        "stack_id": STACK,
        "name": NAME,
        "deployment_mode": "REVERT_DRIFT",
        "description": CHANGE_SET_DESCRIPTION,
    } | changes
    return ChangeSetStatus("CREATE_COMPLETE", "AVAILABLE", None, **values)


def test_the_healers_own_review_of_this_stack_is_ours() -> None:
    assert not_ours(PENDING, described(), STACK) is None


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"stack_id": STACK.replace("app/1", "other/2")}, "it belongs to arn:"),
        ({"stack_id": None}, "it belongs to an unknown stack"),
        ({"deployment_mode": None}, "DeploymentMode is not REVERT_DRIFT"),
        ({"name": "drift-healer-fedcba9876543210"}, "not as the healer recorded it"),
        ({"name": "my-change-set"}, "not as the healer recorded it"),
        ({"description": "mine"}, "did not create it"),
    ],
)
def test_anything_else_is_not_ours_and_says_why(changes: dict[str, str | None], says: str) -> None:
    reason = not_ours(PENDING, described(**changes), STACK)
    assert reason is not None and says in reason
    assert "ignored and left alone" in reason
