"""Pure decisions of attribution: which lookups a drift needs, which CloudTrail events are
"who changed it", and what to say when nobody is found.

Lookups go by `EventName` (one per API that can have made the drift), not by
`ResourceName`: which value CloudTrail indexes a resource under (a name, a URL, an ARN) is
not documented, while each API's request parameter naming the resource is
(drift_common.trail.WRITE_EVENTS). The lookups are shared by every drifted resource of the
run; pages are read newest first until each wanted resource is found or the budget ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from drift_common import trail
from healer.model import LastChange, LookupPage, ResourceDrift

# CloudTrail's event history keeps 90 days.
HISTORY_DAYS = 90
DELIVERY_NOTE = (
    "CloudTrail delivers events about 5 minutes after the call on average (not guaranteed): "
    "a change made just now may not be visible yet"
)


@dataclass(frozen=True)
class Wanted:
    logical_id: str
    resource_type: str
    physical_id: str


@dataclass(frozen=True)
class Lookup:
    """One event name to look up, in one region (None: the stack's), for these resources."""

    event_name: str
    region: str | None
    wanted: tuple[Wanted, ...]

    @property
    def step_name(self) -> str:
        return f"look-up-changes-{self.event_name}"


@dataclass
class LookupPlan:
    lookups: list[Lookup] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # logical id -> why not looked up


def plan_lookups(drifted: Sequence[ResourceDrift]) -> LookupPlan:
    plan = LookupPlan()
    by_key: dict[tuple[str, str | None], list[Wanted]] = {}
    for resource in drifted:
        if resource.resource_type not in trail.covered_types():
            plan.notes[resource.logical_id] = (
                f"attribution does not cover {resource.resource_type} yet"
            )
            continue
        if not resource.physical_id:
            plan.notes[resource.logical_id] = "no physical id to look up"
            continue
        paths = [d.path for d in resource.differences]
        tags = any(p.startswith("/Tags") for p in paths)
        names = trail.lookup_names(
            resource.resource_type,
            tags=tags,
            props=any(not p.startswith("/Tags") for p in paths) or not paths,
            deleted=resource.drift_status == "DELETED",
        )
        source = trail.source_of(resource.resource_type) or ""
        region = trail.GLOBAL_SOURCES.get(source)
        wanted = Wanted(resource.logical_id, resource.resource_type, resource.physical_id)
        for name in names:
            by_key.setdefault((name, region), []).append(wanted)
    plan.lookups = [Lookup(name, region, tuple(w)) for (name, region), w in by_key.items()]
    return plan


def lookback_start(last_in_sync: datetime | None, now: datetime) -> datetime:
    """No further back than the stack's last in-sync time, nor than CloudTrail keeps."""
    oldest = now - timedelta(days=HISTORY_DAYS)
    return max(last_in_sync, oldest) if last_in_sync else oldest


def reduce_page(
    events: Sequence[dict[str, Any]],
    wanted: Sequence[Wanted],
    ignore: Sequence[str],
    next_token: str | None,
) -> LookupPage:
    """A LookupEvents page, reduced to the writes outside CloudFormation (and outside the
    ignored principals) that name a wanted resource: small enough for any checkpoint."""
    found: list[LastChange] = []
    for event in events:
        record = trail.parse_record(event.get("CloudTrailEvent"))  # type: ignore[arg-type]
        if record is None or trail.is_failed_or_read(record) or trail.by_cloudformation(record):
            continue
        who = trail.who(record)
        if trail.matches_any(who, list(ignore)):
            continue
        named = trail.named_value(record)
        when = trail.event_time(record)
        if named is None or when is None:
            continue
        write, value = named
        for w in wanted:
            if write.resource_type == w.resource_type and trail.names_resource(
                value, w.physical_id
            ):
                found.append(
                    LastChange(
                        logical_id=w.logical_id,
                        resource_type=w.resource_type,
                        principal=who.principal,
                        principal_type=who.principal_type,
                        issuer=who.issuer,
                        event_name=str(record.get("eventName")),
                        event_source=str(record.get("eventSource")),
                        event_time=when,
                        event_id=str(record.get("eventID") or event.get("EventId") or ""),
                        source_ip=_text(record.get("sourceIPAddress")),
                        via=who.via,
                    )
                )
    return LookupPage(found=found, next_token=next_token, scanned=len(events))


def _text(value: object) -> str | None:
    return str(value)[:100] if value else None


def newest(found: Sequence[LastChange]) -> dict[str, LastChange]:
    """The newest change per logical id."""
    out: dict[str, LastChange] = {}
    for change in found:
        if change.logical_id not in out or change.event_time > out[change.logical_id].event_time:
            out[change.logical_id] = change
    return out


def missing_note(since: datetime, *, failed: str | None, skipped: bool) -> str:
    if failed:
        return f"the CloudTrail lookup failed ({failed}); the outcome does not depend on it"
    if skipped:
        return "not looked up: ATTRIBUTION_MAX_LOOKUPS was reached"
    return (
        f"no write outside CloudFormation since {since:%Y-%m-%d %H:%M} UTC in CloudTrail; "
        + DELIVERY_NOTE
    )
