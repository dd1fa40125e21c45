"""The approval contract between the healer, the approval page and the CLI: answers,
signed links, and the names under which a run's approval shows in its durable history.

Standard library only: every function gets it from the common layer.

* The answer a callback is completed with (also for scripts and the CLI):
  `{"Decision": "APPROVE" | "REJECT" | "ACCEPT", "Reason": "...", "By": "..."}` (ACCEPT:
  keep the change, written into the stack's template instead of reverted).
* The page link's token: base64url(JSON claims) "." base64url(HMAC-SHA256(key, claims)),
  over the callback id, stack, change set, durable execution, expiry, the region and
  account the stack is read in, and the Secrets Manager version of the key that signed it.
  Whoever holds a valid link may decide: the link is a capability, and expires with the
  callback. It is signed while the notice is published and goes to e-mail only: no step
  result, result JSON or log line holds it (the claims alone are no link: the MAC is).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import asdict, dataclass
from typing import Any

from drift_common.text import clean_text

# ACCEPT (issue 17): keep the change; the drift is written into the stack's template.
DECISIONS = ("APPROVE", "REJECT", "ACCEPT")
# The callback a waiting run sleeps on, as named in its durable execution's history.
CALLBACK_NAME = "approval"
# The step whose checkpointed result holds the request's expiry and review reasons (the
# page shows them). It holds no link: the link is signed inside the publishing step.
REQUEST_STEP_NAME = "note-approval-request"
# Secrets Manager VersionId: 32-64 characters (botocore model), a UUID when generated.
_VERSION_ID = re.compile(r"^[A-Za-z0-9-]{32,64}$")
MAX_REASON_CHARS = 1_000
MAX_BY_CHARS = 200


# botocore's DEBUG lines hold whole requests and responses (botocore.endpoint: "Making
# request ... with params", botocore.parsers: "Response body", botocore.auth: the canonical
# request with its headers): the e-mail with the signed link, the signing key, session
# tokens. A function that handles them caps these loggers at INFO, whatever the log level.
BODY_LOGGERS = ("botocore.endpoint", "botocore.parsers", "botocore.auth")


def keep_secrets_out_of_logs() -> None:
    for name in BODY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


class InvalidAnswerError(ValueError):
    """The callback's answer is not the contract's JSON; the message says what is wrong."""


class InvalidTokenError(ValueError):
    """The link's token is malformed, tampered with or expired; the message says which."""


@dataclass(frozen=True)
class Answer:
    decision: str  # APPROVE | REJECT | ACCEPT
    reason: str
    by: str

    def to_json(self) -> str:
        return json.dumps({"Decision": self.decision, "Reason": self.reason, "By": self.by})


def answer(decision: str, reason: str = "", by: str = "") -> Answer:
    """A valid answer (raises InvalidAnswerError otherwise): what the page and CLI send."""
    return parse_answer(json.dumps({"Decision": decision, "Reason": reason, "By": by}))


def parse_answer(raw: str | bytes | None) -> Answer:
    """Strict: a decision that is not exactly APPROVE, REJECT or ACCEPT decides nothing."""
    text = "" if raw is None else raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    if not text.strip():
        raise InvalidAnswerError("the answer is empty (expected JSON with Decision)")
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidAnswerError(f"the answer is not JSON: {text[:80]!r}") from None
    if not isinstance(value, dict):
        raise InvalidAnswerError(f"the answer must be a JSON object, got {type(value).__name__}")
    unknown = sorted(set(value) - {"Decision", "Reason", "By"})
    if unknown:
        raise InvalidAnswerError(
            f"unknown field(s) {', '.join(unknown)} in the answer (allowed: Decision, Reason, By)"
        )
    decision = value.get("Decision")
    if decision not in DECISIONS:
        raise InvalidAnswerError(f"Decision must be APPROVE, REJECT or ACCEPT, got {decision!r}")
    reason, by = value.get("Reason", ""), value.get("By", "")
    if not isinstance(reason, str) or not isinstance(by, str):
        raise InvalidAnswerError("Reason and By must be strings")
    # Cleaned here, where every answer passes (the page, the CLI, scripts): the healer's
    # notice and the page then show it on the line it was given.
    return Answer(
        str(decision),
        " ".join(clean_text(reason).split())[:MAX_REASON_CHARS],
        " ".join(clean_text(by).split())[:MAX_BY_CHARS],
    )


@dataclass(frozen=True)
class LinkClaims:
    """What a page link lets its holder decide, and until when (epoch seconds).

    `region` and `account_id` say where the page reads the stack: `account_id` is the
    account whose execution role the healer used (None: the functions' own credentials).
    `key_version` is the Secrets Manager VersionId of the key that signed the link.
    """

    callback_id: str
    stack_id: str
    change_set_id: str
    execution_arn: str
    expires: int
    region: str
    account_id: str | None
    key_version: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def sign_link(key: bytes, claims: LinkClaims) -> str:
    payload = _b64(json.dumps(asdict(claims), sort_keys=True, separators=(",", ":")).encode())
    return f"{payload}.{_mac(key, payload)}"


def page_link(page_url: str, token: str) -> str:
    separator = "&" if "?" in page_url else "?"
    return f"{page_url}{separator}t={token}"


def _parts(token: str) -> tuple[str, str]:
    payload, _, mac = token.strip().partition(".")
    if not payload or not mac:
        raise InvalidTokenError("the link is incomplete (was it cut when copied?)")
    return payload, mac


def key_version_of(token: str) -> str:
    """The signing key's version a token names (not yet verified: it only says which key
    to verify it with); InvalidTokenError if there is none."""
    payload, _ = _parts(token)
    try:
        raw: Any = json.loads(_unb64(payload))
        version = raw.get("key_version") if isinstance(raw, dict) else None
    except ValueError:
        version = None
    if not isinstance(version, str) or not _VERSION_ID.match(version):
        raise InvalidTokenError(
            "the link names no signing key version (altered, or made before key versions: "
            "answer with the CLI)"
        )
    return version


def verify_link(key: bytes, token: str, now_epoch: float) -> LinkClaims:
    """The claims of a genuine, unexpired token; InvalidTokenError otherwise."""
    payload, mac = _parts(token)
    if not hmac.compare_digest(_mac(key, payload), mac):
        raise InvalidTokenError("the link's signature does not match (altered or not ours)")
    try:
        raw: Any = json.loads(_unb64(payload))
        claims = LinkClaims(**raw)
    except (ValueError, TypeError):
        raise InvalidTokenError("the link's content is unreadable") from None
    if claims.expires <= now_epoch:
        raise InvalidTokenError("the link has expired: the approval is no longer waiting")
    return claims


def cli_command(callback_id: str, decision: str = "APPROVE", reason: str = "") -> str:
    """The AWS CLI command that answers the callback (the notice quotes it)."""
    body = json.dumps({"Decision": decision, "Reason": reason, "By": "YOUR NAME"})
    return (
        "aws lambda send-durable-execution-callback-success"
        f" --callback-id '{callback_id}' --cli-binary-format raw-in-base64-out"
        f" --result '{body}'"
    )
