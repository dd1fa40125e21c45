"""`drift-healer report` as a user runs it, against the sandbox's drift state table holding a
known history, then opened in a real browser (headless Chromium, Debian's package, driven
by Playwright) at a phone's width: the charts are there and drawn, the numbers are the ones
worked out by hand, nothing needs the network, nothing overflows sideways.

Skipped only when Chromium is absent outside CI; in CI (CI=true) a missing browser fails.
Also saves the page's screenshot for the docs (docs/report.png).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drift_healer_cli.main import main
from sandbox.dynamodb import create_state_table
from sandbox.emulator import AwsSandbox
from tests.unit.drift_report.known_history import EXPECTED_OVERALL, items

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "report.png"
TABLE = "report-history"


def _chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium")
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
def history(aws_sandbox: AwsSandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    aws_sandbox.reset()
    dynamodb = aws_sandbox.client("dynamodb")
    create_state_table(dynamodb, TABLE)
    for item in items(datetime.now(UTC)):  # the report reads the real clock
        dynamodb.put_item(TableName=TABLE, Item=item)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_sandbox.endpoint_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", aws_sandbox.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    yield TABLE


def test_the_report_opens_in_a_browser_with_its_charts_and_numbers(
    history: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    assert main(["report", "--table", history, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "3 stacks, 8 runs, 5 drift events, 2 drifted now" in out
    assert f"report: {tmp_path / 'report.html'}" in out
    data = json.loads((tmp_path / "report.json").read_text())
    for key in ("MTTDSeconds", "MTTRSeconds", "AutoRemediatedPercent", "FailureRatePercent"):
        assert data["Overall"][key] == EXPECTED_OVERALL[key]

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = browser.new_page(viewport={"width": 430, "height": 900})  # a phone
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto((tmp_path / "report.html").as_uri())
            assert page.title() == "Drift report"
            assert requests == [(tmp_path / "report.html").as_uri()]  # no other asset

            def tile(key: str) -> str:
                return page.locator(f".tile[data-key={key}] b").inner_text()

            assert tile("mttd") == "1h 30m"
            assert tile("mttr") == "8h 3m"
            assert tile("auto") == "33.3%"
            assert tile("failures") == "25%"
            assert tile("events") == "5"
            assert tile("drifted") == "2"
            assert tile("oldest") == "2d 2h"  # payments, first seen two days 2 h ago

            for chart in ("timeline", "age", "worst", "remediation", "per-day"):
                svg = page.locator(f"figure#{chart} svg")
                assert svg.count() == 1
                box = svg.bounding_box()
                assert box is not None and 300 < box["width"] <= 430  # scaled to the phone
            # The timeline: one dot per run that said something (8), a row per stack.
            dots = page.locator("figure#timeline .series .dot")
            assert dots.count() == 8
            timeline = page.locator("figure#timeline").inner_text()
            for name in ("payments", "web", "queue", "held", "healed", "accepted"):
                assert name in timeline

            rows = page.locator("table#stacks tr[data-stack]")
            assert rows.count() == 3
            payments = page.locator("tr[data-stack=payments]").inner_text()
            assert "held" in payments and "50%" in payments
            assert "<b>bob</b>" in page.locator("table#changes").inner_text()  # as text
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 430  # nothing overflows sideways

            if os.environ.get("UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
                SCREENSHOT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
