"""Helpers for the approval tests: a waiting run, its notice and link, what it changed."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import boto3

from sandbox.approval_page import ApprovalPage
from sandbox.clients import client
from sandbox.durable_service import DurableService
from sandbox.emulator import AwsSandbox
from sandbox.notices import Inbox, ReceivedNotice

OTHER_ACCOUNT = "222233334444"
TARGET_ROLE = "cfn-drift-healer-target"
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

    def aws(self, service: str, region: str | None = None, account: str | None = None) -> Any:
        """A client of `region` (default: the sandbox's) in `account` (default: home, else
        as that account's target role)."""
        region = region or self.sb.region
        if account is None:
            return client(service, self.sb.endpoint_url, region)
        creds = self.sb.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{TARGET_ROLE}", RoleSessionName="test"
        )["Credentials"]
        return boto3.client(
            service,
            endpoint_url=self.sb.endpoint_url,
            region_name=region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def waiting_run(
        self, stack: str, *, region: str | None = None, account: str | None = None
    ) -> tuple[str, ReceivedNotice]:
        """Deploy and drift `stack` (in `region` of `account`, as the fleet would pass them),
        start a review run that waits; return its execution ARN and the APPROVAL_REQUIRED
        notice."""
        cfn, ssm = self.aws("cloudformation", region, account), self.aws("ssm", region, account)
        template = json.loads(json.dumps(TEMPLATE).replace("/approval/sample", f"/{stack}/p"))
        cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
        ssm.put_parameter(
            Name=f"/{stack}/p", Value="changed-by-hand", Type="String", Overwrite=True
        )
        event: dict[str, Any] = {
            "StackName": stack,
            "CreateChangeSetOnly": True,
            "WaitForApproval": True,
        }
        if region:
            event["Region"] = region
        if account:
            event["AccountId"] = account
        arn = self.service.invoke(event)
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

    def history(self, arn: str) -> list[dict[str, Any]]:
        """Every event of the execution's history, with data: what a reader of it sees."""
        lambda_ = self.service.lambda_client()
        events: list[dict[str, Any]] = []
        marker: str | None = None
        while True:
            kwargs: dict[str, Any] = {"DurableExecutionArn": arn, "IncludeExecutionData": True}
            if marker:
                kwargs["Marker"] = marker
            page = lambda_.get_durable_execution_history(**kwargs)
            events += page.get("Events", [])
            marker = page.get("NextMarker")
            if not marker:
                return events

    def value(self, stack: str, region: str | None = None, account: str | None = None) -> str:
        ssm = self.aws("ssm", region, account)
        return str(ssm.get_parameter(Name=f"/{stack}/p")["Parameter"]["Value"])

    def calls(self, action: str) -> int:
        return int(self.sb.faults.counts().get(f"{action}:OK", 0))


def page_link(notice: ReceivedNotice) -> str:
    found = re.search(r"^\s+(http://127\.0\.0\.1:\d+/\?t=\S+)$", notice.body, re.MULTILINE)
    assert found, notice.body
    return found.group(1)


def token_of(link: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["t"][0]


def http(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    """GET (no form) or POST the form; the status and the page."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def decide(link: str, decision: str, **fields: str) -> tuple[int, str]:
    """POST the page's form for `link`."""
    return http(link, {"t": token_of(link), "decision": decision, **fields})
