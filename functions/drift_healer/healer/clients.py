"""AWS clients, created once per process (per configuration) from boto3's default resolution.

A run for another account or region (the event's `AccountId`/`Region`, set with `use_target`
for the current execution) gets clients for that region, signed with credentials from
assuming `arn:aws:iam::ACCOUNT:role/<EXECUTION_ROLE_NAME>` (healer.target_credentials). Those
credentials live in this process's memory only: they are fetched again when they near expiry
or in a new process, and no step ever returns them, so they never reach a checkpoint.

Region, credentials and endpoints come from the environment (AWS_REGION/AWS_DEFAULT_REGION,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS), so the same code talks to
AWS or the sandbox. In Lambda the environment never changes, so each client is built once;
keying the cache on the variables that shape a client keeps a local process that points
the handler somewhere else from reusing a stale client.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from healer import target_credentials

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient

_CONFIG = Config(retries={"mode": "standard"}, user_agent_extra="cfn-drift-healer/0.1")
_SHAPING = (
    "AWS_ENDPOINT_URL",
    "AWS_MAX_ATTEMPTS",
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
)


# (region, account id) of the stack this execution heals; None: the function's own. A context
# variable: the SDK copies it into the threads it runs steps in, and executions run side by
# side in one process (the test runner) do not see each other's.
_TARGET: ContextVar[tuple[str | None, str | None]] = ContextVar("target", default=(None, None))


def use_target(region: str | None, account_id: str | None) -> None:
    """Send this execution's CloudFormation calls to `region` of account `account_id`."""
    _TARGET.set((region, account_id))


def targets_elsewhere() -> bool:
    """This execution heals a stack of another region or account (set by the fleet)."""
    return any(_TARGET.get())


def _client(service: str) -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    endpoint_env = f"AWS_ENDPOINT_URL_{service.upper()}"
    shaping = tuple(os.environ.get(name) for name in (*_SHAPING, endpoint_env))
    target_region, account_id = _TARGET.get()
    if service == "cloudformation" and (target_region or account_id):
        if account_id:
            return target_credentials.assumed_client(service, target_region or region, account_id)
        return _cached_client(service, target_region, shaping)
    return _cached_client(service, region, shaping)


@cache
def _cached_client(service: str, region: str | None, _shaping: tuple[str | None, ...]) -> Any:
    return boto3.client(service, region_name=region, config=_CONFIG)  # type: ignore[call-overload]


def cloudformation() -> CloudFormationClient:
    client: CloudFormationClient = _client("cloudformation")
    return client


def sns() -> SNSClient:
    client: SNSClient = _client("sns")
    return client


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def secretsmanager() -> SecretsManagerClient:
    client: SecretsManagerClient = _client("secretsmanager")
    return client
