"""A pending review is reused, not repeated: what to do with the change set left for review.

Pure decisions; the DescribeChangeSet / DeleteChangeSet calls are the flow's steps.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from healer.aws.cloudformation import ChangeSetStatus
from healer.model import CHANGE_SET_DESCRIPTION, CHANGE_SET_NAME, Record
from healer.state.model import PendingChangeSet


class ReviewAction(StrEnum):
    CREATE = "create"  # no usable pending review: create a change set
    REUSE = "reuse"  # the pending review reverts exactly this drift and can still run
    REPLACE = "replace"  # delete the stale pending review, then create a new change set
    DROP = "drop"  # no drift any more: delete the stale pending review, create nothing


_GONE = frozenset({"EXECUTE_IN_PROGRESS", "EXECUTE_COMPLETE"})  # not ours to delete any more


class ReviewPlan(Record):
    action: ReviewAction
    reuse: PendingChangeSet | None = None
    delete: PendingChangeSet | None = None  # the stale pending review to delete first

    @property
    def creates(self) -> bool:
        return self.action in (ReviewAction.CREATE, ReviewAction.REPLACE)


def review_plan(
    pending: PendingChangeSet | None,
    fingerprint: str,
    status: str | None,
    execution_status: str | None,
) -> ReviewPlan:
    """`status`/`execution_status`: DescribeChangeSet of the pending review (None: not found).

    Reused only for the same fingerprint while CREATE_COMPLETE and AVAILABLE; any other
    pending review that still exists and has not run is deleted, never left to pile up.
    """
    if pending is None or status is None or execution_status in _GONE:
        return ReviewPlan(action=ReviewAction.CREATE if fingerprint else ReviewAction.DROP)
    if not fingerprint:
        return ReviewPlan(action=ReviewAction.DROP, delete=pending)
    if (
        pending.fingerprint == fingerprint
        and status == "CREATE_COMPLETE"
        and execution_status == "AVAILABLE"
    ):
        return ReviewPlan(action=ReviewAction.REUSE, reuse=pending)
    return ReviewPlan(action=ReviewAction.REPLACE, delete=pending)


def not_ours(pending: PendingChangeSet, found: ChangeSetStatus, stack_id: str) -> str | None:
    """Why the change set a pending review names is not this healer's review of this stack
    (None: it is). The table does not decide what runs: anyone who can write the item could
    point it at another stack's change set (DescribeChangeSet by ARN answers for any stack of
    the account and region) or at one a person made. What CloudFormation says decides."""
    problems = []
    if found.stack_id != stack_id:
        problems.append(f"it belongs to {found.stack_id or 'an unknown stack'}")
    if found.deployment_mode != "REVERT_DRIFT":
        problems.append(f"its DeploymentMode is {found.deployment_mode or 'not REVERT_DRIFT'}")
    name = found.name or ""
    if not CHANGE_SET_NAME.fullmatch(name) or name != pending.change_set_name:
        problems.append(f"it is named {name or '?'}, not as the healer recorded it")
    if found.description != CHANGE_SET_DESCRIPTION:
        problems.append("the healer did not create it (its description differs)")
    if not problems:
        return None
    return (
        f"the pending review in the drift state ({pending.change_set_id}) was ignored and left "
        f"alone: {'; '.join(problems)}"
    )


def superseded_note(pending: PendingChangeSet) -> str:
    """For the notice of an automatic run that executed while a review was pending
    (executing a change set deletes the stack's other change sets)."""
    return (
        f"the pending review {pending.change_set_name} (created "
        f"{pending.created:%Y-%m-%d %H:%M} UTC) was superseded: executing this change set "
        "deleted it"
    )


def approval_to_reuse(
    pending: PendingChangeSet | None,
    fingerprint: str,
    status: str | None,
    execution_status: str | None,
    now: datetime,
) -> PendingChangeSet | None:
    """The approval a later run must not ask again for: the pending change set reverts the
    same drift, can still run, and its callback is still waiting (another run holds it).

    None: ask (again) as usual — no approval pending, it expired (APPROVAL_TIMED_OUT; the
    next notice then follows the reminder interval), or the drift changed.
    """
    plan = review_plan(pending, fingerprint, status, execution_status)
    if plan.action is ReviewAction.REUSE and plan.reuse and plan.reuse.approval_waiting(now):
        return plan.reuse
    return None


def approval_pending_reason(pending: PendingChangeSet) -> str:
    """For the run that finds an approval already waiting: it changes nothing, asks nobody."""
    until = f"{pending.approval_expires:%Y-%m-%d %H:%M} UTC" if pending.approval_expires else "?"
    asked = f" (asked via {pending.asked})" if pending.asked else ""
    return (
        f"an approval for {pending.change_set_name} is already waiting until {until}{asked}; "
        f"callback {pending.callback_id}: not asked again"
    )
