"""Accepting drift: write the actual values into the stack's template instead of reverting
them, with a REVERT_DRIFT change set that may only sync (never change a resource).

- the patch itself (the template with the actual values written in) is
  `drift_common.accept`: the approval page shows the same diff before anyone decides;
- `decisions`: what the accept change set may plan, and how the run ends (pure);
- `store`, `steps`: GetTemplate, the drift's full values, the change set (one call a step);
- `flow`: the accept, from reading the template to verifying the stack is in sync.
"""

from healer.accept.flow import accept_answered, accept_drift

__all__ = ["accept_answered", "accept_drift"]
