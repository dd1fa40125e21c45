"""Safety-policy rules that use who changed a resource (issue 16): break-glass holds
(HOLD_IF_CHANGED_BY) and the thrash guard (THRASH_HEALS within THRASH_WINDOW_HOURS).

Both are pure: the attribution (`LastChange` per logical id, or a note saying why it is not
known) and the heal counts from the run history come in as values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from healer.model import HealCount, LastChange, ResourceDrift


@dataclass(frozen=True)
class GuardPolicy:
    hold_if_changed_by: tuple[str, ...] = ()  # principal ARN globs (break-glass)
    thrash_heals: int = 3  # 0: no thrash guard
    thrash_window_hours: float = 24


@dataclass(frozen=True)
class Knowledge:
    """What the run knows about who changed what, for the guards."""

    changes: Mapping[str, LastChange]  # logical id -> the last change outside CloudFormation
    unknown: Mapping[str, str]  # logical id -> why it is not known
    heals: Mapping[str, HealCount]  # "LogicalId/PropertyPath" -> heals in the window
    heals_unknown: str | None = None  # the run history could not be read: why


def healed_key(logical_id: str, path: str) -> str:
    """The history's `HealedPaths` entry: "LogicalId/PropertyPath" (path "/Value" ->
    "Param/Value")."""
    return f"{logical_id}/{path.lstrip('/')}"


def changed_by_glob(change: LastChange, globs: tuple[str, ...]) -> str | None:
    """The first glob matching the principal or the role behind its session."""
    for glob in globs:
        if fnmatchcase(change.principal, glob) or (
            change.issuer and fnmatchcase(change.issuer, glob)
        ):
            return glob
    return None


def break_glass_rules(drift: ResourceDrift, policy: GuardPolicy, known: Knowledge) -> list[str]:
    if not policy.hold_if_changed_by:
        return []
    change = known.changes.get(drift.logical_id)
    if change is None:
        # Fail closed: the rule cannot tell a break-glass change from any other.
        why = known.unknown.get(drift.logical_id, "not looked up")
        return [
            f"HOLD_IF_CHANGED_BY is set and who changed it is not known ({why}); "
            "the next run looks again"
        ]
    glob = changed_by_glob(change, policy.hold_if_changed_by)
    if glob is None:
        return []
    return [
        f"changed by {change.principal} ({change.via}, {change.api}) at "
        f"{change.event_time:%Y-%m-%d %H:%M} UTC, a break-glass principal "
        f"(HOLD_IF_CHANGED_BY: {glob}): never reverted automatically"
    ]


def thrash_rules(drift: ResourceDrift, policy: GuardPolicy, known: Knowledge) -> list[str]:
    if policy.thrash_heals <= 0:
        return []
    if known.heals_unknown and drift.differences:
        # Fail closed: without the history, a loop of heals cannot be told from a first one.
        return [f"the thrash guard could not read the run history ({known.heals_unknown})"]
    reasons: list[str] = []
    for difference in drift.differences:
        key = healed_key(drift.logical_id, difference.path)
        heal = known.heals.get(key)
        if heal is None or heal.count < policy.thrash_heals:
            continue
        now = known.changes.get(drift.logical_id)
        who = list(dict.fromkeys([*heal.principals, *([now.principal] if now else [])]))
        reasons.append(
            f"{key} was healed {heal.count} times in the last {policy.thrash_window_hours:g} h "
            f"(THRASH_HEALS={policy.thrash_heals}, THRASH_WINDOW_HOURS="
            f"{policy.thrash_window_hours:g}) and changed again, by "
            f"{', '.join(who) if who else 'an unknown principal'}: something keeps changing "
            "it back; a person decides instead of another heal"
        )
    return reasons
