"""Fleet approvals: a stack of another region and account is reviewed and approved through
the page (read where the token says, through the target account's role)."""

from __future__ import annotations

import pytest

from tests.e2e.approval.harness import OTHER_ACCOUNT, Approvals, decide, http, page_link

pytestmark = pytest.mark.slow


def test_a_stack_of_another_region_and_account_is_reviewed_and_approved_on_the_page(
    approvals: Approvals,
) -> None:
    where = {"region": "eu-west-1", "account": OTHER_ACCOUNT}
    arn, notice = approvals.waiting_run("fleet-app", **where)
    link = page_link(notice)

    status, html = http(link)
    assert status == 200, html
    assert "eu-west-1" in html and OTHER_ACCOUNT in html
    assert "SampleParameter" in html and "changed-by-hand" in html and "Modify" in html

    status, html = decide(link, "APPROVE", by="Eve")
    assert status == 200, html
    result = approvals.result(arn)
    assert result["Outcome"] == "HEALED", result.get("Reason")
    assert approvals.value("fleet-app", **where) == "initial-value"
    approvals.next_notice()
