"""``drift-healer sandbox`` as a new user meets it (issue 11, observations 1, 3, 5, 6, 8).

The sandbox runs as its own process, as in a terminal; the tests drive it over HTTP with
boto3 and, where one is installed, with the AWS CLI, through what its banner prints.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from drift_healer_cli.main import main
from tests.e2e.cli.sandbox_process import SandboxProcess, cli_env

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def running() -> Iterator[SandboxProcess]:
    sandbox = SandboxProcess("--port", "0")
    try:
        sandbox.banner  # noqa: B018 - started
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture()
def sandbox(running: SandboxProcess) -> SandboxProcess:
    """The running sandbox, emptied through its own control API."""
    assert running.control("/reset", {})[0] == 200
    return running


def clients(sandbox: SandboxProcess, service: str) -> Any:
    exports = sandbox.exports
    endpoint = exports["AWS_ENDPOINT_URL_LAMBDA" if service == "lambda" else "AWS_ENDPOINT_URL"]
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=exports["AWS_REGION"],
        aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
    )


def wait_until_done(sandbox: SandboxProcess, arn: str, timeout: float = 90) -> dict[str, Any]:
    lam = clients(sandbox, "lambda")
    deadline = time.monotonic() + timeout
    while (execution := lam.get_durable_execution(DurableExecutionArn=arn))["Status"] in (
        "RUNNING",
        "PENDING",
    ):
        assert time.monotonic() < deadline, f"{arn} still running"
        time.sleep(0.5)
    return dict(execution)


def test_reset_keeps_the_sandbox_alive_with_its_inbox(sandbox: SandboxProcess) -> None:
    """Observation 1: after POST /_sandbox/reset the process died (QueueDoesNotExist)."""
    status, answer = sandbox.control("/reset", {})
    assert (status, answer) == (200, {"ok": True})
    time.sleep(2)  # the inbox is read every second: a missing queue would show by now
    assert sandbox.process.poll() is None, sandbox.errors
    sns = clients(sandbox, "sns")
    topic = sandbox.exports["SNS_TOPIC_ARN"]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["Protocol"] for s in subscriptions] == ["sqs"]
    sns.publish(TopicArn=topic, Subject="after reset", Message="still listening")
    sandbox.wait_for("Subject: after reset", timeout=15)
    stack = clients(sandbox, "cloudformation").create_stack(
        StackName="again", TemplateBody=(REPO / "examples" / "sample-stack.yaml").read_text()
    )
    assert stack["StackId"]


def test_banner_suggests_only_commands_that_work_with_aws_cli_v1_and_v2(
    sandbox: SandboxProcess,
) -> None:
    """Observations 3 and 8: the SAM template as the example, a v2-only flag."""
    examples = "\n".join(sandbox.examples)
    assert "--cli-binary-format" not in examples  # AWS CLI v2 only
    assert "file://template.yaml" not in examples  # the healer's own SAM template
    assert "examples/sample-stack.yaml" in examples
    assert "AWS CLI (v1 or v2)" in sandbox.banner


def _param(option: str) -> str:
    return "".join(part.title() for part in option.removeprefix("--").split("-"))


def _value(token: str) -> Any:
    if token.startswith("fileb://"):
        return Path(token.removeprefix("fileb://")).read_bytes()
    if token.startswith("file://"):
        return Path(token.removeprefix("file://")).read_text()
    return token


def run_with_boto3(sandbox: SandboxProcess, line: str, variables: dict[str, str]) -> Any:
    """One printed ``aws ...`` command, as the same request made with boto3."""
    assignment = re.fullmatch(r"(\w+)=\$\((.*)\)", line)
    command = assignment.group(2) if assignment else line
    words = [
        variables.get(w[1:], w) if w.startswith("$") else w
        for w in shlex.split(command, comments=True)
    ]
    assert words[0] == "aws", line
    service, operation, rest = words[1], words[2].replace("-", "_"), words[3:]
    params: dict[str, Any] = {}
    query = None
    while rest:
        option = rest.pop(0)
        if not option.startswith("--"):
            continue  # the output file of `lambda invoke`
        takes_value = bool(rest) and not rest[0].startswith("--")
        value = _value(rest.pop(0)) if takes_value else True
        if option == "--query":
            query = value
        elif option != "--output":
            params[_param(option)] = value
    answer = getattr(clients(sandbox, service), operation)(**params)
    if assignment:
        variables[assignment.group(1)] = answer[query]
    return answer


def test_banner_example_works_as_printed_through_boto3(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Observation 3: the example deployed the SAM template (InsufficientCapabilities)."""
    for key, value in sandbox.exports.items():
        monkeypatch.setenv(key, value)
    variables: dict[str, str] = {}
    healer_lines = []
    for line in sandbox.examples:
        if shlex.split(line)[0].endswith("drift-healer"):
            healer_lines.append(line)
            continue
        run_with_boto3(sandbox, line, variables)
    execution = wait_until_done(sandbox, variables["ARN"])
    assert execution["Status"] == "SUCCEEDED", execution
    assert json.loads(execution["Result"])["Outcome"] == "REVIEW_REQUIRED"
    sandbox.wait_for("Subject: drift-healer REVIEW_REQUIRED: sample")

    assert len(healer_lines) == 1
    assert main(shlex.split(healer_lines[0], comments=True)[1:]) == 0
    assert "Outcome: REVIEW_REQUIRED" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("aws") is None, reason="no AWS CLI installed")
def test_banner_example_works_as_printed_through_the_aws_cli(sandbox: SandboxProcess) -> None:
    """The same lines in a shell, with whatever AWS CLI (v1 or v2) is on the PATH."""
    env = cli_env() | sandbox.exports
    script = "set -euo pipefail\n" + "\n".join(sandbox.examples) + '\necho "ARN=$ARN"\n'
    done = subprocess.run(
        ["bash", "-c", script],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd="/",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    arn = re.findall(r"^ARN=(\S+)$", done.stdout, flags=re.MULTILINE)[-1]
    assert wait_until_done(sandbox, arn)["Status"] == "SUCCEEDED"
    # Run right after the invoke, the followed run finds the first one still holding the
    # stack's lease (one run per stack) and says so; run later, it reviews.
    summary = next(line for line in done.stdout.splitlines() if "Outcome: " in line)
    assert "Outcome: REVIEW_REQUIRED" in summary or (
        "Outcome: BUSY (another run is healing this stack: " in summary and arn in summary
    ), summary


def test_run_uses_the_running_sandbox_durable_service(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Observation 6: `run` started its own service; its execution was unknown here."""
    for key, value in sandbox.exports.items():
        monkeypatch.setenv(key, value)
    clients(sandbox, "cloudformation").create_stack(
        StackName="mine", TemplateBody=(REPO / "examples" / "sample-stack.yaml").read_text()
    )
    assert main(["run", "--stack", "mine"]) == 0
    out = capsys.readouterr().out
    arn = re.findall(r"-> execution (\S+)", out)[0]
    execution = clients(sandbox, "lambda").get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"])["Outcome"] == "IN_SYNC"


def test_a_port_in_use_ends_the_command_at_once() -> None:
    """Observation 5: "Port N is in use", then the command hung."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        began = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "drift_healer_cli", "sandbox", "--port", str(port)],
                check=False,
                capture_output=True,
                text=True,
                env=cli_env(),
                timeout=60,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"drift-healer sandbox --port {port} still running after 60 s")
    assert done.returncode != 0
    assert f"port {port}" in done.stderr and "in use" in done.stderr
    assert "--port" in done.stderr  # says what to do
    assert "Traceback" not in done.stderr
    assert time.monotonic() - began < 30
