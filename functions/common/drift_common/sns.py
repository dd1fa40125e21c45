"""What SNS accepts, measured as SNS measures it, and cutting text so that a notice fits.

SNS Publish (botocore model, `Message` and `MessageAttributeValue`): a message is at most
256 KiB, "262,144 bytes, not 262,144 characters", and SNS "validates the combined size of the
message body and message attributes": every attribute's name, type and value counts too. A
refused message is lost (InvalidParameter, not worth a retry), so every function measures
the final message before it publishes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

# The default MaximumMessageSize of a topic; the templates' topics keep the default.
MAX_MESSAGE_BYTES = 262_144
# What a caller keeps free of the limit: a guess at safety, for what we cannot see (the
# limit is documented, the service's exact accounting is not).
MARGIN_BYTES = 4_096
ATTRIBUTE_TYPE = "String"


def utf8_size(text: str) -> int:
    # surrogatepass: a lone surrogate (from a JSON event's "\ud800") is measured, not fatal.
    return len(text.encode("utf-8", "surrogatepass"))


def message_size(message: str, attributes: Mapping[str, str], subject: str = "") -> int:
    """The bytes SNS counts for one Publish: the message body and each String attribute's
    name, type and value. Guess: the Subject does not count (the doc names body and
    attributes only); it is added anyway, at most 100 bytes, so a wrong guess errs small."""
    size = utf8_size(message) + utf8_size(subject)
    for name, value in attributes.items():
        size += utf8_size(name) + utf8_size(ATTRIBUTE_TYPE) + utf8_size(value)
    return size


def fits(message: str, attributes: Mapping[str, str], subject: str = "") -> bool:
    return message_size(message, attributes, subject) <= MAX_MESSAGE_BYTES - MARGIN_BYTES


def clip(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, its start and its end (a reason quoting a long
    value says what is wrong after the quote), with a note of how many were cut between.
    Safe to send: a lone surrogate, which UTF-8 cannot encode and boto3 would fail on,
    becomes "?"."""
    safe = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text
    if len(safe) <= limit:
        return safe
    tail = limit // 4
    end = safe[len(safe) - tail :]  # not safe[-tail:]: that is all of it for a tail of 0
    return f"{safe[: limit - tail]} ... [{len(safe) - limit} characters cut] ... {end}"


def one_line(text: str, limit: int) -> str:
    """`clip`, on one line: control characters (line breaks, escapes) become spaces."""
    return clip("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text), limit)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)
