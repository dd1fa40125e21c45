"""The template's approval pieces: who may answer callbacks, the page, the timeout that fits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from healer.approval.settings import ApprovalSettings, approval_budget_problem
from healer.settings import Settings
from sandbox.functions import APPROVAL_PAGE
from tools.expand_template import expand

TEMPLATE = Path(__file__).parents[3] / "template.yaml"
HEALER_QUALIFIED = {
    "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
    "${AWS::StackName}-drift-healer:*"
}


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return expand(TEMPLATE)["Resources"]  # type: ignore[no-any-return]


def role_statements(resources: dict[str, Any], role: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in resources[role]["Properties"].get("Policies", []):
        policy = entry["Fn::If"][1] if "Fn::If" in entry else entry
        found.extend(policy["PolicyDocument"]["Statement"])
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_the_healer_cannot_answer_its_own_approvals(resources: dict[str, Any]) -> None:
    healer = {a for s in role_statements(resources, "DriftHealerFunctionRole") for a in actions(s)}
    assert not any(a.startswith("lambda:SendDurableExecutionCallback") for a in healer)
    assert "lambda:*" not in healer
    (signing,) = [
        s
        for s in role_statements(resources, "DriftHealerFunctionRole")
        if "secretsmanager:GetSecretValue" in actions(s)
    ]
    assert signing["Resource"] == {"Ref": "ApprovalSigningKey"}


def test_the_page_answers_only_the_healers_callbacks(resources: dict[str, Any]) -> None:
    page = role_statements(resources, "ApprovalPageFunctionRole")
    (answering,) = [s for s in page if "lambda:SendDurableExecutionCallbackSuccess" in actions(s)]
    assert answering["Resource"] == HEALER_QUALIFIED
    every = {a for s in page for a in actions(s)}
    assert every == {
        "secretsmanager:GetSecretValue",
        "cloudformation:DescribeStackResourceDrifts",
        "cloudformation:GetTemplate",  # issue 17: the diff of keeping the change
        "cloudformation:DescribeChangeSet",
        "lambda:SendDurableExecutionCallbackSuccess",
        "lambda:GetDurableExecutionHistory",
        "sts:AssumeRole",
    }
    assert not any(s["Resource"] == "*" for s in page)
    # A fleet's stack elsewhere is read as the healer read it: the target role, nothing else.
    (assuming,) = [s for s in page if "sts:AssumeRole" in actions(s)]
    assert assuming["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ExecutionRoleName}"
    }
    env = resources["ApprovalPageFunction"]["Properties"]["Environment"]["Variables"]
    assert env["EXECUTION_ROLE_NAME"] == {"Ref": "ExecutionRoleName"}


def test_the_page_is_public_behind_its_signed_links_and_optional(
    resources: dict[str, Any],
) -> None:
    url = resources["ApprovalPageFunctionUrl"]
    assert url["Properties"]["AuthType"] == "NONE"
    assert url["Condition"] == "HasApprovalPage"
    function = resources["ApprovalPageFunction"]
    assert function["Properties"]["Handler"] == APPROVAL_PAGE.handler
    assert "DurableConfig" not in function["Properties"]
    secret = resources["ApprovalSigningKey"]["Properties"]["GenerateSecretString"]
    assert secret["PasswordLength"] >= 32
    env = resources["DriftHealerFunction"]["Properties"]["Environment"]["Variables"]
    assert env["APPROVAL_PAGE_URL"]["Fn::If"][0] == "HasApprovalPage"
    assert env["APPROVAL_TIMEOUT_HOURS"] == {"Ref": "ApprovalTimeoutHours"}


def test_the_default_execution_timeout_fits_the_default_approval_wait() -> None:
    template, errors = decode(str(TEMPLATE))
    assert not errors and template is not None
    parameters = template["Parameters"]
    assert parameters["ApprovalPage"]["Default"] == "true"
    assert parameters["WaitForApproval"]["Default"] == "false"
    settings = Settings(
        durable_execution_timeout_seconds=int(parameters["ExecutionTimeoutSeconds"]["Default"])
    )
    approval = ApprovalSettings(
        approval_timeout_hours=float(parameters["ApprovalTimeoutHours"]["Default"])
    )
    assert approval.approval_timeout_hours == 72
    assert approval_budget_problem(settings, approval) is None


def test_the_pages_checkov_suppressions_reach_the_generated_resources(
    resources: dict[str, Any],
) -> None:
    for name in ("ApprovalPageFunction", "ApprovalPageFunctionUrl", "ApprovalSigningKey"):
        skips = resources[name]["Metadata"]["checkov"]["skip"]
        assert skips and all(s["id"].startswith("CKV") and s["comment"].strip() for s in skips)
    assert resources["ApprovalPageFunction"]["Type"] == "AWS::Lambda::Function"
