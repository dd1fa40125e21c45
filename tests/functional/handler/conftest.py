"""The real handler, run by the durable testing SDK against the local AWS sandbox."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sandbox.cloudformation.timing import Phase
from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import FAST_POLLS, REGION, Inbox, new_inbox


@pytest.fixture(scope="session")
def aws(aws_sandbox: AwsSandbox) -> Iterator[AwsSandbox]:
    sandbox = aws_sandbox
    saved = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=sandbox.endpoint_url,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        # One HTTP attempt per call: throttling must be survived by the workflow's own
        # step retries and poll tolerance, not hidden by botocore's retries.
        AWS_MAX_ATTEMPTS="1",
    )
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield sandbox
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def inbox(aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch) -> Inbox:
    aws.reset()
    aws.faults.seed(7)
    # Every asynchronous operation is seen in progress twice before it finishes.
    aws.timing.detection = aws.timing.change_set_create = aws.timing.execution = Phase(0.0, 2)
    box = new_inbox(aws)
    monkeypatch.setenv("SNS_TOPIC_ARN", box.topic_arn)
    for name, value in FAST_POLLS.items():
        monkeypatch.setenv(name, value)
    return box


@pytest.fixture
def table(aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """The drift state table, as the template deploys it (STATE_TABLE_NAME)."""
    name = create_state_table(aws.client("dynamodb"), "drift-healer-state")
    aws.dynamodb_faults.clear()
    monkeypatch.setenv("STATE_TABLE_NAME", name)
    return name
