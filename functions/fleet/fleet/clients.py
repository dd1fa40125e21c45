"""AWS clients for the fleet: its own account, or a target account through STS AssumeRole.

Assumed credentials stay in this process's memory (refreshed five minutes before they
expire); steps return only stack names and statuses, so credentials never reach a checkpoint.
The healer has the same logic in healer/target_credentials.py (two Lambda packages).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_sns import SNSClient

DEFAULT_ROLE_NAME = "cfn-drift-healer-target"
_CONFIG = Config(retries={"mode": "standard"}, user_agent_extra="cfn-drift-healer-fleet/0.1")
_REFRESH_BEFORE = timedelta(minutes=5)
_lock = threading.Lock()
_held: dict[str, dict[str, Any]] = {}


def home_region() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def role_arn(account_id: str) -> str:
    name = os.environ.get("EXECUTION_ROLE_NAME") or DEFAULT_ROLE_NAME
    return f"arn:aws:iam::{account_id}:role/{name}"


def _credentials(account_id: str) -> dict[str, Any]:
    arn = role_arn(account_id)
    with _lock:
        held = _held.get(arn)
        if held is None or held["Expiration"] - _REFRESH_BEFORE <= datetime.now(UTC):
            sts = _home_client("sts", home_region(), _endpoint_key())
            held = dict(
                sts.assume_role(RoleArn=arn, RoleSessionName="cfn-drift-healer-fleet")[
                    "Credentials"
                ]
            )
            _held[arn] = held
        return held


def _endpoint_key() -> tuple[str | None, ...]:
    names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_MAX_ATTEMPTS")
    return tuple(os.environ.get(n) for n in names)


@cache
def _home_client(service: str, region: str | None, _key: tuple[str | None, ...]) -> Any:
    return boto3.client(service, region_name=region, config=_CONFIG)  # type: ignore[call-overload]


def cloudformation(region: str | None, account_id: str | None) -> CloudFormationClient:
    """CloudFormation in `region` (default: the function's) of `account_id` (default: own)."""
    region = region or home_region()
    if account_id is None:
        client: CloudFormationClient = _home_client("cloudformation", region, _endpoint_key())
        return client
    creds = _credentials(account_id)
    assumed: CloudFormationClient = boto3.client(
        "cloudformation",
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=_CONFIG,
    )
    return assumed


def sns() -> SNSClient:
    client: SNSClient = _home_client("sns", home_region(), _endpoint_key())
    return client
