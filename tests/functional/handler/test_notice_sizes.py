"""Notices and checkpoints that always fit: the real handler against the sandbox, whose SNS
measures a message as SNS does."""

from __future__ import annotations

import json
from typing import Any

from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from healer.handler import lambda_handler as healer_handler
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, Run, client, deploy, run_handler

CHECKPOINT_LIMIT = 262_144  # the SDK's CHECKPOINT_SIZE_LIMIT_BYTES
EMOJI = "\N{GRINNING FACE}"


def test_a_45000_character_non_ascii_stack_name_is_notified(aws: AwsSandbox, inbox: Inbox) -> None:
    name = "\u00e9" * 45_000  # 2 bytes each, 6 once JSON-escaped

    run = run_handler(inbox, {"StackName": name})

    assert run.outcome == "ERROR"
    notice = run.notice  # exactly one, accepted by SNS
    assert aws.sns_faults.counts().get("Publish:InvalidParameter", 0) == 0
    assert notice.attributes["outcome"] == "ERROR"
    assert "is not a CloudFormation stack name" in notice.body
    assert "\u00e9" * 100 in notice.body and "characters cut]" in notice.body
    assert run.output["Notified"] is True


def largest_checkpoint(event: dict[str, Any], inbox: Inbox) -> tuple[Run, int]:
    """Run the handler; the largest operation update it checkpointed, measured as the SDK
    measures one (json.dumps of the update, UTF-8)."""
    with DurableFunctionTestRunner(handler=healer_handler, skip_time=True) as runner:
        result = runner.run(input=json.dumps(event), execution_timeout=120)
        updates = [u for e in runner._store.list_all() for u in e.updates]  # no public list
    largest = max(len(json.dumps(u.to_dict()).encode()) for u in updates)
    return Run(result=result, notices=inbox.receive()), largest


def test_seventy_seven_parameters_drifted_to_emoji_stay_within_the_checkpoint_limit(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    parameters = {
        f"Param{i}": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": f"/emoji/param-{i}",
                "Type": "String",
                "Value": "plain",
                "Description": "plain",
            },
        }
        for i in range(77)
    }
    deploy("emoji", {"Resources": parameters})
    ssm = client("ssm")
    for i in range(77):
        ssm.put_parameter(
            Name=f"/emoji/param-{i}",
            Value=EMOJI * 1000,
            Description=EMOJI * 500,
            Type="String",
            Overwrite=True,
        )

    run, largest = largest_checkpoint({"StackName": "emoji"}, inbox)

    assert largest <= CHECKPOINT_LIMIT
    assert run.outcome == "REVIEW_REQUIRED"  # 77 changes: more than the safety policy runs
    assert run.output["DriftedResourceCount"] == 77
    assert "values cut at" in (run.output["DriftDetailCut"] or "")
    assert run.notice.attributes["outcome"] == "REVIEW_REQUIRED"
