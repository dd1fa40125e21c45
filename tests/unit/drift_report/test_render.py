"""The report page: self-contained (inline SVG from pygal, no script, no external asset),
outside text escaped, and the JSON beside it is the same data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from drift_healer_cli.report import write_report
from drift_healer_cli.report.figures import build
from drift_healer_cli.report.history import from_items
from drift_healer_cli.report.render import duration, render
from tests.unit.drift_report.known_history import ITEMS, NOW


def page() -> str:
    return render(build(from_items(ITEMS), NOW, "table t"))


def test_the_page_is_self_contained() -> None:
    html = page()
    assert html.count("<svg") == 5
    assert "pygal" in html  # drawn by the library, not by hand
    assert "<script" not in html
    # No asset from anywhere: the only URLs are XML namespaces and pygal's comment.
    urls = set(re.findall(r"""(?:src|href)=["']([^"']+)""", html))
    assert urls == set()
    assert '<meta name="viewport"' in html  # a phone lays it out at its own width


def test_outside_text_is_escaped() -> None:
    html = page()
    assert "<b>bob</b>" not in html
    assert "&lt;b&gt;bob&lt;/b&gt;" in html


def test_durations_read_like_a_person_writes_them() -> None:
    assert [duration(s) for s in (None, 40, 720, 5 * 3600 + 720, 3 * 86400 + 4 * 3600)] == [
        "\u2013",
        "40s",
        "12m",
        "5h 12m",
        "3d 4h",
    ]


class FakeDynamo:
    """Scan's paginator over the known items, two pages."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.calls: list[str] = []

    def get_paginator(self, name: str) -> Any:
        self.calls.append(name)
        items = self.items

        class Pages:
            def paginate(self, **kwargs: Any) -> Any:
                assert kwargs == {"TableName": "t"}
                half = len(items) // 2
                return iter([{"Items": items[:half]}, {"Items": items[half:]}])

        return Pages()


def test_write_report_reads_with_scan_only_and_writes_html_and_json(tmp_path: Path) -> None:
    client = FakeDynamo(ITEMS)
    html, data = write_report(client, "t", tmp_path / "out", now=NOW)
    assert client.calls == ["scan"]  # read-only
    assert html == tmp_path / "out" / "report.html"
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved == json.loads(json.dumps(data))
    assert saved["Overall"]["DriftEvents"] == 5
