"""The pure decisions that map what CloudFormation said onto an outcome (drift_common.outcomes)."""

from __future__ import annotations

from drift_common.outcomes import Outcome
from healer.model.polls import ChangeSetPoll, DetectionPoll, ExecutionPoll, PollState

# CloudFormation's StatusReason for a change set with nothing to do (research.md).
NO_CHANGES_MARKERS = ("didn't contain changes", "No updates are to be performed")


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
