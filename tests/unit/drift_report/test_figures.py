"""`drift-healer report`'s numbers from a known history, checked by hand."""

from __future__ import annotations

from drift_healer_cli.report.figures import build
from drift_healer_cli.report.history import from_items
from tests.unit.drift_report.known_history import EXPECTED_OVERALL, HOUR, ITEMS, NOW


def data() -> dict:  # type: ignore[type-arg]
    return build(from_items(ITEMS), NOW, "table t")


def test_the_overall_numbers() -> None:
    assert data()["Overall"] == EXPECTED_OVERALL


def test_per_stack_numbers_and_status() -> None:
    stacks = {s["Stack"]: s for s in data()["Stacks"]}
    assert list(stacks) == ["payments", "queue", "web"]
    payments, web, queue = stacks["payments"], stacks["web"], stacks["queue"]
    assert (payments["Status"], payments["DriftEvents"], payments["Runs"]) == ("held", 3, 4)
    assert payments["MTTDSeconds"] == 5400.0
    assert payments["MTTRSeconds"] == (24 * HOUR + 300 + 120) / 2
    assert payments["AutoRemediatedPercent"] == 50.0
    assert payments["DriftAgeSeconds"] == 50 * HOUR  # from the state item's DriftFirstSeen
    assert (web["Status"], web["DriftEvents"], web["MTTRSeconds"]) == ("failed", 1, 240.0)
    assert web["AutoRemediatedPercent"] == 0.0  # accepted is a person's decision
    assert web["DriftAgeSeconds"] is None
    assert web["FailureRatePercent"] == 33.3
    assert queue["DriftAgeSeconds"] == 26 * HOUR  # no state item: since the episode began
    assert queue["Region"] == "us-east-1" and web["Region"] == "eu-west-1"


def test_timelines_drift_per_day_and_worst_offenders() -> None:
    report = data()
    stacks = {s["Stack"]: s for s in report["Stacks"]}
    assert [t["Status"] for t in stacks["payments"]["Timeline"]] == [
        "held",
        "healed",
        "healed",
        "held",
    ]
    assert [t["Status"] for t in stacks["web"]["Timeline"]] == ["in sync", "accepted", "failed"]
    assert report["DriftEventsPerDay"] == {
        "2026-12-01": 1,
        "2026-12-04": 1,
        "2026-12-05": 1,
        "2026-12-08": 1,
        "2026-12-09": 1,
    }
    assert [w["Stack"] for w in report["WorstOffenders"]] == ["payments", "queue", "web"]


def test_who_changed_what_comes_from_the_attribution() -> None:
    payments = {s["Stack"]: s for s in data()["Stacks"]}["payments"]
    assert [(c["LogicalId"], c["Principal"]) for c in payments["Changes"]] == [
        ("Limit", "arn:aws:sts::1:assumed-role/Admin/alice"),
        ("Mode", "arn:aws:iam::1:user/<b>bob</b>"),
    ]


def test_an_empty_table_is_a_report_with_nothing_in_it() -> None:
    empty = build([], NOW, "table t")
    assert empty["Overall"]["Stacks"] == 0
    assert empty["Overall"]["MTTRSeconds"] is None
