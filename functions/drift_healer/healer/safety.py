"""The safety gate: may this REVERT_DRIFT change set run without a person looking at it?"""

from __future__ import annotations

from collections.abc import Sequence

from healer.model import PlannedChange, ResourceDrift

# Change actions that only put properties back. SyncWithActual changes metadata only
# (research.md); Add recreates a resource that was deleted out of band.
_SAFE_ACTIONS = frozenset({"Modify", "Add", "SyncWithActual"})


def review_reasons(
    changes: Sequence[PlannedChange],
    drifted: Sequence[ResourceDrift],
    *,
    allow_replacement: bool,
    complete: bool = True,
) -> list[str]:
    """Why the change set must wait for a person; empty means it is safe to execute.

    Users report REVERT_DRIFT change sets that touch resources which never drifted (wrong
    `!Ref` resolution, KNOWN_AFTER_APPLY values), sometimes with replacement (research.md):
    such a change set is held rather than trusted.
    """
    drifted_ids = {resource.logical_id for resource in drifted}
    reasons: list[str] = []
    if not complete:
        # healer.bounds kept only part of a very large drift or change set: what was not
        # read cannot be checked.
        reasons.append(
            "the drift or the change set is too large to check in full "
            "(only part of it fits in a checkpoint)"
        )
    for change in changes:
        label = f"{change.logical_id} ({change.resource_type})"
        if change.action not in _SAFE_ACTIONS:
            reasons.append(f"{label}: action {change.action} is not a plain revert")
        elif change.action != "SyncWithActual" and change.logical_id not in drifted_ids:
            reasons.append(
                f"{label}: the change set changes it, but drift detection did not report it"
            )
        if change.replacement in {"True", "Conditional"} and not allow_replacement:
            reasons.append(
                f"{label}: reverting needs replacement ({change.replacement}); "
                "set ALLOW_REPLACEMENT=true to allow it automatically"
            )
    return reasons
