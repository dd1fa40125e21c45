"""The fleet's digest always fits one SNS message; a digest that cannot be sent fails the run."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fleet import clients, metrics
from tests.functional.fleet.harness import FakeCloudFormation, StubHealer, run_fleet

SNS_LIMIT = 262_144  # Publish: 256 KiB, message body plus every attribute
# A CloudFormation reason quoting a resource's value: 160 characters (the fleet's cut), each
# 4 bytes in UTF-8 and 12 once JSON-escaped.
EMOJI_REASON = "\N{GRINNING FACE}" * 200


def sns_size(publish: dict[str, Any]) -> int:
    """What SNS counts against its limit (Publish API reference, Message and
    MessageAttributeValue): UTF-8 bytes of the message, and of each attribute's name, type
    and value."""
    size = len(publish["Message"].encode())
    for name, value in publish.get("MessageAttributes", {}).items():
        size += len(name.encode()) + len(value["DataType"].encode())
        size += len(value.get("StringValue", "").encode())
    return size


class Topic:
    """SNS Publish: refuses what SNS refuses (too long), or everything with `refuse`."""

    def __init__(self, refuse: ClientError | None = None) -> None:
        self.refuse = refuse
        self.attempts: list[int] = []
        self.published: list[dict[str, Any]] = []

    def publish(self, **kwargs: Any) -> dict[str, Any]:
        self.attempts.append(sns_size(kwargs))
        if self.refuse is not None:
            raise self.refuse
        if sns_size(kwargs) > SNS_LIMIT:
            raise ClientError(
                {
                    "Error": {
                        "Code": "InvalidParameter",
                        "Message": "Invalid parameter: Message too long",
                    }
                },
                "Publish",
            )
        self.published.append(kwargs)
        return {"MessageId": f"m-{len(self.published)}"}


@pytest.fixture
def topic(monkeypatch: pytest.MonkeyPatch) -> Topic:
    sns = Topic()
    monkeypatch.setattr(clients, "sns", lambda: sns)
    monkeypatch.setenv("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:drift")
    return sns


def long_named_stacks(count: int, ending: str) -> list[dict[str, Any]]:
    return [
        {
            "StackName": f"app-{i:03d}-{'x' * 110}{ending}",
            "StackStatus": "UPDATE_COMPLETE",
            "Tags": [],
        }
        for i in range(count)
    ]


def test_a_digest_too_long_for_sns_is_shrunk_until_it_fits_and_sent_once(
    topic: Topic, monkeypatch: pytest.MonkeyPatch
) -> None:
    stacks = long_named_stacks(60, "-broken") + long_named_stacks(60, "-review")
    fake = FakeCloudFormation(stacks)
    monkeypatch.setattr(clients, "cloudformation", lambda region, account: fake)

    run = run_fleet({"Fleet": {"MaxConcurrency": 20}}, StubHealer(reason=EMOJI_REASON))

    digest = run.digest
    assert (digest["Failed"], digest["HeldForReview"]) == (60, 60)
    assert digest["Notified"] is True
    (sent,) = topic.published
    assert topic.attempts[0] <= SNS_LIMIT, "the first attempt already fits"
    message = json.loads(sent["Message"])
    machine = json.loads(message["default"])
    # Counts are whole; lists say how much of them the notice kept.
    assert machine["Failed"] == 60 and machine["Failures"]["Count"] == 60
    kept = len(machine["Failures"]["Items"])
    assert 0 < kept < 60 and machine["Failures"]["Cut"] is True
    assert f"... and {60 - kept} more" in message["email"]
    # The fleet's own result keeps more than the notice could.
    assert len(digest["Failures"]["Items"]) >= kept


def test_a_digest_that_cannot_be_published_fails_the_fleet_saying_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = ClientError(
        {"Error": {"Code": "AuthorizationError", "Message": "not authorized to publish"}},
        "Publish",
    )
    sns = Topic(refuse=refused)
    monkeypatch.setattr(clients, "sns", lambda: sns)
    monkeypatch.setenv("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:drift")
    fake = FakeCloudFormation(long_named_stacks(2, "-drifted"))
    monkeypatch.setattr(clients, "cloudformation", lambda region, account: fake)
    emitted: list[Any] = []
    monkeypatch.setattr(metrics, "emit", emitted.append)
    stub = StubHealer()

    run = run_fleet({"Fleet": {}}, stub)

    # The stacks were healed, the metrics emitted; the run fails so the alarm reaches a person.
    assert len(stub.started) == 2 and len(emitted) == 1
    error = run.result.error
    assert error is not None, "a fleet whose digest was lost must not succeed"
    assert (error.message or "").startswith("DIGEST_NOT_PUBLISHED: ")
    assert "AuthorizationError" in (error.message or "")
    record = json.loads(error.data or "{}")
    assert record["Healed"] == 2 and record["Notified"] is False
    assert "AuthorizationError" in record["Notes"][0]
