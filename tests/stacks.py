"""Stack templates shared by the handler and sandbox tests."""

from __future__ import annotations

from typing import Any

SAMPLE_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "SampleParameter": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/drift-test/sample",
                "Type": "String",
                "Value": "initial-value",
            },
        }
    }
}

APP_TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "EnvName": {"Type": "String"},
        "Retention": {"Type": "Number", "Default": 14},
    },
    "Resources": {
        "Setting": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": {"Fn::Sub": "/app/${EnvName}/mode"},
                "Type": "String",
                "Value": "strict",
            },
        },
        "Jobs": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Fn::Sub": "${EnvName}-jobs"}, "VisibilityTimeout": 30},
        },
        "Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": "/app/${EnvName}"},
                "RetentionInDays": {"Ref": "Retention"},
            },
        },
        "Worker": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
    },
}


_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}

# Stack A: a security group and a role that declare the properties other stacks attach to.
BASE_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Web": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "web",
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}
                ],
            },
        },
        "BaseReadPolicy": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"ManagedPolicyName": "base-read", "PolicyDocument": _READ},
        },
        "App": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": "base-app",
                "AssumeRolePolicyDocument": _TRUST,
                "ManagedPolicyArns": [{"Ref": "BaseReadPolicy"}],
                "Policies": [{"PolicyName": "base-inline", "PolicyDocument": _READ}],
            },
        },
    },
    "Outputs": {"GroupId": {"Value": {"Ref": "Web"}}},
}


def attaching_template(group_id: str, *, rule: bool = True, managed: bool = True) -> dict[str, Any]:
    """Stack B: attaches a rule to A's group and a managed policy to A's role."""
    resources: dict[str, Any] = {}
    if rule:
        resources["AdminSsh"] = {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": group_id,
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "CidrIp": "192.168.0.0/16",
            },
        }
    if managed:
        resources["ExtraPolicy"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "ManagedPolicyName": "extra-read",
                "PolicyDocument": _READ,
                "Roles": ["base-app"],
            },
        }
    return {"Resources": resources}


INLINE_ATTACHING_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "ExtraInline": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "extra-inline",
                "PolicyDocument": _READ,
                "Roles": ["base-app"],
            },
        }
    }
}
