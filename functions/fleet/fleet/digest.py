"""The fleet's digest: one notice and the result JSON of a fleet run (pure)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from drift_common.outcomes import HEALED, HELD
from drift_common.sns import clip, fits
from fleet.results import StackResult
from fleet.selection import ListingFailure, Skipped

# Each list in the result is cut to this many entries ("and N more"), so a fleet of 5,000
# stacks keeps a bounded result. The notice is measured as SNS measures it and its lists cut
# further (NOTICE_LIMITS) until it fits: 100 long names with non-ASCII reasons are more than
# SNS's 256 KiB.
LIST_LIMIT = 100
NOTICE_LIMITS = (LIST_LIMIT, 50, 20, 10, 5, 0)
SUBJECT_LIMIT = 99  # SNS subjects: "less than 100 characters"
LISTING_REASON_CHARS = 400  # an AWS error message, quoted
# The digest's one message attribute (SNS counts it against the limit too).
ATTRIBUTES = {"kind": "fleet-digest"}


@dataclass(frozen=True)
class Figures:
    """The numbers a dashboard shows (also the metrics)."""

    checked: int
    drifted: int
    healed: int
    held: int
    failed: int
    skipped: int
    oldest_drift_age_seconds: float
    listings_failed: int = 0  # accounts and regions whose stacks could not be listed


def drift_age_seconds(result: StackResult, now: datetime) -> float:
    if not result.drift_first_seen:
        return 0.0  # first seen by this run
    try:
        seen = datetime.fromisoformat(result.drift_first_seen)
    except ValueError:
        return 0.0
    return max(0.0, (now - seen).total_seconds())


def figures(
    results: Sequence[StackResult],
    skipped: Sequence[Skipped],
    now: datetime,
    unlisted: Sequence[ListingFailure] = (),
) -> Figures:
    drifted = [r for r in results if r.drifted]
    return Figures(
        checked=len(results),
        drifted=len(drifted),
        healed=sum(r.outcome in HEALED for r in results),
        held=sum(r.outcome in HELD for r in results),
        failed=sum(r.failed for r in results),
        skipped=len(skipped),
        oldest_drift_age_seconds=max((drift_age_seconds(r, now) for r in drifted), default=0.0),
        listings_failed=len(unlisted),
    )


def build_digest(
    results: Sequence[StackResult],
    skipped: Sequence[Skipped],
    now: datetime,
    execution_arn: str,
    *,
    unlisted: Sequence[ListingFailure] = (),
    list_limit: int = LIST_LIMIT,
) -> dict[str, Any]:
    """The fleet's result JSON: counts per outcome and the stacks that need attention, each
    list cut to `list_limit` items."""

    def _cut(items: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Count": len(items), "Items": items[:list_limit], "Cut": len(items) > list_limit}

    numbers = figures(results, skipped, now, unlisted)
    drifted = sorted(
        (r for r in results if r.drifted),
        key=lambda r: (-drift_age_seconds(r, now), r.key),
    )
    return {
        "FleetExecution": execution_arn,
        "FinishedAt": now.isoformat(),
        "Checked": numbers.checked,
        "Drifted": numbers.drifted,
        "Healed": numbers.healed,
        "HeldForReview": numbers.held,
        "Failed": numbers.failed,
        "Skipped": numbers.skipped,
        "ListingsFailed": numbers.listings_failed,
        "OldestDriftAgeSeconds": numbers.oldest_drift_age_seconds,
        "Outcomes": dict(sorted(Counter(r.outcome for r in results).items())),
        "DriftedStacks": _cut(
            [
                {
                    "Stack": r.key,
                    "Outcome": r.outcome,
                    "DriftedResources": r.drifted_resources,
                    "DriftFirstSeen": r.drift_first_seen,
                    "DriftAgeSeconds": drift_age_seconds(r, now),
                }
                for r in drifted
            ]
        ),
        "WaitingForApproval": _cut(
            [{"Stack": r.key, "Reason": r.reason} for r in results if r.outcome in HELD]
        ),
        "Failures": _cut(
            [
                {"Stack": r.key, "Outcome": r.outcome, "Reason": r.reason}
                for r in results
                if r.failed
            ]
        ),
        "SkippedStacks": _cut([{"Stack": s.key, "Reason": s.reason} for s in skipped]),
        "ListingFailures": _cut(
            [{"Where": f.where, "Reason": clip(f.reason, LISTING_REASON_CHARS)} for f in unlisted]
        ),
    }


def _age(seconds: float) -> str:
    if seconds < 3600:
        return "first seen now" if seconds < 60 else f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _section(title: str, block: dict[str, Any], line: Any) -> list[str]:
    if not block["Count"]:
        return []
    lines = [f"{title} ({block['Count']}):"] + [f"  - {line(item)}" for item in block["Items"]]
    if block["Cut"]:
        lines.append(f"  ... and {block['Count'] - len(block['Items'])} more")
    return [*lines, ""]


def subject(digest: dict[str, Any]) -> str:
    text = (
        f"Drift fleet: {digest['Checked']} checked, {digest['Drifted']} drifted, "
        f"{digest['Healed']} healed, {digest['HeldForReview']} held, {digest['Failed']} failed"
    )
    if digest.get("ListingsFailed"):
        text += f", {digest['ListingsFailed']} not listed"
    return text[:SUBJECT_LIMIT]


def render_text(digest: dict[str, Any]) -> str:
    """The email version: counts first, then what needs a person."""
    outcomes = ", ".join(f"{k} {v}" for k, v in digest["Outcomes"].items()) or "none"
    lines = [
        subject(digest),
        f"Skipped: {digest['Skipped']}. Outcomes: {outcomes}.",
        "",
        *_section(
            "Drifted stacks, oldest drift first",
            digest["DriftedStacks"],
            lambda i: (
                f"{i['Stack']}: {i['Outcome']}, {i['DriftedResources']} resources, "
                f"{_age(i['DriftAgeSeconds'])}"
            ),
        ),
        *_section(
            "Waiting for approval",
            digest["WaitingForApproval"],
            lambda i: f"{i['Stack']}: {i['Reason']}",
        ),
        *_section(
            "Failures", digest["Failures"], lambda i: f"{i['Stack']}: {i['Outcome']}: {i['Reason']}"
        ),
        *_section("Skipped", digest["SkippedStacks"], lambda i: f"{i['Stack']}: {i['Reason']}"),
        *_section(
            "Not listed, so none of their stacks was checked",
            digest.get("ListingFailures") or {"Count": 0},
            lambda i: f"{i['Where']}: {i['Reason']}",
        ),
        f"Fleet execution: {digest['FleetExecution']}",
    ]
    return "\n".join(lines)


def notice_message(digest: dict[str, Any]) -> str:
    """SNS MessageStructure=json: email gets the text, every other protocol the JSON."""
    return json.dumps({"default": json.dumps(digest), "email": render_text(digest)})


def fit_notice(build: Callable[[int], dict[str, Any]]) -> tuple[str, str]:
    """(subject, message) of the digest `build(list_limit)` with the longest lists that fit
    one SNS message, measured as SNS measures it. The counts are always whole. If even bare
    counts do not fit, the smallest is returned: SNS refuses it and the fleet fails saying
    so, rather than sending nothing silently."""
    for limit in NOTICE_LIMITS:
        digest = build(limit)
        title, message = subject(digest), notice_message(digest)
        if fits(message, ATTRIBUTES, title):
            break
    return title, message
