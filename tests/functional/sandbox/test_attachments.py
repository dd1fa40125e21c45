"""Cross-stack attachments (issue 15): a rule or a policy that stack B attaches to stack A's
security group or role shows as drift on A's declared property, its owner is found by
physical id, and A's REVERT_DRIFT change set would remove it."""

from __future__ import annotations

import json
from typing import Any

import boto3

from drift_common.owners import owning_stack
from sandbox.emulator import AwsSandbox
from tests.functional.sandbox.helpers import Clients, detect, drifts, wait_change_set, wait_stack
from tests.stacks import BASE_TEMPLATE, INLINE_ATTACHING_TEMPLATE, attaching_template


def deploy(aws: Clients, name: str, template: dict[str, Any]) -> None:
    aws.cf.create_stack(
        StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_NAMED_IAM"]
    )
    assert wait_stack(aws, name) == "CREATE_COMPLETE"


def group_id(aws: Clients) -> str:
    outputs = aws.cf.describe_stacks(StackName="base")["Stacks"][0]["Outputs"]
    return str(outputs[0]["OutputValue"])


def paths(aws: Clients, logical_id: str) -> dict[str, Any]:
    found = drifts(aws, "base")[logical_id]
    return {d["PropertyPath"]: d for d in found.get("PropertyDifferences", [])}


def revert(aws: Clients) -> dict[str, Any]:
    cs_id = aws.cf.create_change_set(
        StackName="base",
        ChangeSetName="heal",
        UsePreviousTemplate=True,
        DeploymentMode="REVERT_DRIFT",
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )["Id"]
    return wait_change_set(aws, cs_id)


def test_a_fresh_stack_with_rules_and_policies_is_in_sync(aws: Clients) -> None:
    deploy(aws, "base", BASE_TEMPLATE)
    assert detect(aws, "base")["StackDriftStatus"] == "IN_SYNC"


def test_another_stacks_ingress_rule_and_managed_policy_are_drift_on_a(aws: Clients) -> None:
    deploy(aws, "base", BASE_TEMPLATE)
    deploy(aws, "other", attaching_template(group_id(aws)))
    assert detect(aws, "base")["StackDriftStatus"] == "DRIFTED"
    rule = paths(aws, "Web")["/SecurityGroupIngress/1"]
    assert rule["DifferenceType"] == "ADD"
    assert json.loads(rule["ActualValue"])["FromPort"] == 22
    policy = paths(aws, "App")["/ManagedPolicyArns/1"]
    assert policy["DifferenceType"] == "ADD"
    assert policy["ActualValue"].endswith(":policy/extra-read")
    # CloudFormation names the owner of each attachment by its physical id.
    owner = owning_stack(aws.cf, policy["ActualValue"], "AWS::IAM::ManagedPolicy")
    assert owner is not None and (owner.stack_name, owner.logical_id) == ("other", "ExtraPolicy")
    rule_id = aws.cf.describe_stack_resource(StackName="other", LogicalResourceId="AdminSsh")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    assert rule_id.startswith("sgr-")
    owner = owning_stack(aws.cf, rule_id, "AWS::EC2::SecurityGroupIngress")
    assert owner is not None and owner.stack_name == "other"


def test_an_inline_policy_from_another_stack_is_drift_on_the_roles_policies(aws: Clients) -> None:
    deploy(aws, "base", BASE_TEMPLATE)
    deploy(aws, "other", INLINE_ATTACHING_TEMPLATE)
    assert detect(aws, "base")["StackDriftStatus"] == "DRIFTED"
    added = paths(aws, "App")
    assert added["/Policies/1"]["DifferenceType"] == "ADD"
    assert json.loads(added["/Policies/1"]["ActualValue"])["PolicyName"] == "extra-inline"


def test_reverting_a_removes_what_b_attached(sb: AwsSandbox, aws: Clients) -> None:
    deploy(aws, "base", BASE_TEMPLATE)
    deploy(aws, "other", attaching_template(group_id(aws)))
    detect(aws, "base")
    cs = revert(aws)
    changed = {c["ResourceChange"]["LogicalResourceId"] for c in cs["Changes"]}
    assert changed == {"Web", "App"}
    aws.cf.execute_change_set(ChangeSetName=cs["ChangeSetId"])
    assert wait_stack(aws, "base") == "UPDATE_COMPLETE"
    kw = {"endpoint_url": sb.endpoint_url, "region_name": "us-east-1"}
    ec2 = boto3.client("ec2", aws_access_key_id="testing", aws_secret_access_key="testing", **kw)
    iam = boto3.client("iam", aws_access_key_id="testing", aws_secret_access_key="testing", **kw)
    group = ec2.describe_security_groups(GroupIds=[group_id(aws)])["SecurityGroups"][0]
    assert [p["FromPort"] for p in group["IpPermissions"]] == [443]  # B's port 22 is gone
    attached = iam.list_attached_role_policies(RoleName="base-app")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["base-read"]  # B's policy detached
    assert detect(aws, "base")["StackDriftStatus"] == "IN_SYNC"


SECRET_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Param": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/app/secret-described",
                "Type": "String",
                "Value": "v1",
                "Description": "{{resolve:secretsmanager:db:SecretString:password}}",
            },
        }
    }
}


def test_a_property_set_from_a_secret_is_listed_as_ignored_drift(aws: Clients) -> None:
    deploy(aws, "base", SECRET_TEMPLATE)
    aws.ssm.put_parameter(
        Name="/app/secret-described", Value="v2", Description="changed", Overwrite=True
    )
    assert detect(aws, "base")["StackDriftStatus"] == "DRIFTED"
    assert set(paths(aws, "Param")) == {"/Value"}  # the secret-valued property is not compared
    cs = revert(aws)
    [change] = cs["Changes"]
    rc = change["ResourceChange"]
    assert rc["ResourceDriftIgnoredAttributes"] == [
        {"Path": "/Properties/Description", "Reason": "SENSITIVE_PROPERTY"}
    ]
    assert [d["Target"]["Name"] for d in rc["Details"]] == ["Value"]


def test_declared_egress_and_rule_descriptions_are_as_the_template_says(aws: Clients) -> None:
    template = {
        "Resources": {
            "Db": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "db",
                    "VpcId": {"Ref": "Vpc"},
                    "SecurityGroupIngress": [
                        {
                            "IpProtocol": "tcp",
                            "FromPort": 5432,
                            "ToPort": 5432,
                            "CidrIp": "10.0.0.0/16",
                            "Description": "app subnets",
                        }
                    ],
                    "SecurityGroupEgress": [
                        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
                    ],
                },
            },
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        }
    }
    deploy(aws, "base", template)
    assert detect(aws, "base")["StackDriftStatus"] == "IN_SYNC"
