"""Pure decisions added by the hardening: checkpoint bounds, the service role, time budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from healer.aws.bounds import bound_changes, bound_drifts
from healer.model.polls import PollPolicy
from healer.model.records import PlannedChange, PropertyDifference, ResourceDrift
from healer.policy.service_role import RoleSource, choose_service_role
from healer.settings import Settings, budget_problem, notice_target_from_environment

OWN = "arn:aws:iam::123456789012:role/own"
CONFIGURED = "arn:aws:iam::123456789012:role/configured"


def drift(count: int, differences: int, value_chars: int) -> list[ResourceDrift]:
    return [
        ResourceDrift(
            logical_id=f"R{i}",
            physical_id=None,
            resource_type="AWS::SSM::Parameter",
            drift_status="MODIFIED",
            differences=[
                PropertyDifference(
                    path=f"/P{j}",
                    expected="e" * value_chars,
                    actual="a" * value_chars,
                    difference_type="NOT_EQUAL",
                )
                for j in range(differences)
            ],
        )
        for i in range(count)
    ]


def test_small_drift_is_kept_whole() -> None:
    original = drift(3, 2, 40)
    reading = bound_drifts(original)
    assert reading.resources == original and reading.total == 3 and reading.cut is None


def test_large_drift_is_cut_to_fit_and_says_so() -> None:
    reading = bound_drifts(drift(200, 30, 4000), max_bytes=90_000)
    assert len(reading.model_dump_json()) <= 90_000
    assert reading.total == 200
    assert reading.cut is not None and "values cut at" in reading.cut
    first = reading.resources[0]
    assert first.omitted_differences > 0  # 30 differences do not all fit
    assert "more characters]" in (first.differences[0].expected or "")


def test_drift_that_cannot_fit_keeps_fewer_resources_and_counts_them() -> None:
    reading = bound_drifts(drift(3000, 1, 10), max_bytes=50_000)
    assert len(reading.model_dump_json()) <= 50_000
    assert 0 < len(reading.resources) < 3000 and reading.total == 3000
    assert f"{reading.omitted} of 3000 drifted resources left out" in (reading.cut or "")


def test_a_cut_plan_is_not_complete() -> None:
    changes = [
        PlannedChange(logical_id=f"R{i}", resource_type="AWS::SSM::Parameter", action="Modify")
        for i in range(2000)
    ]
    assert bound_changes(changes[:5]).complete
    plan = bound_changes(changes, max_bytes=20_000)
    assert not plan.complete and plan.total == 2000


@pytest.mark.parametrize(
    ("stack_role", "configured", "passed", "source"),
    [
        (OWN, CONFIGURED, None, RoleSource.STACK),
        (OWN, None, None, RoleSource.STACK),
        (None, CONFIGURED, CONFIGURED, RoleSource.CONFIGURED),
        (None, None, None, RoleSource.CALLER),
    ],
)
def test_a_stacks_own_role_is_never_replaced(
    stack_role: str | None, configured: str | None, passed: str | None, source: RoleSource
) -> None:
    role = choose_service_role(stack_role, configured)
    assert role.to_pass == passed and role.source is source


def test_budgets_must_fit_the_execution_timeout() -> None:
    assert budget_problem(Settings(durable_execution_timeout_seconds=21600)) is None
    too_short = Settings.model_construct(
        **(Settings().model_dump() | {"durable_execution_timeout_seconds": 6000})
    )
    problem = budget_problem(too_short)
    assert problem is not None and "6300 s) exceed" in problem
    with pytest.raises(ValueError, match="exceed the function's ExecutionTimeout"):
        Settings(durable_execution_timeout_seconds=6000)
    shorter = Settings(durable_execution_timeout_seconds=6000, verify_after_heal=False)
    assert budget_problem(shorter) is None  # no verification phase: 5400 s fit


def test_a_wait_never_outlives_the_execution() -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    settings = Settings(durable_execution_timeout_seconds=7200)
    deadline = settings.deadline(start)
    assert deadline == start + timedelta(seconds=7200 - 300)
    policy = PollPolicy(5, 30, 1.5, budget_seconds=3600)
    assert policy.until(deadline, start + timedelta(seconds=6000)).budget_seconds == 900
    assert policy.until(deadline, start).budget_seconds == 3600
    assert policy.until(None, start) is policy


def test_the_topic_alone_is_read_for_reporting_bad_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:t")
    assert notice_target_from_environment().topic_arn == "arn:aws:sns:us-east-1:123456789012:t"
    monkeypatch.setenv("SNS_TOPIC_ARN", "not-a-topic")
    assert notice_target_from_environment().topic_arn is None
