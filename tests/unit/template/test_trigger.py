"""The trigger in the template: off unless a parameter turns a source on; it may find owning
stacks, read target stacks and start the healer by its alias only; its rules match exactly
the events its mapping knows."""

from pathlib import Path
from typing import Any

import pytest

from drift_common.trail import WRITE_EVENTS
from tools.expand_template import expand
from trigger.mapping import CONFIG_PHYSICAL_ID

TEMPLATE = Path(__file__).parents[3] / "template.yaml"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return expand(TEMPLATE)["Resources"]  # type: ignore[no-any-return]


def test_the_trigger_exists_only_when_a_source_is_turned_on(resources: dict[str, Any]) -> None:
    assert resources["TriggerFunction"]["Condition"] == "HasTrigger"
    assert resources["TriggerCloudTrailRule"]["Condition"] == "HasCloudTrailTrigger"
    assert resources["TriggerConfigRule"]["Condition"] == "HasConfigTrigger"


def test_the_trigger_role_finds_owners_and_starts_only_the_healers_alias(
    resources: dict[str, Any],
) -> None:
    policies = resources["TriggerFunctionRole"]["Properties"]["Policies"]
    granted = {
        s["Action"]: s["Resource"] for p in policies for s in p["PolicyDocument"]["Statement"]
    }
    assert ":stack/*/*" in str(granted["cloudformation:DescribeStackResources"])
    assert "${TargetStackNamePattern}" in str(granted["cloudformation:DescribeStacks"])
    assert granted["lambda:InvokeFunction"] == {"Ref": "DriftHealerFunctionAliaslive"}
    assert granted["sqs:SendMessage"] == {"Fn::GetAtt": ["TriggerDeadLetterQueue", "Arn"]}
    assert set(granted) == {
        "cloudformation:DescribeStackResources",
        "cloudformation:DescribeStacks",
        "lambda:InvokeFunction",
        "sqs:SendMessage",
    }
    trigger = resources["TriggerFunction"]["Properties"]
    assert resources["TriggerLogGroup"]["DeletionPolicy"] == "Retain"
    assert trigger["Environment"]["Variables"]["HEALER_STACK_NAME"] == {"Ref": "AWS::StackName"}


def test_the_rules_match_what_the_mapping_knows(resources: dict[str, Any]) -> None:
    pattern = resources["TriggerCloudTrailRule"]["Properties"]["EventPattern"]
    assert set(pattern["detail"]["eventName"]) == {name for _, name in WRITE_EVENTS}
    assert set(pattern["source"]) == {"aws." + src.split(".")[0] for src, _ in WRITE_EVENTS}
    config = resources["TriggerConfigRule"]["Properties"]["EventPattern"]
    assert set(config["detail"]["configurationItem"]["resourceType"]) == set(CONFIG_PHYSICAL_ID)


def test_the_trigger_window_and_the_healers_settle_are_the_same_parameter(
    resources: dict[str, Any],
) -> None:
    # A window longer than the settle would let a late change join a run that has detected.
    trigger = resources["TriggerFunction"]["Properties"]["Environment"]["Variables"]
    healer = resources["DriftHealerFunction"]["Properties"]["Environment"]["Variables"]
    assert trigger["SETTLE_SECONDS"] == healer["SETTLE_SECONDS"] == {"Ref": "SettleSeconds"}
