"""``drift-healer fleet`` and ``drift-healer bench fleet`` against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from drift_healer_cli.fleet_command import describe
from drift_healer_cli.fleet_runner import Progress
from drift_healer_cli.main import main
from sandbox.emulator import AwsSandbox, Phase


@pytest.fixture()
def sandbox(aws_sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsSandbox]:
    aws_sandbox.reset()
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_LAMBDA", "SNS_TOPIC_ARN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        "AWS_ENDPOINT_URL": aws_sandbox.endpoint_url,
        "AWS_REGION": aws_sandbox.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "DETECTION_POLL_INITIAL_SECONDS": "1",
        "DETECTION_POLL_MAX_SECONDS": "1",
        "CHANGE_SET_POLL_INITIAL_SECONDS": "1",
        "CHANGE_SET_POLL_MAX_SECONDS": "1",
        "EXECUTION_POLL_INITIAL_SECONDS": "1",
        "EXECUTION_POLL_MAX_SECONDS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    phase = Phase(0.0, 1)
    aws_sandbox.timing.detection = aws_sandbox.timing.change_set_create = phase
    aws_sandbox.timing.execution = phase
    yield aws_sandbox
    aws_sandbox.reset()


def deploy(sb: AwsSandbox, name: str) -> None:
    parameter = {"Name": f"/{name}/v", "Type": "String", "Value": "a"}
    body = {"Resources": {"V": {"Type": "AWS::SSM::Parameter", "Properties": parameter}}}
    sb.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(body))


def test_the_progress_line_counts_done_per_outcome_running_and_waiting() -> None:
    progress = Progress(running=3)
    progress.done.update({"HEALED": 2, "REVIEW_REQUIRED": 1})
    assert describe(progress) == (
        "stacks done 3 (HEALED 2, REVIEW_REQUIRED 1), running 3, waiting for review 1"
    )


@pytest.mark.slow
def test_fleet_reviews_the_selected_stacks_and_prints_the_digest(
    sandbox: AwsSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("app-a", "app-b", "app-sandbox", "other"):
        deploy(sandbox, name)
    sandbox.client("ssm").put_parameter(Name="/app-a/v", Value="b", Type="String", Overwrite=True)

    code = main(["fleet", "--pattern", "app-*", "--exclude", "*-sandbox", "--json"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "stacks done 2 (IN_SYNC 1, REVIEW_REQUIRED 1), running 0" in out
    assert "Drift fleet: 2 checked, 1 drifted, 0 healed, 1 held, 0 failed" in out
    assert "home/home/app-sandbox: excluded by '*-sandbox'" in out
    digest = json.loads(out[out.index('{\n  "FleetExecution"') :])
    assert digest["WaitingForApproval"]["Items"][0]["Stack"] == "home/home/app-a"
    # review mode: nothing was changed
    value = sandbox.client("ssm").get_parameter(Name="/app-a/v")["Parameter"]["Value"]
    assert value == "b"


@pytest.mark.slow
@pytest.mark.usefixtures("sandbox")
def test_bench_fleet_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "bench",
            "fleet",
            "--stacks",
            "6",
            "--drifted",
            "50",
            "--concurrency",
            "3",
            "--phase-seconds",
            "0",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert '"HEALED": 3' in out and '"IN_SYNC": 3' in out
    for label in (
        "wall time",
        "floor",
        "ratio wall / floor",
        "CloudFormation calls",
        "handler invocations",
        "peak memory (RSS)",
    ):
        assert label in out
