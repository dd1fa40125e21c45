"""A stack in a target account, in event mode: its CloudFormation events, forwarded to the
home bus (templates/target-account.yaml), end its waits as the home account's do."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.e2e.events.world import FALLBACK, TARGET_ACCOUNT, EventWorld

pytestmark = pytest.mark.slow


def clients_in(events: EventWorld, account: str) -> tuple[Any, Any]:
    creds = events.sb.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/cfn-drift-healer-target", RoleSessionName="test"
    )["Credentials"]
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=events.sb.region,
    )
    url = events.sb.endpoint_url
    return session.client("cloudformation", endpoint_url=url), session.client(
        "ssm", endpoint_url=url
    )


@pytest.fixture(autouse=True)
def own_credentials_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The target role's credentials the healer caches (per process) die with the sandbox's
    next reset: keep them out of later tests of this process."""
    from drift_common import credentials  # noqa: PLC0415

    monkeypatch.setattr(credentials, "_held", {})


def test_a_target_account_stack_waits_on_its_forwarded_events(events: EventWorld) -> None:
    cfn, ssm = clients_in(events, TARGET_ACCOUNT)
    parameter = {"Name": "/ev-far/p", "Type": "String", "Value": "initial"}
    body = {"Resources": {"Param": {"Type": "AWS::SSM::Parameter", "Properties": parameter}}}
    stack_id = cfn.create_stack(StackName="ev-far", TemplateBody=json.dumps(body))["StackId"]
    ssm.put_parameter(Name="/ev-far/p", Value="changed", Type="String", Overwrite=True)
    assert f":{TARGET_ACCOUNT}:stack/ev-far/" in stack_id

    result, _ = events.heal("ev-far", AccountId=TARGET_ACCOUNT)

    assert result["Outcome"] == "HEALED", result["Reason"]
    for phase in ("detection", "execution", "verification"):
        seen = result["Phases"][phase]
        assert seen["EndedOn"] == "event", (phase, seen)
        assert seen["Seconds"] < FALLBACK, (phase, seen)
    woken = events.relay.woken()
    assert {r["stack-id"] for r in woken} == {stack_id}
