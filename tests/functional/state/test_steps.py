"""The state steps in a real durable execution (testing SDK runner) against the sandbox:
one DynamoDB call per named step, and no state failure ever fails the run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from healer.model.records import ChangeSetRef, PropertyDifference, ResourceDrift
from healer.state import store
from healer.state.decisions import notice_decision, run_facts
from healer.state.model import Lease, NoState, RunEnd
from healer.state.settings import load_state_settings
from healer.state.steps import (
    run_put_history,
    run_release_lease,
    run_save_state,
    run_take_lease,
    unavailable_reason,
)
from sandbox.emulator import AwsSandbox

STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1"
OTHER = "arn:aws:lambda:us-east-1:123456789012:function:healer:live/durable-execution/other/2"
DRIFT = ResourceDrift(
    logical_id="Param",
    physical_id="/p",
    resource_type="AWS::SSM::Parameter",
    drift_status="MODIFIED",
    differences=[
        PropertyDifference(path="/Value", expected="a", actual="b", difference_type="NOT_EQUAL")
    ],
)


def _text(value: object) -> object:
    if isinstance(value, NoState):
        return value.note or "stateless"
    if isinstance(value, Lease):
        return {"taken": value.taken, "holder": value.holder}
    return value if isinstance(value, str | bool) else type(value).__name__


@durable_execution
def state_flow(event: Any, context: DurableContext) -> dict[str, Any]:
    """What the handler will do with the state: lease first, decide, save and record last."""
    settings = load_state_settings()
    lease = run_take_lease(context, settings, STACK, execution_timeout_seconds=3600)
    previous = lease.previous if isinstance(lease, Lease) else lease
    facts = run_facts(
        "REVIEW_REQUIRED",
        "review mode",
        [DRIFT],
        change_set=ChangeSetRef(
            change_set_id="arn:cs/drift-healer-1", change_set_name="drift-healer-1"
        ),
    )
    now = lease.at if isinstance(lease, Lease) else datetime(2026, 1, 1, tzinfo=UTC)
    notice = notice_decision(
        previous,
        facts,
        now,
        remind_after_hours=settings.remind_after_hours,
        notify_on_in_sync=False,
    )
    end = RunEnd(facts=facts, reason="review mode", notice=notice, notified=notice.notify)
    result = {
        "lease": _text(lease),
        "why": notice.why.value if notice.why else None,
        "saved": _text(run_save_state(context, settings, lease, STACK, end)),
        "history": _text(run_put_history(context, settings, lease, STACK, end)),
    }
    if event.get("release"):
        result["released"] = _text(run_release_lease(context, settings, lease, STACK))
    return result


def run(event: dict[str, Any] | None = None) -> dict[str, Any]:
    with DurableFunctionTestRunner(handler=state_flow, skip_time=True) as runner:
        outcome = runner.run(input=json.dumps(event or {}), execution_timeout=60)
    assert outcome.result is not None, outcome.error
    return json.loads(outcome.result)  # type: ignore[no-any-return]


@pytest.fixture
def with_table(table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("STATE_TABLE_NAME", table)
    return table


def test_no_table_configured_is_stateless_without_any_dynamodb_call(
    aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.reset()
    monkeypatch.delenv("STATE_TABLE_NAME", raising=False)
    result = run()
    assert result == {
        "lease": "stateless",
        "why": "untracked",
        "saved": "stateless",
        "history": "stateless",
    }
    assert aws.dynamodb_faults.counts() == {}


def test_a_run_takes_the_lease_saves_state_releases_and_records_history(
    with_table: str, aws: AwsSandbox
) -> None:
    result = run()
    assert result["lease"]["taken"] is True and result["why"] == "new"
    assert result["saved"] == "DriftState" and result["history"].startswith("RUN#")
    state = store.read_state(with_table, STACK)
    assert state is not None and state.lease_holder is None
    assert state.last_outcome == "REVIEW_REQUIRED" and state.pending is not None
    assert state.notified_why == "new" and state.first_seen_drifted is not None
    counts = aws.dynamodb_faults.counts()
    assert counts["UpdateItem"] == 1 and counts["PutItem"] == 2
    # the second run on unchanged drift stays quiet: it reads what the first one saved
    assert run()["why"] is None


def test_live_lease_of_another_execution_makes_the_run_busy(with_table: str) -> None:
    now = datetime.now(UTC)
    store.take_lease(
        with_table, STACK, OTHER, now=now, expires=now + timedelta(hours=1), ttl_days=90
    )
    result = run({"release": True})
    assert result["lease"] == {"taken": False, "holder": OTHER}
    assert result["saved"] == f"state unavailable: not written: the lease is held by {OTHER}"
    assert result["released"] is False
    assert store.read_state(with_table, STACK).lease_holder == OTHER  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "attempts"),
    [
        ("AccessDeniedException", 1),  # not worth a retry
        ("ProvisionedThroughputExceededException", 6),  # throttled past the step's retries
        ("InternalServerError", 6),
    ],
)
def test_state_faults_never_fail_the_run(
    with_table: str, aws: AwsSandbox, code: str, attempts: int
) -> None:
    aws.dynamodb_faults.fail(code)
    result = run()
    assert result["lease"].startswith(f"state unavailable: {code}: ")
    assert result["lease"].endswith(" (UpdateItem)")
    assert result["why"] == "untracked"  # notified as without state: bookkeeping costs no alert
    assert result["saved"] == result["lease"] and result["history"] == result["lease"]
    assert aws.dynamodb_faults.counts() == {"UpdateItem": attempts, f"UpdateItem:{code}": attempts}


def test_missing_table_is_state_unavailable(
    aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.reset()
    monkeypatch.setenv("STATE_TABLE_NAME", "never-created")
    result = run()
    assert (
        result["lease"]
        == "state unavailable: ResourceNotFoundException: Requested resource not found (UpdateItem)"
    )
    assert result["why"] == "untracked"


def test_save_failing_after_the_lease_is_reported_not_raised(
    with_table: str, aws: AwsSandbox
) -> None:
    aws.dynamodb_faults.fail("AccessDeniedException", action="PutItem")
    result = run()
    assert result["lease"]["taken"] is True
    assert (
        result["saved"].startswith("state unavailable: ")
        and "AccessDeniedException" in result["saved"]
    )
    assert result["history"].startswith("state unavailable: ")


def test_unavailable_reason_is_short_for_aws_errors_and_kept_otherwise() -> None:
    raw = "An error occurred (ThrottlingException) when calling the GetItem operation (reached max retries: 2): Rate exceeded"
    assert unavailable_reason(raw) == "ThrottlingException: Rate exceeded (GetItem)"
    assert (
        unavailable_reason("not written: the lease is held by X")
        == "not written: the lease is held by X"
    )
