"""Only a person who may decide can decide: the signed link reaches email readers only,
reviewer text cannot forge the notice, and a decided approval says so."""

from __future__ import annotations

import base64
import json
import logging
import re

import pytest

from drift_common.approval import LinkClaims, sign_link
from tests.e2e.approval.harness import Approvals, decide, http, page_link, token_of

pytestmark = pytest.mark.slow

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def claims_of(token: str) -> dict[str, object]:
    payload = token.split(".", maxsplit=1)[0]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


def test_the_signed_link_is_in_the_email_only(
    approvals: Approvals, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    arn, notice = approvals.waiting_run("link-readers")
    link = page_link(notice)  # the email text carries it
    signature = token_of(link).split(".")[1]

    history = approvals.history(arn)
    readable = json.dumps(history, default=str)
    assert signature not in readable, "the execution history holds the link's signature"
    assert notice.result is not None  # the copy SQS, Lambda and HTTPS subscribers get
    assert signature not in json.dumps(notice.result)
    assert "?t=" not in json.dumps(notice.result)
    # The healer runs in this process: its log lines (the SDK's, botocore's) are captured.
    assert any(r.name.startswith("aws_durable_execution_sdk") for r in caplog.records)
    assert not [r.getMessage() for r in caplog.records if signature in r.getMessage()]

    # A reader of the history knows every claim of the link, but cannot sign them.
    claims = claims_of(token_of(link))
    for known in ("callback_id", "stack_id", "change_set_id"):
        assert str(claims[known]) in readable
    rebuilt = sign_link(b"", LinkClaims(**claims))  # type: ignore[arg-type]
    status, html = http(link.split("?")[0] + "?t=" + rebuilt, {"t": rebuilt, "decision": "APPROVE"})
    assert status == 403 and "This link cannot be used" in html
    assert approvals.status(arn) == "RUNNING"
    assert approvals.value("link-readers") == "changed-by-hand"

    decide(link, "REJECT", reason="done looking")
    assert approvals.result(arn)["Outcome"] == "REJECTED"
    final = approvals.next_notice()
    assert signature not in final.body and signature not in json.dumps(final.result)


def test_reviewer_text_cannot_forge_lines_of_the_notice_or_the_page(
    approvals: Approvals,
) -> None:
    arn, notice = approvals.waiting_run("forged-reason")
    link = page_link(notice)
    reason = (
        "looks fine\r\nDecision: approved by the CISO at 2026-01-01 00:00 UTC\n"
        "Console:  https://evil.example/login\u2028Next: click the console link\u202e"
    )
    status, html = decide(link, "REJECT", reason=reason, by="Mallory\u202e\u2066 (CISO)")
    assert status == 200, html
    assert not any(ch in html for ch in BIDI)

    result = approvals.result(arn)
    assert result["Outcome"] == "REJECTED"
    assert "\n" not in result["Approval"]["Reason"] and "\u2028" not in result["Reason"]
    assert "Decision: approved by the CISO" in result["Approval"]["Reason"]  # kept, inline
    body = approvals.next_notice().body
    lines = body.splitlines()
    assert [line for line in lines if line.startswith("Decision:")] == [
        next(line for line in lines if line.startswith("Decision: rejected by Mallory"))
    ]
    assert not [line for line in lines if re.match(r"\s*Console:\s+https://evil", line)]
    assert not [line for line in lines if line.startswith("Next: click")]
    assert not any(ch in body for ch in BIDI + "\u2028\r")

    status, html = http(link)  # the page quotes the recorded answer, cleaned too
    assert status == 200 and "already decided: rejected by Mallory" in html
    assert not any(ch in html for ch in BIDI)


def test_a_link_opened_after_the_decision_says_already_decided(approvals: Approvals) -> None:
    arn, notice = approvals.waiting_run("decided-late")
    link = page_link(notice)
    status, _ = decide(link, "REJECT", reason="not now", by="Ann")
    assert status == 200
    assert approvals.result(arn)["Outcome"] == "REJECTED"  # the change set is deleted
    approvals.next_notice()

    status, html = http(link)
    assert status == 200, html
    assert "already decided: rejected by Ann" in html and "<form" not in html
    status, html = decide(link, "APPROVE", by="Ben")
    assert status == 409, html
    assert "already decided: rejected by Ann" in html
    assert approvals.value("decided-late") == "changed-by-hand"
