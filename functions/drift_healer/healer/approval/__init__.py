"""Approval that waits: ask, wait on a durable callback, act on the decision.

- `settings`: its configuration, and whether a waiting run fits in the ExecutionTimeout;
- `decisions`: pure decisions over the answer;
- `flow`: the steps and the wait.
"""

from healer.approval.flow import await_approval
from healer.approval.settings import ApprovalSettings, approval_problem, load_approval_settings

__all__ = ["ApprovalSettings", "approval_problem", "await_approval", "load_approval_settings"]
