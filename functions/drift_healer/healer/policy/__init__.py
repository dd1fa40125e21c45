"""The safety policy: may a REVERT_DRIFT change set run without a person looking at it?

- `safety`: the rules, evaluated against what drift detection reported;
- `ignore`: known benign drift (IGNORE_DRIFT);
- `paths`: matching changed property paths against drifted ones;
- `stack_mode`: the stack tag `drift-healer:mode`, which only makes a run stricter;
- `service_role`: which service role a change set runs under;
- `attachments`: what a change removes that another stack attached (rules, policies);
- `not_put_back`: what REVERT_DRIFT leaves as it is (ignored attributes, added tags, ...).
"""

from healer.policy.attachments import (
    find_removals,
    judge,
    lookup_ids,
    rule_id,
    rules_by_group,
    with_rule_ids,
)
from healer.policy.ignore import difference_count, split_drift
from healer.policy.not_put_back import describe_not_put_back, not_put_back
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
    "ModeDecision",
    "PolicyDecision",
    "RoleSource",
    "RunMode",
    "SafetyPolicy",
    "ServiceRole",
    "choose_service_role",
    "classify_found_drift",
    "decide_run_mode",
    "describe_not_put_back",
    "difference_count",
    "evaluate",
    "find_removals",
    "healer_tags",
    "judge",
    "lookup_ids",
    "not_put_back",
    "rule_id",
    "rules_by_group",
    "split_drift",
    "target_path",
    "with_rule_ids",
]
