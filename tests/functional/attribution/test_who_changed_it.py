"""Who changed it: the healer attributes each drifted resource to the last write outside
CloudFormation in the sandbox's CloudTrail, in the result, the notice and the history."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from sandbox.cloudtrail import Principal
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import REGION, Inbox, client, deploy, run_handler
from tests.stacks import SAMPLE_TEMPLATE

PARAM = "/drift-test/sample"
ALICE = Principal.role_session("Admin", "alice", console=True)


def ssm_as(aws: AwsSandbox, key: str, principal: Principal) -> Any:
    aws.trail.map_key(key, principal)
    return boto3.client(
        "ssm",
        endpoint_url=aws.endpoint_url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key="testing",
    )


def change(aws: AwsSandbox, value: str, key: str = "AKIDALICE", who: Principal = ALICE) -> None:
    ssm_as(aws, key, who).put_parameter(Name=PARAM, Value=value, Type="String", Overwrite=True)


def last_change(run: Any) -> tuple[dict[str, Any] | None, str | None]:
    [drifted] = run.output["DriftedResources"]
    return drifted["LastChange"], drifted["LastChangeNote"]


def test_a_console_change_by_alice_is_named_in_result_and_notice(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed-by-alice")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    found, note = last_change(run)
    assert note is None and found is not None
    assert found["Principal"] == ALICE.arn
    assert found["PrincipalType"] == "AssumedRole"
    assert (found["EventName"], found["EventSource"]) == ("PutParameter", "ssm.amazonaws.com")
    assert found["Via"] == "console"
    assert found["EventId"] and found["EventTime"]
    body = run.notice.body
    assert f"Changed by: {ALICE.arn}" in body.split("Drifted resources")[0]  # the head
    assert f"Changed by: {ALICE.arn} (console), ssm:PutParameter at " in body
    assert "ask the principal named above" in body


def test_an_sdk_change_is_told_from_a_console_one(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "by-a-script", "AKIDBOT", Principal.user("deploy-bot"))
    found, _ = last_change(run_handler(inbox, {"StackName": "sample"}))
    assert found is not None
    assert found["Via"] == "SDK (Boto3)"
    assert found["Principal"].endswith(":user/deploy-bot")


def test_nothing_delivered_yet_is_a_note_not_a_failure(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    aws.trail.delivery_delay_seconds = 3600
    change(aws, "too-fresh")
    run = run_handler(inbox, {"StackName": "sample"})
    assert run.outcome == "HEALED"
    found, note = last_change(run)
    assert found is None
    assert note is not None and "about 5 minutes" in note
    assert "Changed by: unknown (no write outside CloudFormation" in run.notice.body


def test_throttled_lookups_become_a_note_and_never_change_the_outcome(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed")
    aws.trail.throttle_next = 100
    run = run_handler(inbox, {"StackName": "sample"})
    assert run.outcome == "HEALED"
    found, note = last_change(run)
    assert found is None
    assert note is not None and "lookup failed" in note and "ThrottlingException" in note
    assert 1 < aws.trail.lookups <= 3  # retried a little, not forever


def test_throttling_that_passes_is_retried_and_attributes(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed")
    aws.trail.throttle_next = 1
    found, _ = last_change(run_handler(inbox, {"StackName": "sample"}))
    assert found is not None and found["Principal"] == ALICE.arn


def test_the_heals_own_write_is_never_blamed(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "first")
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"
    newest = [e for e in aws.trail.events() if e["eventName"] == "PutParameter"][-1]
    bob = Principal.user("bob")
    change(aws, "second", "AKIDBOB", bob)
    # CloudFormation's PutParameter (the heal) is newer than alice's and older than bob's.
    assert newest["userIdentity"].get("invokedBy") == "cloudformation.amazonaws.com"
    found, _ = last_change(run_handler(inbox, {"StackName": "sample"}))
    assert found is not None and found["Principal"] == bob.arn


def test_ignored_principals_are_not_who_changed_it(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IGNORE_CHANGES_BY", "arn:aws:sts::*:assumed-role/Admin/*")
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed")
    found, note = last_change(run_handler(inbox, {"StackName": "sample"}))
    assert found is None and note is not None


def test_attribution_can_be_turned_off(
    aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTRIBUTION", "false")
    deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed")
    run = run_handler(inbox, {"StackName": "sample"})
    assert last_change(run) == (None, None)
    assert aws.trail.lookups == 0


def test_the_history_item_records_changes_and_healed_paths(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    change(aws, "changed")
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"
    items = client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="StackId = :s AND begins_with(RecordKey, :r)",
        ExpressionAttributeValues={":s": {"S": stack_id}, ":r": {"S": "RUN#"}},
    )["Items"]
    [item] = items
    assert item["HealedPaths"]["L"] == [{"S": "SampleParameter/Value"}]
    [entry] = item["Changes"]["L"]
    recorded = entry["M"]
    assert recorded["LogicalId"]["S"] == "SampleParameter"
    assert recorded["Principal"]["S"] == ALICE.arn
    assert recorded["Via"]["S"] == "console"
    assert recorded["Paths"]["L"] == [{"S": "/Value"}]
    state = client("dynamodb").get_item(
        TableName=table, Key={"StackId": {"S": stack_id}, "RecordKey": {"S": "STATE"}}
    )["Item"]
    assert "LastInSync" in state  # healed and verified: in sync as of this run
