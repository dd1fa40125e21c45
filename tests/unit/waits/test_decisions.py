from datetime import UTC, datetime, timedelta

from healer.model.polls import DetectionPoll, ExecutionPoll, PollPolicy
from healer.waits.decisions import next_interval, poll_decision

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
POLICY = PollPolicy(initial_seconds=2, max_seconds=30, backoff_rate=2, budget_seconds=300)


def detection(elapsed: float = 0, **fields: object) -> DetectionPoll:
    return DetectionPoll(
        started_at=T0, checked_at=T0 + timedelta(seconds=elapsed), detection_id="d", **fields
    )


def test_interval_starts_short_grows_and_is_capped() -> None:
    intervals = [next_interval(attempt, POLICY) for attempt in range(1, 8)]
    assert intervals[:5] == [2, 4, 8, 16, 30]
    assert max(intervals) == 30


def test_keeps_polling_while_detection_runs() -> None:
    decision = poll_decision(detection(elapsed=3), attempt=2, policy=POLICY)
    assert decision.should_continue
    assert decision.delay_seconds == 4


def test_stops_when_detection_finished() -> None:
    done = detection(detection_status="DETECTION_COMPLETE", stack_drift_status="IN_SYNC")
    assert not poll_decision(done, attempt=1, policy=POLICY).should_continue


def test_stops_when_timed_out_or_failed() -> None:
    assert not poll_decision(detection(timed_out=True), 5, POLICY).should_continue
    assert not poll_decision(detection(failure="AccessDenied: no"), 1, POLICY).should_continue


def test_never_sleeps_past_the_budget() -> None:
    decision = poll_decision(detection(elapsed=295), attempt=10, policy=POLICY)
    assert decision.should_continue
    assert decision.delay_seconds == 5


def test_throttled_poll_keeps_waiting() -> None:
    throttled = detection(elapsed=2, transient_errors=1, last_transient_error="Throttling")
    assert poll_decision(throttled, attempt=1, policy=POLICY).should_continue


def poll(**fields: object) -> ExecutionPoll:
    return ExecutionPoll(started_at=T0, checked_at=T0, change_set_id="cs", **fields)


def test_execution_waits_for_the_stack_as_well_as_the_change_set() -> None:
    assert not poll(
        execution_status="EXECUTE_COMPLETE", stack_status="UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    ).settled
    assert poll(execution_status="EXECUTE_COMPLETE", stack_status="UPDATE_COMPLETE").settled
    assert not poll(
        execution_status="EXECUTE_FAILED", stack_status="UPDATE_ROLLBACK_IN_PROGRESS"
    ).settled
    assert poll(execution_status="EXECUTE_FAILED", stack_status="UPDATE_ROLLBACK_COMPLETE").settled


def test_refused_execute_of_an_executing_change_set_keeps_waiting() -> None:
    refused = "InvalidChangeSetStatus: already executing"
    assert not poll(
        execute_rejection=refused,
        execution_status="EXECUTE_IN_PROGRESS",
        stack_status="UPDATE_IN_PROGRESS",
    ).settled
    assert poll(
        execute_rejection=refused, execution_status="AVAILABLE", stack_status="UPDATE_COMPLETE"
    ).settled
