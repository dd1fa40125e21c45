"""STS in the sandbox: which roles were assumed, and accounts that deny it.

moto's AssumeRole hands out credentials for any role ARN (it checks no trust policy): a
role of another account is "assumed" and later calls act in that account. The knob makes
AssumeRole of chosen accounts answer `AccessDenied` (HTTP 403, STS's error for a role whose
trust policy does not name the caller, or that does not exist), and every AssumeRole is
counted per account, so a test can show that an account was never asked.
Guess: the message text.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

from moto.sts.responses import TokenResponse

_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"


class StsFaults:
    """``sb.sts_faults``: deny AssumeRole into accounts; counts() is ``{account: requests}``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._denied: set[str] = set()
        self._counts: Counter[str] = Counter()

    def deny(self, account_id: str) -> None:
        """Every AssumeRole of a role in ``account_id`` answers AccessDenied (until cleared)."""
        with self._lock:
            self._denied.add(account_id)

    def clear(self) -> None:
        with self._lock:
            self._denied.clear()
            self._counts.clear()

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def decide(self, role_arn: str) -> bool:
        """Count the request; True: deny it."""
        parts = role_arn.split(":")
        account = parts[4] if len(parts) > 5 else ""
        with self._lock:
            self._counts[account] += 1
            return account in self._denied


FAULTS = StsFaults()
_installed: list[bool] = []


def denied(role_arn: str) -> tuple[int, dict[str, str], str]:
    message = f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    body = (
        f'<ErrorResponse xmlns="{_XMLNS}"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
        f"<Message>{message} (sandbox fault)</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return 403, {"Content-Type": "text/xml", "x-amzn-RequestId": str(uuid.uuid4())}, body


def install() -> None:
    """Idempotent: counting and denial in front of STS AssumeRole."""
    if _installed:
        return
    _installed.append(True)
    original = TokenResponse.call_action

    def call_action(self: Any) -> Any:
        if self._get_action() == "AssumeRole":
            role_arn = str(self._get_param("RoleArn") or "")
            if FAULTS.decide(role_arn):
                return denied(role_arn)
        return original(self)

    setattr(TokenResponse, "call_action", call_action)  # noqa: B010
