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
