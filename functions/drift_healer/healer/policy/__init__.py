"""The safety policy: may a REVERT_DRIFT change set run without a person looking at it?

- `safety`: the rules, evaluated against what drift detection reported;
- `guards`: the rules that use who changed it: break-glass holds and the thrash guard;
- `ignore`: known benign drift (IGNORE_DRIFT);
- `paths`: matching changed property paths against drifted ones;
- `stack_mode`: the stack tag `drift-healer:mode`, which only makes a run stricter;
- `service_role`: which service role a change set runs under.
"""

from healer.policy.guards import GuardPolicy, Knowledge, healed_key
from healer.policy.ignore import difference_count, split_drift
from healer.policy.paths import target_path
from healer.policy.safety import DEFAULT_EXCLUDE_TYPES, PolicyDecision, SafetyPolicy, evaluate
from healer.policy.service_role import RoleSource, ServiceRole, choose_service_role
from healer.policy.stack_mode import (
    ModeDecision,
    RunMode,
    classify_found_drift,
    decide_run_mode,
    healer_tags,
)

__all__ = [
    "DEFAULT_EXCLUDE_TYPES",
    "GuardPolicy",
    "Knowledge",
    "ModeDecision",
    "PolicyDecision",
    "RoleSource",
    "RunMode",
    "SafetyPolicy",
    "ServiceRole",
    "choose_service_role",
    "classify_found_drift",
    "decide_run_mode",
    "difference_count",
    "evaluate",
    "healed_key",
    "healer_tags",
    "split_drift",
    "target_path",
]
