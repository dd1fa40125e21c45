"""The approval page end to end: the sandbox, the real healer behind the local durable
service (real clock: a waiting callback must not be skipped), and the page on a local port."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.approval_page import ApprovalPage, create_signing_secret
from sandbox.cloudformation.timing import Phase
from sandbox.durable_service import DurableService
from sandbox.emulator import AwsSandbox
from sandbox.notices import Inbox, ReceivedNotice

FUNCTION_DIR = Path(__file__).resolve().parents[2] / "functions" / "drift_healer"
TEMPLATE = {
    "Resources": {
        "SampleParameter": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": "/approval/sample", "Type": "String", "Value": "initial-value"},
        }
    }
}


@dataclass
class Approvals:
    sb: AwsSandbox
    service: DurableService
    page: ApprovalPage
    inbox: Inbox
    secret: str

    def waiting_run(self, stack: str) -> tuple[str, ReceivedNotice]:
        """Deploy and drift `stack`, start a review run that waits; return its execution ARN
        and the APPROVAL_REQUIRED notice."""
        cfn, ssm = self.sb.client("cloudformation"), self.sb.client("ssm")
        template = json.loads(json.dumps(TEMPLATE).replace("/approval/sample", f"/{stack}/p"))
        cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
        ssm.put_parameter(
            Name=f"/{stack}/p", Value="changed-by-hand", Type="String", Overwrite=True
        )
        arn = self.service.invoke(
            {"StackName": stack, "CreateChangeSetOnly": True, "WaitForApproval": True}
        )
        notice = self.next_notice()
        assert notice.attributes["outcome"] == "APPROVAL_REQUIRED", notice.body
        return arn, notice

    def next_notice(self, timeout: float = 60) -> ReceivedNotice:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            notices = self.inbox.receive(wait_seconds=1)
            if notices:
                assert len(notices) == 1, [n.subject for n in notices]
                return notices[0]
        raise AssertionError("no notice arrived")

    def status(self, arn: str) -> str:
        return str(self.service.describe(arn)["Status"])

    def result(self, arn: str) -> dict[str, Any]:
        """The handler's JSON: its result, or the record attached to its failure."""
        ended = self.service.wait_for_result(arn, timeout=60)
        if ended["Result"] is not None:
            return dict(ended["Result"])
        error = ended["Error"] or {}
        return dict(json.loads(error.get("ErrorData") or "{}")) or {"Outcome": str(error)}

    def value(self, stack: str) -> str:
        ssm = self.sb.client("ssm")
        return str(ssm.get_parameter(Name=f"/{stack}/p")["Parameter"]["Value"])

    def calls(self, action: str) -> int:
        return int(self.sb.faults.counts().get(f"{action}:OK", 0))


def page_link(notice: ReceivedNotice) -> str:
    found = re.search(r"^\s+(http://127\.0\.0\.1:\d+/\?t=\S+)$", notice.body, re.MULTILINE)
    assert found, notice.body
    return found.group(1)


@pytest.fixture(scope="module")
def approvals(aws_sandbox: AwsSandbox) -> Iterator[Approvals]:
    sb = aws_sandbox
    sb.reset()
    sb.timing.detection = sb.timing.change_set_create = sb.timing.execution = Phase(0.0, 1)
    inbox = Inbox.create(
        sb.client("sns"), sb.client("sqs"), "approval-notices", "approval-inbox", sb.email_version
    )
    # A name of its own: the healer and the page cache the key per process, by name.
    secret = create_signing_secret(sb.client("secretsmanager"), f"approval-key-{uuid.uuid4()}")
    aws = {
        "AWS_ENDPOINT_URL": sb.endpoint_url,
        "AWS_REGION": sb.region,
        "AWS_DEFAULT_REGION": sb.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
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
        handler="app.lambda_handler", handler_path=FUNCTION_DIR, env=env, skip_time=False
    )
    page.env["AWS_ENDPOINT_URL_LAMBDA"] = service.endpoint_url
    try:
        yield Approvals(sb, service, page, inbox, secret)
    finally:
        service.stop()
        page.stop()
        sb.timing.reset()
