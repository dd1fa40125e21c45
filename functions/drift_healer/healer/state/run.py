"""One run's view of the drift state: the lease it holds, the state before it, its "now".

The flow calls this at three points: after describe-stack (take the lease, or end BUSY),
before creating a change set (reuse a pending review), and at the end (decide whether to
notify, then save the state and a history item). Everything here is a durable step or a
pure decision over checkpointed values; a state failure is a note, never the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aws_durable_execution_sdk_python import DurableContext

from drift_common.outcomes import Outcome
from healer.model import Approval, HealCount, PollPolicy, stack_name_of
from healer.report import RunReport, should_notify
from healer.state import steps as state_steps
from healer.state.decisions import (
    busy_notice_due,
    busy_reason,
    drift_age_text,
    first_seen_drifted,
    long_busy_reason,
    notice_decision,
    reminder_due,
    run_facts,
)
from healer.state.fingerprint import drift_changes, drift_fingerprint
from healer.state.history import run_read_heal_history
from healer.state.holder import extend_held_lease, notify_busy_once, take_over_if_ended
from healer.state.model import (
    DriftState,
    Lease,
    NoState,
    NoticeDecision,
    NoticeWhy,
    PendingChangeSet,
    RunEnd,
    RunFacts,
)
from healer.state.pending import ReviewPlan, approval_pending_reason, review_plan
from healer.state.settings import StateSettings
from healer.state.timing import observed_phases, relay_delivered


@dataclass
class RunState:
    settings: StateSettings
    lease: Lease | NoState = field(default_factory=NoState.stateless)
    deferred: bool = False  # an approval that timed out is not asked again yet
    notes: list[str] = field(default_factory=list)  # about the lease, for the notice
    long_busy: str | None = None  # this BUSY run notifies that another holds the stack long

    @classmethod
    def stateless(cls) -> RunState:
        return cls(StateSettings.model_construct(state_table_name=None))

    @property
    def unavailable(self) -> str | None:
        """`state unavailable: ...` when the table could not be used at the start."""
        return self.lease.note if isinstance(self.lease, NoState) and self.lease.note else None

    # -- 1. after describe-stack -------------------------------------------------------------
    def begin(self, context: DurableContext, stack_id: str, lease_seconds: float) -> None:
        """Take the lease; held by an execution that has ended, take it over; held past
        BUSY_NOTICE_AFTER_HOURS by a live one, make this BUSY run the one that says so."""
        lease = state_steps.run_take_lease(context, self.settings, stack_id, lease_seconds)
        if isinstance(lease, Lease) and not lease.taken:
            lease = take_over_if_ended(
                context,
                self.settings,
                stack_id,
                lease,
                lease_seconds=lease_seconds,
                notes=self.notes,
            )
        self.lease = lease
        if not isinstance(lease, Lease) or lease.taken or lease.previous is None:
            return
        held_since = lease.previous.lease_taken
        if (
            held_since is not None
            and busy_notice_due(
                lease.previous, lease.holder, lease.at, self.settings.busy_notice_after_hours
            )
            and notify_busy_once(context, self.settings, stack_id, lease.holder)
        ):
            self.long_busy = long_busy_reason(held_since, lease.at, stack_name_of(stack_id))

    @property
    def lease_problem(self) -> str | None:
        """Why this run holds no lease although a table is configured. A lease that cannot be
        checked is not a lease: such a run may report, never change the stack."""
        if self.settings.state_table_name is None or not isinstance(self.lease, NoState):
            return None
        if not self.lease.unavailable:
            return None
        return f"the stack's lease could not be taken ({self.lease.unavailable})"

    @property
    def busy(self) -> str | None:
        """Why this run must change nothing (another execution holds the lease), naming the
        approval that execution waits for, if it recorded one."""
        if not isinstance(self.lease, Lease) or self.lease.taken:
            return None
        pending = self.pending
        if pending is not None and pending.approval_waiting(self.lease.at):
            return approval_pending_reason(pending)
        return busy_reason(self.lease.holder, self.lease.expires) + (self.long_busy or "")

    @property
    def report_notes(self) -> list[str]:
        """What the notice says about the state: unavailable, a lease taken over..."""
        return ([self.unavailable] if self.unavailable else []) + self.notes

    @property
    def previous(self) -> DriftState | NoState | None:
        """The state before this run; NoState when stateless or unreadable."""
        return self.lease.previous if isinstance(self.lease, Lease) else self.lease

    @property
    def now(self) -> datetime | None:
        return self.lease.at if isinstance(self.lease, Lease) else None

    @property
    def pending(self) -> PendingChangeSet | None:
        previous = self.previous
        return previous.pending if isinstance(previous, DriftState) else None

    @property
    def last_in_sync(self) -> datetime | None:
        """When a run last found the stack in sync (None: never, or no state)."""
        previous = self.previous
        return previous.last_in_sync if isinstance(previous, DriftState) else None

    # -- 1b. the thrash guard (issue 16) ---------------------------------------------------
    def heals(
        self, context: DurableContext, stack_id: str, window_hours: float
    ) -> tuple[dict[str, HealCount], str | None]:
        """Heals per property within the window, and why they are unknown (None: known).
        Without a state table, or with a table unusable from the run's start (the run heals
        without its state, as it always has: docs/drift-state.md), there is no history and
        the guard is off; a history that cannot be read while the state works is unknown."""
        if isinstance(self.lease, NoState) or self.now is None:
            return {}, None
        counts = run_read_heal_history(context, self.settings, stack_id, self.now, window_hours)
        if isinstance(counts, NoState):
            return {}, counts.note or "no run history"
        return counts, None

    # -- 1a. how the waits look (issue 19) -----------------------------------------------------
    def with_history(self, policy: PollPolicy, phase: str) -> PollPolicy:
        """`policy` with this stack's recent durations of `phase` (none: as it is)."""
        previous = self.previous
        if not isinstance(previous, DriftState):
            return policy
        return policy.with_history(previous.phase_seconds.get(phase, []))

    @property
    def relay_delivered_at(self) -> datetime | None:
        """When an event the relay delivered last woke a wait of this stack's runs."""
        previous = self.previous
        return previous.relay_delivered_at if isinstance(previous, DriftState) else None

    # -- 2. before a change set is created --------------------------------------------------
    def plan_review(
        self, report: RunReport, status: str | None, execution_status: str | None
    ) -> ReviewPlan:
        """`status`: DescribeChangeSet of the pending review (None: gone or none)."""
        return review_plan(
            self.pending, drift_fingerprint(report.drifted), status, execution_status
        )

    # -- 2b. approval that waits (issue 8) ---------------------------------------------------
    def approval_deferred(self, report: RunReport) -> str | None:
        """Why not to ask again: an approval for this same drift timed out and the reminder
        interval has not passed (asking on every scheduled run would be a loop of notices)."""
        previous, now = self.previous, self.now
        if not isinstance(previous, DriftState) or now is None or previous.last_notified is None:
            return None
        if previous.notified_outcome != Outcome.APPROVAL_TIMED_OUT.value:
            return None
        if previous.notified_fingerprint != drift_fingerprint(report.drifted):
            return None
        if reminder_due(previous.last_notified, now, self.settings.remind_after_hours):
            return None
        self.deferred = True
        return (
            f"an approval for this drift timed out unanswered (notified "
            f"{previous.last_notified:%Y-%m-%d %H:%M} UTC); it is asked again "
            f"{self.settings.remind_after_hours:g} h after that (REMIND_AFTER_HOURS)"
        )

    def lease_refused(
        self, context: DurableContext, report: RunReport, seconds: float, purpose: str
    ) -> str | None:
        """Before the run waits for a person or changes the stack: the lease must still be
        ours and outlast what follows (`seconds`). Why the run must not go on (None: it may)."""
        if report.stack_id is None or not isinstance(self.lease, Lease) or not self.lease.taken:
            return None
        problem = extend_held_lease(context, self.settings, report.stack_id, seconds)
        if problem is None:
            return None
        return (
            f"the stack's lease could not be extended for {purpose} ({problem}): "
            "the change set was left for review"
        )

    def record_pending_approval(
        self, context: DurableContext, report: RunReport, approval: Approval
    ) -> None:
        if report.stack_id is None or report.change_set is None or self.now is None:
            return
        pending = PendingChangeSet(
            change_set_id=report.change_set.change_set_id,
            change_set_name=report.change_set.change_set_name,
            fingerprint=drift_fingerprint(report.drifted),
            created=self.now,
            callback_id=approval.callback_id,
            asked=approval.asked,
            approval_expires=approval.expires,
        )
        recorded = state_steps.run_record_pending_approval(
            context, self.settings, self.lease, report.stack_id, pending
        )
        if isinstance(recorded, NoState) and recorded.unavailable:
            report.notes.append(f"the waiting approval was not recorded: {recorded.note}")

    # -- 3. at the end ------------------------------------------------------------------------
    def note_drift_age(self, report: RunReport) -> None:
        """DriftFirstSeen and the drift's age ("drifted for 3 days"), from the state."""
        previous, now = self.previous, self.now
        if now is None or isinstance(previous, NoState):
            return
        first = first_seen_drifted(
            previous.first_seen_drifted if previous else None, self.facts(report).fingerprint, now
        )
        if first is not None:
            report.drift_first_seen, report.drift_age = first, drift_age_text(first, now)
        report.checked_at = now
        if report.drifted:  # found this run: first seen before, or now
            report.drift_since = (previous.first_seen_drifted if previous else None) or now

    def decide_notice(self, report: RunReport, *, notify_on_in_sync: bool) -> NoticeDecision:
        """Alerts on change: the state decides; without state, every outcome but IN_SYNC."""
        outcome = report.final_outcome
        if outcome is Outcome.BUSY and self.long_busy:
            return NoticeDecision(notify=True, why=NoticeWhy.LONG_BUSY)
        if not should_notify(outcome, notify_on_in_sync=True) or self.deferred:
            return NoticeDecision(notify=False)  # OPTED_OUT, BUSY, an approval not re-asked
        previous = self.previous
        if isinstance(previous, NoState) or not isinstance(self.lease, Lease):
            # Without its lease the run reports whatever it found: the table's silence on
            # unchanged results is gone, and so is the guard that lets a run heal.
            in_sync_too = notify_on_in_sync or self.lease_problem is not None
            return NoticeDecision(notify=should_notify(outcome, notify_on_in_sync=in_sync_too))
        facts = self.facts(report)
        decision = notice_decision(
            previous,
            facts,
            self.lease.at,
            remind_after_hours=self.settings.remind_after_hours,
            notify_on_in_sync=notify_on_in_sync,
        )
        if decision.why is NoticeWhy.CHANGED and previous is not None:
            changes = drift_changes(previous.notified_digests, facts.digests)
            if changes.any:
                report.notes.append(f"changed since the last notice: {changes.summary()}")
        return decision

    @staticmethod
    def facts(report: RunReport) -> RunFacts:
        return run_facts(
            report.final_outcome.value,
            report.reason,
            report.drifted,
            report.remaining_drift,
            report.change_set,
        )

    def finish(self, context: DurableContext, report: RunReport, decision: NoticeDecision) -> None:
        """Save the state (which releases the lease) and one history item; notes if not."""
        stack_id = report.stack_id
        if stack_id is None or isinstance(self.lease, NoState):
            return
        end = RunEnd(
            facts=self.facts(report),
            reason=report.reason,
            notice=decision,
            notified=report.notified,
            changes=history_changes(report),
            healed_paths=report.healed_paths if report.final_outcome is Outcome.HEALED else [],
            trigger=report.trigger_source,
            phase_seconds=observed_phases(report.phases),
            relay_delivered=relay_delivered(report.phases),
            accepted=report.accepted,
        )
        if self.lease.taken:
            saved = state_steps.run_save_state(context, self.settings, self.lease, stack_id, end)
            if isinstance(saved, NoState):
                report.notes.append(f"the drift state was not saved: {saved.note}")
        history = state_steps.run_put_history(context, self.settings, self.lease, stack_id, end)
        if isinstance(history, NoState):
            report.notes.append(f"the run history was not written: {history.note}")


def history_changes(report: RunReport) -> list[dict[str, object]]:
    """The history item's `Changes` (shared contract): one entry per attributed resource."""
    paths = {r.logical_id: [d.path for d in r.differences] for r in report.drifted}
    return [
        {
            "LogicalId": c.logical_id,
            "ResourceType": c.resource_type,
            "Paths": paths.get(c.logical_id, []),
            "Principal": c.principal,
            "PrincipalType": c.principal_type,
            "Via": c.via,
            "EventName": c.event_name,
            "EventTime": c.event_time.isoformat(timespec="seconds"),
        }
        for c in report.changes.values()
    ]
