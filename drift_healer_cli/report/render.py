"""The report as one self-contained HTML page: inline SVG charts drawn by pygal, inline CSS,
no JavaScript, no external asset; readable on a phone (the charts scale to the width)."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

import pygal
from pygal.style import Style

from drift_healer_cli.report.figures import (
    ACCEPTED_STATUS,
    DRIFTED,
    FAILED,
    HEALED_STATUS,
    HELD_STATUS,
    IN_SYNC,
    STATUSES,
)

COLOURS = {
    DRIFTED: "#e8590c",
    HELD_STATUS: "#f2b705",
    HEALED_STATUS: "#2b8a3e",
    ACCEPTED_STATUS: "#1c7ed6",
    IN_SYNC: "#adb5bd",
    FAILED: "#c92a2a",
}
STATUS_COLOURS = tuple(COLOURS[status] for status in STATUSES)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
CSS = """
body{font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;
color:#212529;background:#f8f9fa}
main{max-width:1100px;margin:0 auto;padding:12px}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.2em 0 .4em}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}
.tile{background:#fff;border-radius:8px;padding:10px;box-shadow:0 1px 2px #0002}
.tile b{display:block;font-size:1.6em}.tile span{color:#495057;font-size:.9em}
figure{margin:8px 0;background:#fff;border-radius:8px;padding:6px;box-shadow:0 1px 2px #0002}
figure svg{width:100%;height:auto;display:block}figcaption{font-size:.9em;color:#495057}
.scroll{overflow-x:auto;background:#fff;border-radius:8px;box-shadow:0 1px 2px #0002}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e9ecef;white-space:nowrap}
.status{padding:1px 6px;border-radius:4px;color:#fff}
.muted{color:#6c757d}
"""


def _head(*names: str) -> str:
    return "".join(f"<th>{n}</th>" for n in names)


STACK_HEAD = _head(
    "Stack", "Region", "Now", "Drift age", "Runs", "Drift events", "MTTD", "MTTR", "Auto"
)
CHANGE_HEAD = _head("Stack", "Resource", "Paths", "Principal", "Event", "When")


def duration(seconds: float | None) -> str:
    """3d 4h / 5h 12m / 12m / 40s; an en dash when unknown."""
    if seconds is None:
        return "\u2013"
    s = int(seconds)
    days, hours, minutes = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{s}s"


def percent(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:g}%"


def _style(colors: tuple[str, ...] = STATUS_COLOURS) -> Style:
    return Style(
        background="white",
        plot_background="white",
        font_family="system-ui, sans-serif",
        colors=colors,
        label_font_size=15,
        major_label_font_size=15,
        legend_font_size=16,
        title_font_size=18,
        value_font_size=15,
    )


def _svg(chart: Any) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _options(**extra: Any) -> dict[str, Any]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": _style(),
        "width": 640,
        "legend_at_bottom": True,
        "truncate_label": -1,
        "print_values": False,
    } | extra


def timeline_chart(data: dict[str, Any]) -> str:
    """One row per stack, one dot per run, coloured by what the run found."""
    stacks = data["Stacks"]
    height = max(260, 90 + 34 * len(stacks))
    chart = pygal.DateTimeLine(
        **_options(
            title="Drift timeline: one dot per run",
            height=height,
            stroke=False,
            dots_size=6,
            x_label_rotation=30,
            x_value_formatter=lambda d: d.strftime("%m-%d %H:%M"),
            y_labels=[{"label": s["Stack"], "value": i} for i, s in enumerate(stacks)],
            range=(-0.5, max(0.5, len(stacks) - 0.5)),
            show_y_guides=True,
        )
    )
    for st in STATUSES:
        points: list[tuple[datetime, int] | None] = [
            (datetime.fromisoformat(run["At"]), i)
            for i, stack in enumerate(stacks)
            for run in stack["Timeline"]
            if run["Status"] == st
        ]
        chart.add(st, points or [None])  # an empty series keeps the legend's colours in order
    return _svg(chart)


def _hbar(title: str, rows: list[tuple[str, float]], label: str, colour: str) -> str:
    chart = pygal.HorizontalBar(
        **_options(
            title=title,
            height=max(220, 90 + 30 * len(rows)),
            show_legend=False,
            style=_style((colour,)),
        )
    )
    chart.x_labels = [name for name, _ in rows]
    chart.add(label, [value for _, value in rows])
    return _svg(chart)


def age_chart(data: dict[str, Any]) -> str:
    rows = [
        (s["Stack"], round(s["DriftAgeSeconds"] / 3600, 1))
        for s in data["Stacks"]
        if s["DriftAgeSeconds"] is not None
    ]
    return _hbar("Current drift age (hours)", rows or [("none drifted", 0.0)], "hours", "#e8590c")


def worst_chart(data: dict[str, Any]) -> str:
    rows = [(w["Stack"], float(w["DriftEvents"])) for w in data["WorstOffenders"]]
    return _hbar("Worst offenders: drift events", rows or [("no drift", 0.0)], "events", "#c92a2a")


def remediation_chart(data: dict[str, Any]) -> str:
    stacks = [s for s in data["Stacks"] if s["DriftEvents"]]
    chart = pygal.HorizontalBar(
        **_options(
            title="Per stack: MTTD and MTTR (hours)",
            height=max(240, 110 + 44 * len(stacks)),
            style=_style(colors=("#1c7ed6", "#2b8a3e")),
        )
    )
    chart.x_labels = [s["Stack"] for s in stacks] or ["no drift"]

    def hours(value: float | None) -> float | None:
        return None if value is None else round(value / 3600, 2)

    chart.add("MTTD", [hours(s["MTTDSeconds"]) for s in stacks] or [None])
    chart.add("MTTR", [hours(s["MTTRSeconds"]) for s in stacks] or [None])
    return _svg(chart)


def per_day_chart(data: dict[str, Any]) -> str:
    days = data["DriftEventsPerDay"]
    chart = pygal.Bar(
        **_options(title="Drift events per day", height=300, show_legend=False, x_label_rotation=30)
    )
    chart.x_labels = list(days) or ["none"]
    chart.add("drift events", list(days.values()) or [0])
    return _svg(chart)


def _tile(value: str, label: str, key: str) -> str:
    value, label = html.escape(value), html.escape(label)
    return f'<div class="tile" data-key="{key}"><b>{value}</b><span>{label}</span></div>'


def _status(value: str | None) -> str:
    if value is None:
        return '<span class="muted">\u2013</span>'
    return f'<span class="status" style="background:{COLOURS[value]}">{html.escape(value)}</span>'


def _stack_rows(data: dict[str, Any]) -> str:
    e = html.escape
    return "".join(
        f'<tr data-stack="{e(s["Stack"])}"><td>{e(s["Stack"])}</td><td>{e(s["Region"])}</td>'
        f"<td>{_status(s['Status'])}</td><td>{duration(s['DriftAgeSeconds'])}</td>"
        f"<td>{s['Runs']}</td><td>{s['DriftEvents']}</td><td>{duration(s['MTTDSeconds'])}</td>"
        f"<td>{duration(s['MTTRSeconds'])}</td><td>{percent(s['AutoRemediatedPercent'])}</td></tr>"
        for s in data["Stacks"]
    )


def _change_rows(data: dict[str, Any]) -> str:
    e = html.escape
    rows = [
        f"<tr><td>{e(s['Stack'])}</td><td>{e(c['LogicalId'])}</td>"
        f"<td>{e(', '.join(c['Paths']))}</td><td>{e(c['Principal'])}</td>"
        f"<td>{e(c['EventName'])}</td><td>{e((c['EventTime'] or '')[:16])}</td></tr>"
        for s in data["Stacks"]
        for c in s["Changes"]
    ]
    if not rows:
        return '<tr><td colspan="6" class="muted">no attribution in the history</td></tr>'
    return "".join(rows)


def render(data: dict[str, Any]) -> str:
    overall = data["Overall"]
    e = html.escape
    tiles = "".join(
        [
            _tile(str(overall["Stacks"]), "stacks", "stacks"),
            _tile(str(overall["CurrentlyDrifted"]), "drifted now", "drifted"),
            _tile(duration(overall["OldestDriftAgeSeconds"]), "oldest drift", "oldest"),
            _tile(str(overall["DriftEvents"]), "drift events", "events"),
            _tile(duration(overall["MTTDSeconds"]), "mean time to detect", "mttd"),
            _tile(duration(overall["MTTRSeconds"]), "mean time to remediate", "mttr"),
            _tile(percent(overall["AutoRemediatedPercent"]), "auto-remediated", "auto"),
            _tile(percent(overall["FailureRatePercent"]), "runs failed", "failures"),
        ]
    )
    charts = [
        ("timeline", timeline_chart(data)),
        ("age", age_chart(data)),
        ("worst", worst_chart(data)),
        ("remediation", remediation_chart(data)),
        ("per-day", per_day_chart(data)),
    ]
    figures = "".join(f'<figure id="{name}">{svg}</figure>' for name, svg in charts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drift report</title><style>{CSS}</style></head>
<body><main>
<h1>Drift report</h1>
<p class="muted">{e(data["Source"])} &middot; generated {e(data["GeneratedAt"][:16])} UTC
&middot; {overall["Runs"]} runs</p>
<section class="tiles">{tiles}</section>
<h2>Charts</h2>{figures}
<h2>Stacks</h2>
<div class="scroll"><table id="stacks"><tr>{STACK_HEAD}</tr>{_stack_rows(data)}</table></div>
<h2>Who changed what</h2>
<div class="scroll"><table id="changes"><tr>{CHANGE_HEAD}</tr>{_change_rows(data)}</table></div>
<p class="muted">Definitions: docs/report.md. The same data: report.json.</p>
</main></body></html>
"""
