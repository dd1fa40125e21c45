"""AWS clients, created once per process from boto3's default resolution.

Region, credentials and endpoints come from the environment (AWS_REGION, AWS_ENDPOINT_URL,
AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS), so the same code talks to AWS or the sandbox.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_sns import SNSClient

_CONFIG = Config(retries={"mode": "standard"}, user_agent_extra="cfn-drift-healer/0.1")


@cache
def cloudformation() -> CloudFormationClient:
    return boto3.client("cloudformation", config=_CONFIG)


@cache
def sns() -> SNSClient:
    return boto3.client("sns", config=_CONFIG)
