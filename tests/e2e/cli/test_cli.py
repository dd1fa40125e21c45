"""The ``drift-healer`` command line: the demo end to end, ``run`` against the sandbox,
and the history folding behind the phase-by-phase progress."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from drift_healer_cli.follow import Operation, fold, format_operation
from drift_healer_cli.live import LiveProgress, describe_running
from drift_healer_cli.local import EXAMPLES
from drift_healer_cli.main import main
from sandbox.emulator import AwsSandbox, Phase

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


def test_an_event_round_that_timed_out_reads_as_the_fallback_not_a_failure() -> None:
    timed_out = {"Error": {"Payload": {"ErrorMessage": "Callback timed out"}}}
    events = [
        _event("CallbackStarted", "e", "wait-for-detection-event-1", "Callback", 0),
        _event("CallbackTimedOut", "e", "wait-for-detection-event-1", "Callback", 1, **timed_out),
        _event("CallbackStarted", "f", "approval", "Callback", 2),
        _event("CallbackTimedOut", "f", "approval", "Callback", 9, **timed_out),
    ]
    ops = {op.name: op for op in fold(events)}
    fallback = format_operation(ops["wait-for-detection-event-1"])
    assert fallback.split()[:4] == ["·", "wait-for-detection-event-1", "1.0", "s"]
    assert "✗" not in fallback and "fallback" in fallback and "timed out" not in fallback
    # Any other callback that timed out (an approval nobody answered) is still a failure.
    assert format_operation(ops["approval"]).lstrip().startswith("✗ approval")


@pytest.fixture()
def fresh_sandbox(aws_sandbox: AwsSandbox) -> Iterator[AwsSandbox]:
    """The session's sandbox, emptied (moto's state is per process: the demo's own server
    shares it)."""
    aws_sandbox.reset()
    yield aws_sandbox
    aws_sandbox.reset()


@pytest.mark.slow
@pytest.mark.usefixtures("fresh_sandbox")
def test_demo_fast_heals_both_stacks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--fast", "--report-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # it ends with the report of the runs above, and says where it is
    assert f"Report: {tmp_path / 'report.html'}" in out
    report = json.loads((tmp_path / "report.json").read_text())
    stacks = {s["Stack"]: s for s in report["Stacks"]}
    assert stacks["drift-test-sample"]["Status"] == "healed"
    assert stacks["drift-demo-app"]["DriftEvents"] == 1
    assert report["Overall"]["Remediated"] >= 2
    # review mode: the change set and its planned change, then the notice as received
    assert "Review mode on drift-test-sample" in out
    assert "Modify SampleParameter (AWS::SSM::Parameter), replacement False" in out
    assert "/Properties/Value: changed-out-of-band -> initial-value" in out
    assert "Subject: drift-healer REVIEW_REQUIRED: drift-test-sample" in out
    assert "Attribute outcome = REVIEW_REQUIRED" in out
    assert "Attribute stack = drift-test-sample" in out
    # a review that waits: the notice with the page's link, approved with the CLI, healed
    assert "Subject: drift-healer APPROVAL_REQUIRED: drift-test-sample" in out
    assert "Open to review, then approve or reject:" in out
    assert "drift-test-sample: approved by demo" in out
    assert "Decision: approved by demo at " in out
    # and one rejected with the CLI: the change set deleted, the reason in the notice
    assert "Subject: drift-healer REJECTED: drift-demo-app" in out
    assert "rejected by demo: the team fixes the template" in out
    # healed (approved, then automatic mode), phase by phase
    for stack in ("drift-test-sample", "drift-demo-app"):
        assert f"Subject: drift-healer HEALED: {stack}" in out
        assert f"Attribute stack = {stack}" in out
    assert "Attribute outcome = HEALED" in out
    assert out.count("✓ wait-for-verification") == 3  # two heals and the accept (issue 17)
    assert out.count("Outcome: HEALED") == 2
    # the values are back at the template's
    assert "✓ /drift-test/sample = initial-value" in out
    assert "✓ /drift-demo/demo/greeting = hello from demo" in out
    assert "VisibilityTimeout = 60" in out
    assert "/drift-demo/demo/app RetentionInDays = 30" in out
    assert "Tags = env=demo, owner=platform" in out
    assert "Versioning = Enabled" in out
    # issue 17: one stack's change kept, the diff printed, the value unchanged, in sync
    assert "Subject: drift-healer ACCEPTED: drift-demo-keep" in out
    assert "+      VisibilityTimeout: 300  # seconds: raise it if jobs take longer" in out
    assert "✓ drift-demo-keep-jobs VisibilityTimeout = 300 (kept)" in out
    assert "✓ drift status IN_SYNC" in out
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
    summary = next(line for line in out.splitlines() if "Execution FAILED in " in line)
    assert ": ERROR: " in summary and "Stack with id no-such-stack does not exist" in summary
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


DRIFTED_STACK = "cli-drifted"


@pytest.fixture()
def drifted_stack(
    fresh_sandbox: AwsSandbox, sandbox_env: str, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The sample stack, changed by hand; fast polls; the topic in SNS_TOPIC_ARN."""
    fresh_sandbox.client("cloudformation").create_stack(
        StackName=DRIFTED_STACK, TemplateBody=(EXAMPLES / "sample-stack.yaml").read_text()
    )
    fresh_sandbox.client("ssm").put_parameter(
        Name="/drift-test/sample", Value="changed-by-hand", Overwrite=True
    )
    monkeypatch.setenv("SNS_TOPIC_ARN", sandbox_env)
    for phase in ("DETECTION", "CHANGE_SET", "EXECUTION"):
        monkeypatch.setenv(f"{phase}_POLL_INITIAL_SECONDS", "1")
        monkeypatch.setenv(f"{phase}_POLL_MAX_SECONDS", "1")
    return DRIFTED_STACK


def parameter_value(sb: AwsSandbox) -> str:
    return str(sb.client("ssm").get_parameter(Name="/drift-test/sample")["Parameter"]["Value"])


@pytest.mark.slow
def test_run_reviews_by_default_like_the_schedule(
    drifted_stack: str, fresh_sandbox: AwsSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """Observation 9: `run` healed unless --review; the deployed schedule reviews."""
    assert main(["run", "--stack", drifted_stack, "--timeout", "120"]) == 0
    assert "Outcome: REVIEW_REQUIRED" in capsys.readouterr().out
    assert parameter_value(fresh_sandbox) == "changed-by-hand"


@pytest.mark.slow
def test_run_auto_heals(
    drifted_stack: str, fresh_sandbox: AwsSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--stack", drifted_stack, "--auto", "--timeout", "120"]) == 0
    assert "Outcome: HEALED" in capsys.readouterr().out
    assert parameter_value(fresh_sandbox) == "initial-value"


@pytest.mark.slow
def test_summary_names_why_the_execution_failed_first(
    drifted_stack: str,
    fresh_sandbox: AwsSandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Observation 7: `Outcome: HEALED (...); execution FAILED`, the cause elsewhere."""
    gone = "arn:aws:sns:us-east-1:123456789012:deleted-topic"
    monkeypatch.setenv("SNS_TOPIC_ARN", gone)
    assert main(["run", "--stack", drifted_stack, "--timeout", "120"]) == 1
    out = capsys.readouterr().out
    summary = out[out.index("✗ publish-notice") :].splitlines()[1]
    assert summary.lstrip().startswith("Execution FAILED"), summary
    cause = summary.index("does not exist")  # what SNS said about the topic
    assert "REVIEW_REQUIRED" not in summary[:cause], summary
    assert "Outcome: REVIEW_REQUIRED" in out  # the outcome is still told, after


@pytest.mark.slow
def test_progress_lines_during_a_throttled_wait(
    drifted_stack: str, fresh_sandbox: AwsSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """Observation 4: minutes without a line while a wait or a retry went on."""
    fresh_sandbox.timing.detection = Phase(seconds=4, min_polls=0)
    fresh_sandbox.faults.set("DescribeStackDriftDetectionStatus", throttle_rate=0.6)
    fresh_sandbox.faults.seed(11)
    argv = ["run", "--stack", drifted_stack, "--timeout", "120", "--progress-every", "0.5"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    waiting = [line for line in out.splitlines() if line.startswith("  … wait-for-detection")]
    assert waiting, out
    assert any("poll" in line and "last DETECTION_IN_PROGRESS" in line for line in waiting)
    assert any("transient error" in line and "Rate exceeded" in line for line in waiting)
    assert out.index(waiting[0]) < out.index("✓ wait-for-detection")


def test_progress_is_rewritten_in_place_on_a_terminal() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    op = Operation(op_id="1", name="wait-for-change-set", sub_type="WaitForCondition")
    op.started, op.polls = T0, 3
    op.state = {"status": "CREATE_IN_PROGRESS", "transient_errors": 1}
    with LiveProgress(io.StringIO(), console=console) as progress:
        progress.show([op])
        time.sleep(0.3)
        progress.line("  ✓ describe-stack")
    text = screen.getvalue()
    assert "wait-for-change-set" in text and "3 polls" in text
    assert "last CREATE_IN_PROGRESS" in text and "1 transient error" in text
    assert "\r\x1b[2K" in text  # the line is erased and redrawn in place, not repeated


def test_describe_running_names_a_retried_step() -> None:
    op = Operation(op_id="1", name="describe-stack", sub_type="Step", started=T0)
    op.retries, op.retry_error = 2, "Could not connect to the endpoint URL"
    line = describe_running(op, T0 + timedelta(seconds=35), started=T0)
    assert line == "describe-stack  35 s, retry 2 after: Could not connect to the endpoint URL"


@pytest.mark.slow
def test_run_without_an_endpoint_says_it_calls_the_real_aws_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Observation 4: 271 s of silence when AWS_ENDPOINT_URL was unset."""
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_CLOUDFORMATION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:t")
    assert main(["run", "--stack", "s", "--timeout", "3"]) == 1
    err = capsys.readouterr().err
    assert "AWS_ENDPOINT_URL is not set" in err and "real AWS" in err
    assert err.index("real AWS") < err.index("still")  # before the run, not after it


def test_help_is_written_for_a_person(capsys: pytest.CaptureFixture[str]) -> None:
    """Observation 9: a literal ``drift-healer``: header; no description or example."""
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    assert "``" not in top
    assert "examples:" in top and "drift-healer run --stack my-stack --auto" in top
    for command in ("demo", "sandbox", "run"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "``" not in text
        description = text.split("\n\n")[1]
        assert len(description.split()) > 15, f"{command}: {description!r}"
        assert f"example:\n  drift-healer {command}" in text
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    run_help = capsys.readouterr().out
    assert "Review mode by default" in run_help and "--auto" in run_help


def test_run_on_a_durable_service_that_is_gone_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert main(["run", "--stack", "s", "--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert "Could not connect" in err and "drift-healer sandbox" in err
