"""Accepting drift: write the actual values into the stack's template instead of reverting
them, with a REVERT_DRIFT change set that may only sync (never change a resource).

- `patch`: the template with the actual values written in (pure, all or nothing);
"""

from healer.accept.patch import change_parameters, patch_template, unified_diff

__all__ = ["change_parameters", "patch_template", "unified_diff"]
