"""`drift-healer pending | approve | reject` against the local durable service."""

from __future__ import annotations

import pytest

from drift_healer_cli.main import main
from tests.e2e.approval.harness import Approvals

pytestmark = pytest.mark.slow


def cli(approvals: Approvals, *argv: str) -> int:
    return main([*argv, "--durable-endpoint", approvals.service.endpoint_url])


def test_pending_then_approve_from_the_cli_heals(
    approvals: Approvals, capsys: pytest.CaptureFixture[str]
) -> None:
    arn, notice = approvals.waiting_run("cli-approve")
    callback_id = notice.result["Approval"]["CallbackId"] if notice.result else None

    assert cli(approvals, "pending") == 0
    listed = capsys.readouterr().out
    assert "cli-approve: waiting since" in listed and f"callback {callback_id}" in listed

    assert cli(approvals, "approve", "cli-approve", "--reason", "ok", "--by", "ops") == 0
    assert "cli-approve: approved by ops" in capsys.readouterr().out
    result = approvals.result(arn)
    assert result["Outcome"] == "HEALED"
    assert result["Approval"]["By"] == "ops" and result["Approval"]["Reason"] == "ok"
    assert approvals.value("cli-approve") == "initial-value"
    approvals.next_notice()

    # Decided: nothing waits any more, a second answer finds nothing to answer.
    assert cli(approvals, "approve", "cli-approve") == 1
    assert "no approval is waiting for cli-approve" in capsys.readouterr().err
    assert cli(approvals, "pending", "--stack", "cli-approve") == 0
    assert "No approval is waiting." in capsys.readouterr().out


def test_reject_needs_a_reason_and_deletes_the_change_set(
    approvals: Approvals, capsys: pytest.CaptureFixture[str]
) -> None:
    arn, _ = approvals.waiting_run("cli-reject")
    with pytest.raises(SystemExit):
        cli(approvals, "reject", "cli-reject")
    assert "--reason" in capsys.readouterr().err

    assert cli(approvals, "reject", "cli-reject", "--reason", "intended", "--by", "ops") == 0
    result = approvals.result(arn)
    assert result["Outcome"] == "REJECTED"
    assert result["Reason"] == "rejected by ops: intended"
    assert result["ChangeSetDeleted"] is True
    assert approvals.value("cli-reject") == "changed-by-hand"
    assert approvals.next_notice().attributes["outcome"] == "REJECTED"


def test_the_cli_picks_one_of_two_regions_waiting_for_the_same_stack_name(
    approvals: Approvals, capsys: pytest.CaptureFixture[str]
) -> None:
    home, _ = approvals.waiting_run("twin")
    abroad, _ = approvals.waiting_run("twin", region="eu-west-1")

    assert cli(approvals, "approve", "twin") == 1
    refused = capsys.readouterr().err
    assert "2 approvals wait for twin" in refused
    assert f"twin in us-east-1 (account 123456789012): --execution {home}" in refused
    assert f"twin in eu-west-1 (account 123456789012): --execution {abroad}" in refused

    assert cli(approvals, "pending", "--stack", "twin", "--region", "eu-west-1") == 0
    listed = capsys.readouterr().out
    assert abroad in listed and home not in listed

    assert cli(approvals, "reject", "twin", "--region", "eu-west-1", "--reason", "x") == 0
    assert "twin: rejected by" in capsys.readouterr().out
    assert approvals.result(abroad)["Outcome"] == "REJECTED"
    assert approvals.status(home) == "RUNNING"
    approvals.next_notice()

    assert cli(approvals, "approve", "twin", "--execution", home, "--by", "ops") == 0
    assert approvals.result(home)["Outcome"] == "HEALED"
    assert approvals.value("twin") == "initial-value"
    assert approvals.value("twin", region="eu-west-1") == "changed-by-hand"
    approvals.next_notice()
