"""The safety policy: may this REVERT_DRIFT change set run without a person looking at it?

Automatic execution needs every rule to pass; each rule that fires is one reason the change
set is held for review. Users report REVERT_DRIFT change sets that touch resources or
properties which never drifted (wrong `!Ref` resolution, KNOWN_AFTER_APPLY values), sometimes
with replacement (research.md), so the change set is checked against what drift detection
reported, property by property, not trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from healer.model import HeldAttachment, PlannedChange, ResourceDrift
from healer.policy.ignore import difference_pattern, resource_pattern
from healer.policy.paths import covers, uncovered

# Metadata only: the resource itself is not changed (ChangeAction doc), so no rule applies.
_METADATA_ONLY = "SyncWithActual"

# Types whose resources are data stores: any automatic change to them waits for a person.
# The list (and why S3 buckets, SQS queues and log groups are not on it) is in
# docs/safety-policy.md.
DEFAULT_EXCLUDE_TYPES: tuple[str, ...] = (
    "AWS::RDS::*",
    "AWS::DynamoDB::*",
    "AWS::EFS::*",
    "AWS::FSx::*",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::*",
    "AWS::MemoryDB::*",
    "AWS::Neptune::*",
    "AWS::DocDB::*",
    "AWS::DocDBElastic::*",
    "AWS::OpenSearchService::*",
    "AWS::Elasticsearch::*",
    "AWS::Redshift::*",
    "AWS::Kinesis::Stream",
    "AWS::MSK::*",
    "AWS::AmazonMQ::*",
    "AWS::Backup::BackupVault",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::Cognito::UserPool",
    "AWS::ECR::Repository",
)


@dataclass(frozen=True)
class SafetyPolicy:
    """The policy's settings (ALLOW_REPLACEMENT, RECREATE_DELETED, AUTO_HEAL_*, ...)."""

    allow_replacement: bool = False
    recreate_deleted: bool = False
    exclude_types: tuple[str, ...] = DEFAULT_EXCLUDE_TYPES
    include_types: tuple[str, ...] = ()  # empty: every type not excluded
    max_auto_changes: int = 10
    ignore_drift: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyDecision:
    held: list[str] = field(default_factory=list)  # each rule that fired
    warnings: list[str] = field(default_factory=list)  # for the notice, held or not

    @property
    def automatic(self) -> bool:
        return not self.held


def evaluate(
    changes: Sequence[PlannedChange],
    drifted: Sequence[ResourceDrift],
    policy: SafetyPolicy,
    *,
    complete: bool = True,
    attachments: Sequence[HeldAttachment] = (),
) -> PolicyDecision:
    """`drifted` is everything drift detection reported, ignored drift included.

    `complete` is False when healer.aws.bounds kept only part of a very large drift or change
    set to fit a checkpoint: what was not read cannot be checked, so the change set is held.
    `attachments` are the removals healer.policy.attachments held: another stack's rule or
    policy (or one whose owner could not be told), each one reason.
    """
    decision = PolicyDecision()
    if not complete:
        decision.held.append(
            "the drift or the change set is too large to check in full "
            "(only part of it fits in a checkpoint)"
        )
    drift_by_id = {resource.logical_id: resource for resource in drifted}
    for change in changes:
        if change.action == _METADATA_ONLY:
            continue
        label = f"{change.logical_id} ({change.resource_type})"
        reasons = _type_rules(change, policy)
        drift = drift_by_id.get(change.logical_id)
        if drift is None:
            reasons.append("the change set changes it, but drift detection did not report it")
        elif drift.drift_status == "DELETED":
            reasons += _deleted_rules(change, policy, label, decision.warnings)
        else:
            reasons += _modified_rules(change, drift, policy)
            reasons += _ignored_rules(change, drift, policy)
        decision.held.extend(f"{label}: {reason}" for reason in reasons)
    decision.held.extend(attachment.reason() for attachment in attachments)
    changed = sum(change.action != _METADATA_ONLY for change in changes)
    if changed > policy.max_auto_changes:
        decision.held.append(
            f"the change set changes {changed} resources; MAX_AUTO_CHANGES allows "
            f"at most {policy.max_auto_changes} automatically"
        )
    return decision


def _type_rules(change: PlannedChange, policy: SafetyPolicy) -> list[str]:
    reasons: list[str] = []
    excluded = next((p for p in policy.exclude_types if fnmatchcase(change.resource_type, p)), None)
    if excluded:
        reasons.append(
            f"its type is excluded from automatic healing (AUTO_HEAL_EXCLUDE_TYPES: {excluded})"
        )
    if policy.include_types and not any(
        fnmatchcase(change.resource_type, p) for p in policy.include_types
    ):
        reasons.append("its type is not in AUTO_HEAL_INCLUDE_TYPES")
    return reasons


def _deleted_rules(
    change: PlannedChange, policy: SafetyPolicy, label: str, warnings: list[str]
) -> list[str]:
    if change.action != "Add":
        return [f"it was deleted out of band, but the change set plans {change.action}"]
    if not policy.recreate_deleted:
        return [
            "it was deleted out of band; re-creating it makes a new, empty resource "
            "(set RECREATE_DELETED=true to allow it automatically)"
        ]
    warnings.append(
        f"{label} was deleted out of band and is re-created from the template as a new "
        "resource: the data it held (items, objects, messages, secrets) is not restored"
    )
    return []


def _modified_rules(change: PlannedChange, drift: ResourceDrift, policy: SafetyPolicy) -> list[str]:
    if change.action != "Modify":
        return [f"drift detection reported it MODIFIED, but the change set plans {change.action}"]
    reasons: list[str] = []
    if change.replacement in {"True", "Conditional"} and not policy.allow_replacement:
        reasons.append(
            f"reverting needs replacement ({change.replacement}); "
            "set ALLOW_REPLACEMENT=true to allow it automatically"
        )
    if not change.property_paths:
        reasons.append("the change set names no changed property to compare with the drift")
    extra = uncovered(change.property_paths, (d.path for d in drift.differences))
    if extra:
        drifted = ", ".join(d.path for d in drift.differences) or "none"
        reasons.append(
            f"the change set also changes {', '.join(extra)}, which drift detection did not "
            f"report as drifted (drifted: {drifted})"
        )
    return reasons


def _ignored_rules(change: PlannedChange, drift: ResourceDrift, policy: SafetyPolicy) -> list[str]:
    whole = resource_pattern(drift, policy.ignore_drift)
    if whole:
        return [f"its drift is ignored (IGNORE_DRIFT: {whole}), but the change set reverts it"]
    ignored = [
        d.path
        for d in drift.differences
        if difference_pattern(drift.resource_type, d, policy.ignore_drift)
        and any(covers(p, d.path) for p in change.property_paths)
    ]
    if ignored:
        return [
            f"the change set would also revert ignored drift at {', '.join(ignored)} (IGNORE_DRIFT)"
        ]
    return []
