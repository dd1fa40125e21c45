"""Publishing a notice: one SNS Publish."""

from __future__ import annotations

from healer.aws import clients
from healer.model import Notice


def publish(topic_arn: str, notice: Notice) -> str:
    """Publish with MessageStructure=json: email gets the text, other protocols the JSON."""
    response = clients.sns().publish(
        TopicArn=topic_arn,
        Subject=notice.subject,
        Message=notice.message,
        MessageStructure="json",
        MessageAttributes={
            key: {"DataType": "String", "StringValue": value}
            for key, value in notice.attributes.items()
        },
    )
    return response["MessageId"]


def publish_chat(topic_arn: str, message: str) -> str:
    """The chat notice (healer.report.chat) as the plain Message: Chatbot reads the body."""
    return clients.sns().publish(TopicArn=topic_arn, Message=message)["MessageId"]
