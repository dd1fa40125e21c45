"""A real browser opens the link from a real notice, sees what keeping the change would
write into the template before deciding, clicks "Keep the change", and the stack ends with
the change kept: the live value unchanged, the template holding it, the run ACCEPTED.

Skipped only when Chromium is absent outside CI (as tests/e2e/approval/test_browser.py).
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.approval.harness import Approvals, page_link
from tests.e2e.approval.test_browser import _chromium

pytestmark = pytest.mark.slow


def test_a_reviewer_keeps_the_change_after_seeing_the_diff(approvals: Approvals) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    arn, notice = approvals.waiting_run("browser-keep")
    link = page_link(notice)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = browser.new_page(viewport={"width": 430, "height": 900})
            page.goto(link)
            # Shown first: what keeping would write into the template.
            assert page.locator("h2:has-text('Keep the change instead?')").count() == 1
            diff = page.locator("pre.udiff")
            assert "changed-by-hand" in " ".join(diff.locator(".add").all_inner_texts())
            assert "initial-value" in " ".join(diff.locator(".del").all_inner_texts())
            assert "the next deploy from an unchanged repository reverts it" in page.inner_text(
                "main"
            )
            assert approvals.status(arn) == "RUNNING"  # looking decided nothing

            page.fill("#by", "Hedy")
            page.fill("#reason", "the incident fix stays")
            page.click("button.keep")
            page.wait_for_selector("h1:has-text('Kept')")
            assert "Kept by Hedy" in page.inner_text(".banner")
        finally:
            browser.close()

    result = approvals.result(arn)
    assert result["Outcome"] == "ACCEPTED", result.get("Reason")
    assert result["Approval"]["Decision"] == "ACCEPT"
    assert approvals.value("browser-keep") == "changed-by-hand"  # the change was kept
    template = approvals.aws("cloudformation").get_template(StackName="browser-keep")
    assert "changed-by-hand" in json.dumps(template["TemplateBody"])
    assert "Template diff (commit it to the template's source):" in approvals.next_notice().body
