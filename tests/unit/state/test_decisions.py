from datetime import UTC, datetime, timedelta

import pytest

from drift_common.outcomes import Outcome
from healer.approval.decisions import pending_with_approval
from healer.model.approval import Approval
from healer.model.records import ChangeSetRef, PropertyDifference, ResourceDrift
from healer.state.decisions import (
    LeaseStatus,
    busy_notice_due,
    busy_reason,
    drift_age_text,
    first_seen_drifted,
    lease_expiry,
    lease_status,
    next_state,
    notice_decision,
    run_facts,
)
from healer.state.model import (
    DriftState,
    NoState,
    NoticeDecision,
    NoticeWhy,
    PendingChangeSet,
    RunFacts,
)
from healer.state.pending import (
    ReviewAction,
    approval_pending_reason,
    approval_to_reuse,
    review_plan,
    superseded_note,
)

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
ME = "arn:aws:lambda:us-east-1:123456789012:function:healer:live/durable-execution/me/1"
OTHER = "arn:aws:lambda:us-east-1:123456789012:function:healer:live/durable-execution/other/2"
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1"


def drift(logical_id: str, actual: str = "changed") -> ResourceDrift:
    return ResourceDrift(
        logical_id=logical_id,
        physical_id=logical_id.lower(),
        resource_type="AWS::SSM::Parameter",
        drift_status="MODIFIED",
        differences=[
            PropertyDifference(
                path="/Value", expected="v", actual=actual, difference_type="NOT_EQUAL"
            )
        ],
    )


CS = ChangeSetRef(change_set_id="arn:cs/drift-healer-1", change_set_name="drift-healer-1")
REVIEW = run_facts("REVIEW_REQUIRED", "review mode", [drift("Param")], change_set=CS)
IN_SYNC = run_facts("IN_SYNC", "in sync", [])


def decide(
    previous: DriftState | NoState | None,
    facts: RunFacts,
    now: datetime = T0,
    *,
    remind: float = 24,
    on_in_sync: bool = False,
) -> NoticeDecision:
    return notice_decision(
        previous, facts, now, remind_after_hours=remind, notify_on_in_sync=on_in_sync
    )


def after(
    previous: DriftState | None, facts: RunFacts, now: datetime = T0, notified: bool = True
) -> DriftState:
    notice = decide(previous, facts, now)
    return next_state(
        previous, STACK, facts=facts, now=now, notice=notice, notified=notified and notice.notify
    )


# --- lease ------------------------------------------------------------------------------


def test_lease_is_free_when_absent_or_expired_and_kept_by_its_own_execution() -> None:
    assert lease_status(None, None, ME, T0) is LeaseStatus.FREE
    assert lease_status(OTHER, T0 - timedelta(seconds=1), ME, T0) is LeaseStatus.FREE
    assert lease_status(ME, T0 + timedelta(hours=1), ME, T0) is LeaseStatus.OWN


def test_live_lease_of_another_execution_is_busy_naming_it() -> None:
    assert lease_status(OTHER, T0 + timedelta(seconds=1), ME, T0) is LeaseStatus.BUSY
    reason = busy_reason(OTHER, T0 + timedelta(hours=6))
    assert OTHER in reason and "2026-11-20 14:00 UTC" in reason and "changed nothing" in reason


def test_lease_expires_after_the_execution_timeout() -> None:
    assert lease_expiry(T0, 21600) == T0 + timedelta(hours=6)


@pytest.mark.parametrize(
    ("taken_hours_ago", "notified", "approval_waiting", "due"),
    [
        (7, None, False, True),
        (5, None, False, False),  # not past the threshold yet
        (7, OTHER, False, False),  # this holder's long BUSY was notified already
        (7, "an earlier holder", False, True),
        (7, None, True, False),  # a waiting approval: its request was the notice
    ],
)
def test_a_long_busy_is_notified_once_per_holder_and_never_for_a_waiting_approval(
    taken_hours_ago: float, notified: str | None, approval_waiting: bool, due: bool
) -> None:
    pending = PendingChangeSet(
        change_set_id="cs",
        change_set_name="drift-healer-0123456789abcdef",
        fingerprint="f",
        created=T0,
        callback_id="cb",
        approval_expires=T0 + timedelta(days=1),
    )
    previous = DriftState(
        stack_id="arn:stack",
        lease_holder=OTHER,
        lease_taken=T0 - timedelta(hours=taken_hours_ago),
        busy_notified=notified,
        pending=pending if approval_waiting else None,
    )
    assert busy_notice_due(previous, OTHER, T0, after_hours=6) is due
    assert busy_notice_due(None, OTHER, T0, after_hours=6) is False


# --- facts, first seen, age ---------------------------------------------------------------


def test_drift_left_after_a_run_depends_on_the_outcome() -> None:
    assert run_facts("HEALED", "", [drift("Param")]).fingerprint == ""
    partial = run_facts("PARTIALLY_HEALED", "", [drift("A"), drift("B")], [drift("B")])
    assert partial.drifted_count == 1 and set(partial.digests) == {"B"}
    assert (
        REVIEW.fingerprint
        and REVIEW.drifted_count == 1
        and REVIEW.change_set_name == "drift-healer-1"
    )
    assert run_facts("SKIPPED", "busy stack", []).fingerprint is None  # not known this run
    assert run_facts("DETECTION_FAILED", "boom", []).fingerprint is None


def test_failure_digest_identifies_outcome_and_reason() -> None:
    one = run_facts("EXECUTION_FAILED", "Param: denied", [drift("Param")])
    assert one.failure == run_facts("EXECUTION_FAILED", "Param: denied", [drift("Param")]).failure
    assert one.failure != run_facts("EXECUTION_FAILED", "Param: limit", [drift("Param")]).failure
    assert REVIEW.failure is None


def test_first_seen_is_kept_while_drifted_and_reset_in_sync() -> None:
    assert first_seen_drifted(None, "abc", T0) == T0
    earlier = T0 - timedelta(days=3)
    assert first_seen_drifted(earlier, "def", T0) == earlier  # drift changed, still drifted
    assert first_seen_drifted(earlier, "", T0) is None
    assert first_seen_drifted(earlier, None, T0) == earlier  # this run could not tell


@pytest.mark.parametrize(
    ("elapsed", "text"),
    [
        (timedelta(days=3, hours=5), "drifted for 3 days"),
        (timedelta(days=1), "drifted for 1 day"),
        (timedelta(hours=5, minutes=59), "drifted for 5 hours"),
        (timedelta(hours=1), "drifted for 1 hour"),
        (timedelta(minutes=12, seconds=30), "drifted for 12 minutes"),
        (timedelta(seconds=20), "drifted for less than a minute"),
    ],
)
def test_drift_age_text(elapsed: timedelta, text: str) -> None:
    assert drift_age_text(T0 - elapsed, T0) == text


# --- alerts on change ---------------------------------------------------------------------


def test_first_drift_is_new_and_unchanged_drift_is_quiet_until_the_reminder() -> None:
    assert decide(None, REVIEW) == NoticeDecision(notify=True, why=NoticeWhy.NEW)
    state = after(None, REVIEW)
    assert decide(state, REVIEW, T0 + timedelta(hours=3)) == NoticeDecision(notify=False)
    assert decide(state, REVIEW, T0 + timedelta(hours=24)) == NoticeDecision(
        notify=True, why=NoticeWhy.REMINDER
    )
    assert decide(state, REVIEW, T0 + timedelta(hours=2), remind=1).why is NoticeWhy.REMINDER


def test_changed_drift_notifies_as_changed() -> None:
    state = after(None, REVIEW)
    changed = run_facts(
        "REVIEW_REQUIRED", "review mode", [drift("Param", actual="other")], change_set=CS
    )
    assert decide(state, changed, T0 + timedelta(minutes=5)) == NoticeDecision(
        notify=True, why=NoticeWhy.CHANGED
    )


def test_drift_after_in_sync_is_new_again() -> None:
    state = after(after(None, REVIEW), IN_SYNC, T0 + timedelta(hours=1))
    assert decide(state, REVIEW, T0 + timedelta(hours=2)).why is NoticeWhy.NEW


def test_in_sync_without_the_healer_is_resolved_and_quiet_afterwards() -> None:
    state = after(None, REVIEW)
    assert decide(state, IN_SYNC, T0 + timedelta(hours=1)) == NoticeDecision(
        notify=True, why=NoticeWhy.RESOLVED
    )
    resolved = after(state, IN_SYNC, T0 + timedelta(hours=1))
    assert decide(resolved, IN_SYNC, T0 + timedelta(hours=2)) == NoticeDecision(notify=False)


def test_healed_always_notifies_and_the_next_in_sync_is_not_resolved() -> None:
    healed = run_facts("HEALED", "healed", [drift("Param")])
    state = after(None, REVIEW)
    assert decide(state, healed) == NoticeDecision(notify=True, why=NoticeWhy.HEALED)
    assert decide(after(state, healed), IN_SYNC, T0 + timedelta(hours=1)).notify is False


def test_notify_on_in_sync_keeps_its_meaning() -> None:
    assert decide(None, IN_SYNC, on_in_sync=True) == NoticeDecision(
        notify=True, why=NoticeWhy.IN_SYNC
    )
    assert decide(NoState.stateless(), IN_SYNC, on_in_sync=True).notify is True
    assert decide(NoState.stateless(), IN_SYNC).notify is False


def test_identical_failure_waits_for_the_reminder_a_different_one_does_not() -> None:
    failed = run_facts("EXECUTION_FAILED", "Param: denied", [drift("Param")])
    assert decide(None, failed) == NoticeDecision(notify=True, why=NoticeWhy.FAILURE)
    state = after(None, failed)
    assert decide(state, failed, T0 + timedelta(hours=1)).notify is False
    assert decide(state, failed, T0 + timedelta(hours=25)) == NoticeDecision(
        notify=True, why=NoticeWhy.REPEATED_FAILURE_REMINDER
    )
    other = run_facts("EXECUTION_FAILED", "Param: limit exceeded", [drift("Param")])
    assert decide(state, other, T0 + timedelta(hours=1)).why is NoticeWhy.FAILURE


def test_busy_is_quiet_and_without_state_every_outcome_but_in_sync_notifies() -> None:
    busy = RunFacts(outcome=Outcome.BUSY.value, fingerprint=None)
    assert decide(None, busy).notify is False
    unavailable = NoState.failed("AccessDeniedException: no")
    assert decide(unavailable, REVIEW) == NoticeDecision(notify=True, why=NoticeWhy.UNTRACKED)
    assert decide(unavailable, run_facts("ERROR", "x", [])).why is NoticeWhy.FAILURE


def test_a_notice_that_was_not_delivered_is_sent_by_the_next_run() -> None:
    state = after(None, REVIEW, notified=False)
    assert state.last_notified is None
    assert decide(state, REVIEW, T0 + timedelta(minutes=1)).why is NoticeWhy.NEW


# --- pending review -----------------------------------------------------------------------

PENDING = PendingChangeSet(
    change_set_id=CS.change_set_id,
    change_set_name=CS.change_set_name,
    fingerprint=REVIEW.fingerprint or "",
    created=T0,
)


def test_same_drift_and_available_change_set_is_reused() -> None:
    plan = review_plan(PENDING, PENDING.fingerprint, "CREATE_COMPLETE", "AVAILABLE")
    assert plan.action is ReviewAction.REUSE and plan.reuse == PENDING and not plan.creates


def test_changed_drift_or_unusable_change_set_replaces_the_stale_one() -> None:
    for plan in (
        review_plan(PENDING, "other", "CREATE_COMPLETE", "AVAILABLE"),
        review_plan(PENDING, PENDING.fingerprint, "CREATE_COMPLETE", "OBSOLETE"),
        review_plan(PENDING, PENDING.fingerprint, "FAILED", "UNAVAILABLE"),
    ):
        assert plan.action is ReviewAction.REPLACE and plan.delete == PENDING and plan.creates


def test_no_pending_or_gone_change_set_creates_without_deleting() -> None:
    assert review_plan(None, "f", None, None).action is ReviewAction.CREATE
    gone = review_plan(PENDING, PENDING.fingerprint, None, None)
    assert gone.action is ReviewAction.CREATE and gone.delete is None
    executed = review_plan(PENDING, "other", "CREATE_COMPLETE", "EXECUTE_COMPLETE")
    assert executed.action is ReviewAction.CREATE and executed.delete is None


def test_drift_gone_drops_the_pending_review() -> None:
    plan = review_plan(PENDING, "", "CREATE_COMPLETE", "AVAILABLE")
    assert plan.action is ReviewAction.DROP and plan.delete == PENDING and not plan.creates


def test_superseded_note_names_the_pending_review() -> None:
    assert superseded_note(PENDING).startswith(
        "the pending review drift-healer-1 (created 2026-11-20 08:00 UTC) was superseded"
    )


# --- next state ---------------------------------------------------------------------------


def test_state_after_a_review_run_records_drift_notice_and_pending_review() -> None:
    state = after(None, REVIEW)
    assert state.stack_id == STACK and state.last_outcome == "REVIEW_REQUIRED"
    assert state.fingerprint == REVIEW.fingerprint and state.drifted_count == 1
    assert state.first_seen_drifted == T0 and state.last_checked == T0 and state.last_notified == T0
    assert state.notified_why == "new" and state.notified_digests == REVIEW.digests
    assert state.pending == PENDING
    later = after(state, REVIEW, T0 + timedelta(hours=1))  # reused, quiet
    assert later.pending == PENDING and later.last_notified == T0 and later.first_seen_drifted == T0
    assert later.last_checked == T0 + timedelta(hours=1)


def test_state_after_healing_clears_drift_and_pending_and_lease() -> None:
    state = after(None, REVIEW).model_copy(update={"lease_holder": ME, "lease_expires": T0})
    healed = after(state, run_facts("HEALED", "ok", [drift("Param")]), T0 + timedelta(hours=1))
    assert healed.fingerprint == "" and healed.first_seen_drifted is None and healed.pending is None
    assert healed.lease_holder is None and healed.lease_expires is None


def test_state_after_a_run_that_could_not_tell_keeps_what_was_known() -> None:
    state = after(None, REVIEW)
    skipped = after(state, run_facts("SKIPPED", "UPDATE_IN_PROGRESS", []), T0 + timedelta(hours=1))
    assert skipped.fingerprint == state.fingerprint and skipped.pending == PENDING
    assert skipped.first_seen_drifted == T0 and skipped.last_outcome == "SKIPPED"


# --- approval that waits (issue 8) -------------------------------------------------------


def _waiting(expires: datetime) -> PendingChangeSet:
    pending = PendingChangeSet(
        change_set_id="cs-1", change_set_name="drift-healer-1", fingerprint="fp", created=T0
    )
    approval = Approval(callback_id="cb-1", expires=expires, asked="arn:aws:sns:x")
    return pending_with_approval(pending, approval)


def test_a_later_run_reuses_the_approval_still_waiting() -> None:
    pending = _waiting(T0 + timedelta(hours=72))
    later = T0 + timedelta(hours=6)
    reused = approval_to_reuse(pending, "fp", "CREATE_COMPLETE", "AVAILABLE", later)
    assert reused == pending
    assert "callback cb-1: not asked again" in approval_pending_reason(pending)


def test_an_expired_approval_or_changed_drift_is_asked_again() -> None:
    pending = _waiting(T0 + timedelta(hours=72))
    after = T0 + timedelta(hours=73)
    assert approval_to_reuse(pending, "fp", "CREATE_COMPLETE", "AVAILABLE", after) is None
    assert approval_to_reuse(pending, "other", "CREATE_COMPLETE", "AVAILABLE", T0) is None
    assert approval_to_reuse(pending, "fp", None, None, T0) is None  # change set gone
