"""What the accept change set may plan (SyncWithActual at both levels), how an accept run
ends, the event field, and what the history item keeps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from drift_common.outcomes import Outcome
from healer.accept.decisions import plan_problems, verified
from healer.model import InvalidRequestError, parse_request
from healer.model.accept import AcceptCheck, Accepted, AcceptPlan
from healer.state.items import RunHistory, history_to_item

SYNC = "SyncWithActual"


def check(
    lid: str, action: str = SYNC, *details: tuple[str, str | None, str | None]
) -> AcceptCheck:
    return AcceptCheck(
        logical_id=lid,
        action=action,
        replacement="False",
        details=list(details) or [("/Properties/X", SYNC, "NoModification")],
    )


def test_a_sync_only_plan_has_no_problems() -> None:
    plan = AcceptPlan(changes=[check("A"), check("B")], total=2)
    assert plan_problems(plan, ["A", "B"]) == []


def test_a_modify_is_refused_at_the_resource_level() -> None:
    plan = AcceptPlan(changes=[check("A", "Modify")], total=1)
    assert plan_problems(plan, ["A"]) == ["A: Modify (it would change the resource)"]


def test_a_reverting_detail_is_refused_even_under_a_sync_action() -> None:
    plan = AcceptPlan(
        changes=[
            check(
                "A",
                SYNC,
                ("/Properties/X", SYNC, "NoModification"),
                ("/Properties/Y", "Modify", "DirectModification"),
            )
        ],
        total=1,
    )
    assert plan_problems(plan, ["A"]) == ["A /Properties/Y: Modify, not SyncWithActual"]


def test_a_missing_attribute_change_type_fails_closed() -> None:
    plan = AcceptPlan(changes=[check("A", SYNC, ("/Properties/X", None, None))], total=1)
    assert plan_problems(plan, ["A"]) == [
        "A /Properties/X: no AttributeChangeType, not SyncWithActual"
    ]


def test_adds_removes_replacements_partial_reads_and_left_out_drift_are_refused() -> None:
    plan = AcceptPlan(
        changes=[check("New", "Add"), check("A").model_copy(update={"replacement": "True"})],
        total=3,
    )
    assert plan_problems(plan, ["A", "B"]) == [
        "only 2 of 3 changes could be read",
        "New: Add (it would change the resource)",
        "A: replacement True",
        "B: not in the change set (its drift would stay)",
    ]
    assert plan_problems(AcceptPlan(), []) == ["the change set plans no change at all"]


def test_in_sync_after_the_accept_is_accepted() -> None:
    outcome, reason = verified(Outcome.HEALED, "in sync")
    assert outcome is Outcome.ACCEPTED
    assert "the next deploy from an unchanged repository reverts it" in reason
    assert verified(Outcome.PARTIALLY_HEALED, "1 left")[0] is Outcome.PARTIALLY_HEALED


def test_accept_drift_is_a_strict_boolean_and_a_decision_of_its_own() -> None:
    assert parse_request({"StackName": "a", "AcceptDrift": True}).accept_drift
    assert not parse_request({"StackName": "a"}).accept_drift  # never the default
    for event in (
        {"StackName": "a", "AcceptDrift": "true"},
        {"StackName": "a", "AcceptDrift": 1},
        {"StackName": "a", "AcceptDrift": True, "CreateChangeSetOnly": True},
        {"StackName": "a", "AcceptReason": "why"},
    ):
        with pytest.raises(InvalidRequestError):
            parse_request(event)


def test_the_history_item_records_what_was_accepted_by_whom_and_why() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    accepted = Accepted(
        by="alice", reason="incident fix", paths=["Jobs/VisibilityTimeout"], diff="x" * 9000
    )
    run = RunHistory(
        stack_id="arn:aws:cloudformation:us-east-1:111122223333:stack/acc/1",
        started=at,
        finished=at,
        execution_arn="arn:exec",
        outcome="ACCEPTED",
        reason="accepted",
        fingerprint="",
        drifted_count=0,
        accepted=accepted,
    )
    item = history_to_item(run, 90)["Accepted"]["M"]
    assert item["By"] == {"S": "alice"} and item["Reason"] == {"S": "incident fix"}
    assert item["Paths"] == {"L": [{"S": "Jobs/VisibilityTimeout"}]}
    assert len(item["Diff"]["S"]) <= 4000
