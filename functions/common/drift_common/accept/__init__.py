"""Accepting drift (issue 17): the actual values written into the deployed template. A
contract between the healer (which accepts) and the approval page (which shows the diff
before anyone decides): both compute the same patch from the same reads.

- `model`: the records (the drift as the patch reads it, the patch, its refusals);
- `nodes`: the template's composed YAML/JSON nodes and values;
- `patch`: the patch itself, pure, all or nothing.
"""

from drift_common.accept.model import (
    AcceptDifference,
    AcceptPatch,
    DriftToAccept,
    NotAccepted,
    ParameterChange,
    drift_to_accept,
)
from drift_common.accept.patch import change_parameters, patch_template, unified_diff

__all__ = [
    "AcceptDifference",
    "AcceptPatch",
    "DriftToAccept",
    "NotAccepted",
    "ParameterChange",
    "change_parameters",
    "drift_to_accept",
    "patch_template",
    "unified_diff",
]
