"""A run acts only in the accounts TARGET_ACCOUNT_IDS lists: the event's AccountId is chosen
by whoever sends the event."""

from __future__ import annotations

import json

import boto3
import pytest

from sandbox.emulator import AwsSandbox
from sandbox.notices import Inbox
from tests.functional.handler.harness import REGION, run_handler

OUTSIDE, ALLOWED = "444455556666", "555566667777"


def deploy_in(account: str, name: str) -> None:
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/cfn-drift-healer-target", RoleSessionName="test"
    )["Credentials"]
    cfn = boto3.client(
        "cloudformation",
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    parameter = {"Name": f"/{name}/v", "Type": "String", "Value": "a"}
    body = {"Resources": {"V": {"Type": "AWS::SSM::Parameter", "Properties": parameter}}}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(body))


@pytest.mark.parametrize("allow_list", [None, ALLOWED, "not-an-account"])
def test_an_event_naming_another_account_ends_error_naming_it_and_assumes_nothing(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch, allow_list: str | None
) -> None:
    if allow_list is None:
        monkeypatch.delenv("TARGET_ACCOUNT_IDS", raising=False)
    else:
        monkeypatch.setenv("TARGET_ACCOUNT_IDS", allow_list)
    deploy_in(OUTSIDE, "app")
    asked_before = aws.sts_faults.counts().get(OUTSIDE, 0)

    run = run_handler(inbox, {"StackName": "app", "AccountId": OUTSIDE})

    assert run.outcome == "ERROR"
    assert aws.sts_faults.counts().get(OUTSIDE, 0) == asked_before  # its role never assumed
    if allow_list == "not-an-account":  # a list that cannot be read allows nothing
        assert "TARGET_ACCOUNT_IDS" in run.output["Reason"]
    else:
        assert f"account {OUTSIDE} is not in TARGET_ACCOUNT_IDS" in run.output["Reason"]
        assert f"account {OUTSIDE} is not in TARGET_ACCOUNT_IDS" in run.notice.body


def test_an_account_on_the_list_is_healed_through_its_role(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", f"{OUTSIDE}, {ALLOWED}")
    deploy_in(ALLOWED, "app")
    asked_before = aws.sts_faults.counts().get(ALLOWED, 0)

    run = run_handler(inbox, {"StackName": "app", "AccountId": ALLOWED})

    assert run.outcome == "IN_SYNC", run.output["Reason"]
    assert f":{ALLOWED}:stack/app/" in run.output["StackId"]
    assert aws.sts_faults.counts().get(ALLOWED, 0) > asked_before  # through its role
