"""Who changed each drifted resource: bounded CloudTrail lookups, results into the report.

Never changes an outcome: a lookup that fails for good (throttled past its retries, access
denied) becomes a `LastChangeNote`, as does a resource nobody is found for.
"""

from __future__ import annotations

from datetime import datetime

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.exceptions import DurableOperationError

from healer.attribution.decisions import lookback_start, missing_note, newest, plan_lookups
from healer.attribution.steps import run_look_up_changes
from healer.model import LastChange
from healer.report import RunReport


def attribute(
    context: DurableContext,
    report: RunReport,
    *,
    max_lookups: int,
    ignore: tuple[str, ...],
    last_in_sync: datetime | None,
    now: datetime,
) -> None:
    """Fill `report.changes` / `report.change_notes` for every drifted resource."""
    if not report.drifted:
        return
    plan = plan_lookups(report.drifted)
    start = lookback_start(last_in_sync, now)
    budget = max_lookups
    found: list[LastChange] = []
    failed: dict[str, str] = {}
    skipped: set[str] = set()
    for lookup in plan.lookups:
        token: str | None = None
        page = 0
        while True:
            if budget <= 0:
                skipped.update(w.logical_id for w in lookup.wanted)
                break
            budget -= 1
            page += 1
            try:
                result = run_look_up_changes(
                    context, lookup, start=start, token=token, ignore=ignore, page=page
                )
            except DurableOperationError as failure:
                for w in lookup.wanted:
                    failed[w.logical_id] = failure.message or type(failure).__name__
                break
            found += result.found
            done = {c.logical_id for c in found}
            if not result.next_token or all(w.logical_id in done for w in lookup.wanted):
                break
            token = result.next_token
    changes = newest(found)
    notes = dict(plan.notes)
    for resource in report.drifted:
        lid = resource.logical_id
        if lid in changes or lid in notes:
            continue
        notes[lid] = missing_note(start, failed=failed.get(lid), skipped=lid in skipped)
    report.take_changes(changes, notes)
