"""The SAM template: lint-clean, transforms, and grants only what the README promises."""

import copy
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_all
from cfnlint.decode import decode
from samtranslator.translator.transform import transform

TEMPLATE = Path(__file__).parents[2] / "template.yaml"


class _ManagedPolicies:
    def load(self) -> dict[str, str]:
        return {
            "AWSLambdaBasicDurableExecutionRolePolicy": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicDurableExecutionRolePolicy",
        }


@pytest.fixture(scope="module")
def resources(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, Any]:
    template, errors = decode(str(TEMPLATE))
    assert not errors
    template = copy.deepcopy(template)
    # `sam package` replaces the local CodeUri with an S3 location before the transform.
    template["Resources"]["DriftHealerFunction"]["Properties"]["CodeUri"] = "s3://bucket/code.zip"
    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return transform(template, {}, _ManagedPolicies())["Resources"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    role = resources["DriftHealerFunctionRole"]["Properties"]
    found: list[dict[str, Any]] = []
    for entry in role["Policies"]:
        policy = entry["Fn::If"][1] if "Fn::If" in entry else entry  # conditional: "true" branch
        found.extend(policy["PolicyDocument"]["Statement"])
    return found


def test_function_is_durable_arm64_python313_behind_an_alias(resources: dict[str, Any]) -> None:
    function = resources["DriftHealerFunction"]["Properties"]
    assert function["Handler"] == "app.lambda_handler"
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["DurableConfig"]["RetentionPeriodInDays"] == 14
    assert "ExecutionTimeout" in function["DurableConfig"]
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": "DriftHealerLogGroup"}}
    assert resources["DriftHealerFunctionAliaslive"]["Properties"]["Name"] == "live"


def test_schedule_targets_the_alias_with_the_stack_and_mode(resources: dict[str, Any]) -> None:
    target = resources["DriftHealerSchedule"]["Properties"]["Target"]
    assert target["Arn"] == {"Ref": "DriftHealerFunctionAliaslive"}
    body, _values = target["Input"]["Fn::Sub"]
    assert '"StackName": "${TargetStackName}"' in body
    assert '"CreateChangeSetOnly": ${Review}' in body
    assert resources["DriftHealerSchedule"]["Condition"] == "HasSchedule"


def test_publish_only_to_own_topic_and_pass_only_the_service_role(
    resources: dict[str, Any],
) -> None:
    by_sid = {s["Sid"]: s for s in statements(resources)}
    assert by_sid["PublishNoticesToOwnTopic"]["Resource"] == {"Ref": "NotificationTopic"}
    assert by_sid["PassOnlyTheCloudFormationServiceRole"]["Resource"] == {
        "Ref": "CloudFormationRoleArn"
    }
    assert by_sid["PassOnlyTheCloudFormationServiceRole"]["Condition"]["StringEquals"] == {
        "iam:PassedToService": "cloudformation.amazonaws.com"
    }
    stars = [
        s["Sid"] for s in statements(resources) if s["Resource"] == "*" and "Condition" not in s
    ]
    assert stars == ["DriftDetectionStatusHasNoResourceLevelPermissions"]
    actions = {
        a
        for s in statements(resources)
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "cloudformation:UpdateStack" not in actions
    assert not any(a.endswith(":*") for a in actions)


def test_topic_is_encrypted(resources: dict[str, Any]) -> None:
    assert resources["NotificationTopic"]["Properties"]["KmsMasterKeyId"] == "alias/aws/sns"


def test_template_is_cfn_lint_clean() -> None:
    matches = lint_all(TEMPLATE.read_text())
    problems = [str(m) for m in matches if m.rule.id[0] in "EW"]  # errors and warnings
    assert problems == []
