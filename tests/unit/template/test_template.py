"""The SAM template: lint-clean, transforms, and grants only what docs/permissions.md promises."""

import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from cfnlint.config import ManualArgs
from cfnlint.decode import decode
from cfnlint.helpers import REGIONS

from healer.model.naming import change_set_name
from sandbox.functions import BY_RESOURCE, COMMON_LAYER, HEALER
from tools.expand_template import expand

TEMPLATE = Path(__file__).parents[3] / "template.yaml"

# What the code calls (healer/aws/cloudformation.py), plus DetectStackResourceDrift: IAM's
# Service Authorization Reference maps the DetectStackDrift operation to both actions.
CLOUDFORMATION_ACTIONS = {
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DetectStackDrift",
    "cloudformation:DetectStackResourceDrift",
    "cloudformation:DescribeStackDriftDetectionStatus",
    "cloudformation:DescribeStackResourceDrifts",
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:GetTemplate",  # issue 17: accepting drift reads the deployed template
    "cloudformation:DescribeStackResources",  # the attachment guard: any stack may own one
}
CHANGE_SET_ACTIONS = {
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet",
}
TARGET_STACKS = {
    "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${TargetStackNamePattern}/*"
}
FUNCTION_ROLE_ARN = {"Fn::GetAtt": ["DriftHealerFunctionRole", "Arn"]}
FLEET_ROLE_ARN = {"Fn::GetAtt": ["FleetFunctionRole", "Arn"]}


@pytest.fixture(scope="module")
def home_template() -> dict[str, Any]:
    return expand(TEMPLATE)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def resources(home_template: dict[str, Any]) -> dict[str, Any]:
    return home_template["Resources"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def parameters() -> dict[str, Any]:
    template, errors = decode(str(TEMPLATE))
    assert not errors and template is not None
    return template["Parameters"]  # type: ignore[no-any-return]


def statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    role = resources["DriftHealerFunctionRole"]["Properties"]
    found: list[dict[str, Any]] = []
    for entry in role["Policies"]:
        policy = entry["Fn::If"][1] if "Fn::If" in entry else entry  # conditional: "true" branch
        found.extend(policy["PolicyDocument"]["Statement"])
    return found


def actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def resources_of(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def statement_for(resources: dict[str, Any], action: str) -> dict[str, Any]:
    (found,) = [s for s in statements(resources) if action in actions_of(s)]
    return found


def test_function_is_durable_arm64_python313_behind_an_alias(resources: dict[str, Any]) -> None:
    function = resources["DriftHealerFunction"]["Properties"]
    assert function["Handler"] == HEALER.handler
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["DurableConfig"]["RetentionPeriodInDays"] == 14
    assert "ExecutionTimeout" in function["DurableConfig"]
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": "DriftHealerLogGroup"}}
    assert resources["DriftHealerFunctionAliaslive"]["Properties"]["Name"] == "live"


def test_function_is_told_its_durable_execution_timeout(resources: dict[str, Any]) -> None:
    function = resources["DriftHealerFunction"]["Properties"]
    timeout = {"Ref": "ExecutionTimeoutSeconds"}
    assert function["DurableConfig"]["ExecutionTimeout"] == timeout
    assert function["Environment"]["Variables"]["DURABLE_EXECUTION_TIMEOUT_SECONDS"] == timeout


def test_schedule_targets_the_alias_with_the_stack_and_mode(resources: dict[str, Any]) -> None:
    target = resources["DriftHealerSchedule"]["Properties"]["Target"]
    assert target["Arn"] == {"Ref": "DriftHealerFunctionAliaslive"}
    body, _values = target["Input"]["Fn::Sub"]
    assert '"StackName": "${TargetStackName}"' in body
    assert '"CreateChangeSetOnly": ${Review}' in body
    assert '"WaitForApproval": ${Wait}' in body
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
    # "*" only where IAM offers no resource type, conditions or not.
    stars = [s["Sid"] for s in statements(resources) if "*" in resources_of(s)]
    assert stars == [
        "DriftDetectionStatusHasNoResourceLevelPermissions",
        "ReadSecurityGroupRuleIds",  # EC2 Describe* (guess: no resource types, docs/permissions)
    ]
    actions = {a for s in statements(resources) for a in actions_of(s)}
    assert "cloudformation:UpdateStack" not in actions
    assert not any(a.endswith(":*") for a in actions)


def test_a_busy_run_may_read_only_this_functions_durable_executions(
    resources: dict[str, Any],
) -> None:
    statement = statement_for(resources, "lambda:GetDurableExecution")
    assert actions_of(statement) == ["lambda:GetDurableExecution"]
    # The durable execution ARN is the function's qualified ARN + /durable-execution/...
    assert statement["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
        "${AWS::StackName}-drift-healer:*"
    }
    function = resources["DriftHealerFunction"]["Properties"]
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-drift-healer"}


def test_cloudformation_actions_are_exactly_those_the_code_needs(
    resources: dict[str, Any],
) -> None:
    actions = {
        a for s in statements(resources) for a in actions_of(s) if a.startswith("cloudformation:")
    }
    assert actions == CLOUDFORMATION_ACTIONS
    anywhere = {
        "cloudformation:DescribeStackDriftDetectionStatus",
        "cloudformation:DescribeStackResources",
    }
    for action in CLOUDFORMATION_ACTIONS - anywhere:
        assert resources_of(statement_for(resources, action)) == [TARGET_STACKS], action


def test_no_changeset_resource_lines_they_restrict_nothing(resources: dict[str, Any]) -> None:
    # Change-set actions are authorised against the stack; a changeSet/ ARN never matches.
    lines = [r for s in statements(resources) for r in resources_of(s) if "changeSet/" in str(r)]
    assert lines == []


def test_change_set_actions_only_on_drift_healer_change_sets(resources: dict[str, Any]) -> None:
    for action in CHANGE_SET_ACTIONS:
        condition = statement_for(resources, action)["Condition"]
        branches = condition["Fn::If"][1:] if "Fn::If" in condition else [condition]
        for branch in branches:
            names = branch["StringLike"]["cloudformation:ChangeSetName"]
            names = names if isinstance(names, list) else [names]
            assert "drift-healer-*" in names, action
            # Every allowed form, name or ARN, is a drift-healer change set and nothing wider.
            texts = [n["Fn::Sub"] if isinstance(n, dict) else n for n in names]
            assert all(re.search(r"(^|:changeSet/)drift-healer-\*$", t) for t in texts), texts
    # The names the code gives its change sets match (IAM's * is fnmatch's *).
    name = change_set_name(
        "arn:aws:lambda:us-east-1:123456789012:function:f:live/durable-execution/x/y"
    )
    assert fnmatchcase(name, "drift-healer-*")


def test_create_change_set_passes_only_the_configured_role_or_none(
    resources: dict[str, Any],
) -> None:
    condition = statement_for(resources, "cloudformation:CreateChangeSet")["Condition"]
    has_role, with_role, without_role = condition["Fn::If"]
    assert has_role == "HasServiceRole"
    # A request without RoleARN carries no cloudformation:RoleArn key: ...IfExists admits it.
    assert with_role["ArnEqualsIfExists"] == {
        "cloudformation:RoleArn": {"Ref": "CloudFormationRoleArn"}
    }
    # No role configured: only requests that send none.
    assert without_role["Null"] == {"cloudformation:RoleArn": "true"}
    others = [
        statement_for(resources, a) for a in CHANGE_SET_ACTIONS - {"cloudformation:CreateChangeSet"}
    ]
    assert all("cloudformation:RoleArn" not in str(s["Condition"]) for s in others)


def test_target_stack_pattern_must_be_chosen(parameters: dict[str, Any]) -> None:
    pattern = parameters["TargetStackNamePattern"]
    assert "Default" not in pattern  # `sam deploy --guided` asks; a plain deploy fails
    allowed = pattern["AllowedPattern"]
    assert re.fullmatch(allowed, "") is None
    assert re.fullmatch(allowed, "*") and re.fullmatch(allowed, "app-*")


def test_notice_topic_policy_lets_only_the_function_roles_publish(
    resources: dict[str, Any],
) -> None:
    policy = resources["NotificationTopicPolicy"]["Properties"]
    assert policy["Topics"] == [{"Ref": "NotificationTopic"}]
    by_sid = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert set(by_sid) == {"FunctionPublishesNotices", "NobodyElsePublishes"}  # no alarms
    function = by_sid["FunctionPublishesNotices"]
    assert (function["Effect"], function["Principal"]) == (
        "Allow",
        {"AWS": [FUNCTION_ROLE_ARN, FLEET_ROLE_ARN]},  # the fleet publishes its digest
    )
    deny = by_sid["NobodyElsePublishes"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "sns:Publish")
    # A service principal has no aws:PrincipalArn: StringNotEquals is true, so it is denied.
    assert deny["Condition"] == {
        "StringNotEquals": {
            "aws:PrincipalArn": [
                FUNCTION_ROLE_ARN,
                FLEET_ROLE_ARN,
                {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"},
            ]
        }
    }


def test_alarm_topic_policy_lets_only_this_stacks_alarms_publish(
    resources: dict[str, Any],
) -> None:
    policy = resources["AlarmTopicPolicy"]["Properties"]
    assert policy["Topics"] == [{"Ref": "AlarmTopic"}]
    by_sid = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    alarms = by_sid["StackAlarmsPublish"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"].endswith(
        ":alarm:${AWS::StackName}-*"
    )
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    deny = by_sid["NobodyElsePublishes"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "sns:Publish")
    unless = deny["Condition"]["StringNotEquals"]
    assert unless["aws:PrincipalArn"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    ]
    assert unless["aws:PrincipalServiceName"] == "cloudwatch.amazonaws.com"


def test_alarms_have_their_own_topic_and_key(resources: dict[str, Any]) -> None:
    # A broken notice key policy (or topic) must not also silence the alarm meant to report
    # it. CloudWatch cannot use the AWS-managed alias/aws/sns key (its policy cannot admit
    # it): a customer-managed key, the alarms' own.
    assert resources["NotificationTopic"]["Properties"]["KmsMasterKeyId"] == {
        "Ref": "NotificationKey"
    }
    assert resources["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "AlarmKey"}
    notice_key = {
        s["Sid"]: s for s in resources["NotificationKey"]["Properties"]["KeyPolicy"]["Statement"]
    }
    assert "cloudwatch.amazonaws.com" not in str(notice_key)
    alarm_key = resources["AlarmKey"]["Properties"]
    assert alarm_key["EnableKeyRotation"] is True
    by_sid = {s["Sid"]: s for s in alarm_key["KeyPolicy"]["Statement"]}
    cloudwatch = by_sid["CloudWatchAlarmsPublishToTheEncryptedTopic"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(cloudwatch["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    function = statement_for(resources, "kms:GenerateDataKey*")
    assert function["Resource"] == {"Fn::GetAtt": ["NotificationKey", "Arn"]}
    assert function["Condition"]["StringEquals"] == {
        "kms:ViaService": {"Fn::Sub": "sns.${AWS::Region}.amazonaws.com"}
    }


def test_the_alarm_topic_is_an_output(home_template: dict[str, Any]) -> None:
    assert home_template["Outputs"]["AlarmTopicArn"]["Value"] == {"Ref": "AlarmTopic"}


def metrics_of(alarm: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(namespace, metric, FunctionName ref) of every metric the alarm reads."""
    plain = [alarm] if "MetricName" in alarm else []
    stats = [m["MetricStat"]["Metric"] for m in alarm.get("Metrics", []) if "MetricStat" in m]
    return {
        (m["Namespace"], m["MetricName"], d["Value"]["Ref"])
        for m in plain + stats
        for d in m["Dimensions"]
        if d["Name"] == "FunctionName"
    }


def test_alarms_on_failed_executions_and_errors_notify_the_alarm_topic(
    resources: dict[str, Any],
) -> None:
    alarms = {
        name: r["Properties"]
        for name, r in resources.items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    failed = alarms["DurableExecutionFailedAlarm"]
    assert metrics_of(failed) == {
        ("AWS/Lambda", "DurableExecutionFailed", "DriftHealerFunction"),
        ("AWS/Lambda", "DurableExecutionTimedOut", "DriftHealerFunction"),
    }
    assert metrics_of(alarms["FunctionErrorsAlarm"]) == {
        ("AWS/Lambda", "Errors", "DriftHealerFunction")
    }
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        # The topic policy admits alarms named ${AWS::StackName}-*.
        assert alarm["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-")
    for alarm in (a for a in alarms.values() if metrics_of(a)):  # the functions' failures
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (
            "GreaterThanOrEqualToThreshold",
            1,
        )
        assert alarm["TreatMissingData"] == "notBreaching"


def test_log_group_outlives_the_stack(resources: dict[str, Any]) -> None:
    log_group = resources["DriftHealerLogGroup"]
    assert log_group["DeletionPolicy"] == "Retain"
    assert log_group["UpdateReplacePolicy"] == "Retain"


def test_checkov_suppressions_reach_the_generated_resources_with_reasons(
    resources: dict[str, Any],
) -> None:
    # checkov scans the expanded template: a skip must survive the SAM transform.
    function = resources["DriftHealerFunction"]
    assert function["Type"] == "AWS::Lambda::Function"
    for resource in (function, resources["DriftHealerLogGroup"]):
        skips = resource["Metadata"]["checkov"]["skip"]
        assert skips
        assert all(re.fullmatch(r"CKV_AWS_\d+", s["id"]) and s["comment"].strip() for s in skips)


# cfn-lint's lint_all (every region, every rule, experimental ones too), in four slices of
# the regions so that parallel test workers share the work; together they are lint_all.
REGION_SLICES = [tuple(REGIONS[i::4]) for i in range(4)]


@pytest.mark.parametrize("regions", REGION_SLICES, ids=lambda r: f"{r[0]}-and-{len(r) - 1}-more")
def test_template_is_cfn_lint_clean(regions: tuple[str, ...]) -> None:
    config = ManualArgs(include_checks=["I"], include_experimental=True, regions=list(regions))
    matches = lint(TEMPLATE.read_text(), config=config)
    problems = [str(m) for m in matches if m.rule.id[0] in "EW"]  # errors and warnings
    assert problems == []


def test_the_region_slices_cover_every_region() -> None:
    assert sorted(r for s in REGION_SLICES for r in s) == sorted(REGIONS)


def test_every_function_runs_the_code_the_sandbox_runs_with_the_common_layer(
    resources: dict[str, Any],
) -> None:
    """Handler and code folder as the sandbox loads them, and drift_common in every one."""
    raw, errors = decode(str(TEMPLATE))
    assert not errors and raw is not None
    for logical_id, code in BY_RESOURCE.items():
        declared = raw["Resources"][logical_id]["Properties"]
        assert declared["Handler"] == code.handler, logical_id
        assert (TEMPLATE.parent / declared["CodeUri"]).resolve() == code.code_uri, logical_id
        layers = resources[logical_id]["Properties"]["Layers"]
        (layer,) = [r["Ref"] for r in layers]
        assert resources[layer]["Type"] == "AWS::Lambda::LayerVersion"
    layer = raw["Resources"]["CommonLayer"]
    assert (TEMPLATE.parent / layer["Properties"]["ContentUri"]).resolve() == COMMON_LAYER
    assert layer["Metadata"]["BuildMethod"] == raw["Globals"]["Function"]["Runtime"]
    assert (COMMON_LAYER / "requirements.txt").is_file()
    assert (COMMON_LAYER / "drift_common" / "__init__.py").is_file()
