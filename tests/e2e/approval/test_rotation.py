"""Rotating the signing key: warm functions sign and verify with the new key, and a link
verifies while its key version is current or previous (rotating twice retires it)."""

from __future__ import annotations

import secrets

import pytest

from drift_common.approval import verify_link
from tests.e2e.approval.harness import Approvals, decide, http, page_link, token_of

pytestmark = pytest.mark.slow


def rotate(approvals: Approvals) -> bytes:
    """put-secret-value: the new version is AWSCURRENT, the last one AWSPREVIOUS."""
    key = secrets.token_hex(32)
    approvals.sb.client("secretsmanager").put_secret_value(
        SecretId=approvals.secret, SecretString=key
    )
    return key.encode()


def test_a_rotated_key_is_used_by_warm_functions_and_retires_old_links(
    approvals: Approvals, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, first_notice = approvals.waiting_run("rotate-first")
    first_link = page_link(first_notice)
    assert http(first_link)[0] == 200  # the page (and the healer) now hold the first key

    new_key = rotate(approvals)
    second, second_notice = approvals.waiting_run("rotate-second")
    second_link = page_link(second_notice)
    verify_link(new_key, token_of(second_link), now_epoch=0)  # the warm healer signed anew
    status, html = http(second_link)
    assert status == 200, html  # the warm page verifies it
    status, html = http(first_link)
    assert status == 200, html  # signed with the previous version: still good

    rotate(approvals)  # the first key now has no staging label: retired
    from approval_page import aws as page_aws  # noqa: PLC0415 - the page's own module

    monkeypatch.setattr(page_aws, "KEY_CACHE_SECONDS", 0)  # a warm page re-reads (5 min)
    status, html = decide(first_link, "APPROVE", by="late")
    assert status == 403 and "retired" in html, html
    assert approvals.status(first) == "RUNNING"
    status, html = decide(second_link, "REJECT", reason="rotated")  # AWSPREVIOUS now
    assert status == 200, html
    assert approvals.result(second)["Outcome"] == "REJECTED"
    approvals.next_notice()

    callback = first_notice.result["Approval"]["CallbackId"] if first_notice.result else ""
    approvals.service.lambda_client().send_durable_execution_callback_success(
        CallbackId=callback, Result=b'{"Decision": "REJECT", "By": "cli"}'
    )
    assert approvals.result(first)["Outcome"] == "REJECTED"
    approvals.next_notice()
