"""Approval that waits: the answer contract, signed links and the flow's pure decisions."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from drift_common.approval import (
    Answer,
    InvalidTokenError,
    LinkClaims,
    answer,
    key_version_of,
    sign_link,
    verify_link,
)
from drift_common.outcomes import Outcome
from healer.approval.decisions import read_answer, recheck
from healer.approval.settings import ApprovalSettings, approval_budget_problem
from healer.model.approval import Approval
from healer.report.text import approval_lines
from healer.settings import Settings

KEY = b"k" * 32
CLAIMS = LinkClaims(
    callback_id="cb-1",
    stack_id="arn:aws:cloudformation:us-east-1:123456789012:stack/app/1",
    change_set_id="arn:aws:cloudformation:us-east-1:123456789012:changeSet/drift-healer-1/2",
    execution_arn="arn:aws:lambda:us-east-1:123456789012:function:healer:live/durable-execution/x/1",
    expires=2_000_000_000,
    region="us-east-1",
    account_id=None,
    key_version="6f1b7f3e-5a4c-4d0e-9b57-0c2f7a3d9e11",
)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (None, "empty"),
        ("", "empty"),
        ("approve", "not JSON"),
        ("[1]", "JSON object"),
        ('{"Decision": "approve"}', "APPROVE, REJECT or ACCEPT, got 'approve'"),
        ('{"Decision": "APPROVE", "Reson": "typo"}', "unknown field(s) Reson"),
        ('{"Decision": "REJECT", "Reason": 3}', "must be strings"),
    ],
)
def test_anything_but_the_contract_decides_nothing(raw: str | None, problem: str) -> None:
    result = read_answer(raw)
    assert isinstance(result, str) and problem in result


def test_the_contract_answer_round_trips() -> None:
    sent = answer("REJECT", " not now ", "alice")
    assert read_answer(sent.to_json()) == Answer("REJECT", "not now", "alice")
    assert json.loads(sent.to_json()) == {"Decision": "REJECT", "Reason": "not now", "By": "alice"}


def test_a_genuine_link_verifies_until_it_expires() -> None:
    token = sign_link(KEY, CLAIMS)
    assert verify_link(KEY, token, now_epoch=CLAIMS.expires - 1) == CLAIMS
    with pytest.raises(InvalidTokenError, match="expired"):
        verify_link(KEY, token, now_epoch=CLAIMS.expires)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature
        lambda t: "e" + t[1:] if t[0] != "e" else "f" + t[1:],  # claims
        lambda t: t.split(".")[0],  # cut
    ],
)
def test_a_tampered_or_cut_link_is_refused(tamper: object) -> None:
    token = sign_link(KEY, CLAIMS)
    with pytest.raises(InvalidTokenError):
        verify_link(KEY, tamper(token), now_epoch=0)  # type: ignore[operator]


def test_a_link_signed_with_another_key_is_refused() -> None:
    with pytest.raises(InvalidTokenError, match="signature"):
        verify_link(b"other", sign_link(KEY, CLAIMS), now_epoch=0)


def test_recheck_after_approval() -> None:
    assert recheck("CREATE_COMPLETE", "AVAILABLE", "UPDATE_COMPLETE") is None
    gone = recheck(None, None, "UPDATE_COMPLETE")
    assert gone and gone[0] is Outcome.OBSOLETE and "no longer exists" in gone[1]
    obsolete = recheck("CREATE_COMPLETE", "OBSOLETE", "UPDATE_COMPLETE")
    assert obsolete and obsolete[0] is Outcome.OBSOLETE
    busy = recheck("CREATE_COMPLETE", "AVAILABLE", "UPDATE_IN_PROGRESS")
    assert busy and "UPDATE_IN_PROGRESS" in busy[1]


def test_the_wait_must_fit_the_execution_timeout() -> None:
    settings = Settings(durable_execution_timeout_seconds=21600)
    problem = approval_budget_problem(settings, ApprovalSettings())
    assert problem and "APPROVAL_TIMEOUT_HOURS 72" in problem and "21600" in problem
    roomy = Settings(durable_execution_timeout_seconds=72 * 3600 + 21600)
    assert approval_budget_problem(roomy, ApprovalSettings()) is None


def test_failures_and_decisions() -> None:
    assert Outcome.APPROVAL_TIMED_OUT.is_failure and Outcome.APPROVAL_INVALID.is_failure
    assert not Outcome.REJECTED.is_failure


def test_notice_lines_say_how_to_answer_then_what_was_answered() -> None:
    expires = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    waiting = Approval(callback_id="cb-1", expires=expires, page="https://page/")
    linked = waiting.model_copy(update={"link": "https://page/?t=x"})
    text = "\n".join(approval_lines(linked))
    assert "Callback ID: cb-1" in text.splitlines()
    assert "  https://page/?t=x" in text.splitlines() and "--callback-id 'cb-1'" in text
    # The link is only ever rendered: no serialized form of the approval holds it.
    assert "t=x" not in json.dumps(linked.to_json()) and "t=x" not in linked.model_dump_json()
    assert "t=x" not in "\n".join(approval_lines(waiting))
    decided = waiting.decided(Answer("APPROVE", "ok", "bob"), expires - timedelta(hours=1))
    assert "Decision: approved by bob at 2026-11-26 07:00 UTC" in "\n".join(approval_lines(decided))


def test_a_link_names_the_key_version_that_signed_it() -> None:
    token = sign_link(KEY, CLAIMS)
    assert key_version_of(token) == CLAIMS.key_version
    # A link made before key versions (or with its claims altered) names none: refused.
    unversioned = sign_link(KEY, CLAIMS).split(".")[1]
    old = json.dumps({"callback_id": "cb-1", "expires": 2_000_000_000}).encode()
    payload = base64.urlsafe_b64encode(old).decode().rstrip("=")
    with pytest.raises(InvalidTokenError, match="no signing key version"):
        key_version_of(f"{payload}.{unversioned}")
    with pytest.raises(InvalidTokenError, match="incomplete"):
        key_version_of(token.split(".")[0])
