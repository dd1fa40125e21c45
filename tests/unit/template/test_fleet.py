"""The fleet's resources in template.yaml and the target-account role template."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_all
from cfnlint.decode import decode

from sandbox.functions import FLEET
from tools.expand_template import expand

ROOT = Path(__file__).parents[3]
TARGET_TEMPLATE = ROOT / "templates" / "target-account.yaml"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return expand(ROOT / "template.yaml")["Resources"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def target() -> dict[str, Any]:
    template, errors = decode(str(TARGET_TEMPLATE))
    assert not errors and template is not None
    return template


def statements_of(role: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for entry in role["Properties"]["Policies"]:
        policy = entry["Fn::If"][1] if "Fn::If" in entry else entry
        for statement in policy["PolicyDocument"]["Statement"]:
            found[statement.get("Sid", policy.get("PolicyName"))] = statement
    return found


def test_the_fleet_is_durable_behind_an_alias_and_invokes_the_healer_alias(
    resources: dict[str, Any],
) -> None:
    function = resources["FleetFunction"]["Properties"]
    assert function["Handler"] == FLEET.handler
    assert function["Runtime"] == "python3.13"
    assert "DurableConfig" in function
    variables = function["Environment"]["Variables"]
    assert variables["HEALER_FUNCTION_ARN"] == {"Ref": "DriftHealerFunctionAliaslive"}
    assert variables["FLEET_FUNCTION_ARN"]["Fn::Sub"].endswith(
        ":function:${AWS::StackName}-fleet:live"
    )
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-fleet"}
    statements = statements_of(resources["FleetFunctionRole"])
    invoke = statements["InvokeTheHealerAndOwnBatches"]
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert invoke["Resource"][0] == {"Ref": "DriftHealerFunctionAliaslive"}
    listing = statements["ListStacksOfThisAccount"]
    assert listing["Action"] == ["cloudformation:DescribeStacks", "cloudformation:ListStacks"]
    # Nothing that changes a stack: the fleet only lists; each stack's healer execution acts.
    every_action = {
        a
        for s in statements.values()
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert not {a for a in every_action if "ChangeSet" in a or "Detect" in a}


def test_the_healer_may_assume_only_the_named_target_role(resources: dict[str, Any]) -> None:
    statements = statements_of(resources["DriftHealerFunctionRole"])
    assert statements["AssumeTheTargetRoleInListedAccounts"]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ExecutionRoleName}"
    }
    variables = resources["DriftHealerFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["EXECUTION_ROLE_NAME"] == {"Ref": "ExecutionRoleName"}


def test_the_fleet_schedule_sends_a_fleet_event_to_the_fleet_alias(
    resources: dict[str, Any],
) -> None:
    schedule = resources["FleetSchedule"]
    assert schedule["Condition"] == "HasFleetSchedule"
    target = schedule["Properties"]["Target"]
    assert target["Arn"] == {"Ref": "FleetFunctionAliaslive"}
    assert target["Input"] == {"Fn::Sub": '{"Fleet": ${FleetSelector}}'}
    # The single-stack schedule stays possible.
    assert resources["DriftHealerSchedule"]["Condition"] == "HasSchedule"


def test_the_dashboard_shows_the_emitted_metrics(resources: dict[str, Any]) -> None:
    body = resources["DriftDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for name in (
        "StacksChecked",
        "StacksDrifted",
        "StacksHealed",
        "StacksHeldForReview",
        "StacksFailed",
        "ListingsFailed",
        "OldestDriftAgeSeconds",
        "StackRuns",
    ):
        assert name in body
    # Valid JSON once the ${...} references are substituted.
    json.loads(re.sub(r"\$\{[^}]+\}", "x", body))


def test_the_fleet_failures_alarm_notifies_the_alarm_topic(resources: dict[str, Any]) -> None:
    alarm = resources["FleetExecutionFailedAlarm"]["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert resources["DurableExecutionFailedAlarm"]["Type"] == "AWS::CloudWatch::Alarm"


def test_the_target_role_has_the_healer_conditions(target: dict[str, Any]) -> None:
    statements = statements_of(target["Resources"]["TargetRole"])
    create = statements["CreateOnlyDriftHealerChangeSets"]["Condition"]["Fn::If"]
    assert create[1]["StringLike"]["cloudformation:ChangeSetName"] == "drift-healer-*"
    assert create[1]["ArnEqualsIfExists"]["cloudformation:RoleArn"] == {
        "Ref": "CloudFormationRoleArn"
    }
    assert create[2]["Null"]["cloudformation:RoleArn"] == "true"
    use = statements["UseOnlyDriftHealerChangeSets"]["Condition"]["StringLike"]
    assert use["cloudformation:ChangeSetName"][0] == "drift-healer-*"
    stacks = statements["ReadDriftOfTargetStacks"]["Resource"]["Fn::Sub"]
    assert (
        stacks
        == "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/${TargetStackNamePattern}/*"
    )
    passing = statements["PassOnlyTheCloudFormationServiceRole"]
    assert (
        passing["Condition"]["StringEquals"]["iam:PassedToService"]
        == "cloudformation.amazonaws.com"
    )


def test_the_target_template_is_cfn_lint_clean() -> None:
    matches = lint_all(TARGET_TEMPLATE.read_text())
    assert [str(m) for m in matches if m.rule.id[0] in "EW"] == []
