"""Records of the drift state: what the table holds per stack, and what its steps return.

All of them are checkpointed as step results (JSON through pydantic), so they stay small.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from healer.model import Accepted, Record


class NoticeWhy(StrEnum):
    """Why a notice was sent (or would have been): every notice says it."""

    NEW = "new"  # in sync (or never seen) -> drifted
    CHANGED = "changed"  # drifted, differently than at the last notice
    REMINDER = "reminder"  # unchanged drift, REMIND_AFTER_HOURS since the last notice
    RESOLVED = "resolved"  # drifted -> in sync without the healer
    HEALED = "healed"  # the healer executed a change set
    FAILURE = "failure"  # a failure not notified before
    REPEATED_FAILURE_REMINDER = "repeated-failure-reminder"
    IN_SYNC = "in-sync"  # NOTIFY_ON_IN_SYNC=true
    UNTRACKED = "untracked"  # no state to compare with (stateless, or state unavailable)
    LONG_BUSY = "long-busy"  # another run has held the stack past BUSY_NOTICE_AFTER_HOURS


class PendingChangeSet(Record):
    """A change set left for a person to review, and the drift it reverts."""

    change_set_id: str
    change_set_name: str
    fingerprint: str
    created: datetime
    # The approval a run waits on (WaitForApproval): its callback, where it was asked
    # (the topic), and when the callback times out. None: a plain review.
    callback_id: str | None = None
    asked: str | None = None
    approval_expires: datetime | None = None

    def approval_waiting(self, now: datetime) -> bool:
        return bool(self.callback_id and self.approval_expires and self.approval_expires > now)


class DriftState(Record):
    """The state item of one stack (keyed by its stack ARN)."""

    stack_id: str
    last_outcome: str | None = None
    last_checked: datetime | None = None
    fingerprint: str = ""  # drift as last observed; "" = in sync (or never known)
    drifted_count: int = 0
    first_seen_drifted: datetime | None = None  # kept while drifted, cleared when in sync
    last_notified: datetime | None = None
    notified_why: str | None = None
    notified_outcome: str | None = None
    notified_fingerprint: str = ""  # the drift the last notice was about
    notified_failure: str | None = None  # digest of the failure the last notice was about
    notified_digests: dict[str, str] = Field(
        default_factory=dict
    )  # per-resource digests as of the last notice
    pending: PendingChangeSet | None = None
    # When a run last found the stack in sync (its start): attribution looks no further back.
    last_in_sync: datetime | None = None
    lease_holder: str | None = None  # durable execution ARN
    lease_expires: datetime | None = None
    # Issue 19: the last PHASE_HISTORY durations (seconds) of each phase (detection,
    # change_set, execution, verification) that CloudFormation finished, oldest first; and
    # when an event the relay delivered last woke a wait of this stack's runs.
    phase_seconds: dict[str, list[float]] = Field(default_factory=dict)
    relay_delivered_at: datetime | None = None
    lease_taken: datetime | None = None  # when lease_holder took it
    busy_notified: str | None = None  # the holder a long BUSY was notified for


class NoState(Record):
    """The run has no drift state: none configured, or the table could not be used.

    Never raised: bookkeeping never costs an alert. `note` goes into the notice.
    """

    unavailable: str | None = None  # None = stateless (STATE_TABLE_NAME unset)

    @classmethod
    def stateless(cls) -> NoState:
        return cls()

    @classmethod
    def failed(cls, reason: str) -> NoState:
        return cls(unavailable=reason)

    @property
    def note(self) -> str:
        return f"state unavailable: {self.unavailable}" if self.unavailable else ""


class Lease(Record):
    """The result of trying to take a stack's lease."""

    taken: bool
    holder: str  # this execution when taken, the other execution when busy
    expires: datetime | None
    at: datetime  # the run's clock reading (checkpointed): "now" for this run's decisions
    previous: DriftState | None = None  # the state item before this run (None: first run)


class RunFacts(Record):
    """What one run found, reduced to what the state and the notice decision need."""

    outcome: str
    fingerprint: str | None  # drift at the end of the run; None = not known this run
    digests: dict[str, str] = Field(default_factory=dict)
    drifted_count: int = 0
    failure: str | None = None  # digest of outcome + reason for failures
    change_set_id: str | None = None
    change_set_name: str | None = None


class NoticeDecision(Record):
    notify: bool
    why: NoticeWhy | None = None


class RunEnd(Record):
    """How a run ended: what its state and history items record."""

    facts: RunFacts
    reason: str
    notice: NoticeDecision
    notified: bool  # a notice was delivered
    # Who changed what (history `Changes`), what a heal put back (`HealedPaths`), and what
    # started the run (`Trigger`): the shared history contract (docs/drift-state.md).
    changes: list[dict[str, object]] = Field(default_factory=list)
    healed_paths: list[str] = Field(default_factory=list)
    trigger: str | None = None
    # Issue 19: this run's durations of the phases CloudFormation finished, and whether an
    # event woke one of its waits (True), its event waits all ended on a poll (False), or
    # it had no event wait (None).
    phase_seconds: dict[str, float] = Field(default_factory=dict)
    relay_delivered: bool | None = None
    accepted: Accepted | None = None  # issue 17: the drift written into the template
