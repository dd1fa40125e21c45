"""The approval page end to end: the sandbox, the real healer behind the local durable
service (real clock: a waiting callback must not be skipped), and the page on a local port."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from sandbox.approval_page import ApprovalPage, create_signing_secret
from sandbox.cloudformation.timing import Phase
from sandbox.durable_service import DurableService
from sandbox.emulator import AwsSandbox
from sandbox.functions import HEALER
from sandbox.notices import Inbox
from tests.e2e.approval.harness import OTHER_ACCOUNT, Approvals


@pytest.fixture(scope="module")
def approvals(aws_sandbox: AwsSandbox) -> Iterator[Approvals]:
    sb = aws_sandbox
    sb.reset()
    sb.timing.detection = sb.timing.change_set_create = sb.timing.execution = Phase(0.0, 1)
    inbox = Inbox.create(
        sb.client("sns"), sb.client("sqs"), "approval-notices", "approval-inbox", sb.email_version
    )
    # A secret of its own per module: one module rotates it (test_rotation).
    secret = create_signing_secret(sb.client("secretsmanager"), f"approval-key-{uuid.uuid4()}")
    aws = {
        "AWS_ENDPOINT_URL": sb.endpoint_url,
        "AWS_REGION": sb.region,
        "AWS_DEFAULT_REGION": sb.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # The fleet approval's other account, as the template passes TargetAccountIds.
        "TARGET_ACCOUNT_IDS": OTHER_ACCOUNT,
    }
    page = ApprovalPage.start(aws | {"APPROVAL_SECRET_ARN": secret})
    env = aws | {
        "SNS_TOPIC_ARN": inbox.topic_arn,
        "APPROVAL_PAGE_URL": page.url,
        "APPROVAL_SECRET_ARN": secret,
        "DETECTION_POLL_INITIAL_SECONDS": "1",
        "CHANGE_SET_POLL_INITIAL_SECONDS": "1",
        "EXECUTION_POLL_INITIAL_SECONDS": "1",
    }
    service = DurableService.start(
        handler=HEALER.handler, handler_path=HEALER.code_uri, env=env, skip_time=False
    )
    page.env["AWS_ENDPOINT_URL_LAMBDA"] = service.endpoint_url
    try:
        yield Approvals(sb, service, page, inbox, secret)
    finally:
        service.stop()
        page.stop()
        sb.timing.reset()
