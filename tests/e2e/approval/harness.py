"""Helpers for the approval tests: a waiting run, its notice and link, what it changed."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from sandbox.approval_page import ApprovalPage
from sandbox.durable_service import DurableService
from sandbox.emulator import AwsSandbox
from sandbox.notices import Inbox, ReceivedNotice

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
