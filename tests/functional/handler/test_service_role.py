"""A heal never replaces the service role a stack's owners chose (CreateChangeSet RoleARN)."""

from __future__ import annotations

import json

import pytest

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, client, drift_sample, run_handler, ssm_value
from tests.stacks import SAMPLE_TEMPLATE

OWN_ROLE = "arn:aws:iam::123456789012:role/owners-deploy-role"
CONFIGURED_ROLE = "arn:aws:iam::123456789012:role/drift-healer-cfn"


def deploy_sample(role_arn: str | None) -> None:
    client("cloudformation").create_stack(
        StackName="sample",
        TemplateBody=json.dumps(SAMPLE_TEMPLATE),
        **({"RoleARN": role_arn} if role_arn else {}),
    )


def stack_role() -> str | None:
    stack = client("cloudformation").describe_stacks(StackName="sample")["Stacks"][0]
    return stack.get("RoleARN")


def test_a_heal_keeps_the_stacks_own_role(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFORMATION_ROLE_ARN", CONFIGURED_ROLE)
    deploy_sample(OWN_ROLE)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    assert ssm_value("/drift-test/sample") == "initial-value"
    assert stack_role() == OWN_ROLE
    assert run.output["ServiceRole"] == {"Arn": OWN_ROLE, "Source": "STACK"}
    assert f"Runs as:  {OWN_ROLE} (the stack's own service role, kept)" in run.notice.body


def test_the_configured_role_is_passed_only_to_a_stack_without_one(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFORMATION_ROLE_ARN", CONFIGURED_ROLE)
    deploy_sample(None)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    assert stack_role() == CONFIGURED_ROLE  # what CloudFormation documents: it now stays
    assert run.output["ServiceRole"] == {"Arn": CONFIGURED_ROLE, "Source": "CONFIGURED"}
    assert "it is now the stack's role" in run.notice.body


def test_without_any_role_the_notice_says_whose_credentials_are_used(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy_sample(None)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    assert run.outcome == "REVIEW_REQUIRED"
    assert stack_role() is None
    assert run.output["ServiceRole"] == {"Arn": None, "Source": "CALLER"}
    assert "Runs as:  the healer function's own credentials" in run.notice.body
