"""Accepting drift: the pure decisions (what the change set may plan, how a run ends)."""

from __future__ import annotations

from collections.abc import Iterable

from drift_common.outcomes import Outcome
from healer.model.accept import AcceptPatch, AcceptPlan

SYNC = "SyncWithActual"  # ChangeAction and AttributeChangeType (botocore model)
NO_MODIFICATION = "NoModification"  # ChangeSource: the template matches the actual state
MAX_PROBLEMS_IN_REASON = 5


def plan_problems(plan: AcceptPlan, drifted: Iterable[str]) -> list[str]:
    """Why the accept change set is not accept-only ([] when it is). Both levels are
    checked: a resource partly synced and partly reverted may show as Modify, and a detail
    of a synced resource must sync too. What could not be read cannot be trusted."""
    problems: list[str] = []
    if plan.total != len(plan.changes):
        problems.append(f"only {len(plan.changes)} of {plan.total} changes could be read")
    if not plan.changes:
        problems.append("the change set plans no change at all")
    for change in plan.changes:
        lid = change.logical_id
        if change.action != SYNC:
            problems.append(f"{lid}: {change.action} (it would change the resource)")
        if change.replacement not in (None, "False"):
            problems.append(f"{lid}: replacement {change.replacement}")
        for path, kind, source in change.details:
            if kind != SYNC:
                problems.append(f"{lid} {path}: {kind or 'no AttributeChangeType'}, not {SYNC}")
            elif source not in (None, NO_MODIFICATION):
                problems.append(f"{lid} {path}: ChangeSource {source}, not {NO_MODIFICATION}")
    planned = {c.logical_id for c in plan.changes}
    problems += [
        f"{lid}: not in the change set (its drift would stay)"
        for lid in sorted(set(drifted) - planned)
    ]
    return problems


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:MAX_PROBLEMS_IN_REASON])
    more = len(items) - MAX_PROBLEMS_IN_REASON
    return shown + (f"; and {more} more" if more > 0 else "")


def not_accepted(patch: AcceptPatch) -> tuple[Outcome, str]:
    """Something cannot be accepted automatically: nothing is (no half-accepted stacks)."""
    items = [
        f"{n.logical_id}{' ' + n.path if n.path else ''}: {n.reason}" for n in patch.not_accepted
    ]
    return (
        Outcome.REVIEW_REQUIRED,
        f"the drift cannot be accepted automatically ({_listed(items)}); nothing was changed",
    )


def cannot_accept(problem: str) -> tuple[Outcome, str]:
    return Outcome.REVIEW_REQUIRED, f"the drift cannot be accepted: {problem}; nothing was changed"


def refused_plan(problems: list[str], deleted: bool) -> tuple[Outcome, str]:
    fate = "deleted" if deleted else "left in place (it could not be deleted)"
    return (
        Outcome.REVIEW_REQUIRED,
        "the accept change set would do more than record the actual values "
        f"({_listed(problems)}): it was not executed and was {fate}; nothing was changed",
    )


def verified(outcome: Outcome, reason: str) -> tuple[Outcome, str]:
    """The verification of an executed accept: in sync is ACCEPTED; anything else keeps
    its outcome, saying the template was changed."""
    if outcome is Outcome.HEALED:
        return (
            Outcome.ACCEPTED,
            "the drift was accepted into the stack's template (the resources were not "
            "changed) and the stack is in sync; the next deploy from an unchanged "
            "repository reverts it: commit the diff",
        )
    return outcome, f"the accept change set executed (the template was changed): {reason}"
