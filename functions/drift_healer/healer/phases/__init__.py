"""The flow's building blocks below the handler; healer.handler reads as the flow, these are
its phases.

- `detection`: drift detection with its wait, the settle before a triggered run, the lease;
- `change_set`: a pending review reused (checked with CloudFormation) or a new change set;
- `guards`: cross-stack attachments and who changed the drift, for the safety policy;
- `execution`: executing the change set and verifying the stack after;
- `notes`: a late failure becomes a note, never a changed outcome.
"""

from healer.phases.change_set import create_change_set, settle_pending_review
from healer.phases.detection import Detection, detect_drift, settle_after_change, take_stack_lease
from healer.phases.execution import CLOCK_SKEW, execute_change_set, verify
from healer.phases.guards import check_attachments, guard_knowledge, who_changed_it
from healer.phases.notes import noted

__all__ = [
    "CLOCK_SKEW",
    "Detection",
    "check_attachments",
    "create_change_set",
    "detect_drift",
    "execute_change_set",
    "guard_knowledge",
    "noted",
    "settle_after_change",
    "settle_pending_review",
    "take_stack_lease",
    "verify",
    "who_changed_it",
]
