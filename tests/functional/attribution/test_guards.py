"""The guards that use who changed it: break-glass holds and the thrash guard."""

from __future__ import annotations

import pytest

from sandbox.cloudtrail import Principal
from sandbox.emulator import AwsSandbox
from tests.functional.attribution.test_who_changed_it import PARAM, change
from tests.functional.handler.harness import Inbox, deploy, run_handler, ssm_value
from tests.stacks import SAMPLE_TEMPLATE

INCIDENT = Principal.role_session("IncidentResponder", "carol")
ROBOT = Principal.role_session("config-sync", "i-0abc")


def test_a_break_glass_change_is_held_naming_who_and_when(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOLD_IF_CHANGED_BY", "arn:aws:iam::*:role/IncidentResponder")
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "emergency-fix", "AKIDCAROL", INCIDENT)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert ssm_value(PARAM) == "emergency-fix"  # not reverted
    [reason] = run.output["ReviewReasons"]
    assert INCIDENT.arn in reason and "HOLD_IF_CHANGED_BY" in reason and " UTC" in reason
    assert "Held for review because:" in run.notice.body
    assert INCIDENT.arn in run.notice.body


def test_a_change_by_anyone_else_heals_as_usual(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOLD_IF_CHANGED_BY", "arn:aws:iam::*:role/IncidentResponder")
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "typo")
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"


def test_break_glass_fails_closed_when_who_is_unknown(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOLD_IF_CHANGED_BY", "arn:aws:iam::*:role/IncidentResponder")
    deploy("sample", SAMPLE_TEMPLATE)
    aws.trail.delivery_delay_seconds = 3600  # not in CloudTrail yet
    change(aws, "emergency-fix", "AKIDCAROL", INCIDENT)
    run = run_handler(inbox, {"StackName": "sample"})
    assert run.outcome == "REVIEW_REQUIRED"
    assert "who changed it is not known" in run.output["ReviewReasons"][0]


def test_a_fourth_undo_after_three_heals_is_held_naming_the_principal(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    for attempt in range(3):
        change(aws, f"robot-value-{attempt}", "AKIDROBOT", ROBOT)
        assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"
    change(aws, "robot-value-again", "AKIDROBOT", ROBOT)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert ssm_value(PARAM) == "robot-value-again"
    [reason] = run.output["ReviewReasons"]
    assert "SampleParameter/Value was healed 3 times" in reason
    assert ROBOT.arn in reason and "THRASH_HEALS=3" in reason


def test_the_thrash_guard_counts_only_heals_in_the_window(
    aws: AwsSandbox, inbox: Inbox, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THRASH_HEALS", "1")
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "one", "AKIDROBOT", ROBOT)
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"
    monkeypatch.setenv("THRASH_WINDOW_HOURS", "0.0000001")  # that heal is outside the window
    change(aws, "two", "AKIDROBOT", ROBOT)
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"
    monkeypatch.setenv("THRASH_WINDOW_HOURS", "24")  # both heals are inside it
    change(aws, "three", "AKIDROBOT", ROBOT)
    run = run_handler(inbox, {"StackName": "sample"})
    assert run.outcome == "REVIEW_REQUIRED"
    assert "healed 2 times" in run.output["ReviewReasons"][0]


def test_the_thrash_guard_fails_closed_without_its_history(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "one", "AKIDROBOT", ROBOT)
    aws.dynamodb_faults.fail("InternalServerError", action="Query")
    run = run_handler(inbox, {"StackName": "sample"})
    assert run.outcome == "REVIEW_REQUIRED"
    assert "could not read the run history" in run.output["ReviewReasons"][0]
