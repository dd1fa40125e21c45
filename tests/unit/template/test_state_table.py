"""The drift state table in template.yaml: the one source of the key schema the code uses."""

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from drift_common import table as state_store

TEMPLATE = Path(__file__).parents[3] / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    parsed, errors = decode(str(TEMPLATE))
    assert not errors
    return parsed  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def table(template: dict[str, Any]) -> dict[str, Any]:
    resource = template["Resources"]["DriftStateTable"]
    assert resource["Type"] == "AWS::DynamoDB::Table"
    return resource["Properties"]  # type: ignore[no-any-return]


def test_key_schema_is_the_one_the_code_uses(table: dict[str, Any]) -> None:
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    assert keys == {"HASH": state_store.PARTITION_KEY, "RANGE": state_store.SORT_KEY}
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    assert types == {state_store.PARTITION_KEY: "S", state_store.SORT_KEY: "S"}
    assert table["TimeToLiveSpecification"] == {
        "AttributeName": state_store.TTL_ATTRIBUTE,
        "Enabled": True,
    }


def test_table_is_on_demand_encrypted_and_recoverable(table: dict[str, Any]) -> None:
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_function_gets_the_table_name_and_item_access_to_that_table_only(
    template: dict[str, Any],
) -> None:
    function = template["Resources"]["DriftHealerFunction"]["Properties"]
    assert function["Environment"]["Variables"]["STATE_TABLE_NAME"] == {"Ref": "DriftStateTable"}
    statements = [
        s
        for policy in function["Policies"]
        if isinstance(policy, dict) and "Statement" in policy
        for s in policy["Statement"]
        if any(
            str(a).startswith("dynamodb:")
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        )
    ]
    assert len(statements) == 1
    assert sorted(statements[0]["Action"]) == [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",  # the thrash guard reads the stack's history back (issue 16)
        "dynamodb:UpdateItem",
    ]
    assert statements[0]["Resource"] == {"Fn::GetAtt": ["DriftStateTable", "Arn"]}


def test_the_healer_may_look_up_cloudtrail_and_ignores_its_own_role(
    template: dict[str, Any],
) -> None:
    function = template["Resources"]["DriftHealerFunction"]["Properties"]
    [lookup] = [
        s
        for policy in function["Policies"]
        if isinstance(policy, dict) and "Statement" in policy
        for s in policy["Statement"]
        if s["Action"] == "cloudtrail:LookupEvents"
    ]
    assert lookup["Resource"] == "*"
    env = function["Environment"]["Variables"]
    assert "DriftHealerFunctionRole.Arn" in str(env["IGNORE_CHANGES_BY"])
    assert env["HOLD_IF_CHANGED_BY"] == {"Ref": "HoldIfChangedBy"}
