"""The approval page: GET shows and never decides; POST decides once; bad links change nothing."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest

from drift_common.approval import LinkClaims, sign_link, verify_link
from tests.e2e.approval.harness import Approvals, http, page_link, token_of

pytestmark = pytest.mark.slow


def key(approvals: Approvals) -> bytes:
    secrets = approvals.sb.client("secretsmanager")
    return str(secrets.get_secret_value(SecretId=approvals.secret)["SecretString"]).encode()


def test_get_shows_the_diff_and_decides_nothing_then_post_approves_once(
    approvals: Approvals,
) -> None:
    arn, notice = approvals.waiting_run("page-approve")
    link = page_link(notice)

    for _ in range(3):  # a mail scanner, a preview, the reviewer
        status, html = http(link)
        assert status == 200, html
    assert "page-approve" in html and "us-east-1" in html
    assert "/Value" in html and "initial-value" in html and "changed-by-hand" in html
    assert "SampleParameter" in html and "Modify" in html
    time.sleep(1)
    assert approvals.status(arn) == "RUNNING"
    assert approvals.value("page-approve") == "changed-by-hand"

    status, html = http(link, {"t": token_of(link), "decision": "APPROVE", "by": "Ada"})
    assert status == 200, html
    assert "Approved by Ada (approval page" in html

    result = approvals.result(arn)
    assert result["Outcome"] == "HEALED", result["Reason"]
    assert result["Approval"]["Decision"] == "APPROVE"
    assert result["Approval"]["By"].startswith("Ada (approval page")
    assert approvals.value("page-approve") == "initial-value"
    final = approvals.next_notice()
    assert "Decision: approved by Ada (approval page" in final.body

    # Replay (double click, a second reviewer): the callback is completed, nothing changes.
    status, html = http(link, {"t": token_of(link), "decision": "REJECT", "by": "Bob"})
    assert status == 409, html
    assert "already decided: approved by Ada" in html
    status, html = http(link)
    assert status == 200 and "already decided: approved by Ada" in html
    assert "<form" not in html


def test_tampered_and_expired_links_change_nothing(approvals: Approvals) -> None:
    arn, notice = approvals.waiting_run("page-tamper")
    link = page_link(notice)
    token = token_of(link)
    claims = verify_link(key(approvals), token, now_epoch=0)

    forged = sign_link(b"not-the-key", claims)
    other_stack = LinkClaims(**{**claims.__dict__, "stack_id": claims.stack_id + "x"})
    swapped = token.split(".")[0][:-2] + "AA." + token.split(".")[1]
    expired = sign_link(key(approvals), LinkClaims(**{**claims.__dict__, "expires": 1}))
    payload_of_other = sign_link(key(approvals), other_stack).split(".")[0]
    spliced = payload_of_other + "." + token.split(".")[1]

    for bad in (forged, swapped, spliced, token[:20]):
        for form in (None, {"t": bad, "decision": "APPROVE"}):
            status, html = http(link.split("?")[0] + "?t=" + urllib.parse.quote(bad), form)
            assert status in {400, 403}, html
            assert "This link cannot be used" in html or "Link incomplete" in html
    status, html = http(link.split("?")[0] + "?t=" + expired, {"t": expired, "decision": "APPROVE"})
    assert status == 410 and "expired" in html
    status, html = http(link.split("?")[0], {"decision": "APPROVE"})
    assert status == 400

    time.sleep(1)
    assert approvals.status(arn) == "RUNNING"  # still waiting: nothing was decided
    assert approvals.calls("ExecuteChangeSet") == 0 or approvals.value("page-tamper") == (
        "changed-by-hand"
    )
    # A genuine rejection still works afterwards.
    status, html = http(link, {"t": token, "decision": "REJECT", "reason": "on purpose"})
    assert status == 200 and "Rejected by someone" in html
    result = approvals.result(arn)
    assert result["Outcome"] == "REJECTED"
    assert re.search(r"rejected by someone \(approval page, [^)]+\): on purpose", result["Reason"])
    assert approvals.value("page-tamper") == "changed-by-hand"
    assert approvals.next_notice().attributes["outcome"] == "REJECTED"


def test_an_unknown_decision_from_the_form_is_refused(approvals: Approvals) -> None:
    arn, notice = approvals.waiting_run("page-unknown")
    link = page_link(notice)
    status, html = http(link, {"t": token_of(link), "decision": "MAYBE"})
    assert status == 400 and "APPROVE, REJECT or ACCEPT" in html
    assert approvals.status(arn) == "RUNNING"
    http(link, {"t": token_of(link), "decision": "REJECT"})
    assert approvals.result(arn)["Outcome"] == "REJECTED"
    approvals.next_notice()
