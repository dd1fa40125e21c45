"""The sandbox's CloudTrail: writes recorded with the caller's identity, LookupEvents answered
in CloudTrail's shapes, CloudFormation's own writes recorded as invoked by CloudFormation."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.cloudtrail import Principal
from sandbox.emulator import AwsSandbox
from tests.functional.sandbox.helpers import (
    NO_RETRY,
    PARAM_NAME,
    Clients,
    create_stack,
    detect,
    wait_change_set,
    wait_stack,
)


def trail_client(sb: AwsSandbox, key: str = "testing", region: str = "us-east-1") -> Any:
    return boto3.client(
        "cloudtrail",
        endpoint_url=sb.endpoint_url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key="testing",
        config=NO_RETRY,
    )


def ssm_as(sb: AwsSandbox, key: str) -> Any:
    return boto3.client(
        "ssm",
        endpoint_url=sb.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="testing",
    )


def by_name(sb: AwsSandbox, name: str) -> list[dict[str, Any]]:
    events = trail_client(sb).lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}]
    )["Events"]
    return list(events)


def test_a_write_is_recorded_with_the_callers_principal(sb: AwsSandbox, aws: Clients) -> None:
    sb.trail.map_key("AKIDALICE", Principal.role_session("Admin", "alice"))
    ssm_as(sb, "AKIDALICE").put_parameter(Name="/x", Value="1", Type="String")
    [event] = by_name(sb, "PutParameter")
    assert event["EventSource"] == "ssm.amazonaws.com"
    assert event["ReadOnly"] == "false"
    assert event["Username"] == "alice"
    record = json.loads(event["CloudTrailEvent"])
    ident = record["userIdentity"]
    assert ident["type"] == "AssumedRole"
    assert ident["arn"] == "arn:aws:sts::123456789012:assumed-role/Admin/alice"
    assert ident["sessionContext"]["sessionIssuer"]["arn"].endswith(":role/Admin")
    assert record["requestParameters"]["name"] == "/x"
    assert "Boto3" in record["userAgent"]
    assert "sessionCredentialFromConsole" not in record


def test_unknown_keys_act_as_the_default_principal(sb: AwsSandbox, aws: Clients) -> None:
    aws.ssm.put_parameter(Name="/y", Value="1", Type="String")
    [event] = by_name(sb, "PutParameter")
    assert json.loads(event["CloudTrailEvent"])["userIdentity"]["arn"].endswith(
        ":user/sandbox-user"
    )


def test_console_calls_carry_the_console_markers(sb: AwsSandbox, aws: Clients) -> None:
    sb.trail.map_key("AKIDCONSOLE", Principal.user("bob", console=True))
    ssm_as(sb, "AKIDCONSOLE").put_parameter(Name="/z", Value="1", Type="String")
    record = json.loads(by_name(sb, "PutParameter")[0]["CloudTrailEvent"])
    assert record["sessionCredentialFromConsole"] == "true"
    assert record["userAgent"] == "AWS Internal"


def test_reads_are_not_recorded(sb: AwsSandbox, aws: Clients) -> None:
    aws.ssm.put_parameter(Name="/r", Value="1", Type="String")
    aws.ssm.get_parameter(Name="/r")
    names = [e["eventName"] for e in sb.trail.events()]
    assert "PutParameter" in names and "GetParameter" not in names


def test_lookup_by_resource_name_newest_first_and_paged(sb: AwsSandbox, aws: Clients) -> None:
    for value in ("1", "2", "3"):
        aws.ssm.put_parameter(Name="/p", Value=value, Type="String", Overwrite=True)
    client = trail_client(sb)
    kw: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": "/p"}],
        "MaxResults": 2,
    }
    first = client.lookup_events(**kw)
    second = client.lookup_events(**kw, NextToken=first["NextToken"])
    values = [
        json.loads(e["CloudTrailEvent"])["requestParameters"]["value"]
        for e in first["Events"] + second["Events"]
    ]
    assert values == ["3", "2", "1"]
    assert "NextToken" not in second


def test_only_one_lookup_attribute_is_allowed(sb: AwsSandbox) -> None:
    with pytest.raises(ClientError) as caught:
        trail_client(sb).lookup_events(
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "PutParameter"},
                {"AttributeKey": "ReadOnly", "AttributeValue": "false"},
            ]
        )
    assert caught.value.response["Error"]["Code"] == "InvalidLookupAttributesException"


def test_throttling_and_delivery_delay_knobs(sb: AwsSandbox, aws: Clients) -> None:
    sb.trail.throttle_next = 1
    with pytest.raises(ClientError) as caught:
        by_name(sb, "PutParameter")
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    sb.trail.delivery_delay_seconds = 300
    aws.ssm.put_parameter(Name="/late", Value="1", Type="String")
    assert by_name(sb, "PutParameter") == []  # not delivered yet
    sb.trail.delivery_delay_seconds = 0
    assert len(by_name(sb, "PutParameter")) == 1


def test_event_history_is_per_region(sb: AwsSandbox, aws: Clients) -> None:
    aws.ssm.put_parameter(Name="/here", Value="1", Type="String")
    other = trail_client(sb, region="eu-west-1").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "PutParameter"}]
    )
    assert other["Events"] == []


def test_a_revert_is_recorded_as_invoked_by_cloudformation(sb: AwsSandbox, aws: Clients) -> None:
    create_stack(aws)
    wait_stack(aws)
    aws.ssm.put_parameter(Name=PARAM_NAME, Value="by-hand", Type="String", Overwrite=True)
    detect(aws)
    cs_id = aws.cf.create_change_set(
        StackName="app",
        ChangeSetName="revert",
        UsePreviousTemplate=True,
        DeploymentMode="REVERT_DRIFT",
        Parameters=[{"ParameterKey": "Greeting", "UsePreviousValue": True}],
    )["Id"]
    wait_change_set(aws, cs_id)
    aws.cf.execute_change_set(ChangeSetName=cs_id)
    wait_stack(aws)
    records = [
        json.loads(e["CloudTrailEvent"])
        for e in by_name(sb, "PutParameter")
        if json.loads(e["CloudTrailEvent"])["requestParameters"].get("name") == PARAM_NAME
    ]
    newest, by_hand = records[0], records[1]
    assert newest["userIdentity"]["invokedBy"] == "cloudformation.amazonaws.com"
    assert newest["sourceIPAddress"] == "cloudformation.amazonaws.com"
    assert "invokedBy" not in by_hand["userIdentity"]


def test_the_control_api_maps_keys_and_lists_events(sb: AwsSandbox, aws: Clients) -> None:
    body = {"keys": {"AKIDCAROL": {"arn": "arn:aws:iam::123456789012:user/carol", "console": True}}}
    request = urllib.request.Request(
        f"{sb.endpoint_url}/_sandbox/trail", data=json.dumps(body).encode(), method="POST"
    )
    urllib.request.urlopen(request).read()
    ssm_as(sb, "AKIDCAROL").put_parameter(Name="/c", Value="1", Type="String")
    with urllib.request.urlopen(f"{sb.endpoint_url}/_sandbox/trail") as answer:
        events = json.loads(answer.read())["events"]
    assert events[-1]["userIdentity"]["userName"] == "carol"
