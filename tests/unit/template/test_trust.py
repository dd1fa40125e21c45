"""Cross-account trust that names exactly who: the target role trusts two role ARNs, and the
home roles may assume it only in the accounts TargetAccountIds lists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from tools.expand_template import expand

ROOT = Path(__file__).parents[3]
TARGET_TEMPLATE = ROOT / "templates" / "target-account.yaml"
ROLES = {"DriftHealerFunctionRole": "DriftHealerFunction", "FleetFunctionRole": "FleetFunction"}


@pytest.fixture(scope="module")
def home() -> dict[str, Any]:
    return expand(ROOT / "template.yaml")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def target() -> dict[str, Any]:
    template, errors = decode(str(TARGET_TEMPLATE))
    assert not errors and template is not None
    return template


def statements(role: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """(condition of the policy or None, statement) of every inline policy of the role."""
    found = []
    for entry in role["Properties"]["Policies"]:
        condition, policy = (
            (entry["Fn::If"][0], entry["Fn::If"][1]) if "Fn::If" in entry else (None, entry)
        )
        found += [(condition, s) for s in policy["PolicyDocument"]["Statement"]]
    return found


def parameters_pattern_ok(parameter: dict[str, Any]) -> bool:
    pattern = re.compile(parameter["AllowedPattern"])
    return bool(
        pattern.fullmatch("")
        and pattern.fullmatch("arn:aws:iam::111122223333:role/healer-ApprovalPageFunctionRo-AB")
        and not pattern.fullmatch("arn:aws:iam::111122223333:role/healer-*")
    )


def test_the_target_role_trusts_exactly_the_healer_and_fleet_roles(target: dict[str, Any]) -> None:
    role = target["Resources"]["TargetRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert (trust["Effect"], trust["Action"]) == ("Allow", "sts:AssumeRole")
    # Exact ARNs as principals (IAM binds them to the roles themselves): no account root,
    # no ArnLike, nothing a new role with a lookalike name could match.
    page = {"Fn::If": ["HasApprovalPage", {"Ref": "ApprovalPageRoleArn"}, {"Ref": "AWS::NoValue"}]}
    assert trust["Principal"] == {"AWS": [{"Ref": "HealerRoleArn"}, {"Ref": "FleetRoleArn"}, page]}
    # The approval page's role only when given (it reads a waiting stack in a read-only session).
    assert target["Conditions"]["HasApprovalPage"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ApprovalPageRoleArn"}, ""]}]
    }
    assert parameters_pattern_ok(target["Parameters"]["ApprovalPageRoleArn"])
    assert "Condition" not in trust
    assert "*" not in json.dumps(role["AssumeRolePolicyDocument"])
    parameters = target["Parameters"]
    for name in ("HealerRoleArn", "FleetRoleArn"):
        assert "Default" not in parameters[name]  # required: no role is trusted by default
        pattern = re.compile(parameters[name]["AllowedPattern"])
        assert pattern.fullmatch("arn:aws:iam::111122223333:role/healer-DriftHealerFunctionRo-AB")
        assert not pattern.fullmatch("arn:aws:iam::111122223333:role/healer-*")
        assert not pattern.fullmatch("arn:aws:iam::111122223333:root")
    assert "HealerStackName" not in parameters


def test_the_home_stack_outputs_the_role_arns_the_target_template_takes(
    home: dict[str, Any], target: dict[str, Any]
) -> None:
    outputs = home["Outputs"]
    assert outputs["HealerRoleArn"]["Value"] == {"Fn::GetAtt": ["DriftHealerFunctionRole", "Arn"]}
    assert outputs["FleetRoleArn"]["Value"] == {"Fn::GetAtt": ["FleetFunctionRole", "Arn"]}
    assert {"HealerRoleArn", "FleetRoleArn"} <= set(target["Parameters"])


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_home_roles_assume_the_target_role_only_in_listed_accounts(
    home: dict[str, Any], role: str
) -> None:
    assuming = [
        (condition, s)
        for condition, s in statements(home["Resources"][role])
        if "sts:AssumeRole" in json.dumps(s["Action"])
    ]
    (condition, statement), *more = assuming
    assert not more
    assert condition == "HasTargetAccounts"  # no account listed: no AssumeRole at all
    assert statement["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ExecutionRoleName}"
    }
    equals = statement["Condition"]["StringEquals"]
    assert equals["aws:ResourceAccount"] == {"Fn::Split": [",", {"Ref": "TargetAccountIds"}]}
    assert equals["aws:ResourceOrgID"] == {
        "Fn::If": [
            "HasTargetOrganization",
            {"Ref": "TargetOrganizationId"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    function = home["Resources"][ROLES[role]]["Properties"]
    assert function["Environment"]["Variables"]["TARGET_ACCOUNT_IDS"] == {"Ref": "TargetAccountIds"}


def test_the_allow_list_parameters_take_only_what_iam_can_match(home: dict[str, Any]) -> None:
    template, _ = decode(str(ROOT / "template.yaml"))
    parameters = template["Parameters"]
    accounts = re.compile(parameters["TargetAccountIds"]["AllowedPattern"])
    assert parameters["TargetAccountIds"]["Default"] == ""  # none: own account only
    for good in ("", "111122223333", "111122223333,444455556666"):
        assert accounts.fullmatch(good), good
    # A space would reach the IAM condition as part of the id and match nothing.
    for bad in ("111122223333, 444455556666", "11112222333", "*", "111122223333,"):
        assert not accounts.fullmatch(bad), bad
    organization = re.compile(parameters["TargetOrganizationId"]["AllowedPattern"])
    assert organization.fullmatch("o-a1b2c3d4e5") and organization.fullmatch("")
    assert not organization.fullmatch("o-*")
    conditions = home["Conditions"]
    assert conditions["HasTargetAccounts"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "TargetAccountIds"}, ""]}]
    }
