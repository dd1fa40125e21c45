"""The fleet's AWS clients (drift_common.clients), typed: CloudFormation in any region of any
account (a target account through its execution role), SNS in its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drift_common import clients as shared
from drift_common.clients import client

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_sns import SNSClient

AGENT = "cfn-drift-healer-fleet/0.1"


def cloudformation(region: str | None, account_id: str | None) -> CloudFormationClient:
    """CloudFormation in `region` (default: the function's) of `account_id` (default: own)."""
    return shared.cloudformation(region=region, account_id=account_id, agent=AGENT)


def sns() -> SNSClient:
    topic: SNSClient = client("sns", agent=AGENT)
    return topic
