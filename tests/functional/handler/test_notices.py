"""Every run that fails sends exactly one notice; notices are machine-readable and bounded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, client, deploy, drift_sample, run_handler
from tests.stacks import SAMPLE_TEMPLATE

CHECKPOINT_LIMIT = 256 * 1024  # the SDK's CHECKPOINT_SIZE_LIMIT_BYTES


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("POLL_BACKOFF_RATE", "5", "POLL_BACKOFF_RATE: Input should be less than or equal to 4"),
        ("DETECTION_TIMEOUT_SECONDS", "inf", "DETECTION_TIMEOUT_SECONDS: Input should be a finite"),
        (
            "EXECUTION_POLL_MAX_SECONDS",
            "nan",
            "EXECUTION_POLL_MAX_SECONDS: Input should be a finite",
        ),
        ("DURABLE_EXECUTION_TIMEOUT_SECONDS", "900", "exceed the function's ExecutionTimeout"),
    ],
)
def test_a_bad_setting_is_notified_and_fails_the_run(
    aws: AwsSandbox,
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
    *,
    variable: str,
    value: str,
    named: str,
) -> None:
    monkeypatch.setenv(variable, value)

    run = run_handler(inbox, {"StackName": "sample"})

    assert run.result.error is not None
    assert run.result.error.message.startswith("ERROR: invalid configuration: ")
    assert named in run.result.error.message
    assert run.output["Outcome"] == "ERROR"
    assert run.notice.attributes["outcome"] == "ERROR"
    assert named in run.notice.body


def test_subject_never_carries_control_characters(aws: AwsSandbox, inbox: Inbox) -> None:
    run = run_handler(inbox, {"StackName": "evil\x1b[2J\r\nBcc: x\x07"})

    assert run.outcome == "ERROR"
    subject = run.notice.subject
    assert subject.startswith("drift-healer ERROR: evil")
    assert all(ch.isprintable() for ch in subject), repr(subject)


def test_sqs_gets_the_result_json_and_email_the_text(aws: AwsSandbox, inbox: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    notice = run.notice
    # SQS (and Lambda, HTTPS): the handler's result, with a schema version.
    assert notice.result is not None
    assert notice.result["SchemaVersion"] == run.output["SchemaVersion"]
    assert notice.result["Outcome"] == "REVIEW_REQUIRED"
    assert notice.result["ChangeSetUrl"] == run.output["ChangeSetUrl"]
    assert notice.result["DurableExecutionArn"]
    # Email: the readable text.
    assert notice.body.startswith("Stack:    sample\n")
    assert "Outcome:  REVIEW_REQUIRED" in notice.body
    assert not notice.body.lstrip().startswith("{")


@pytest.fixture
def sns_publish_times_out_once(aws: AwsSandbox) -> Iterator[list[int]]:
    """SNS takes the first publish, then the client times out waiting for the answer."""
    from botocore.exceptions import ReadTimeoutError  # noqa: PLC0415

    from healer.aws import clients  # noqa: PLC0415

    timed_out: list[int] = []

    def lose_first_response(**_: Any) -> None:
        if not timed_out:
            timed_out.append(1)
            raise ReadTimeoutError(endpoint_url=aws.endpoint_url)

    events = clients.sns().meta.events
    events.register("after-call.sns.Publish", lose_first_response)
    try:
        yield timed_out
    finally:
        events.unregister("after-call.sns.Publish", lose_first_response)


def test_an_interrupted_publish_is_delivered_twice_with_one_notice_id(
    aws: AwsSandbox, inbox: Inbox, sns_publish_times_out_once: list[int]
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()

    run = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})

    assert sns_publish_times_out_once == [1]
    assert run.result.error is None
    assert run.output["Notified"] is True
    first, second = run.notices  # delivered twice rather than not at all...
    assert first.attributes["notice-id"] == second.attributes["notice-id"]  # ...and marked


def drifted_many(count: int, value_chars: int) -> None:
    parameters = {
        f"P{i}": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": f"/big/p{i}", "Type": "String", "Value": "t" * value_chars},
        }
        for i in range(count)
    }
    deploy("big", {"Resources": parameters})
    ssm = client("ssm")
    for i in range(count):
        ssm.put_parameter(Name=f"/big/p{i}", Value="h" * value_chars, Type="String", Overwrite=True)


def payload_sizes(operations: list[Any]) -> Iterator[tuple[str, int]]:
    for operation in operations:
        result = getattr(operation, "result", None)
        if isinstance(result, str):
            yield str(operation.name), len(result.encode())
        yield from payload_sizes(list(getattr(operation, "child_operations", None) or []))


def test_two_hundred_drifted_resources_fit_every_checkpoint_and_the_notice_head(
    aws: AwsSandbox, inbox: Inbox
) -> None:
    drifted_many(200, 4000)

    run = run_handler(inbox, {"StackName": "big", "CreateChangeSetOnly": True})

    assert run.outcome == "REVIEW_REQUIRED"
    sizes = dict(payload_sizes(run.result.operations))
    assert sizes["read-resource-drifts"] > 10_000  # the detail is there...
    assert max(sizes.values()) < CHECKPOINT_LIMIT, sizes  # ...and every checkpoint fits
    assert len(json.dumps(run.output).encode()) < CHECKPOINT_LIMIT
    assert run.output["DriftedResourceCount"] == 200
    assert run.output["DriftDetailCut"]
    body = run.notice.body
    head = body[: body.index("Drifted resources")]
    assert "Outcome:  REVIEW_REQUIRED" in head and "changeSetId=" in head
    assert "Next: Review the change set" in head and "Durable execution: " in head
    assert f"[cut to stay small: {run.output['DriftDetailCut']}]" in body
