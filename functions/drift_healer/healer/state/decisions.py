"""Pure decisions over the drift state: lease, drift age, notices, the state after a run.

No AWS calls and no clock reads: every "now" is passed in (the handler uses the time its
take-lease step checkpointed), so replays decide the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from drift_common.outcomes import Outcome
from healer.model import ChangeSetRef, ResourceDrift
from healer.state.fingerprint import drift_fingerprint, resource_digests
from healer.state.model import (
    DriftState,
    NoState,
    NoticeDecision,
    NoticeWhy,
    PendingChangeSet,
    RunFacts,
)
from healer.state.timing import recorded_phase_seconds, relay_delivered_after

# --- one run per stack --------------------------------------------------------------------


class LeaseStatus(StrEnum):
    FREE = "free"  # no lease, or it expired: take it
    OWN = "own"  # this execution holds it already (a retried or replayed step): keep it
    BUSY = "busy"  # another execution holds a live lease: change nothing


def lease_status(
    holder: str | None, expires: datetime | None, execution_arn: str, now: datetime
) -> LeaseStatus:
    """The rule the take-lease conditional write enforces (and how its refusal is read)."""
    if holder is None or expires is None or expires <= now:
        return LeaseStatus.FREE
    return LeaseStatus.OWN if holder == execution_arn else LeaseStatus.BUSY


def lease_expiry(now: datetime, execution_timeout_seconds: float) -> datetime:
    """A lease outlives its run by nothing: the durable execution cannot run longer than its
    ExecutionTimeout, so a lease left behind by a crashed run frees itself then."""
    return now + timedelta(seconds=execution_timeout_seconds)


def busy_notice_due(
    previous: DriftState | None, holder: str, now: datetime, after_hours: float
) -> bool:
    """A stack BUSY for longer than BUSY_NOTICE_AFTER_HOURS under the same live holder is
    notified once per holder (a waiting approval is not: its request was the notice)."""
    if previous is None or previous.lease_taken is None or previous.busy_notified == holder:
        return False
    if previous.pending is not None and previous.pending.approval_waiting(now):
        return False
    return now - previous.lease_taken >= timedelta(hours=after_hours)


def long_busy_reason(taken: datetime, now: datetime, stack_name: str) -> str:
    hours = (now - taken).total_seconds() / 3600
    return (
        f"; it has held the stack since {taken:%Y-%m-%d %H:%M} UTC ({hours:.1f} h): if that run "
        f"is stuck, stop it, or release the lease with `drift-healer release-lease {stack_name}`"
    )


def busy_reason(holder: str, expires: datetime | None) -> str:
    until = f" (lease until {expires:%Y-%m-%d %H:%M} UTC)" if expires else ""
    return f"another run is healing this stack: {holder}{until}; this run changed nothing"


# --- what a run found ---------------------------------------------------------------------

_NO_DRIFT_LEFT = frozenset({Outcome.IN_SYNC.value, Outcome.HEALED.value, Outcome.ACCEPTED.value})
# The healer changed the stack (ACCEPTED: its template): always said.
_HEALED = frozenset({Outcome.HEALED.value, Outcome.PARTIALLY_HEALED.value, Outcome.ACCEPTED.value})
_FAILURES = frozenset(o.value for o in Outcome if o.is_failure)


def run_facts(
    outcome: str,
    reason: str,
    drifted: Sequence[ResourceDrift],
    remaining: Sequence[ResourceDrift] = (),
    change_set: ChangeSetRef | None = None,
) -> RunFacts:
    """The stack's drift at the end of the run: none after IN_SYNC/HEALED, what is left after
    PARTIALLY_HEALED, what was detected otherwise, unknown when detection found nothing
    usable (DETECTION_FAILED without results, SKIPPED, an early ERROR)."""
    left: Sequence[ResourceDrift] | None
    if outcome in _NO_DRIFT_LEFT:
        left = []
    elif outcome == Outcome.PARTIALLY_HEALED.value:
        left = remaining
    else:
        left = drifted or None
    failure = None
    if outcome in _FAILURES or outcome == Outcome.SKIPPED.value:
        failure = hashlib.sha256(f"{outcome}\n{reason}".encode()).hexdigest()[:16]
    return RunFacts(
        outcome=outcome,
        fingerprint=None if left is None else drift_fingerprint(left),
        digests={} if left is None else resource_digests(left),
        drifted_count=0 if left is None else len(left),
        failure=failure,
        change_set_id=change_set.change_set_id if change_set else None,
        change_set_name=change_set.change_set_name if change_set else None,
    )


# --- drift age ----------------------------------------------------------------------------


def first_seen_drifted(
    previous: datetime | None, fingerprint: str | None, now: datetime
) -> datetime | None:
    """Kept while the stack stays drifted (even if the drift changes), cleared when it is in
    sync, left alone when this run could not tell."""
    if fingerprint is None:
        return previous
    if not fingerprint:
        return None
    return previous or now


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def drift_age_text(first_seen: datetime, now: datetime) -> str:
    """ "drifted for 3 days" / "5 hours" / "12 minutes" (whole units, rounded down)."""
    seconds = max(0, int((now - first_seen).total_seconds()))
    if seconds >= 86400:
        return f"drifted for {_plural(seconds // 86400, 'day')}"
    if seconds >= 3600:
        return f"drifted for {_plural(seconds // 3600, 'hour')}"
    if seconds >= 60:
        return f"drifted for {_plural(seconds // 60, 'minute')}"
    return "drifted for less than a minute"


# --- alerts on change, not on every run -----------------------------------------------------


def reminder_due(last_notified: datetime | None, now: datetime, remind_after_hours: float) -> bool:
    return last_notified is None or now - last_notified >= timedelta(hours=remind_after_hours)


def notice_decision(
    previous: DriftState | NoState | None,
    facts: RunFacts,
    now: datetime,
    *,
    remind_after_hours: float,
    notify_on_in_sync: bool,
) -> NoticeDecision:
    """Notify on transitions; unchanged drift and identical failures wait for a reminder.

    `previous` is the state before this run (None: first run on this stack), or NoState
    (stateless, or the table failed): then every outcome but IN_SYNC notifies, as without
    state.
    """
    outcome = facts.outcome
    if outcome == Outcome.BUSY.value:
        return NoticeDecision(notify=False)
    if outcome in _HEALED:
        return NoticeDecision(notify=True, why=NoticeWhy.HEALED)
    in_sync = outcome == Outcome.IN_SYNC.value
    if isinstance(previous, NoState):
        if in_sync:
            return NoticeDecision(
                notify=notify_on_in_sync, why=NoticeWhy.IN_SYNC if notify_on_in_sync else None
            )
        why = NoticeWhy.FAILURE if outcome in _FAILURES else NoticeWhy.UNTRACKED
        return NoticeDecision(notify=True, why=why)
    if in_sync:
        if previous is not None and previous.fingerprint:
            return NoticeDecision(notify=True, why=NoticeWhy.RESOLVED)
        return NoticeDecision(
            notify=notify_on_in_sync, why=NoticeWhy.IN_SYNC if notify_on_in_sync else None
        )
    due = reminder_due(previous.last_notified if previous else None, now, remind_after_hours)
    if facts.failure is not None:  # failures and SKIPPED: the same one again is a reminder
        again = (
            previous is not None
            and previous.notified_outcome == outcome
            and previous.notified_failure == facts.failure
        )
        if not again:
            return NoticeDecision(
                notify=True, why=NoticeWhy.FAILURE if outcome in _FAILURES else NoticeWhy.NEW
            )
        repeated = (
            NoticeWhy.REPEATED_FAILURE_REMINDER if outcome in _FAILURES else NoticeWhy.REMINDER
        )
        return NoticeDecision(notify=due, why=repeated if due else None)
    # Drift the healer did not remove (REVIEW_REQUIRED, NOTHING_TO_REVERT, ...).
    if previous is None or not previous.notified_fingerprint:
        return NoticeDecision(notify=True, why=NoticeWhy.NEW)
    if facts.fingerprint != previous.notified_fingerprint or outcome != previous.notified_outcome:
        return NoticeDecision(notify=True, why=NoticeWhy.CHANGED)
    return NoticeDecision(notify=due, why=NoticeWhy.REMINDER if due else None)


# --- the state after a run ------------------------------------------------------------------

# Executing deletes a stack's other change sets; these end with no pending review.
_NO_PENDING_AFTER = frozenset(
    {
        Outcome.IN_SYNC.value,
        Outcome.HEALED.value,
        Outcome.PARTIALLY_HEALED.value,
        Outcome.ACCEPTED.value,
        Outcome.REJECTED.value,  # the change set was deleted
        Outcome.NOTHING_TO_REVERT.value,
        Outcome.EXECUTION_FAILED.value,
        Outcome.OBSOLETE.value,
        Outcome.CHANGE_SET_FAILED.value,
    }
)


def pending_after(
    previous: PendingChangeSet | None, facts: RunFacts, now: datetime
) -> PendingChangeSet | None:
    if (
        facts.outcome == Outcome.REVIEW_REQUIRED.value
        and facts.change_set_id
        and facts.change_set_name
    ):
        reused = previous is not None and previous.change_set_id == facts.change_set_id
        return PendingChangeSet(
            change_set_id=facts.change_set_id,
            change_set_name=facts.change_set_name,
            fingerprint=facts.fingerprint or "",
            created=previous.created if previous is not None and reused else now,
        )
    if facts.outcome in _NO_PENDING_AFTER:
        return None
    return previous  # the run stopped before it could know (SKIPPED, DETECTION_FAILED, ...)


def next_state(
    previous: DriftState | None,
    stack_id: str,
    *,
    facts: RunFacts,
    now: datetime,
    notice: NoticeDecision,
    notified: bool,
    observed: datetime | None = None,
    phase_seconds: Mapping[str, float] | None = None,
    relay_delivered: bool | None = None,
) -> DriftState:
    """The state item to write at the end of a run (never for BUSY: the lease is not ours).

    The "notified" fields move only when a notice was delivered, so a lost notice is sent
    again by the next run instead of being taken for already said.
    """
    base = previous or DriftState(stack_id=stack_id)
    known = facts.fingerprint is not None
    fingerprint = facts.fingerprint if facts.fingerprint is not None else base.fingerprint
    update: dict[str, object] = {
        "stack_id": stack_id,
        "last_outcome": facts.outcome,
        "last_checked": now,
        "fingerprint": fingerprint,
        "drifted_count": facts.drifted_count if known else base.drifted_count,
        # The drift was seen when the run looked (its start), which is what its notice said.
        "first_seen_drifted": first_seen_drifted(
            base.first_seen_drifted, facts.fingerprint, observed or now
        ),
        "pending": pending_after(base.pending, facts, now),
        "last_in_sync": (observed or now) if facts.fingerprint == "" else base.last_in_sync,
        "phase_seconds": recorded_phase_seconds(base.phase_seconds, phase_seconds or {}),
        "relay_delivered_at": relay_delivered_after(base.relay_delivered_at, relay_delivered, now),
        "lease_holder": None,
        "lease_expires": None,
    }
    if notified:
        update |= {
            "last_notified": now,
            "notified_why": notice.why.value if notice.why else None,
            "notified_outcome": facts.outcome,
            "notified_fingerprint": fingerprint,
            "notified_failure": facts.failure,
            "notified_digests": facts.digests if known else base.notified_digests,
        }
    return base.model_copy(update=update)
