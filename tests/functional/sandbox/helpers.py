"""Shared helpers of the sandbox fidelity tests (clients, template, waits)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

from sandbox.emulator import AwsSandbox

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})

PARAM_NAME = "/app/dev/greeting"

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Env": {"Type": "String", "Default": "dev"},
        "Greeting": {"Type": "String"},
    },
    "Resources": {
        "Param": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": {"Fn::Sub": "/app/${Env}/greeting"},
                "Type": "String",
                "Value": {"Ref": "Greeting"},
                "Description": "greeting",
                "Tags": {"team": "core"},
            },
        },
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": "orders",
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": 345600,
                "DelaySeconds": 0,
                "Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}],
            },
        },
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": "Alerts", "Tags": [{"Key": "team", "Value": "core"}]},
        },
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "Tags": [{"Key": "team", "Value": "core"}],
                "VersioningConfiguration": {"Status": "Enabled"},
            },
        },
        "Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": "/app/logs", "RetentionInDays": 7},
        },
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
        },
        # Supported by moto but not by the emulator's drift detection: left out of results.
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    },
}


class Clients:
    def __init__(self, sb: AwsSandbox) -> None:
        kw: dict[str, Any] = {
            "endpoint_url": sb.endpoint_url,
            "region_name": "us-east-1",
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        self.cf = boto3.client("cloudformation", config=NO_RETRY, **kw)
        self.ssm = boto3.client("ssm", **kw)
        self.sqs = boto3.client("sqs", **kw)
        self.sns = boto3.client("sns", **kw)
        self.s3 = boto3.client("s3", **kw)
        self.logs = boto3.client("logs", **kw)
        self.ddb = boto3.client("dynamodb", **kw)


def create_stack(aws: Clients, name: str = "app", template: dict[str, Any] | None = None) -> str:
    stack_id: str = aws.cf.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template or TEMPLATE),
        Parameters=[{"ParameterKey": "Greeting", "ParameterValue": "hello"}],
    )["StackId"]
    return stack_id


def physical_id(aws: Clients, stack: str, logical_id: str) -> str:
    res = aws.cf.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
    return str(res["StackResourceDetail"]["PhysicalResourceId"])


def detect(aws: Clients, stack: str = "app") -> dict[str, Any]:
    """Run a stack drift detection to its end; returns the final status."""
    det_id = aws.cf.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
    for _ in range(20):
        status: dict[str, Any] = aws.cf.describe_stack_drift_detection_status(
            StackDriftDetectionId=det_id
        )
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            return status
    raise AssertionError("detection did not finish")


def drifts(aws: Clients, stack: str = "app") -> dict[str, dict[str, Any]]:
    """All latest resource drift results, following NextToken (botocore has no paginator)."""
    out: dict[str, dict[str, Any]] = {}
    kw: dict[str, Any] = {"StackName": stack}
    while True:
        page = aws.cf.describe_stack_resource_drifts(**kw)
        out.update({d["LogicalResourceId"]: d for d in page["StackResourceDrifts"]})
        if not page.get("NextToken"):
            return out
        kw["NextToken"] = page["NextToken"]


def wait_change_set(aws: Clients, cs_id: str, **kw: Any) -> dict[str, Any]:
    for _ in range(20):
        cs: dict[str, Any] = aws.cf.describe_change_set(ChangeSetName=cs_id, **kw)
        if cs["Status"] not in ("CREATE_PENDING", "CREATE_IN_PROGRESS"):
            return cs
    raise AssertionError("change set creation did not finish")


def wait_stack(aws: Clients, stack: str = "app") -> str:
    for _ in range(20):
        status = str(aws.cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])
        if not status.endswith("_IN_PROGRESS"):
            return status
    raise AssertionError("stack operation did not finish")


def call(sb: AwsSandbox, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request to the sandbox's HTTP control API: (status, JSON answer)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{sb.endpoint_url}/_sandbox{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
