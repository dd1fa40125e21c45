"""`drift-healer accept STACK --reason`: answers ACCEPT to a waiting run, or starts a run
with AcceptDrift when none waits; either way the change is kept."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from drift_healer_cli.main import SDK_LOGGER, main
from tests.e2e.approval.harness import TEMPLATE, Approvals

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _sdk_log_level() -> Iterator[None]:
    """main() quiets the SDK's logger for the process: put it back for the tests after."""
    logger = logging.getLogger(SDK_LOGGER)
    level = logger.level
    yield
    logger.setLevel(level)


def cli(approvals: Approvals, *argv: str) -> int:
    return main([*argv, "--durable-endpoint", approvals.service.endpoint_url])


def test_accept_answers_the_waiting_run(
    approvals: Approvals, capsys: pytest.CaptureFixture[str]
) -> None:
    arn, _ = approvals.waiting_run("cli-keep")

    assert cli(approvals, "accept", "cli-keep", "--reason", "fix stays", "--by", "ops") == 0

    assert "cli-keep: kept (accepted) by ops" in capsys.readouterr().out
    result = approvals.result(arn)
    assert result["Outcome"] == "ACCEPTED", result["Reason"]
    assert result["Approval"]["Decision"] == "ACCEPT"
    assert approvals.value("cli-keep") == "changed-by-hand"
    assert approvals.next_notice().attributes["outcome"] == "ACCEPTED"


def test_accept_without_a_waiting_run_starts_one_with_accept_drift(
    approvals: Approvals, capsys: pytest.CaptureFixture[str]
) -> None:
    cfn, ssm = approvals.aws("cloudformation"), approvals.aws("ssm")
    template = json.dumps(TEMPLATE).replace("/approval/sample", "/cli-start/p")
    cfn.create_stack(StackName="cli-start", TemplateBody=template)
    ssm.put_parameter(Name="/cli-start/p", Value="by-hand", Type="String", Overwrite=True)

    code = cli(approvals, "accept", "cli-start", "--reason", "keep it", "--by", "ops")

    out = capsys.readouterr().out
    assert code == 0, out
    assert "No run waits on cli-start: starting one with AcceptDrift." in out
    assert '"Outcome": "ACCEPTED"' in out
    assert approvals.value("cli-start") == "by-hand"
    notice = approvals.next_notice()
    assert notice.attributes["outcome"] == "ACCEPTED"
    assert "+" in notice.body and "by-hand" in notice.body
