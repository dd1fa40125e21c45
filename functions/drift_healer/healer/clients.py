"""AWS clients, created once per process (per configuration) from boto3's default resolution.

Region, credentials and endpoints come from the environment (AWS_REGION/AWS_DEFAULT_REGION,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS), so the same code talks to
AWS or the sandbox. In Lambda the environment never changes, so each client is built once;
keying the cache on the variables that shape a client keeps a local process that points
the handler somewhere else from reusing a stale client.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_sns import SNSClient

_CONFIG = Config(retries={"mode": "standard"}, user_agent_extra="cfn-drift-healer/0.1")
_SHAPING = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_MAX_ATTEMPTS",
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
)


def _configuration(service_env: str) -> tuple[str | None, ...]:
    return tuple(os.environ.get(name) for name in (*_SHAPING, service_env))


@cache
def _client(service: str, _configuration: tuple[str | None, ...]) -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return boto3.client(service, region_name=region, config=_CONFIG)  # type: ignore[call-overload]


def cloudformation() -> CloudFormationClient:
    client: CloudFormationClient = _client(
        "cloudformation", _configuration("AWS_ENDPOINT_URL_CLOUDFORMATION")
    )
    return client


def sns() -> SNSClient:
    client: SNSClient = _client("sns", _configuration("AWS_ENDPOINT_URL_SNS"))
    return client
