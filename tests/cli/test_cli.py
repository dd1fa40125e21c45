"""The ``drift-healer`` command line: the demo end to end, ``run`` against the sandbox,
and the history folding behind the phase-by-phase progress."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drift_healer_cli.follow import fold, format_operation
from drift_healer_cli.main import main
from sandbox.emulator import AwsSandbox

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _event(kind: str, op: str, name: str, sub: str, at: float, **details: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "EventType": kind,
        "SubType": sub,
        "Id": op,
        "Name": name,
        "EventTimestamp": T0 + timedelta(seconds=at),
    }
    if details:
        event[f"{kind}Details"] = details
    return event


def test_fold_counts_polls_retries_and_failures() -> None:
    again = {"RetryDetails": {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 1}}
    final = {"RetryDetails": {"CurrentAttempt": 2, "NextAttemptDelaySeconds": 0}}
    error = {"Error": {"Payload": {"ErrorMessage": "Stack with id x does not exist"}}}
    events = [
        {"EventType": "ExecutionStarted", "Id": "exec", "EventTimestamp": T0},
        _event("StepStarted", "a", "describe-stack", "Step", 0),
        _event("StepSucceeded", "a", "describe-stack", "Step", 0.1),
        _event("StepStarted", "b", "wait-for-detection", "WaitForCondition", 0.2),
        _event("StepSucceeded", "b", "wait-for-detection", "WaitForCondition", 0.2, **again),
        _event("StepStarted", "b", "wait-for-detection", "WaitForCondition", 1.2),
        _event("StepSucceeded", "b", "wait-for-detection", "WaitForCondition", 2.3),
        _event("StepStarted", "c", "publish-notice", "Step", 3),
        _event("StepFailed", "c", "publish-notice", "Step", 3, **again, **error),
        _event("StepStarted", "c", "publish-notice", "Step", 4),
        _event("StepFailed", "c", "publish-notice", "Step", 4.5, **final, **error),
        _event("StepStarted", "d", "still-running", "WaitForCondition", 5),
    ]
    ops = {op.name: op for op in fold(events)}
    assert list(ops) == ["describe-stack", "wait-for-detection", "publish-notice", "still-running"]
    assert ops["describe-stack"].done and not ops["describe-stack"].failed
    wait = ops["wait-for-detection"]
    assert (wait.polls, round(wait.seconds, 1)) == (2, 2.1)
    assert format_operation(wait).split() == ["✓", "wait-for-detection", "2.1", "s", "2", "polls"]
    notice = ops["publish-notice"]
    assert (notice.failed, notice.retries, notice.error) == (
        True,
        1,
        "Stack with id x does not exist",
    )
    assert format_operation(notice).lstrip().startswith("✗ publish-notice")
    assert not ops["still-running"].done


@pytest.fixture()
def fresh_sandbox(aws_sandbox: AwsSandbox) -> Iterator[AwsSandbox]:
    """The session's sandbox, emptied (moto's state is per process: the demo's own server
    shares it)."""
    aws_sandbox.reset()
    yield aws_sandbox
    aws_sandbox.reset()


@pytest.mark.slow
@pytest.mark.usefixtures("fresh_sandbox")
def test_demo_fast_heals_both_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--fast"]) == 0
    out = capsys.readouterr().out
    # review mode: the change set and its planned change, then the notice as received
    assert "Review mode on drift-test-sample" in out
    assert "Modify SampleParameter (AWS::SSM::Parameter), replacement False" in out
    assert "/Properties/Value: changed-out-of-band -> initial-value" in out
    assert "Subject: drift-healer REVIEW_REQUIRED: drift-test-sample" in out
    assert "Attribute outcome = REVIEW_REQUIRED" in out
    assert "Attribute stack = drift-test-sample" in out
    # automatic mode on both stacks, phase by phase
    for stack in ("drift-test-sample", "drift-demo-app"):
        assert f"Subject: drift-healer HEALED: {stack}" in out
        assert f"Attribute stack = {stack}" in out
    assert "Attribute outcome = HEALED" in out
    assert out.count("✓ wait-for-verification") == 2
    assert out.count("Outcome: HEALED") == 2
    # the values are back at the template's
    assert "✓ /drift-test/sample = initial-value" in out
    assert "✓ /drift-demo/demo/greeting = hello from demo" in out
    assert "VisibilityTimeout = 60" in out
    assert "/drift-demo/demo/app RetentionInDays = 30" in out
    assert "Tags = env=demo, owner=platform" in out
    assert "Versioning = Enabled" in out
    assert "✗" not in out
    assert "Demo passed" in out


@pytest.fixture()
def sandbox_env(fresh_sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment pointed at the sandbox; returns a topic ARN for the notices."""
    sb = fresh_sandbox
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_LAMBDA"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", sb.endpoint_url)
    monkeypatch.setenv("AWS_REGION", sb.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sns = sb.client("sns")
    return str(sns.create_topic(Name="cli-test-notices")["TopicArn"])


@pytest.mark.slow
def test_run_missing_stack_is_an_error(
    sandbox_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SNS_TOPIC_ARN", sandbox_env)
    assert main(["run", "--stack", "no-such-stack", "--timeout", "60"]) == 1
    out = capsys.readouterr().out
    assert "✗ describe-stack" in out
    assert "Outcome: ERROR" in out
    assert '"Outcome": "ERROR"' in out
    assert '"StackName": "no-such-stack"' in out
    assert "does not exist" in out


@pytest.mark.slow
def test_run_needs_a_topic(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SNS_TOPIC_ARN", raising=False)
    assert main(["run", "--stack", "anything"]) == 2
    assert "SNS_TOPIC_ARN" in capsys.readouterr().err
