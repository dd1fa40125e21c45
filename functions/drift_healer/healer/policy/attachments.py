"""Cross-stack attachments: what a REVERT_DRIFT change removes that may belong to another stack.

The drift-aware change set guide documents that REVERT_DRIFT treats attachments made from
outside the resource as drift and reverts them. Confirmed for security groups: rules added by
a separate `AWS::EC2::SecurityGroupIngress` (even of another stack) are reported as drift on
the group's `SecurityGroupIngress` (research.md §6). Guess: the same for managed policies
attached to a role, user or group that declares `ManagedPolicyArns`, and inline policies
written by an `AWS::IAM::Policy` on one that declares `Policies`.

Healing stack A would then revoke stack B's rule or detach B's policy. So before a change set
runs unattended, every added element it removes is looked up: CloudFormation tells which stack
owns a physical resource (DescribeStackResources by PhysicalResourceId, drift_common.owners).
- a managed policy: its ARN is the `AWS::IAM::ManagedPolicy`'s physical id;
- a rule: its `sgr-` id (the physical id of an `AWS::EC2::SecurityGroupIngress`/`Egress`:
  guess, Cloud Control's `Id`) is found among the group's rules by what drift reported;
- an inline policy: an `AWS::IAM::Policy`'s physical id is not its policy name and nothing
  maps one to the other, so it cannot be looked up: held, saying so.
Owned by a stack (another, or this one through another resource) → held naming it; owned by
no stack → ordinary drift, reverted; not checkable (lookup failed, no rule matched, too many
to look up) → held, saying why: the guard fails closed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from healer.model import (
    GroupRule,
    HeldAttachment,
    OwnerLookup,
    PlannedChange,
    Removal,
    ResourceDrift,
)
from healer.policy.paths import covers

# (resource type, top-level property) -> (kind, the attachment's own resource type)
ATTACHMENT_PROPERTIES: dict[tuple[str, str], tuple[str, str]] = {
    ("AWS::EC2::SecurityGroup", "SecurityGroupIngress"): (
        "ingress rule",
        "AWS::EC2::SecurityGroupIngress",
    ),
    ("AWS::EC2::SecurityGroup", "SecurityGroupEgress"): (
        "egress rule",
        "AWS::EC2::SecurityGroupEgress",
    ),
    ("AWS::IAM::Role", "ManagedPolicyArns"): ("managed policy", "AWS::IAM::ManagedPolicy"),
    ("AWS::IAM::User", "ManagedPolicyArns"): ("managed policy", "AWS::IAM::ManagedPolicy"),
    ("AWS::IAM::Group", "ManagedPolicyArns"): ("managed policy", "AWS::IAM::ManagedPolicy"),
    ("AWS::IAM::Role", "Policies"): ("inline policy", "AWS::IAM::Policy"),
    ("AWS::IAM::User", "Policies"): ("inline policy", "AWS::IAM::Policy"),
    ("AWS::IAM::Group", "Policies"): ("inline policy", "AWS::IAM::Policy"),
}
_RULES = {"ingress rule", "egress rule"}
# Each lookup is a step and an AWS call: past this many removals the rest are held unchecked.
MAX_LOOKUPS = 20
VALUE_CHARS = 1000
WHAT_CHARS = 200
_ADDED = {"ADD", "NOT_EQUAL"}  # an element added, or one in its place (lists compare by index)


def _element(path: str) -> tuple[str, bool]:
    """(top-level property, whether the path is one element of it: `/Prop/3`)."""
    parts = path.strip("/").split("/")
    return parts[0], len(parts) == 2 and parts[1].isdigit()


def _parse(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def _describe(kind: str, value: Any) -> tuple[str, str | None]:
    """(short description, the physical id to look up by, if the element carries one)."""
    if kind == "managed policy":
        arn = str(value)
        return arn[:WHAT_CHARS], arn
    if kind == "inline policy":
        name = value.get("PolicyName") if isinstance(value, dict) else None
        return str(name or value)[:WHAT_CHARS], None
    if not isinstance(value, dict):
        return str(value)[:WHAT_CHARS], None
    ports = f"{value.get('FromPort', 'all')}-{value.get('ToPort', 'all')}"
    peer = next(
        (
            str(value[k])
            for k in (
                "CidrIp",
                "CidrIpv6",
                "SourceSecurityGroupId",
                "DestinationSecurityGroupId",
                "SourcePrefixListId",
                "DestinationPrefixListId",
            )
            if value.get(k)
        ),
        "?",
    )
    direction = "to" if kind == "egress rule" else "from"
    return f"{value.get('IpProtocol', '?')} {ports} {direction} {peer}"[:WHAT_CHARS], None


def find_removals(
    changes: Sequence[PlannedChange], drifted: Sequence[ResourceDrift]
) -> list[Removal]:
    """The added elements of attachment properties that the change set's Modify changes
    revert, in change order. Pure."""
    drift_by_id = {d.logical_id: d for d in drifted}
    removals: list[Removal] = []
    for change in changes:
        drift = drift_by_id.get(change.logical_id)
        if change.action != "Modify" or drift is None:
            continue
        for difference in drift.differences:
            prop, is_element = _element(difference.path)
            known = ATTACHMENT_PROPERTIES.get((change.resource_type, prop))
            if known is None or not is_element or difference.difference_type not in _ADDED:
                continue
            if not any(covers(p, difference.path) for p in change.property_paths):
                continue
            kind, lookup_type = known
            what, lookup_id = _describe(kind, _parse(difference.actual))
            removals.append(
                Removal(
                    logical_id=change.logical_id,
                    resource_type=change.resource_type,
                    physical_id=drift.physical_id,
                    path=difference.path,
                    kind=kind,
                    what=what,
                    value=(difference.actual or "")[:VALUE_CHARS],
                    lookup_id=lookup_id,
                    lookup_type=lookup_type,
                )
            )
    return removals


def rules_by_group(removals: Sequence[Removal]) -> dict[str, list[Removal]]:
    """The removed rules (within MAX_LOOKUPS) by security group, whose rules must be read to
    find their ids."""
    groups: dict[str, list[Removal]] = {}
    for removal in removals[:MAX_LOOKUPS]:
        if removal.kind in _RULES and removal.physical_id:
            groups.setdefault(removal.physical_id, []).append(removal)
    return groups


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}.get(text, text)


def _port(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _matches(element: Mapping[str, Any], rule: GroupRule, egress: bool) -> bool:
    if rule.egress != egress or _protocol(element.get("IpProtocol")) != rule.protocol:
        return False
    if rule.protocol != "-1" and (
        _port(element.get("FromPort")) != rule.from_port
        or _port(element.get("ToPort")) != rule.to_port
    ):
        return False
    peer = {
        "cidr_ipv4": element.get("CidrIp"),
        "cidr_ipv6": element.get("CidrIpv6"),
        "group_id": element.get("SourceSecurityGroupId")
        or element.get("DestinationSecurityGroupId"),
        "prefix_list_id": element.get("SourcePrefixListId")
        or element.get("DestinationPrefixListId"),
    }
    return all((getattr(rule, k) or None) == (v or None) for k, v in peer.items())


def rule_id(removal: Removal, rules: Sequence[GroupRule]) -> str | None:
    """The id of the group's one rule that is this removed element; None when none or
    several match (then who owns it cannot be told)."""
    element = _parse(removal.value)
    if not isinstance(element, dict):
        return None
    found = [r.rule_id for r in rules if _matches(element, r, removal.kind == "egress rule")]
    return found[0] if len(found) == 1 else None


def with_rule_ids(
    removals: Sequence[Removal], rule_ids: Mapping[tuple[str, str], str | None]
) -> list[Removal]:
    """The removals, each rule given the id found for it, keyed (LogicalId, PropertyPath)."""
    return [
        removal.model_copy(update={"lookup_id": rule_ids.get((removal.logical_id, removal.path))})
        if removal.kind in _RULES
        else removal
        for removal in removals
    ]


def judge(
    removals: Sequence[Removal],
    lookups: Mapping[str, OwnerLookup | str],
    unreadable_groups: Mapping[str, str],
    own_stack_id: str | None,
) -> list[HeldAttachment]:
    """What is held. `lookups` maps a looked-up physical id to its answer, or to the error
    that made the lookup fail; `unreadable_groups` a group id to why its rules could not be
    read. Pure."""
    held: list[HeldAttachment] = []
    for index, removal in enumerate(removals):
        base = {
            "logical_id": removal.logical_id,
            "resource_type": removal.resource_type,
            "path": removal.path,
            "kind": removal.kind,
            "what": removal.what,
        }
        problem = _unchecked(index, removal, lookups, unreadable_groups)
        if problem is not None:
            held.append(HeldAttachment(**base, problem=problem))
            continue
        answer = lookups[str(removal.lookup_id)]
        assert isinstance(answer, OwnerLookup)
        if answer.stack_name is None:
            continue  # no stack owns it: ordinary drift, reverted
        held.append(
            HeldAttachment(
                **base,
                owner_stack=answer.stack_name,
                owner_logical_id=answer.logical_id,
                own_stack=bool(own_stack_id) and answer.stack_id == own_stack_id,
            )
        )
    return held


def _unchecked(
    index: int,
    removal: Removal,
    lookups: Mapping[str, OwnerLookup | str],
    unreadable_groups: Mapping[str, str],
) -> str | None:
    """Why the owner of this removal is not known, or None when its lookup answered."""
    if index >= MAX_LOOKUPS:
        return f"not looked up: the change set removes more than {MAX_LOOKUPS} such elements"
    if removal.kind == "inline policy":
        return (
            "an inline policy's owner cannot be looked up (an AWS::IAM::Policy's physical id "
            "is not its policy name)"
        )
    if removal.kind in _RULES and removal.physical_id in unreadable_groups:
        return f"the group's rules could not be read: {unreadable_groups[str(removal.physical_id)]}"
    if removal.lookup_id is None:
        return "no single rule of the group matches it, so its rule id is unknown"
    answer = lookups.get(removal.lookup_id)
    if answer is None:
        return "not looked up"
    if isinstance(answer, str):
        return f"the owner lookup failed: {answer}"
    return None


def lookup_ids(removals: Sequence[Removal]) -> list[str]:
    """The physical ids to look up (once each), within MAX_LOOKUPS removals."""
    ids: list[str] = []
    for removal in removals[:MAX_LOOKUPS]:
        if removal.kind != "inline policy" and removal.lookup_id and removal.lookup_id not in ids:
            ids.append(removal.lookup_id)
    return ids
