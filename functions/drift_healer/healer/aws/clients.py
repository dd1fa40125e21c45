"""The healer's AWS clients (drift_common.clients), typed, and the stack's account and region.

A run for another account or region (the event's `AccountId`/`Region`, set with `use_target`
for the current execution) gets CloudFormation clients for that region, signed with
credentials from assuming `arn:aws:iam::ACCOUNT:role/<EXECUTION_ROLE_NAME>`. Those credentials
live in this process's memory only: no step ever returns them, so they never reach a
checkpoint. EC2 (the attachment guard reads the stack's security group rules) follows the
stack too. Every other service (SNS, DynamoDB, Secrets Manager, Lambda) is the function's own.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from drift_common import clients as shared
from drift_common.clients import client

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient

AGENT = "cfn-drift-healer/0.1"

# (region, account id) of the stack this execution heals; None: the function's own. A context
# variable: the SDK copies it into the threads it runs steps in, and executions run side by
# side in one process (the test runner) do not see each other's.
_TARGET: ContextVar[tuple[str | None, str | None]] = ContextVar("target", default=(None, None))


def use_target(region: str | None, account_id: str | None) -> None:
    """Send this execution's CloudFormation calls to `region` of account `account_id`."""
    _TARGET.set((region, account_id))


def target() -> tuple[str | None, str | None]:
    """(region, account id) this execution's CloudFormation calls go to; None: own."""
    return _TARGET.get()


def cloudformation() -> CloudFormationClient:
    region, account_id = _TARGET.get()
    return shared.cloudformation(region=region, account_id=account_id, agent=AGENT)


def cloudtrail(region: str | None = None) -> Any:
    """CloudTrail of the stack's account, in `region` (default: the stack's region); IAM's
    events are only in us-east-1's event history. (No type stubs are installed for it.)"""
    target_region, account_id = _TARGET.get()
    return client("cloudtrail", region=region or target_region, account_id=account_id, agent=AGENT)


def ec2() -> Any:
    """EC2 of the stack's account and region (no typed stubs are installed for EC2)."""
    region, account_id = _TARGET.get()
    return client("ec2", region=region, account_id=account_id, agent=AGENT)


def sns() -> SNSClient:
    topic: SNSClient = client("sns", agent=AGENT)
    return topic


def dynamodb() -> DynamoDBClient:
    table: DynamoDBClient = client("dynamodb", agent=AGENT)
    return table


def secretsmanager() -> SecretsManagerClient:
    secrets: SecretsManagerClient = client("secretsmanager", agent=AGENT)
    return secrets


def lambda_() -> LambdaClient:
    """The function's own Lambda API: the durable executions that hold stacks' leases."""
    own: LambdaClient = client("lambda", agent=AGENT)
    return own
