"""Events from target accounts and regions (issue 19): the target-account template forwards
the healer's CloudFormation final statuses to the home bus; the home bus admits exactly the
target accounts; the relay is told which accounts those are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from tools.expand_template import expand

ROOT = Path(__file__).parents[3]
TARGET_TEMPLATE = ROOT / "templates" / "target-account.yaml"
DETAIL_TYPES = [
    "CloudFormation Drift Detection Status Change",
    "CloudFormation Stack Status Change",
]


@pytest.fixture(scope="module")
def home() -> dict[str, Any]:
    return expand(ROOT / "template.yaml")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def target() -> dict[str, Any]:
    template, errors = decode(str(TARGET_TEMPLATE))
    assert not errors and template is not None
    return dict(template)


def relay_pattern(home: dict[str, Any]) -> dict[str, Any]:
    rules = [
        r
        for r in home["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
        and any(
            t["Arn"] == {"Fn::GetAtt": ["RelayFunction", "Arn"]} for t in r["Properties"]["Targets"]
        )
    ]
    [rule] = rules
    return dict(rule["Properties"]["EventPattern"])


def test_the_target_rule_forwards_what_the_relay_rule_matches_of_the_chosen_stacks_only(
    home: dict[str, Any], target: dict[str, Any]
) -> None:
    forward = target["Resources"]["ForwardHealerEvents"]
    assert forward["Condition"] == "ForwardEvents"
    pattern = forward["Properties"]["EventPattern"]
    relay = relay_pattern(home)
    assert pattern["source"] == relay["source"] == ["aws.cloudformation"]
    assert pattern["detail-type"] == relay["detail-type"] == DETAIL_TYPES
    # The same final statuses, nothing in progress.
    assert pattern["detail"]["status-details"] == relay["detail"]["status-details"]
    [stack_ids] = pattern["detail"]["stack-id"]
    assert stack_ids["wildcard"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${TargetStackNamePattern}/*"
    }
    [to_home] = forward["Properties"]["Targets"]
    assert to_home["Arn"] == {"Ref": "HomeEventBusArn"}
    assert to_home["RoleArn"] == {"Fn::GetAtt": ["EventForwardingRole", "Arn"]}


def test_the_forwarding_role_puts_events_on_the_home_bus_only_for_this_rule(
    target: dict[str, Any],
) -> None:
    role = target["Resources"]["EventForwardingRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${AWS::StackName}-forward-to-healer"
    }
    assert target["Resources"]["ForwardHealerEvents"]["Properties"]["Name"] == {
        "Fn::Sub": "${AWS::StackName}-forward-to-healer"
    }
    [[grant]] = [p["PolicyDocument"]["Statement"] for p in role["Policies"]]
    assert grant == {
        "Effect": "Allow",
        "Action": "events:PutEvents",
        "Resource": {"Ref": "HomeEventBusArn"},
    }


def test_other_regions_deploy_the_forwarding_alone(target: dict[str, Any]) -> None:
    assert target["Resources"]["TargetRole"]["Condition"] == "CreateTargetRole"
    assert target["Conditions"]["CreateTargetRole"] == {
        "Fn::Equals": [{"Ref": "ForwardEventsOnly"}, "false"]
    }
    assert target["Outputs"]["TargetRoleArn"]["Condition"] == "CreateTargetRole"
    assert target["Parameters"]["HomeEventBusArn"]["Default"] == ""  # forwarding is opt-in
    assert "ForwardingOnlyNeedsTheBus" in target["Rules"]


def test_the_home_bus_admits_exactly_the_target_accounts_and_cloudformation_events(
    home: dict[str, Any],
) -> None:
    policy = home["Resources"]["TargetAccountEventsPolicy"]
    assert policy["Condition"] == "HasTargetAccounts"
    statement = policy["Properties"]["Statement"]
    assert statement["Principal"] == {"AWS": {"Fn::Split": [",", {"Ref": "TargetAccountIds"}]}}
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"
    }
    assert statement["Condition"] == {
        "ForAllValues:StringEquals": {
            "events:source": ["aws.cloudformation"],
            "events:detail-type": DETAIL_TYPES,
        }
    }
    assert home["Outputs"]["HomeEventBusArn"]["Value"] == statement["Resource"]


def test_the_relay_knows_the_target_accounts(home: dict[str, Any]) -> None:
    variables = home["Resources"]["RelayFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["TARGET_ACCOUNT_IDS"] == {"Ref": "TargetAccountIds"}
