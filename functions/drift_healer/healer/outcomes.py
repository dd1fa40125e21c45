"""Outcome names and the pure decisions that map what CloudFormation said onto them."""

from __future__ import annotations

from enum import StrEnum

from healer.polling import ChangeSetPoll, DetectionPoll, ExecutionPoll, PollState


class Outcome(StrEnum):
    IN_SYNC = "IN_SYNC"
    HEALED = "HEALED"
    # The change set executed and the stack update completed, but the verifying drift
    # detection could not run or finish: the stack WAS changed, nobody has confirmed the result.
    HEALED_UNVERIFIED = "HEALED_UNVERIFIED"
    PARTIALLY_HEALED = "PARTIALLY_HEALED"
    REVIEW_REQUIRED = "REVIEW_REQUIRED"
    NOTHING_TO_REVERT = "NOTHING_TO_REVERT"
    SKIPPED = "SKIPPED"
    DRIFTED = "DRIFTED"  # drift found and reported; report only (drift-healer:mode=detect)
    # Another execution holds the stack's lease: this run changed nothing (no notice).
    BUSY = "BUSY"
    OPTED_OUT = "OPTED_OUT"  # the stack's owners opted out (drift-healer:mode=off)
    DETECTION_FAILED = "DETECTION_FAILED"
    CHANGE_SET_FAILED = "CHANGE_SET_FAILED"
    EXECUTION_FAILED = "EXECUTION_FAILED"
    OBSOLETE = "OBSOLETE"
    # Approval that waits (issue 8). APPROVAL_REQUIRED names the notice that asks for a
    # decision; a run never ends with it.
    APPROVAL_REQUIRED = "APPROVAL_REQUIRED"
    REJECTED = "REJECTED"  # a person rejected the change set (deleted): a decision, not a failure
    APPROVAL_TIMED_OUT = "APPROVAL_TIMED_OUT"  # nobody decided in time: the drift is still there
    APPROVAL_INVALID = "APPROVAL_INVALID"  # the callback was answered with no valid decision
    TIMED_OUT = "TIMED_OUT"
    ERROR = "ERROR"

    @property
    def is_failure(self) -> bool:
        """Failures notify, then fail the durable execution so they show up as failed runs."""
        return self in _FAILURES


_FAILURES = frozenset(
    {
        Outcome.DETECTION_FAILED,
        Outcome.CHANGE_SET_FAILED,
        Outcome.EXECUTION_FAILED,
        Outcome.OBSOLETE,
        Outcome.APPROVAL_TIMED_OUT,
        Outcome.APPROVAL_INVALID,
        Outcome.TIMED_OUT,
        Outcome.ERROR,
    }
)

# Guess (not in the botocore model): the settled statuses from which drift detection and an
# update are allowed. ROLLBACK_COMPLETE / *_FAILED stacks cannot be updated; *_IN_PROGRESS
# means someone's deploy is running and must not be fought.
STABLE_STACK_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)

# CloudFormation's StatusReason for a change set with nothing to do (research.md).
NO_CHANGES_MARKERS = ("didn't contain changes", "No updates are to be performed")


def is_stable(stack_status: str) -> bool:
    return stack_status in STABLE_STACK_STATUSES


def _wait_problem(poll: PollState, what: str, budget_seconds: float) -> tuple[Outcome, str] | None:
    if poll.failure is not None:
        return Outcome.ERROR, f"{what} could not be read: {poll.failure}"
    if poll.timed_out:
        return (
            Outcome.TIMED_OUT,
            f"{what} did not finish within {budget_seconds:g} s ({poll.polls} polls"
            + (f", {poll.transient_errors} throttled or failed" if poll.transient_errors else "")
            + ")",
        )
    return None


def classify_detection(poll: DetectionPoll, budget_seconds: float) -> tuple[Outcome, str] | None:
    """None means the stack drifted and healing goes on; otherwise the run ends here."""
    problem = _wait_problem(poll, "drift detection", budget_seconds)
    if problem:
        return problem
    if poll.detection_status == "DETECTION_FAILED":
        return Outcome.DETECTION_FAILED, poll.reason or "drift detection failed (no reason given)"
    if poll.stack_drift_status == "IN_SYNC":
        return Outcome.IN_SYNC, "every checked resource matches the template"
    if poll.stack_drift_status == "DRIFTED":
        return None
    return (
        Outcome.DETECTION_FAILED,
        f"drift detection ended with stack drift status {poll.stack_drift_status or 'missing'}"
        + (f": {poll.reason}" if poll.reason else ""),
    )


def classify_change_set(poll: ChangeSetPoll, budget_seconds: float) -> tuple[Outcome, str] | None:
    """None means the change set is ready (CREATE_COMPLETE)."""
    problem = _wait_problem(poll, "change set creation", budget_seconds)
    if problem:
        return problem
    if poll.status == "CREATE_COMPLETE":
        return None
    reason = poll.reason or f"change set status {poll.status}"
    if poll.status == "FAILED" and any(marker in reason for marker in NO_CHANGES_MARKERS):
        return Outcome.NOTHING_TO_REVERT, reason
    return Outcome.CHANGE_SET_FAILED, reason


def classify_execution(poll: ExecutionPoll, budget_seconds: float) -> tuple[Outcome, str] | None:
    """None means the change set executed and the stack update completed."""
    problem = _wait_problem(poll, "change set execution", budget_seconds)
    if problem:
        return problem
    stack = f"stack {poll.stack_status}" + (
        f" ({poll.stack_status_reason})" if poll.stack_status_reason else ""
    )
    if poll.execution_status == "OBSOLETE":
        return (
            Outcome.OBSOLETE,
            f"the change set became OBSOLETE (the stack was updated otherwise); {stack}",
        )
    if poll.execution_status == "EXECUTE_COMPLETE" and poll.stack_status in {
        "UPDATE_COMPLETE",
        "IMPORT_COMPLETE",
    }:
        return None
    if poll.execution_status in {"AVAILABLE", "UNAVAILABLE"} and poll.execute_rejection:
        return Outcome.EXECUTION_FAILED, f"ExecuteChangeSet was refused: {poll.execute_rejection}"
    return Outcome.EXECUTION_FAILED, f"change set {poll.execution_status}; {stack}"


def classify_verification(poll: DetectionPoll, budget_seconds: float) -> tuple[Outcome, str]:
    """After a successful execution: did the second drift detection come back clean?

    Whatever goes wrong with it, the stack was changed: that is never hidden behind a
    failure outcome (HEALED_UNVERIFIED says so, with why verification did not conclude).
    """
    problem = classify_detection(poll, budget_seconds)
    if problem is None:
        return Outcome.PARTIALLY_HEALED, (
            f"the change set executed, but {poll.drifted_resource_count or 'some'} resource(s) "
            "still differ from the template"
        )
    outcome, reason = problem
    if outcome is Outcome.IN_SYNC:
        return Outcome.HEALED, "the change set executed and drift detection now reports IN_SYNC"
    return unverified(reason)


def unverified(why: str) -> tuple[Outcome, str]:
    return (
        Outcome.HEALED_UNVERIFIED,
        f"the change set executed and the stack update completed, but verification could not "
        f"conclude: {why}",
    )
