"""The lease and the pending review fail closed: a run that cannot hold the stack, or that
reads a pending review which is not its own, changes nothing it cannot vouch for.

Every test here runs with the drift state table (STATE_TABLE_NAME), as the template deploys it.
"""

from __future__ import annotations

from typing import Any

import pytest

from drift_common.table import PARTITION_KEY, SORT_KEY, STATE_KEY
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
