"""The report's numbers, from the history alone (pure): drift episodes per stack, their
timelines, drift age, MTTD / MTTR / % auto-remediated overall and per stack, the worst
offenders. `build` returns the JSON the HTML is drawn from (and that `report.json` holds).

Definitions (docs/report.md):
- a **drift episode** starts at the first run that finds drift after a clean or unknown
  state, and ends with the run that heals it (`HEALED`, `HEALED_UNVERIFIED`), accepts it
  (`ACCEPTED`) or finds the stack in sync again (resolved by someone else);
- **time to detect**: the episode's first run's start minus the latest change time its
  attribution names (`Changes[].EventTime`), where known;
- **time to remediate**: episode start -> the end of the run that healed or accepted it;
- **auto-remediated**: healed with no run of the episode held for review or waiting for a
  person (the history does not record who approved a heal: a held episode is a person's);
- **failure rate**: runs ending in a failure outcome over runs that looked at the stack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean
from typing import Any

from drift_common.outcomes import FAILURES, HEALED, HELD, Outcome
from drift_healer_cli.report.history import Change, Run, StackHistory

ACCEPTED = "ACCEPTED"  # issue 17's outcome (drift_common.outcomes.Outcome.ACCEPTED)
DRIFTED, HELD_STATUS, HEALED_STATUS, ACCEPTED_STATUS = "drifted", "held", "healed", "accepted"
IN_SYNC, FAILED = "in sync", "failed"
STATUSES = (DRIFTED, HELD_STATUS, HEALED_STATUS, ACCEPTED_STATUS, IN_SYNC, FAILED)
_NOT_SHOWN = {Outcome.BUSY.value, Outcome.OPTED_OUT.value, Outcome.SKIPPED.value}
_HELD = {o.value for o in HELD} | {Outcome.APPROVAL_TIMED_OUT.value}
_HEALED = {o.value for o in HEALED}
_FAILED = {o.value for o in FAILURES} - _HELD
TIMELINE_LIMIT = 200  # runs per stack in the JSON (the latest)
CHANGES_LIMIT = 20  # attributed changes per stack (the latest)
WORST = 10


def status(run: Run) -> str | None:
    """What one run says of its stack; None: nothing (busy, opted out, skipped)."""
    outcome = run.outcome
    if outcome in _NOT_SHOWN:
        return None
    if outcome in _HEALED:
        return HEALED_STATUS
    if outcome == ACCEPTED:
        return ACCEPTED_STATUS
    if outcome in _HELD:
        return HELD_STATUS
    if outcome == Outcome.IN_SYNC.value:
        return IN_SYNC
    if outcome in _FAILED:
        return FAILED
    return DRIFTED  # DRIFTED, NOTHING_TO_REVERT, PARTIALLY_HEALED, REJECTED, ...


@dataclass
class Episode:
    start: datetime
    first: Run
    end: datetime | None = None
    how: str | None = None  # healed | accepted | resolved; None: still drifted
    held: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def remediated(self) -> bool:
        return self.how in {HEALED_STATUS, ACCEPTED_STATUS}

    @property
    def auto(self) -> bool:
        return self.how == HEALED_STATUS and not self.held

    @property
    def detect_seconds(self) -> float | None:
        times = [c.event_time for c in self.first.changes if c.event_time]
        return max(0.0, (self.start - max(times)).total_seconds()) if times else None

    @property
    def remediate_seconds(self) -> float | None:
        if not self.remediated or self.end is None:
            return None
        return max(0.0, (self.end - self.start).total_seconds())

    def drifted_seconds(self, now: datetime) -> float:
        return max(0.0, ((self.end or now) - self.start).total_seconds())


def episodes(runs: Sequence[Run]) -> list[Episode]:
    found: list[Episode] = []
    current: Episode | None = None
    for run in runs:
        st = status(run)
        if st is None:
            continue
        drift_present = st in {DRIFTED, HELD_STATUS} or (st == FAILED and run.drifted_count > 0)
        if st in {HEALED_STATUS, ACCEPTED_STATUS}:
            if current is None:  # found and healed by the same run
                current = Episode(start=run.started, first=run, changes=list(run.changes))
                found.append(current)
            current.end, current.how = run.finished, st
            current = None
        elif st == IN_SYNC:
            if current is not None:
                current.end, current.how = run.started, "resolved"
                current = None
        elif drift_present:
            if current is None:
                current = Episode(start=run.started, first=run)
                found.append(current)
            current.held = current.held or st == HELD_STATUS
            current.changes += run.changes
    return found


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(mean(known), 1) if known else None


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def slos(found: Sequence[Episode], runs: Sequence[Run]) -> dict[str, Any]:
    remediated = [e for e in found if e.remediated]
    looked = [r for r in runs if status(r) is not None]
    return {
        "DriftEvents": len(found),
        "MTTDSeconds": _mean([e.detect_seconds for e in found]),
        "MTTRSeconds": _mean([e.remediate_seconds for e in remediated]),
        "Remediated": len(remediated),
        "AutoRemediatedPercent": _percent(sum(e.auto for e in remediated), len(remediated)),
        "FailureRatePercent": _percent(sum(status(r) == FAILED for r in looked), len(looked)),
    }


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "LogicalId": change.logical_id,
        "ResourceType": change.resource_type,
        "Paths": list(change.paths),
        "Principal": change.principal,
        "EventName": change.event_name,
        "EventTime": change.event_time.isoformat() if change.event_time else None,
        "Via": change.via,
    }


def stack_json(stack: StackHistory, now: datetime) -> dict[str, Any]:
    found = episodes(stack.runs)
    shown = [r for r in stack.runs if status(r) is not None]
    last = status(shown[-1]) if shown else None
    open_episode = found[-1] if found and found[-1].how is None else None
    age = None
    if open_episode is not None:
        since = stack.drift_first_seen or open_episode.start
        age = max(0.0, (now - since).total_seconds())
    changes = [c for e in found for c in e.changes]
    return {
        "Stack": stack.name,
        "StackId": stack.stack_id,
        "Region": stack.region,
        "Status": last,
        "DriftAgeSeconds": age,
        "Runs": len(shown),
        "DriftedSeconds": round(sum(e.drifted_seconds(now) for e in found), 1),
        **slos(found, stack.runs),
        "Timeline": [
            {
                "At": r.finished.isoformat(),
                "Outcome": r.outcome,
                "Status": status(r),
                "DriftedResources": r.drifted_count,
            }
            for r in shown[-TIMELINE_LIMIT:]
        ],
        "Changes": [_change_json(c) for c in changes[-CHANGES_LIMIT:]],
    }


def build(stacks: Sequence[StackHistory], now: datetime, source: str) -> dict[str, Any]:
    """The report's data: overall, per day, per stack, worst offenders."""
    per_stack = [stack_json(s, now) for s in stacks]
    all_found = [e for s in stacks for e in episodes(s.runs)]
    all_runs = [r for s in stacks for r in s.runs]
    ages = [s["DriftAgeSeconds"] for s in per_stack if s["DriftAgeSeconds"] is not None]
    per_day = Counter(e.start.date().isoformat() for e in all_found)
    worst = sorted(
        (s for s in per_stack if s["DriftEvents"]),
        key=lambda s: (-s["DriftEvents"], -s["DriftedSeconds"], s["Stack"]),
    )[:WORST]
    return {
        "GeneratedAt": now.isoformat(),
        "Source": source,
        "Overall": {
            "Stacks": len(per_stack),
            "Runs": sum(s["Runs"] for s in per_stack),
            **slos(all_found, all_runs),
            "CurrentlyDrifted": len(ages),
            "OldestDriftAgeSeconds": max(ages, default=None),
        },
        "DriftEventsPerDay": dict(sorted(per_day.items())),
        "WorstOffenders": [
            {
                "Stack": s["Stack"],
                "DriftEvents": s["DriftEvents"],
                "DriftedSeconds": s["DriftedSeconds"],
            }
            for s in worst
        ],
        "Stacks": per_stack,
    }
