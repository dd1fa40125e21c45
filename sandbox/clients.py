"""boto3 clients for a sandbox endpoint (cheap to import: no moto)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config


def client(service: str, endpoint_url: str, region: str) -> Any:
    """A boto3 client for a sandbox endpoint (dummy credentials)."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 3}),
    )
