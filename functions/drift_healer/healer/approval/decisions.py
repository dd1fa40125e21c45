"""Approval that waits: the pure decisions of its flow (healer.approval.flow).

No AWS calls and no clock reads here: every "now" and every answer is passed in.
"""

from __future__ import annotations

from drift_common.approval import Answer, InvalidAnswerError, parse_answer
from drift_common.outcomes import Outcome
from healer.model import Approval, is_stable
from healer.state import PendingChangeSet


def read_answer(raw: str | None) -> Answer | str:
    """The answer, or why it is not one (the callback is completed: that is final)."""
    try:
        return parse_answer(raw)
    except InvalidAnswerError as problem:
        return str(problem)


def rejected(answer: Answer) -> tuple[Outcome, str]:
    reason = f": {answer.reason}" if answer.reason else " (no reason given)"
    return Outcome.REJECTED, f"rejected by {answer.by or '(not given)'}{reason}"


def invalid_answer(problem: str) -> tuple[Outcome, str]:
    return (
        Outcome.APPROVAL_INVALID,
        f"the approval was answered with something that is not a decision ({problem}); "
        "nothing was executed and the change set was kept for review",
    )


def timed_out(hours: float, *, kept: bool) -> tuple[Outcome, str]:
    fate = "kept for review (KEEP_CHANGE_SET_ON_TIMEOUT)" if kept else "deleted"
    return (
        Outcome.APPROVAL_TIMED_OUT,
        f"nobody approved or rejected within {hours:g} h; the change set was {fate}",
    )


def recheck(
    change_set_status: str | None,
    execution_status: str | None,
    stack_status: str,
) -> tuple[Outcome, str] | None:
    """After an approval: None if the change set can still run as reviewed; else why not.

    A stack updated (or busy) meanwhile is OBSOLETE: a blind execute could revert more or
    less than what the reviewer saw.
    """
    if change_set_status is None:
        return Outcome.OBSOLETE, "approved, but the change set no longer exists"
    if execution_status != "AVAILABLE" or change_set_status != "CREATE_COMPLETE":
        return (
            Outcome.OBSOLETE,
            f"approved, but the change set is {change_set_status}/{execution_status} "
            "(the stack was updated meanwhile): nothing executed",
        )
    if not is_stable(stack_status):
        return (
            Outcome.OBSOLETE,
            f"approved, but the stack is {stack_status} now: nothing executed; run again",
        )
    return None


def approved_note(approval: Approval) -> str:
    when = f" at {approval.decided_at:%Y-%m-%d %H:%M} UTC" if approval.decided_at else ""
    reason = f" ({approval.reason})" if approval.reason else ""
    return f"approved by {approval.by}{when}{reason}"


def pending_with_approval(pending: PendingChangeSet, approval: Approval) -> PendingChangeSet:
    """The drift state's pending change set, carrying the approval a run waits on (so a
    later run reuses it: healer.state.pending.approval_to_reuse)."""
    return pending.model_copy(
        update={
            "callback_id": approval.callback_id,
            "asked": approval.asked,
            "approval_expires": approval.expires,
        }
    )
