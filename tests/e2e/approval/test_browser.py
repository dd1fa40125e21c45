"""A real browser (headless Chromium, Debian's package, driven by Playwright) opens the link
from a real notice, sees the diff, clicks Approve, and the stack ends healed.

Skipped only when Chromium is absent outside CI; in CI (CI=true) a missing browser fails.
Also saves the page's screenshot for the README (docs/approval-page.png).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.approval.harness import Approvals, page_link

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "approval-page.png"


def _chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium")
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


def test_a_reviewer_approves_in_a_browser_and_the_stack_is_healed(approvals: Approvals) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    arn, notice = approvals.waiting_run("browser-approve")
    link = page_link(notice)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = browser.new_page(viewport={"width": 430, "height": 900})  # a phone
            page.goto(link)
            assert page.title() == "Drift on browser-approve"
            drift = page.locator("li.drift")
            assert drift.count() == 1
            assert "SampleParameter" in drift.inner_text()
            assert "/Value: initial-value \u2192 changed-by-hand" in drift.inner_text()
            assert drift.locator(".new").inner_text() == "initial-value"
            assert drift.locator(".old").inner_text() == "changed-by-hand"
            assert "Modify, replacement False" in page.locator("li.change").inner_text()
            if os.environ.get("UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
                SCREENSHOT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            assert approvals.status(arn) == "RUNNING"  # looking decided nothing

            page.fill("#by", "Grace")
            page.fill("#reason", "checked with the app team")
            page.click("button.approve")
            page.wait_for_selector("h1:has-text('Approved')")
            assert "Approved by Grace" in page.inner_text(".banner")
        finally:
            browser.close()

    result = approvals.result(arn)
    assert result["Outcome"] == "HEALED", result.get("Reason")
    assert result["Approval"]["Reason"] == "checked with the app team"
    assert approvals.value("browser-approve") == "initial-value"
    assert "Decision: approved by Grace" in approvals.next_notice().body
