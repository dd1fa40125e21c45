"""What every function agrees on about a CloudFormation stack."""

from __future__ import annotations

# Guess (not in the botocore model): the settled statuses from which drift detection and an
# update are allowed. ROLLBACK_COMPLETE / *_FAILED stacks cannot be updated; *_IN_PROGRESS
# means someone's deploy is running and must not be fought. The fleet selects only these;
# the healer heals only these.
STABLE_STACK_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)


def is_stable(stack_status: str) -> bool:
    return stack_status in STABLE_STACK_STATUSES
