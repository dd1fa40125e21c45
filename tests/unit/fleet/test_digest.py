"""The fleet's digest (notice and result) and its metrics (CloudWatch EMF)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fleet import metrics
from fleet.digest import LIST_LIMIT, build_digest, figures, notice_message, render_text, subject
from fleet.request import Target
from fleet.results import StackResult, from_failure, from_healer
from fleet.selection import Skipped

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def result(
    name: str, outcome: str, drifted: int = 0, first_seen: str | None = None, reason: str = "why"
) -> StackResult:
    return StackResult(
        key=f"home/eu-west-1/{name}",
        stack_name=name,
        outcome=outcome,
        reason=reason,
        drifted_resources=drifted,
        drift_first_seen=first_seen,
    )


RESULTS = [
    result("fresh", "HEALED", 1),
    result("old", "REVIEW_REQUIRED", 3, "2026-11-20T12:00:00+00:00", "review mode"),
    result("older", "HEALED", 2, "2026-11-01T12:00:00+00:00"),
    result("calm", "IN_SYNC"),
    result("broken", "EXECUTION_FAILED", 1, reason="the update failed on Queue"),
]
SKIPPED = [Skipped(key="home/eu-west-1/busy", reason="the stack is UPDATE_IN_PROGRESS, not stable")]


def test_counts_per_outcome_and_drifted_stacks_oldest_drift_first() -> None:
    digest = build_digest(RESULTS, SKIPPED, NOW, "arn:fleet")
    assert (
        digest["Checked"],
        digest["Drifted"],
        digest["Healed"],
        digest["HeldForReview"],
        digest["Failed"],
        digest["Skipped"],
    ) == (5, 4, 2, 1, 1, 1)
    assert digest["Outcomes"] == {
        "EXECUTION_FAILED": 1,
        "HEALED": 2,
        "IN_SYNC": 1,
        "REVIEW_REQUIRED": 1,
    }
    assert [i["Stack"].split("/")[-1] for i in digest["DriftedStacks"]["Items"]] == [
        "older",
        "old",
        "broken",  # a failed heal leaves a drifted stack
        "fresh",
    ]
    assert digest["OldestDriftAgeSeconds"] == 22 * 86400
    assert digest["WaitingForApproval"]["Items"] == [
        {"Stack": "home/eu-west-1/old", "Reason": "review mode"}
    ]
    assert digest["Failures"]["Items"][0]["Reason"] == "the update failed on Queue"
    assert digest["SkippedStacks"]["Items"][0]["Stack"] == "home/eu-west-1/busy"


def test_the_notice_is_json_for_machines_and_text_for_email() -> None:
    digest = build_digest(RESULTS, SKIPPED, NOW, "arn:fleet")
    message = json.loads(notice_message(digest))
    assert json.loads(message["default"]) == digest
    text = message["email"]
    assert text.startswith("Drift fleet: 5 checked, 4 drifted, 2 healed, 1 held, 1 failed")
    assert text.index("older") < text.index("old:") < text.index("fresh")
    assert "22.0 days" in text and "first seen now" in text
    assert (
        "Failures (1):\n  - home/eu-west-1/broken: EXECUTION_FAILED: the update failed on Queue"
        in text
    )
    assert "Skipped (1):\n  - home/eu-west-1/busy: the stack is UPDATE_IN_PROGRESS" in text
    assert len(subject(digest)) <= 100


def test_long_lists_are_cut_and_say_how_many_more() -> None:
    many = [result(f"s{i:04d}", "EXECUTION_FAILED", reason="x" * 150) for i in range(3000)]
    digest = build_digest(many, [], NOW, "arn:fleet")
    assert digest["Failures"]["Count"] == 3000 and len(digest["Failures"]["Items"]) == LIST_LIMIT
    assert f"... and {3000 - LIST_LIMIT} more" in render_text(digest)
    assert len(notice_message(digest).encode()) < 256 * 1024  # SNS message limit


def test_results_are_kept_small_from_the_healer_record_or_its_failure() -> None:
    target = Target(StackName="app", Region="eu-west-1")
    record = {
        "Outcome": "HEALED",
        "Reason": "r" * 1000,
        "DriftedResourceCount": 4,
        "DriftedResources": ["big"] * 1000,
    }
    kept = from_healer(target, record)
    assert (kept.outcome, kept.drifted_resources, len(kept.reason)) == ("HEALED", 4, 160)
    failed = from_failure(
        target,
        "EXECUTION_FAILED: boom",
        json.dumps({"Outcome": "EXECUTION_FAILED", "Reason": "boom"}),
    )
    assert (failed.outcome, failed.reason) == ("EXECUTION_FAILED", "boom")
    lost = from_failure(target, "Function not found", None)
    assert (lost.outcome, lost.reason, lost.failed) == ("INVOKE_FAILED", "Function not found", True)


def test_metrics_are_one_emf_blob_with_low_cardinality_dimensions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics.emit(figures(RESULTS, SKIPPED, NOW))
    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    assert len(lines) == 1
    blob = lines[0]
    directive = blob["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "CfnDriftHealer"
    assert directive["Dimensions"] == [["service"]]
    assert blob["service"] == "fleet"
    names = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert names == {
        "StacksChecked": "Count",
        "StacksDrifted": "Count",
        "StacksHealed": "Count",
        "StacksHeldForReview": "Count",
        "StacksFailed": "Count",
        "StacksSkipped": "Count",
        "ListingsFailed": "Count",
        "OldestDriftAgeSeconds": "Seconds",
        "FleetRunsCompleted": "Count",  # the fleet's heartbeat
    }
    assert blob["FleetRunsCompleted"] == [1.0]
    assert (blob["StacksChecked"], blob["StacksFailed"], blob["OldestDriftAgeSeconds"]) == (
        [5.0],
        [1.0],
        [22 * 86400.0],
    )
    assert "broken" not in json.dumps(blob)  # no stack names anywhere
