"""The lease and the pending review fail closed: a run that cannot hold the stack, or that
reads a pending review which is not its own, changes nothing it cannot vouch for.

Every test here runs with the drift state table (STATE_TABLE_NAME), as the template deploys it.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from drift_common.table import PARTITION_KEY, SORT_KEY, STATE_KEY
from healer.handler import lambda_handler as healer_handler
from healer.settings import Settings
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import (
    Inbox,
    calls,
    client,
    deploy,
    drift_sample,
    run_handler,
    ssm_value,
)
from tests.stacks import SAMPLE_TEMPLATE

REJECT = json.dumps({"Decision": "REJECT", "Reason": "not now", "By": "alice"}).encode()

OTHER_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "OtherParameter": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": "/drift-test/other", "Type": "String", "Value": "other-value"},
        }
    }
}


def state_item(table: str, stack_id: str) -> dict[str, Any]:
    key = {PARTITION_KEY: {"S": stack_id}, SORT_KEY: {"S": STATE_KEY}}
    return dict(client("dynamodb").get_item(TableName=table, Key=key)["Item"])


def put_state_item(table: str, item: dict[str, Any]) -> None:
    client("dynamodb").put_item(TableName=table, Item=item)


def test_a_pending_review_of_another_stack_copied_into_this_ones_state_is_not_executed(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    sample = deploy("sample", SAMPLE_TEMPLATE)
    other = deploy("other", OTHER_TEMPLATE)
    drift_sample()
    client("ssm").put_parameter(
        Name="/drift-test/other", Value="changed-by-hand", Type="String", Overwrite=True
    )
    # A review of `sample` leaves its state item; then `other`'s review, whose item is
    # copied onto `sample`'s (a person or a bug with write access to the table).
    run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})
    review = run_handler(inbox, {"StackName": "other", "CreateChangeSetOnly": True})
    assert review.outcome == "REVIEW_REQUIRED"
    tampered = state_item(table, other) | {PARTITION_KEY: {"S": sample}}
    put_state_item(table, tampered)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    assert ssm_value("/drift-test/sample") == "initial-value"  # its own change set ran...
    assert ssm_value("/drift-test/other") == "changed-by-hand"  # ...not the other stack's
    assert run.output["ChangeSetName"] != review.output["ChangeSetName"]
    note = next(n for n in run.output["Notes"] if "pending review in the drift state" in n)
    assert f"it belongs to {other}" in note and "left alone" in note
    # Not ours to delete: the other stack's review is still there for its reviewer.
    others = client("cloudformation").list_change_sets(StackName="other")["Summaries"]
    assert [s["ChangeSetName"] for s in others] == [review.output["ChangeSetName"]]


def test_a_pending_review_that_the_healer_did_not_create_is_not_executed(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    sample = deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    review = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})
    # Someone's own change set of the same stack, named as the healer names them, recorded
    # as the pending review: its description and mode give it away.
    cfn = client("cloudformation")
    cfn.delete_change_set(StackName="sample", ChangeSetName=review.output["ChangeSetName"])
    made = cfn.create_change_set(
        StackName="sample",
        ChangeSetName=review.output["ChangeSetName"],
        UsePreviousTemplate=True,
        ChangeSetType="UPDATE",
        Description="a person's change set",
    )
    item = state_item(table, sample)
    item["PendingChangeSet"]["M"]["Id"] = {"S": made["Id"]}
    put_state_item(table, item)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    note = next(n for n in run.output["Notes"] if "pending review in the drift state" in n)
    assert "DeploymentMode" in note and "did not create it" in note
    assert run.output["ChangeSetName"] != review.output["ChangeSetName"]


@pytest.mark.parametrize(
    "error", ["ProvisionedThroughputExceededException", "AccessDeniedException"]
)
def test_a_lease_that_cannot_be_taken_changes_nothing_and_says_so_once(
    aws: AwsSandbox, inbox: Inbox, table: str, error: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.dynamodb_faults.fail(error, "UpdateItem")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "DRIFTED"
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
    assert calls(aws, "CreateChangeSet") == 0 and calls(aws, "ExecuteChangeSet") == 0
    assert "the stack's lease could not be taken" in run.output["Reason"]
    assert error in run.output["Reason"]
    assert len(run.notices) == 1 and "lease could not be taken" in run.notice.body


def test_a_lease_that_cannot_be_taken_stops_an_approval_wait_too(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    client("dynamodb").delete_table(TableName=table)  # the table is gone

    run = run_handler(inbox, {"StackName": "sample", "WaitForApproval": True})

    assert run.outcome == "DRIFTED"
    assert "ResourceNotFoundException" in run.output["Reason"]
    assert run.output["Approval"] is None  # nobody was asked to approve what cannot be held
    assert len(run.notices) == 1


def test_a_stack_in_sync_without_its_lease_is_still_reported_once(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    aws.dynamodb_faults.fail("ProvisionedThroughputExceededException", "UpdateItem")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "IN_SYNC"
    # Quiet when in sync is a promise of the drift state; without it the run says why.
    assert len(run.notices) == 1
    assert "state unavailable: ProvisionedThroughputExceededException" in run.notice.body


# --- dead leases ----------------------------------------------------------------------------

HOLDER = (
    "arn:aws:lambda:us-east-1:123456789012:function:healer-drift-healer:7"
    "/durable-execution/run-1/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"
)


def hold_the_stack(table: str, stack_id: str, *, hours_ago: float = 1) -> None:
    """Another execution took the stack's lease `hours_ago`, valid for a day more."""
    now = time.time()
    put_state_item(
        table,
        {
            PARTITION_KEY: {"S": stack_id},
            SORT_KEY: {"S": STATE_KEY},
            "LeaseHolder": {"S": HOLDER},
            "LeaseExpires": {"N": str(int(now + 86400))},
            "LeaseTaken": {"N": str(int(now - hours_ago * 3600))},
        },
    )


@pytest.mark.parametrize(("status", "says"), [("STOPPED", "ended STOPPED"), (None, "is gone")])
def test_the_lease_of_an_execution_that_ended_is_taken_over(
    aws: AwsSandbox, inbox: Inbox, table: str, status: str | None, says: str
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    hold_the_stack(table, stack_id)
    if status:
        aws.durable_executions.set(HOLDER, status)  # None: Lambda has no such execution

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED"
    assert ssm_value("/drift-test/sample") == "initial-value"
    assert f"took over the stack's lease from {HOLDER}, which {says}" in run.output["Notes"]
    assert "LeaseHolder" not in state_item(table, stack_id)  # released at the end


@pytest.mark.parametrize("status", ["RUNNING", "PAUSED"])
def test_a_live_holder_keeps_the_stack(
    aws: AwsSandbox, inbox: Inbox, table: str, status: str
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    hold_the_stack(table, stack_id)
    aws.durable_executions.set(HOLDER, status)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "BUSY" and run.notices == []
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
    assert state_item(table, stack_id)["LeaseHolder"] == {"S": HOLDER}
    if status == "PAUSED":
        assert (
            "the lease holder is PAUSED: it keeps the stack until it ends" in (run.output["Notes"])
        )


def test_a_holder_that_cannot_be_checked_is_treated_as_running(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    hold_the_stack(table, stack_id)
    aws.durable_executions.set(HOLDER, "STOPPED")
    aws.durable_executions.fail("AccessDeniedException")

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "BUSY"
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
    [note] = [n for n in run.output["Notes"] if "could not be checked" in n]
    assert "AccessDeniedException" in note and "treated as running" in note


def test_a_stack_busy_past_the_threshold_is_notified_once_per_holder(
    aws: AwsSandbox, inbox: Inbox, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUSY_NOTICE_AFTER_HOURS", "6")
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    hold_the_stack(table, stack_id, hours_ago=7)
    aws.durable_executions.set(HOLDER, "RUNNING")

    first = run_handler(inbox, {"StackName": "sample"})
    second = run_handler(inbox, {"StackName": "sample"})

    assert first.outcome == second.outcome == "BUSY"
    assert first.notice.attributes["outcome"] == "BUSY"
    assert "drift-healer release-lease sample" in first.notice.body
    assert first.output["NoticeReason"] == "long-busy"
    assert second.notices == []  # the same holder is not notified again


def test_the_lease_is_extended_before_a_person_is_asked(
    aws: AwsSandbox, inbox: Inbox, table: str
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    lease_at_start = Settings().lease_seconds
    waiting = {"StackName": "sample", "CreateChangeSetOnly": True, "WaitForApproval": True}
    with DurableFunctionTestRunner(handler=healer_handler, skip_time=False) as runner:
        arn = runner.run_async(input=json.dumps(waiting), execution_timeout=120)
        callback_id = runner.wait_for_callback(arn, name="approval", timeout=60)
        item = state_item(table, stack_id)
        runner.send_callback_success(callback_id, result=REJECT)
        runner.wait_for_result(arn, timeout=60)

    expires = float(item["LeaseExpires"]["N"])
    approval_expires = datetime.fromisoformat(
        item["PendingChangeSet"]["M"]["ApprovalExpires"]["S"].replace("Z", "+00:00")
    ).timestamp()
    # The lease outlasts the approval wait and what follows it, not just the phases.
    assert expires >= approval_expires + Settings().execute_and_verify_seconds - 5
    assert expires > time.time() + lease_at_start


@pytest.mark.parametrize(
    ("event", "purpose"),
    [
        ({"StackName": "sample"}, "the execution"),
        (
            {"StackName": "sample", "CreateChangeSetOnly": True, "WaitForApproval": True},
            "the approval wait",
        ),
    ],
)
def test_a_run_whose_lease_was_lost_changes_nothing_and_asks_nobody(
    aws: AwsSandbox, inbox: Inbox, table: str, event: dict[str, Any], purpose: str
) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    def another_execution_takes_the_lease(_: Any) -> None:
        hold_the_stack(table, stack_id)  # e.g. ours expired while the change set was made

    aws.faults.before("CreateChangeSet", another_execution_takes_the_lease)
    run = run_handler(inbox, event)

    assert run.outcome == "REVIEW_REQUIRED"
    assert f"lease could not be extended for {purpose}" in run.output["Reason"]
    assert "another execution holds the stack's lease now" in run.output["Reason"]
    assert ssm_value("/drift-test/sample") == "changed-by-hand"
    assert calls(aws, "ExecuteChangeSet") == 0
    assert run.output["Approval"] is None
    assert [n.attributes["outcome"] for n in run.notices] == ["REVIEW_REQUIRED"]
