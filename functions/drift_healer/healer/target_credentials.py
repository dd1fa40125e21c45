"""Clients for a target account: credentials from STS AssumeRole, kept in memory only.

The role is `arn:aws:iam::<account>:role/<EXECUTION_ROLE_NAME>` (default
`cfn-drift-healer-target`, templates/target-account.yaml), like a StackSet's execution role.
The assumed credentials are never returned from a durable step nor logged: a replay (a new
invocation, maybe a new process) assumes the role again. They are reused within a process
until five minutes before they expire.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_ROLE_NAME = "cfn-drift-healer-target"
SESSION_NAME = "cfn-drift-healer"
_REFRESH_BEFORE = timedelta(minutes=5)
_CONFIG = Config(retries={"mode": "standard"}, user_agent_extra="cfn-drift-healer/0.1")

_lock = threading.Lock()
_credentials: dict[str, dict[str, Any]] = {}


def role_arn(account_id: str, partition: str = "aws") -> str:
    name = os.environ.get("EXECUTION_ROLE_NAME") or DEFAULT_ROLE_NAME
    return f"arn:{partition}:iam::{account_id}:role/{name}"


def _fresh_credentials(account_id: str) -> dict[str, Any]:
    arn = role_arn(account_id)
    with _lock:
        held = _credentials.get(arn)
        if held and held["Expiration"] - _REFRESH_BEFORE > datetime.now(UTC):
            return held
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        sts = boto3.client("sts", region_name=region, config=_CONFIG)
        held = dict(sts.assume_role(RoleArn=arn, RoleSessionName=SESSION_NAME)["Credentials"])
        _credentials[arn] = held
        return held


def assumed_client(service: str, region: str | None, account_id: str) -> Any:
    """A client for `service` in `region`, acting as the target role of `account_id`."""
    creds = _fresh_credentials(account_id)
    return boto3.client(  # type: ignore[call-overload]
        service,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=_CONFIG,
    )
