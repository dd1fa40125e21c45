"""The notices as a subscriber gets them: an SQS queue subscribed to the SNS topic.

SNS delivers to SQS (without raw delivery) a JSON envelope with ``Subject``, ``Message``
and ``MessageAttributes`` (``{"name": {"Type": "String", "Value": ...}}``); that is what
:class:`Inbox` reads and prints. The healer publishes with ``MessageStructure=json``: the
queue gets the result JSON, an email subscriber the text. Given an ``email_lookup`` (the
sandbox keeps every published message), the Inbox shows the text an email reader gets too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient


# (topic ARN, SNS message id) -> the email version of the message, if known.
EmailLookup = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class ReceivedNotice:
    subject: str
    attributes: dict[str, str]
    body: str  # the text an email subscriber reads (the raw message if unknown)
    result: dict[str, Any] | None = None  # the JSON that SQS/Lambda/HTTPS subscribers get

    def render(self, indent: str = "    ") -> str:
        lines = [f"Subject: {self.subject}"]
        lines += [f"Attribute {k} = {v}" for k, v in sorted(self.attributes.items())]
        lines += ["", *self.body.rstrip("\n").splitlines()]
        return "\n".join(f"{indent}{line}".rstrip() for line in lines)


def parse_envelope(
    raw: str, topic_arn: str = "", email_lookup: EmailLookup | None = None
) -> ReceivedNotice:
    envelope: dict[str, Any] = json.loads(raw)
    attributes = {
        str(name): str(value.get("Value", ""))
        for name, value in (envelope.get("MessageAttributes") or {}).items()
        if isinstance(value, dict)
    }
    message = str(envelope.get("Message") or "")
    try:
        result = json.loads(message)
    except ValueError:
        result = None
    email = email_lookup(topic_arn, str(envelope.get("MessageId"))) if email_lookup else None
    return ReceivedNotice(
        subject=str(envelope.get("Subject") or ""),
        attributes=attributes,
        body=email if email is not None else message,
        result=result if isinstance(result, dict) else None,
    )


class Inbox:
    """An SQS queue subscribed to a topic; :meth:`create` makes both ends (and, called
    again, makes only what is missing)."""

    def __init__(
        self,
        sqs: SQSClient,
        queue_url: str,
        topic_arn: str,
        email_lookup: EmailLookup | None = None,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.topic_arn = topic_arn
        self.email_lookup = email_lookup

    @classmethod
    def create(
        cls,
        sns: SNSClient,
        sqs: SQSClient,
        topic_name: str,
        queue_name: str,
        email_lookup: EmailLookup | None = None,
    ) -> Inbox:
        topic_arn = sns.create_topic(Name=topic_name)["TopicArn"]
        queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        subscribed = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        if not any(sub.get("Endpoint") == queue_arn for sub in subscribed):  # no duplicates
            sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        return cls(sqs, queue_url, topic_arn, email_lookup)

    def receive(self, wait_seconds: float = 0.0) -> list[ReceivedNotice]:
        """The notices that arrived (deleted from the queue once read)."""
        deadline = time.monotonic() + wait_seconds
        notices: list[ReceivedNotice] = []
        while True:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            )
            for message in response.get("Messages", []):
                notices.append(parse_envelope(message["Body"], self.topic_arn, self.email_lookup))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
            if notices or time.monotonic() >= deadline:
                return notices
            time.sleep(0.2)

    def print_new(self, out: TextIO, wait_seconds: float = 0.0) -> list[ReceivedNotice]:
        notices = self.receive(wait_seconds)
        for notice in notices:
            print(f"  Notice received by the subscriber ({self.topic_arn}):", file=out)
            print(notice.render(), file=out, flush=True)
        return notices
