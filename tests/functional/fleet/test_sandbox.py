"""The fleet and the real healer against the sandbox: two regions, two accounts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from fleet.handler import lambda_handler as fleet_handler
from healer.handler import lambda_handler as healer_handler
from sandbox.cloudformation.timing import Phase
from sandbox.emulator import AwsSandbox
from sandbox.notices import Inbox
from tests.functional.fleet.harness import FLEET, HEALER

HOME, OTHER = "123456789012", "222233334444"
FAST_POLLS = {
    f"{phase}_POLL_{edge}_SECONDS": seconds
    for phase in ("DETECTION", "CHANGE_SET", "EXECUTION")
    for edge, seconds in (("INITIAL", "1"), ("MAX", "2"))
}


@pytest.fixture
def aws(aws_sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsSandbox]:
    for name, value in {
        "AWS_ENDPOINT_URL": aws_sandbox.endpoint_url,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_MAX_ATTEMPTS": "1",
        # Both accounts are the healer's to act in (drift_common.credentials).
        "TARGET_ACCOUNT_IDS": f"{HOME},{OTHER}",
        **FAST_POLLS,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # Target credentials an earlier test of this process cached (e2e/approval assumes a role
    # in OTHER too) die with this reset: start with none held.
    from drift_common import credentials  # noqa: PLC0415

    monkeypatch.setattr(credentials, "_held", {})
    aws_sandbox.reset()
    aws_sandbox.faults.seed(7)
    aws_sandbox.timing.detection = Phase(0.0, 2)
    aws_sandbox.timing.change_set_create = aws_sandbox.timing.execution = Phase(0.0, 2)
    yield aws_sandbox
    aws_sandbox.reset()


def session(aws: AwsSandbox, region: str, account: str) -> boto3.Session:
    if account == HOME:
        return boto3.Session(region_name=region)
    creds = boto3.client("sts", region_name=region).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/cfn-drift-healer-target", RoleSessionName="test"
    )["Credentials"]
    return boto3.Session(
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def deploy(aws: AwsSandbox, region: str, account: str, name: str) -> None:
    template = {
        "Resources": {
            "Setting": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": f"/{name}/mode", "Type": "String", "Value": "strict"},
            }
        }
    }
    cfn = session(aws, region, account).client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))


def ssm(aws: AwsSandbox, region: str, account: str) -> Any:
    return session(aws, region, account).client("ssm")


def run(event: dict[str, Any]) -> dict[str, Any]:
    with DurableFunctionTestRunner(handler=fleet_handler, skip_time=True) as runner:
        runner.register_durable_function(HEALER, healer_handler, execution_timeout=600)
        runner.register_durable_function(FLEET, fleet_handler, execution_timeout=900)
        result = runner.run(input=json.dumps(event), execution_timeout=900)
    assert result.result is not None, result.error
    return json.loads(result.result)  # type: ignore[no-any-return]


def test_a_fleet_heals_stacks_in_two_regions_and_two_accounts_one_failing(
    aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox.create(
        boto3.client("sns"), boto3.client("sqs"), "fleet-notices", "fleet-inbox", aws.email_version
    )
    monkeypatch.setenv("SNS_TOPIC_ARN", inbox.topic_arn)
    places = [(r, a) for a in (HOME, OTHER) for r in ("us-east-1", "eu-west-1")]
    for region, account in places:
        tag = f"{account[-4:]}-{region}"
        deploy(aws, region, account, f"app-{tag}")
        ssm(aws, region, account).put_parameter(
            Name=f"/app-{tag}/mode", Value="lax", Type="String", Overwrite=True
        )
    deploy(aws, "eu-west-1", OTHER, "app-broken")
    ssm(aws, "eu-west-1", OTHER).put_parameter(
        Name="/app-broken/mode", Value="lax", Type="String", Overwrite=True
    )
    aws.faults.force_execute_failed("app-broken", "Setting", "Access denied by the test")
    deploy(aws, "us-east-1", HOME, "app-busy")
    aws.set_stack_status("app-busy", "UPDATE_IN_PROGRESS")
    deploy(aws, "us-east-1", HOME, "other-stack")  # not selected, not reported

    digest = run(
        {
            "Fleet": {
                "Regions": ["us-east-1", "eu-west-1"],
                "Accounts": [HOME, OTHER],
                "NamePatterns": ["app-*"],
                "CreateChangeSetOnly": False,
                "MaxConcurrency": 2,
            }
        }
    )

    assert (digest["Checked"], digest["Healed"], digest["Failed"]) == (5, 4, 1), digest
    assert digest["Failures"]["Items"][0]["Stack"] == f"{OTHER}/eu-west-1/app-broken"
    assert digest["Failures"]["Items"][0]["Outcome"] == "EXECUTION_FAILED"
    assert [s["Stack"] for s in digest["SkippedStacks"]["Items"]] == [f"{HOME}/us-east-1/app-busy"]
    for region, account in places:  # each stack put back in its own account and region
        tag = f"{account[-4:]}-{region}"
        value = ssm(aws, region, account).get_parameter(Name=f"/app-{tag}/mode")
        assert value["Parameter"]["Value"] == "strict", (region, account)
    notices = inbox.receive(wait_seconds=2)
    digests = [n for n in notices if n.subject.startswith("Drift fleet:")]
    assert len(digests) == 1
    assert digests[0].subject == "Drift fleet: 5 checked, 5 drifted, 4 healed, 0 held, 1 failed"
    assert f"{OTHER}/eu-west-1/app-broken: EXECUTION_FAILED" in digests[0].body
    assert len(notices) == 1 + 5  # and each stack's own notice from its own execution


def test_an_account_that_denies_the_role_is_reported_and_the_others_healed(
    aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An account no earlier test assumed a role in: no credentials held in this process.
    denied = "333344445555"
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", f"{HOME},{denied}")
    deploy(aws, "us-east-1", HOME, "app-home")
    ssm(aws, "us-east-1", HOME).put_parameter(
        Name="/app-home/mode", Value="lax", Type="String", Overwrite=True
    )
    deploy(aws, "us-east-1", denied, "app-other")
    aws.sts_faults.deny(denied)  # its execution role does not trust the fleet

    digest = run(
        {
            "Fleet": {
                "Accounts": [denied, HOME],
                "NamePatterns": ["app-*"],
                "CreateChangeSetOnly": False,
            }
        }
    )

    assert (digest["Checked"], digest["Healed"], digest["ListingsFailed"]) == (1, 1, 1), digest
    (failure,) = digest["ListingFailures"]["Items"]
    assert failure["Where"] == f"{denied}/home"
    assert "AccessDenied" in failure["Reason"] and "sts:AssumeRole" in failure["Reason"]
    healed = ssm(aws, "us-east-1", HOME).get_parameter(Name="/app-home/mode")
    assert healed["Parameter"]["Value"] == "strict"
