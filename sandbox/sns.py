"""SNS in the sandbox: Publish measured as SNS measures it, and a fault knob.

moto serves SNS as it is, except two things a notice depends on:
- Size. SNS Publish (botocore model, `Message`, `MessageAttributeValue`): at most the topic's
  MaximumMessageSize (default, and here always, 256 KiB: "262,144 bytes, not 262,144
  characters"), counted as the UTF-8 bytes of the message body plus every attribute's name,
  type and value; larger is `InvalidParameter` "Invalid parameter: Message too long" (moto's
  wording). moto counts characters of the body only.
- Faults. `sb.sns_faults.fail(code, times)` answers the next `times` Publish requests with
  one of Publish's modeled errors (botocore model: code, HTTP status): `KMSThrottling` 400
  (the topic's KMS key is throttled), `Throttled` 429, `InternalError` 500,
  `KMSAccessDenied` / `KMSDisabled` 400, `AuthorizationError` 403. Guess: the message texts.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

from moto.sns.responses import SNSResponse

# SNS's default MaximumMessageSize; the sandbox does not model the topic attribute.
MAX_MESSAGE_BYTES = 262_144
_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"
ERRORS: dict[str, tuple[int, str, str]] = {
    "KMSThrottling": (
        400,
        "Sender",
        "Rate exceeded for the topic's KMS key (KMS: ThrottlingException) (sandbox fault).",
    ),
    "Throttled": (429, "Sender", "Rate exceeded (sandbox fault)."),
    "InternalError": (500, "Receiver", "Internal error (sandbox fault)."),
    "KMSAccessDenied": (400, "Sender", "The topic's KMS key denies SNS (sandbox fault)."),
    "KMSDisabled": (400, "Sender", "The topic's KMS key is disabled (sandbox fault)."),
    "AuthorizationError": (403, "Sender", "Not authorized to publish (sandbox fault)."),
}
TOO_LONG = (400, "Sender", "Invalid parameter: Message too long")


class SnsFaults:
    """``sb.sns_faults``: make Publish fail, and count the Publish requests.

    counts() keys: ``Publish`` (received), ``Publish:<Code>`` (answered with that error,
    ``Publish:InvalidParameter`` for a message too long) and ``Publish:OK`` (accepted).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._counts: Counter[str] = Counter()

    def fail(self, error: str, times: int = 1) -> None:
        """The next ``times`` Publish requests answer ``error`` (added to what is pending)."""
        if error not in ERRORS:
            raise ValueError(f"error must be one of {sorted(ERRORS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._pending += [error] * times

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._counts.clear()

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def count(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def decide(self) -> str | None:
        with self._lock:
            self._counts["Publish"] += 1
            error = self._pending.pop(0) if self._pending else None
            if error:
                self._counts[f"Publish:{error}"] += 1
            return error


FAULTS = SnsFaults()
_installed: list[bool] = []


def message_size(message: str, attributes: dict[str, Any]) -> int:
    """Publish's size as SNS counts it (see the module doc)."""
    size = len(message.encode("utf-8", "surrogatepass"))
    for name, value in attributes.items():
        size += len(str(name).encode()) + len(str(value.get("DataType", "")).encode())
        for key in ("StringValue", "BinaryValue"):
            size += len(str(value.get(key) or "").encode("utf-8", "surrogatepass"))
    return size


def error_response(
    status: int, kind: str, code: str, message: str
) -> tuple[int, dict[str, str], str]:
    body = (
        f'<ErrorResponse xmlns="{_XMLNS}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
        "</ErrorResponse>"
    )
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": str(uuid.uuid4())}, body


def install() -> None:
    """Idempotent: size checks and fault injection in front of SNS Publish."""
    if _installed:
        return
    _installed.append(True)
    original = SNSResponse.call_action

    def call_action(self: Any) -> Any:
        if self._get_action() != "Publish":
            return original(self)
        error = FAULTS.decide()
        if error:
            status, kind, message = ERRORS[error]
            return error_response(status, kind, error, message)
        size = message_size(
            str(self._get_param("Message") or ""), self._get_param("MessageAttributes", {}) or {}
        )
        if size > MAX_MESSAGE_BYTES:
            FAULTS.count("Publish:InvalidParameter")
            return error_response(*TOO_LONG[:2], "InvalidParameter", TOO_LONG[2])
        response = original(self)
        if isinstance(response, tuple) and int(response[0]) < 400:
            FAULTS.count("Publish:OK")
        return response

    setattr(SNSResponse, "call_action", call_action)  # noqa: B010
