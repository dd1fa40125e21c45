"""Cross-stack attachments (issue 15): healing stack A must not revoke stack B's ingress rule or
detach B's policy. The change set is held for review, naming the owning stack; a lookup that
fails holds it too; an out-of-band rule that no stack owns is healed as before."""

from __future__ import annotations

from typing import Any

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, calls, client, deploy, run_handler
from tests.stacks import BASE_TEMPLATE, INLINE_ATTACHING_TEMPLATE, attaching_template

IAM = ["CAPABILITY_NAMED_IAM"]


def deploy_base() -> str:
    deploy("base", BASE_TEMPLATE, capabilities=IAM)
    outputs = client("cloudformation").describe_stacks(StackName="base")["Stacks"][0]["Outputs"]
    return str(outputs[0]["OutputValue"])


def ports(group_id: str) -> list[int]:
    group = client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return sorted(int(p["FromPort"]) for p in group["IpPermissions"])


def attached() -> list[str]:
    policies = client("iam").list_attached_role_policies(RoleName="base-app")["AttachedPolicies"]
    return sorted(p["PolicyName"] for p in policies)


def held(run: Any) -> dict[str, dict[str, Any]]:
    return {a["PropertyPath"]: a for a in run.output["HeldAttachments"]}


def test_another_stacks_rule_and_policy_are_held_naming_the_stack(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    group_id = deploy_base()
    deploy("other", attaching_template(group_id), capabilities=IAM)

    run = run_handler(inbox, {"StackName": "base"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert calls(aws, "ExecuteChangeSet") == 0
    rule = held(run)["/SecurityGroupIngress/1"]
    assert (rule["OwningStack"], rule["OwningLogicalResourceId"]) == ("other", "AdminSsh")
    assert rule["Kind"] == "ingress rule" and rule["Attachment"] == "tcp 22-22 from 192.168.0.0/16"
    policy = held(run)["/ManagedPolicyArns/1"]
    assert (policy["OwningStack"], policy["OwningLogicalResourceId"]) == ("other", "ExtraPolicy")
    body = run.notice.body
    assert "which belongs to stack other (AdminSsh)" in body
    assert "which belongs to stack other (ExtraPolicy)" in body
    assert ports(group_id) == [22, 443] and attached() == ["base-read", "extra-read"]


def test_an_inline_policy_from_elsewhere_is_held_as_unattributable(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy_base()
    deploy("other", INLINE_ATTACHING_TEMPLATE, capabilities=IAM)

    run = run_handler(inbox, {"StackName": "base"})

    assert run.outcome == "REVIEW_REQUIRED"
    inline = held(run)["/Policies/1"]
    assert inline["OwningStack"] is None and "cannot be looked up" in inline["Problem"]
    assert "extra-inline" in run.notice.body
    assert client("iam").list_role_policies(RoleName="base-app")["PolicyNames"] == [
        "base-inline",
        "extra-inline",
    ]


def test_a_failed_owner_lookup_holds_the_change_set_saying_why(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    group_id = deploy_base()
    deploy("other", attaching_template(group_id, rule=False), capabilities=IAM)
    aws.faults.set("DescribeStackResources", server_error_rate=1.0)  # every retry fails too

    run = run_handler(inbox, {"StackName": "base"})

    assert run.outcome == "REVIEW_REQUIRED"
    assert calls(aws, "ExecuteChangeSet") == 0
    policy = held(run)["/ManagedPolicyArns/1"]
    assert policy["OwningStack"] is None
    assert policy["Problem"].startswith("the owner lookup failed")
    assert "whether another stack owns it is unknown" in run.notice.body
    assert attached() == ["base-read", "extra-read"]


def test_a_rule_no_stack_owns_is_reverted(aws: AwsSandbox, inbox: Inbox) -> None:
    group_id = deploy_base()
    client("ec2").authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3389,
                "ToPort": 3389,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )

    run = run_handler(inbox, {"StackName": "base"})

    assert run.outcome == "HEALED", run.output["ReviewReasons"]
    assert run.output["HeldAttachments"] == []
    assert ports(group_id) == [443]


def test_what_revert_drift_leaves_is_shown_in_the_result_and_notice(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    template = {
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
    deploy("secrets", template)
    client("ssm").put_parameter(Name="/app/secret-described", Value="v2", Overwrite=True)

    run = run_handler(inbox, {"StackName": "secrets"})

    assert run.outcome == "HEALED", run.output["ReviewReasons"]
    assert run.output["NotPutBack"] == [
        {
            "LogicalResourceId": "Param",
            "ResourceType": "AWS::SSM::Parameter",
            "Path": "/Properties/Description",
            "Reason": "SENSITIVE_PROPERTY",
        }
    ]
    body = run.notice.body
    assert "Not put back by REVERT_DRIFT:" in body
    assert "Param (AWS::SSM::Parameter) /Properties/Description: a sensitive value" in body
