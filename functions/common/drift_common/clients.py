"""AWS clients for every function: one factory, one cache, the same rules everywhere.

Region, credentials and endpoints come from the environment (AWS_REGION/AWS_DEFAULT_REGION,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS, AWS_PROFILE), so the same code
talks to AWS or the sandbox. In Lambda the environment never changes, so each client is built
once; keying the cache on the variables that shape a client keeps a local process that points
a handler somewhere else from reusing a stale client.

A client for another account signs with the credentials of that account's execution role
(drift_common.credentials), held in memory only.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from drift_common import credentials

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

DEFAULT_AGENT = "cfn-drift-healer/0.1"
_SHAPING = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_MAX_ATTEMPTS",
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
)


def home_region() -> str | None:
    """The function's own region."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def _shaping(service: str) -> tuple[str | None, ...]:
    names = (*_SHAPING, f"AWS_ENDPOINT_URL_{service.upper()}")
    return tuple(os.environ.get(name) for name in names)


@cache
def _config(agent: str) -> Config:
    return Config(retries={"mode": "standard"}, user_agent_extra=agent)


@cache
def _cached(service: str, region: str | None, agent: str, _shaping: tuple[str | None, ...]) -> Any:
    return boto3.client(service, region_name=region, config=_config(agent))  # type: ignore[call-overload]


def client(
    service: str,
    *,
    region: str | None = None,
    account_id: str | None = None,
    agent: str = DEFAULT_AGENT,
) -> Any:
    """A client for `service` in `region` (default: the function's own), of `account_id`
    (default: the function's own; otherwise as that account's execution role). `agent` names
    the calling function in the user agent and in the assumed role's session name."""
    region = region or home_region()
    if account_id is None:
        return _cached(service, region, agent, _shaping(service))
    sts = _cached("sts", home_region(), agent, _shaping("sts"))
    creds = credentials.fresh_credentials(
        sts, account_id, session_name=agent.split("/", maxsplit=1)[0]
    )
    return boto3.client(  # type: ignore[call-overload]
        service,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=_config(agent),
    )


def cloudformation(
    *, region: str | None = None, account_id: str | None = None, agent: str = DEFAULT_AGENT
) -> CloudFormationClient:
    """CloudFormation in `region` of `account_id` (defaults: the function's own)."""
    cfn: CloudFormationClient = client(
        "cloudformation", region=region, account_id=account_id, agent=agent
    )
    return cfn
