"""The chat topic (CHAT_TOPIC_ARN): the real handler posts each notice there again as an
Amazon Q Developer custom notification; the approval request too, with the page link only
when CHAT_APPROVAL_LINKS=true."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sandbox.approval_page import create_signing_secret
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, client, deploy, drift_sample, run_handler
from tests.functional.handler.test_approval import answered, decision
from tests.stacks import SAMPLE_TEMPLATE


@pytest.fixture
def chat(aws: AwsSandbox, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> Inbox:
    box = Inbox.create(
        client("sns"), client("sqs"), "drift-chat", "drift-chat-inbox", aws.email_version
    )
    monkeypatch.setenv("CHAT_TOPIC_ARN", box.topic_arn)
    return box


def messages(box: Inbox) -> list[dict[str, Any]]:
    return [json.loads(n.body) for n in box.receive()]


def test_each_notice_is_posted_to_chat_as_a_custom_notification(inbox: Inbox, chat: Inbox) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    run = run_handler(inbox, {"StackName": "sample"})
    assert run.outcome == "HEALED"
    [posted] = messages(chat)
    assert (posted["version"], posted["source"]) == ("1.0", "custom")
    assert posted["content"]["title"] == ":white_check_mark: HEALED: sample"
    assert "`SampleParameter`" in posted["content"]["description"]
    assert posted["id"] == run.notice.attributes["notice-id"]  # the same notice
    assert run.output["Notes"] == []


def test_a_chat_topic_that_fails_is_a_note_not_the_outcome(
    inbox: Inbox, chat: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:no-such-topic")
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    run = run_handler(inbox, {"StackName": "sample"})
    assert run.outcome == "HEALED"
    assert run.notice.attributes["outcome"] == "HEALED"  # the notice went out
    [note] = run.output["Notes"]
    assert note.startswith("the chat notice could not be published: ")


@pytest.fixture
def page(aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = create_signing_secret(client("secretsmanager"), f"approval-key-{uuid.uuid4()}")
    monkeypatch.setenv("APPROVAL_PAGE_URL", "https://page.example/")
    monkeypatch.setenv("APPROVAL_SECRET_ARN", secret)


@pytest.mark.parametrize("links", [False, True])
def test_the_approval_request_in_chat_has_the_link_only_when_allowed(
    inbox: Inbox, chat: Inbox, page: None, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    monkeypatch.setenv("CHAT_APPROVAL_LINKS", str(links).lower())
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    run, _ = answered(inbox, [decision("REJECT", "not now")])
    assert run.outcome == "REJECTED"
    asking, final = messages(chat)
    assert asking["content"]["title"].endswith("APPROVAL_REQUIRED: sample")
    steps = "\n".join(asking["content"]["nextSteps"])
    assert ("<https://page.example/" in steps) is links
    assert ("drift-healer approve sample" in steps) is not links
    assert final["content"]["title"].endswith("REJECTED: sample")
    assert "page.example" not in json.dumps(final)
