"""Accepting drift: write the actual values into the stack's template instead of reverting
them, with a REVERT_DRIFT change set that may only sync (never change a resource).

- `patch`: the template with the actual values written in (pure, all or nothing);
- `decisions`: what the accept change set may plan, and how the run ends (pure);
- `store`, `steps`: GetTemplate, the drift's full values, the change set (one call a step);
- `flow`: the accept, from reading the template to verifying the stack is in sync.
"""

from healer.accept.flow import accept_answered, accept_drift
from healer.accept.patch import change_parameters, patch_template, unified_diff

__all__ = ["accept_answered", "accept_drift", "change_parameters", "patch_template", "unified_diff"]
