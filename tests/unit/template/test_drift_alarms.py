"""The drift alarms (issue 18): their metrics, math, thresholds as parameters, missing-data
handling and topic; the per-stack switch; the dashboard's SLO and alarm widgets."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from tools.expand_template import expand

TEMPLATE = Path(__file__).parents[3] / "template.yaml"
HEALER_METRICS = Path(__file__).parents[3] / "functions/drift_healer/healer/report/metrics.py"
FLEET_METRICS = Path(__file__).parents[3] / "functions/fleet/fleet/metrics.py"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return expand(TEMPLATE)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    decoded, errors = decode(str(TEMPLATE))
    assert not errors and decoded is not None
    return decoded  # type: ignore[no-any-return]


def alarm(template: dict[str, Any], name: str) -> dict[str, Any]:
    resource = template["Resources"][name]
    assert resource["Type"] == "AWS::CloudWatch::Alarm"
    return resource["Properties"]  # type: ignore[no-any-return]


def dims(metric: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in metric["Dimensions"]}


def test_detection_stale_is_a_heartbeat_where_missing_data_breaches(
    template: dict[str, Any], raw: dict[str, Any]
) -> None:
    stale = alarm(template, "DriftDetectionStaleAlarm")
    assert (stale["Namespace"], stale["MetricName"], dims(stale)) == (
        "CfnDriftHealer",
        "DetectionsCompleted",
        {"service": "healer"},
    )
    assert (stale["Statistic"], stale["ComparisonOperator"], stale["Threshold"]) == (
        "Sum",
        "LessThanThreshold",
        1,
    )
    assert stale["TreatMissingData"] == "breaching"  # no run at all is the case it is for
    assert stale["Period"] == {"Ref": "DetectionStalePeriodSeconds"}
    assert stale["EvaluationPeriods"] == 1
    period = raw["Parameters"]["DetectionStalePeriodSeconds"]
    # A day's schedule plus grace; CloudWatch: Period x EvaluationPeriods <= 7 days.
    assert (period["Default"], period["MinValue"], period["MaxValue"]) == (93600, 3600, 604800)
    assert period["Default"] % 60 == 0


def test_drift_unaddressed_fires_past_72_hours_of_the_oldest_drift(
    template: dict[str, Any], raw: dict[str, Any]
) -> None:
    unaddressed = alarm(template, "DriftUnaddressedAlarm")
    queries = {q["Id"]: q for q in unaddressed["Metrics"]}
    metric = queries["age"]["MetricStat"]
    assert (metric["Metric"]["MetricName"], metric["Stat"]) == ("DriftAgeSeconds", "Maximum")
    assert dims(metric["Metric"]) == {"service": "healer"}
    [returned] = [q for q in unaddressed["Metrics"] if q["ReturnData"]]
    assert returned["Expression"] == "age / 3600"  # hours, so the threshold is in hours
    assert unaddressed["Threshold"] == {"Ref": "DriftUnaddressedHours"}
    assert raw["Parameters"]["DriftUnaddressedHours"]["Default"] == 72
    assert unaddressed["ComparisonOperator"] == "GreaterThanThreshold"
    assert unaddressed["TreatMissingData"] == "ignore"  # between runs: keep the state


def test_drift_stacks_many_fires_past_ten_drifted_stacks_in_one_fleet_run(
    template: dict[str, Any], raw: dict[str, Any]
) -> None:
    many = alarm(template, "DriftStacksManyAlarm")
    assert (many["MetricName"], many["Statistic"], dims(many)) == (
        "StacksDrifted",
        "Maximum",
        {"service": "fleet"},
    )
    assert many["ComparisonOperator"] == "GreaterThanThreshold"
    assert many["Threshold"] == {"Ref": "DriftStacksManyThreshold"}
    assert raw["Parameters"]["DriftStacksManyThreshold"]["Default"] == 10
    assert many["TreatMissingData"] == "notBreaching"


@pytest.mark.parametrize(
    "name", ["DriftDetectionStaleAlarm", "DriftUnaddressedAlarm", "DriftStacksManyAlarm"]
)
def test_the_drift_alarms_go_to_the_alarm_topic_not_the_notices(
    template: dict[str, Any], name: str
) -> None:
    props = alarm(template, name)
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert props["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-")  # the topic policy
    topic = template["Resources"]["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmKey"}  # not the notices' key


def test_the_alarmed_metrics_are_the_ones_the_code_emits(template: dict[str, Any]) -> None:
    healer, fleet = HEALER_METRICS.read_text(), FLEET_METRICS.read_text()
    assert '"DetectionsCompleted"' in healer and '"DriftAgeSeconds"' in healer
    assert '"StacksDrifted"' in fleet
    assert 'SERVICE = "healer"' in healer and 'SERVICE = "fleet"' in fleet


def test_per_stack_metrics_are_off_unless_the_parameter_says_so(
    template: dict[str, Any], raw: dict[str, Any]
) -> None:
    parameter = raw["Parameters"]["PerStackMetrics"]
    assert (parameter["Default"], parameter["AllowedValues"]) == ("false", ["true", "false"])
    env = template["Resources"]["DriftHealerFunction"]["Properties"]["Environment"]["Variables"]
    assert env["PER_STACK_METRICS"] == {"Ref": "PerStackMetrics"}


def test_the_dashboard_shows_the_slos_and_the_alarms(template: dict[str, Any]) -> None:
    body = template["Resources"]["DriftDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    # ${Resource.Arn} references become placeholders; the rest must be valid JSON.
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    text = json.dumps(widgets)
    for metric in ("TimeToDetectSeconds", "TimeToRemediateSeconds", "AutoRemediated"):
        assert metric in text
    [alarms] = [w for w in widgets if w["type"] == "alarm"]
    assert len(alarms["properties"]["alarms"]) == 5
    for name in ("DriftDetectionStaleAlarm", "DriftUnaddressedAlarm", "DriftStacksManyAlarm"):
        assert "${" + name + ".Arn}" in body


def test_the_chat_topic_is_optional_and_the_only_extra_publish(
    template: dict[str, Any], raw: dict[str, Any]
) -> None:
    assert raw["Parameters"]["ChatTopicArn"]["Default"] == ""
    links = raw["Parameters"]["ChatApprovalLinks"]
    assert (links["Default"], links["AllowedValues"]) == ("false", ["true", "false"])
    env = template["Resources"]["DriftHealerFunction"]["Properties"]["Environment"]["Variables"]
    assert env["CHAT_TOPIC_ARN"] == {"Ref": "ChatTopicArn"}
    assert env["CHAT_APPROVAL_LINKS"] == {"Ref": "ChatApprovalLinks"}
    role = template["Resources"]["DriftHealerFunctionRole"]["Properties"]
    [chat] = [p for p in role["Policies"] if "Fn::If" in p and p["Fn::If"][0] == "HasChatTopic"]
    [statement] = chat["Fn::If"][1]["PolicyDocument"]["Statement"]
    assert (statement["Action"], statement["Resource"]) == (
        "sns:Publish",
        {"Ref": "ChatTopicArn"},
    )
    assert chat["Fn::If"][2] == {"Ref": "AWS::NoValue"}
