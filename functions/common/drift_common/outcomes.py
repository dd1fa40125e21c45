"""The healer's outcome names: what every run ends with, as the fleet, the CLI and every
notice subscriber read them (`Outcome` in the result and the JSON notice)."""

from __future__ import annotations

from enum import StrEnum


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
    # A person chose to keep the change: the drift was written into the stack's template
    # (a SyncWithActual change set, the resources untouched) and the stack is in sync.
    ACCEPTED = "ACCEPTED"
    DETECTION_FAILED = "DETECTION_FAILED"
    CHANGE_SET_FAILED = "CHANGE_SET_FAILED"
    EXECUTION_FAILED = "EXECUTION_FAILED"
    OBSOLETE = "OBSOLETE"
    # Approval that waits. APPROVAL_REQUIRED names the notice that asks for a decision; a run
    # never ends with it.
    APPROVAL_REQUIRED = "APPROVAL_REQUIRED"
    REJECTED = "REJECTED"  # a person rejected the change set (deleted): a decision, not a failure
    APPROVAL_TIMED_OUT = "APPROVAL_TIMED_OUT"  # nobody decided in time: the drift is still there
    APPROVAL_INVALID = "APPROVAL_INVALID"  # the callback was answered with no valid decision
    TIMED_OUT = "TIMED_OUT"
    ERROR = "ERROR"

    @property
    def is_failure(self) -> bool:
        """Failures notify, then fail the durable execution so they show up as failed runs."""
        return self in FAILURES


FAILURES = frozenset(
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
# The stack was changed back to its template.
HEALED = frozenset({Outcome.HEALED, Outcome.HEALED_UNVERIFIED})
# A change set waits for a person.
HELD = frozenset({Outcome.REVIEW_REQUIRED})
# Drift was found, whatever happened next (healed, held, partly healed or reported).
DRIFT_FOUND = (
    HEALED
    | HELD
    | {
        Outcome.PARTIALLY_HEALED,
        Outcome.DRIFTED,
        Outcome.NOTHING_TO_REVERT,
        Outcome.ACCEPTED,
    }
)
