"""The demo's stacks: templates, out-of-band changes, and reading the live values back.

Two stacks:

* ``drift-test-sample``: the article's sample, one ``AWS::SSM::Parameter``
  ``/drift-test/sample`` = ``initial-value``.
* ``drift-demo-app``: parameters (``EnvName`` without a default, ``RetentionDays``) and four
  resource types. Every property changed out of band is documented as "Update requires:
  No interruption", so reverting it never replaces a resource.

The out-of-band changes go through each service's own API, as a person at the console would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drift_healer_cli.local import EXAMPLES
from sandbox.clients import client

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

SAMPLE_STACK = "drift-test-sample"
APP_STACK = "drift-demo-app"
SAMPLE_PARAMETER = "/drift-test/sample"

# The same file a person deploys by hand in `drift-healer sandbox` (examples/).
SAMPLE_TEMPLATE = (EXAMPLES / "sample-stack.yaml").read_text()

APP_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: A small application stack with parameters and several resource types.
Parameters:
  EnvName:
    Type: String
    AllowedPattern: "[a-z0-9-]+"
  RetentionDays:
    Type: Number
    Default: 14
Resources:
  Greeting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub /drift-demo/${EnvName}/greeting
      Type: String
      Value: !Sub hello from ${EnvName}
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  AppLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /drift-demo/${EnvName}/app
      RetentionInDays: !Ref RetentionDays
  Artifacts:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      Tags:
        - Key: env
          Value: !Ref EnvName
        - Key: owner
          Value: platform
"""


@dataclass(frozen=True)
class DemoStack:
    name: str
    template: str
    parameters: dict[str, str]


SAMPLE = DemoStack(SAMPLE_STACK, SAMPLE_TEMPLATE, {})
APP = DemoStack(APP_STACK, APP_TEMPLATE, {"EnvName": "demo", "RetentionDays": "30"})
STACKS = (SAMPLE, APP)


@dataclass(frozen=True)
class ValueCheck:
    """A live value next to the value the template declares."""

    label: str
    actual: str
    expected: str

    @property
    def ok(self) -> bool:
        return self.actual == self.expected

    def render(self) -> str:
        if self.ok:
            return f"  ✓ {self.label} = {self.actual}"
        return f"  ✗ {self.label} = {self.actual}  (template: {self.expected})"


def _tags_text(tags: list[dict[str, str]]) -> str:
    return ", ".join(f"{t['Key']}={t['Value']}" for t in sorted(tags, key=lambda t: t["Key"]))


class DemoAccount:
    """The demo's view of one account (the sandbox): deploy, change out of band, read back."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        self.cfn: CloudFormationClient = client("cloudformation", endpoint_url, region)
        self.ssm: SSMClient = client("ssm", endpoint_url, region)
        self.sqs: SQSClient = client("sqs", endpoint_url, region)
        # no mypy-boto3-logs / mypy-boto3-s3 stubs are installed
        self.logs: Any = client("logs", endpoint_url, region)
        self.s3: Any = client("s3", endpoint_url, region)

    # -- deploy -------------------------------------------------------------------------------

    def deploy(self, stack: DemoStack, timeout: float = 60) -> str:
        """CreateStack, then wait for a final status; returns it."""
        self.cfn.create_stack(
            StackName=stack.name,
            TemplateBody=stack.template,
            Parameters=[
                {"ParameterKey": k, "ParameterValue": v} for k, v in stack.parameters.items()
            ],
        )
        deadline = time.monotonic() + timeout
        while True:
            status = self.cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"]
            if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
                return status
            time.sleep(0.2)

    def physical_ids(self, stack_name: str) -> dict[str, str]:
        resources = self.cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
        return {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in resources}

    # -- out-of-band changes ------------------------------------------------------------------

    def change_out_of_band(self, stack: DemoStack) -> list[str]:
        """Change the stack's resources behind CloudFormation's back; describe each change."""
        ids = self.physical_ids(stack.name)
        if stack.name == SAMPLE_STACK:
            self.ssm.put_parameter(
                Name=ids["SampleParameter"], Value="changed-out-of-band", Overwrite=True
            )
            return [f"ssm put-parameter {ids['SampleParameter']}: Value -> changed-out-of-band"]
        self.ssm.put_parameter(Name=ids["Greeting"], Value="hello from a console", Overwrite=True)
        self.sqs.set_queue_attributes(
            QueueUrl=ids["WorkQueue"], Attributes={"VisibilityTimeout": "300"}
        )
        self.logs.put_retention_policy(logGroupName=ids["AppLogs"], retentionInDays=1)
        self.s3.put_bucket_tagging(
            Bucket=ids["Artifacts"],
            Tagging={
                "TagSet": [
                    {"Key": "env", "Value": "demo"},
                    {"Key": "owner", "Value": "someone-else"},
                ]
            },
        )
        self.s3.put_bucket_versioning(
            Bucket=ids["Artifacts"], VersioningConfiguration={"Status": "Suspended"}
        )
        return [
            f"ssm put-parameter {ids['Greeting']}: Value -> hello from a console",
            f"sqs set-queue-attributes {_queue_name(ids['WorkQueue'])}: VisibilityTimeout -> 300",
            f"logs put-retention-policy {ids['AppLogs']}: RetentionInDays -> 1",
            f"s3 put-bucket-tagging {ids['Artifacts']}: owner -> someone-else",
            f"s3 put-bucket-versioning {ids['Artifacts']}: Status -> Suspended",
        ]

    # -- reading the values back --------------------------------------------------------------

    def values(self, stack: DemoStack) -> list[ValueCheck]:
        """The live values of every property the demo changed, next to the template's."""
        ids = self.physical_ids(stack.name)
        if stack.name == SAMPLE_STACK:
            return [self._parameter(ids["SampleParameter"], "initial-value")]
        env = stack.parameters["EnvName"]
        queue_url, group, bucket = ids["WorkQueue"], ids["AppLogs"], ids["Artifacts"]
        timeout = self.sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
        )["Attributes"]["VisibilityTimeout"]
        groups = self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        retention = next(
            (str(g.get("retentionInDays")) for g in groups if g["logGroupName"] == group), "absent"
        )
        tags = self.s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
        versioning = self.s3.get_bucket_versioning(Bucket=bucket).get("Status", "absent")
        return [
            self._parameter(ids["Greeting"], f"hello from {env}"),
            ValueCheck(f"{_queue_name(queue_url)} VisibilityTimeout", timeout, "60"),
            ValueCheck(f"{group} RetentionInDays", retention, stack.parameters["RetentionDays"]),
            ValueCheck(f"{bucket} Tags", _tags_text(tags), f"env={env}, owner=platform"),
            ValueCheck(f"{bucket} Versioning", str(versioning), "Enabled"),
        ]

    def _parameter(self, name: str, expected: str) -> ValueCheck:
        actual = self.ssm.get_parameter(Name=name)["Parameter"].get("Value", "")
        return ValueCheck(name, actual, expected)

    def describe_change_set(self, stack_id: str, change_set_id: str) -> list[str]:
        """The change set's changes, one line per property (drift-aware details if any)."""
        response = self.cfn.describe_change_set(
            StackName=stack_id, ChangeSetName=change_set_id, IncludePropertyValues=True
        )
        lines = [
            f"  Change set {response.get('ChangeSetName')}: {response.get('Status')}, "
            f"execution {response.get('ExecutionStatus')}"
        ]
        for change in response.get("Changes", []):
            rc: Any = change.get("ResourceChange", {})
            lines.append(
                f"    {rc.get('Action')} {rc.get('LogicalResourceId')} ({rc.get('ResourceType')})"
                f", replacement {rc.get('Replacement', '-')}"
                + (f", drift {rc['ResourceDriftStatus']}" if rc.get("ResourceDriftStatus") else "")
            )
            for detail in rc.get("Details", []):
                target = detail.get("Target", {})
                path = target.get("Path") or target.get("Name") or target.get("Attribute")
                line = f"        {path}"
                if "BeforeValue" in target or "AfterValue" in target:
                    line += f": {target.get('BeforeValue')} -> {target.get('AfterValue')}"
                if target.get("BeforeValueFrom"):
                    line += f"  ({target['BeforeValueFrom']} -> {target.get('AfterValueFrom')})"
                lines.append(line)
        return lines


def _queue_name(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]
