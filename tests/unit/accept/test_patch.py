"""The template patch: literal values written in place (comments and format kept), JSON as
JSON, parameters changed instead of `!Ref`, computed values and deletions refused."""

from __future__ import annotations

import json
from typing import Any

from drift_common.accept import AcceptDifference, DriftToAccept, change_parameters, patch_template

YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
# the app's settings
Parameters:
  Mode:
    Type: String
    AllowedValues: [strict, lax]
  Env:
    Type: String
Resources:
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub "/app/${Env}/mode"
      Type: String
      Value: !Ref Mode   # from the parameter
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: 'jobs'
      VisibilityTimeout: 30  # seconds
      DelaySeconds: 0
      Tags:
        - Key: team   # who
          Value: core
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-data"
      Tags:
        - Key: team
          Value: !Ref Env
"""


def drift(
    lid: str,
    actual: dict[str, Any],
    *paths: tuple[str, str],
    expected: dict[str, Any] | None = None,
    status: str = "MODIFIED",
    rtype: str = "AWS::SQS::Queue",
) -> DriftToAccept:
    return DriftToAccept(
        logical_id=lid,
        resource_type=rtype,
        drift_status=status,
        differences=[AcceptDifference(path=p, difference_type=t) for p, t in paths],
        actual_json=json.dumps(actual),
        expected_json=json.dumps(expected or {}),
    )


def test_a_literal_value_is_replaced_in_place_keeping_comments_and_format() -> None:
    patch = patch_template(
        YAML, [drift("Jobs", {"VisibilityTimeout": "300"}, ("/VisibilityTimeout", "NOT_EQUAL"))]
    )
    assert patch.complete
    assert patch.body == YAML.replace("VisibilityTimeout: 30  #", "VisibilityTimeout: 300  #")
    assert "-      VisibilityTimeout: 30  # seconds" in patch.diff
    assert "+      VisibilityTimeout: 300  # seconds" in patch.diff
    assert patch.paths == ["Jobs/VisibilityTimeout"]
    assert patch.parameter_changes == []


def test_a_quoted_string_stays_quoted() -> None:
    patch = patch_template(
        YAML, [drift("Jobs", {"QueueName": "it's"}, ("/QueueName", "NOT_EQUAL"))]
    )
    assert patch.body is not None
    assert "      QueueName: 'it''s'\n" in patch.body


def test_a_list_property_is_replaced_whole_with_the_actual_value() -> None:
    actual = {
        "Tags": [{"Key": "team", "Value": "ops"}, {"Key": "aws:cloudformation:x", "Value": "y"}]
    }
    patch = patch_template(YAML, [drift("Jobs", actual, ("/Tags/0/Value", "NOT_EQUAL"))])
    assert patch.complete, patch.not_accepted
    assert patch.body is not None
    assert '      Tags:\n        [{"Key": "team", "Value": "ops"}]\n' in patch.body
    assert "VisibilityTimeout: 30  # seconds" in patch.body  # the rest untouched


def test_a_value_from_a_parameter_changes_the_parameter_not_the_template() -> None:
    patch = patch_template(
        YAML,
        [drift("Setting", {"Value": "lax"}, ("/Value", "NOT_EQUAL"), expected={"Value": "strict"})],
    )
    assert patch.complete
    assert patch.body == YAML
    assert patch.diff == ""
    assert [c.to_json() for c in patch.parameter_changes] == [
        {"ParameterKey": "Mode", "OldValue": "strict", "NewValue": "lax"}
    ]
    assert change_parameters(["Env", "Mode"], patch.parameter_changes) == [
        {"ParameterKey": "Env", "UsePreviousValue": True},
        {"ParameterKey": "Mode", "ParameterValue": "lax"},
    ]


def test_a_parameter_value_outside_its_allowed_values_is_refused() -> None:
    patch = patch_template(YAML, [drift("Setting", {"Value": "off"}, ("/Value", "NOT_EQUAL"))])
    assert not patch.complete
    assert "AllowedValues" in patch.not_accepted[0].reason


def test_a_parameter_used_elsewhere_is_refused() -> None:
    body = (
        YAML
        + "  Other:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Ref Mode\n"
    )
    patch = patch_template(body, [drift("Setting", {"Value": "lax"}, ("/Value", "NOT_EQUAL"))])
    assert patch.body is None
    assert [n.reason for n in patch.not_accepted] == [
        "parameter Mode is also used where nothing drifted: changing it would change those "
        "resources too"
    ]


def test_a_list_holding_a_computed_item_is_refused() -> None:
    actual = {"Tags": [{"Key": "team", "Value": "prod"}]}
    patch = patch_template(
        YAML, [drift("Bucket", actual, ("/Tags/0/Value", "NOT_EQUAL"), rtype="AWS::S3::Bucket")]
    )
    assert patch.body is None
    assert patch.not_accepted[0].reason.startswith("Tags holds a value computed by Ref")


def test_a_computed_value_is_refused_with_its_reason_and_nothing_is_accepted() -> None:
    patch = patch_template(
        YAML,
        [
            drift("Jobs", {"VisibilityTimeout": "300"}, ("/VisibilityTimeout", "NOT_EQUAL")),
            drift(
                "Bucket",
                {"BucketName": "other"},
                ("/BucketName", "NOT_EQUAL"),
                rtype="AWS::S3::Bucket",
            ),
        ],
    )
    assert patch.body is None  # no half-accepted stacks
    assert [(n.logical_id, n.reason) for n in patch.not_accepted] == [
        (
            "Bucket",
            "BucketName is computed by Fn::Sub: write the new value into the template (or its "
            "source) by hand",
        )
    ]


def test_a_deleted_resource_is_refused_with_how_to_remove_it() -> None:
    patch = patch_template(YAML, [drift("Jobs", {}, status="DELETED")])
    assert patch.body is None
    assert "remove Jobs" in patch.not_accepted[0].reason


def test_a_template_with_a_transform_is_refused() -> None:
    body = "Transform: AWS::Serverless-2016-10-31\n" + YAML
    patch = patch_template(
        body, [drift("Jobs", {"VisibilityTimeout": "300"}, ("/VisibilityTimeout", "NOT_EQUAL"))]
    )
    assert patch.body is None
    assert "transform AWS::Serverless-2016-10-31" in patch.not_accepted[0].reason


def test_getatt_and_if_and_findinmap_are_refused() -> None:
    body = """\
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      A: !GetAtt Other.Arn
      B: !If [IsProd, 1, 2]
      C: {"Fn::FindInMap": [M, K, V]}
"""
    for name, function in (("A", "Fn::GetAtt"), ("B", "Fn::If"), ("C", "Fn::FindInMap")):
        patch = patch_template(body, [drift("Jobs", {name: "x"}, (f"/{name}", "NOT_EQUAL"))])
        assert patch.body is None
        assert f"computed by {function}" in patch.not_accepted[0].reason


def test_json_stays_json() -> None:
    body = json.dumps(
        {
            "Resources": {
                "Jobs": {
                    "Type": "AWS::SQS::Queue",
                    "Properties": {"VisibilityTimeout": 30, "QueueName": "jobs"},
                }
            }
        },
        indent=4,
    )
    patch = patch_template(
        body,
        [
            drift(
                "Jobs",
                {"VisibilityTimeout": 300, "QueueName": "new"},
                ("/VisibilityTimeout", "NOT_EQUAL"),
                ("/QueueName", "NOT_EQUAL"),
            )
        ],
    )
    assert patch.body is not None
    data = json.loads(patch.body)
    assert data["Resources"]["Jobs"]["Properties"] == {"VisibilityTimeout": 300, "QueueName": "new"}
    assert patch.body == body.replace("30,", "300,").replace('"jobs"', '"new"')


def test_a_removed_property_is_refused() -> None:
    patch = patch_template(YAML, [drift("Jobs", {}, ("/DelaySeconds", "REMOVE"))])
    assert patch.body is None
    assert "removed" in patch.not_accepted[0].reason


def test_an_unreadable_template_is_refused() -> None:
    patch = patch_template("Resources: [unclosed", [])
    assert patch.body is None
    assert "could not be read" in patch.not_accepted[0].reason


def test_the_diff_of_a_template_without_a_final_newline_keeps_lines_apart() -> None:
    body = json.dumps({"Resources": {"Jobs": {"Type": "T", "Properties": {"A": 1}}}})
    patch = patch_template(body, [drift("Jobs", {"A": 2}, ("/A", "NOT_EQUAL"))])
    assert patch.diff.splitlines()[-2:] == [
        '-{"Resources": {"Jobs": {"Type": "T", "Properties": {"A": 1}}}}',
        '+{"Resources": {"Jobs": {"Type": "T", "Properties": {"A": 2}}}}',
    ]
