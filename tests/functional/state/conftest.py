"""Drift state tests: the healer's state modules against DynamoDB served by the sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox

TABLE = "drift-healer-state"


@pytest.fixture(scope="session")
def aws(aws_sandbox: AwsSandbox) -> Iterator[AwsSandbox]:
    saved = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=aws_sandbox.endpoint_url,
        AWS_REGION=aws_sandbox.region,
        AWS_DEFAULT_REGION=aws_sandbox.region,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_MAX_ATTEMPTS="1",  # an injected fault reaches the code, not botocore's retries
    )
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield aws_sandbox
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def table(aws: AwsSandbox) -> str:
    aws.reset()
    name = create_state_table(aws.client("dynamodb"), TABLE)
    aws.dynamodb_faults.clear()  # count only what the code under test sends
    return name
