from datetime import UTC, datetime

import pytest

from drift_common.outcomes import Outcome
from healer.model import is_stable
from healer.model.outcomes import (
    classify_change_set,
    classify_detection,
    classify_execution,
    classify_verification,
)
from healer.model.polls import ChangeSetPoll, DetectionPoll, ExecutionPoll

T0 = datetime(2026, 11, 22, tzinfo=UTC)
NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)


def detection(**fields: object) -> DetectionPoll:
    return DetectionPoll(started_at=T0, checked_at=T0, detection_id="d", **fields)


def change_set(**fields: object) -> ChangeSetPoll:
    return ChangeSetPoll(started_at=T0, checked_at=T0, change_set_id="cs", **fields)


def execution(**fields: object) -> ExecutionPoll:
    return ExecutionPoll(started_at=T0, checked_at=T0, change_set_id="cs", **fields)


@pytest.mark.parametrize(
    ("status", "stable"),
    [
        ("CREATE_COMPLETE", True),
        ("UPDATE_COMPLETE", True),
        ("UPDATE_ROLLBACK_COMPLETE", True),
        ("UPDATE_IN_PROGRESS", False),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", False),
        ("ROLLBACK_COMPLETE", False),
        ("UPDATE_ROLLBACK_FAILED", False),
        ("DELETE_FAILED", False),
    ],
)
def test_stable_states(status: str, stable: bool) -> None:
    assert is_stable(status) is stable


def test_detection_outcomes() -> None:
    complete = {"detection_status": "DETECTION_COMPLETE"}
    assert classify_detection(detection(**complete, stack_drift_status="DRIFTED"), 60) is None
    in_sync = classify_detection(detection(**complete, stack_drift_status="IN_SYNC"), 60)
    assert in_sync is not None and in_sync[0] is Outcome.IN_SYNC
    failed = classify_detection(
        detection(detection_status="DETECTION_FAILED", reason="Failed to detect drift on Role"), 60
    )
    assert failed == (Outcome.DETECTION_FAILED, "Failed to detect drift on Role")
    unknown = classify_detection(detection(**complete, stack_drift_status="UNKNOWN"), 60)
    assert unknown is not None and unknown[0] is Outcome.DETECTION_FAILED
    assert "UNKNOWN" in unknown[1]


def test_exhausted_budget_is_timed_out_and_names_the_budget() -> None:
    result = classify_detection(detection(timed_out=True, polls=7, transient_errors=2), 900)
    assert result is not None
    assert result[0] is Outcome.TIMED_OUT
    assert "900 s" in result[1] and "7 polls" in result[1] and "2 throttled" in result[1]


def test_unreadable_status_is_an_error() -> None:
    result = classify_detection(detection(failure="AccessDenied: not allowed"), 60)
    assert result is not None and result[0] is Outcome.ERROR and "AccessDenied" in result[1]


def test_change_set_outcomes() -> None:
    assert classify_change_set(change_set(status="CREATE_COMPLETE"), 60) is None
    empty = classify_change_set(change_set(status="FAILED", reason=NO_CHANGES), 60)
    assert empty == (Outcome.NOTHING_TO_REVERT, NO_CHANGES)
    failed = classify_change_set(
        change_set(status="FAILED", reason="Requires capabilities : [CAPABILITY_IAM]"), 60
    )
    assert failed == (Outcome.CHANGE_SET_FAILED, "Requires capabilities : [CAPABILITY_IAM]")


def test_execution_outcomes() -> None:
    done = execution(execution_status="EXECUTE_COMPLETE", stack_status="UPDATE_COMPLETE")
    assert classify_execution(done, 60) is None
    failed = classify_execution(
        execution(execution_status="EXECUTE_FAILED", stack_status="UPDATE_ROLLBACK_COMPLETE"), 60
    )
    assert failed is not None and failed[0] is Outcome.EXECUTION_FAILED
    assert "UPDATE_ROLLBACK_COMPLETE" in failed[1]
    obsolete = classify_execution(
        execution(execution_status="OBSOLETE", stack_status="UPDATE_COMPLETE"), 60
    )
    assert obsolete is not None and obsolete[0] is Outcome.OBSOLETE
    refused = classify_execution(
        execution(
            execution_status="AVAILABLE",
            stack_status="UPDATE_COMPLETE",
            execute_rejection="InvalidChangeSetStatus: stack is busy",
        ),
        60,
    )
    assert refused == (
        Outcome.EXECUTION_FAILED,
        "ExecuteChangeSet was refused: InvalidChangeSetStatus: stack is busy",
    )


def test_verification_outcomes() -> None:
    complete = {"detection_status": "DETECTION_COMPLETE"}
    healed = classify_verification(detection(**complete, stack_drift_status="IN_SYNC"), 60)
    assert healed[0] is Outcome.HEALED
    partial = classify_verification(
        detection(**complete, stack_drift_status="DRIFTED", drifted_resource_count=1), 60
    )
    assert partial[0] is Outcome.PARTIALLY_HEALED and "1 resource" in partial[1]
    # The stack was changed: a verification that cannot conclude never hides that behind a
    # failure outcome.
    late = classify_verification(detection(timed_out=True), 60)
    assert late[0] is Outcome.HEALED_UNVERIFIED and "change set executed" in late[1]
    assert "did not finish within 60 s" in late[1]
    failed = classify_verification(
        detection(detection_status="DETECTION_FAILED", reason="no access to [Queue]"), 60
    )
    assert failed[0] is Outcome.HEALED_UNVERIFIED and "no access to [Queue]" in failed[1]
    assert not Outcome.HEALED_UNVERIFIED.is_failure


def test_failures_are_exactly_the_documented_ones() -> None:
    failures = {o.value for o in Outcome if o.is_failure}
    assert failures == {
        "DETECTION_FAILED",
        "CHANGE_SET_FAILED",
        "EXECUTION_FAILED",
        "OBSOLETE",
        "APPROVAL_TIMED_OUT",
        "APPROVAL_INVALID",
        "TIMED_OUT",
        "ERROR",
    }
