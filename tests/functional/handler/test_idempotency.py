"""Side effects survive retries: a lost response never doubles a change set or an execution."""

from __future__ import annotations

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


def test_retried_create_step_makes_one_change_set(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    # CloudFormation creates the change set, but the answer is lost: the step retries.
    aws.faults.fail_after("CreateChangeSet", "InternalFailure", times=1)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED", run.output["Reason"]
    assert calls(aws, "CreateChangeSet") == 2  # the original and the retry, same ClientToken
    summaries = client("cloudformation").list_change_sets(StackName="sample")["Summaries"]
    assert [s["ChangeSetId"] for s in summaries] == [run.output["ChangeSetId"]]
    assert len(run.notices) == 1


def test_retried_execute_of_a_running_change_set_keeps_waiting(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    aws.faults.fail_after("ExecuteChangeSet", "ServiceUnavailable", times=1)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.outcome == "HEALED", run.output["Reason"]
    assert ssm_value("/drift-test/sample") == "initial-value"
    events = client("cloudformation").describe_stack_events(StackName="sample")["StackEvents"]
    updates = [
        e
        for e in events
        if e["LogicalResourceId"] == "SampleParameter" and e["ResourceStatus"] == "UPDATE_COMPLETE"
    ]
    assert len(updates) == 1  # executed once
