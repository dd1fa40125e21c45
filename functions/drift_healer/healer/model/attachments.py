"""Records of the cross-stack attachment guard: what a REVERT_DRIFT change would remove, the
security group rules and owners looked up for it, and what was held (healer.policy.attachments).
"""

from __future__ import annotations

from healer.model.records import Record


class Removal(Record):
    """An element of a list property (a rule, a policy) that drift detection reported as
    added outside the template and that the change set, reverting that property, removes."""

    logical_id: str  # this stack's resource the change modifies
    resource_type: str
    physical_id: str | None  # that resource's physical id (the group id for rules)
    path: str  # the drift's PropertyPath, e.g. /SecurityGroupIngress/1
    kind: str  # ingress rule | egress rule | managed policy | inline policy
    what: str  # the element, short: "tcp 22-22 from 192.168.0.0/16", an ARN, a policy name
    value: str  # the element as drift reported it (ActualValue), at most VALUE_CHARS
    # The physical id to look its owner up by (a policy ARN), when the element names one;
    # a rule's id is found from the group's rules first; None for inline policies.
    lookup_id: str | None = None
    lookup_type: str | None = None  # the attachment's resource type


class GroupRule(Record):
    """One rule of EC2 DescribeSecurityGroupRules, reduced to what identifies it."""

    rule_id: str
    egress: bool
    protocol: str
    from_port: int | None = None
    to_port: int | None = None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None
    group_id: str | None = None  # the referenced (source or destination) group


class OwnerLookup(Record):
    """DescribeStackResources by physical id: the live stack resource that owns it, if any."""

    physical_id: str
    stack_id: str | None = None
    stack_name: str | None = None
    logical_id: str | None = None


class HeldAttachment(Record):
    """A removal held for review: it belongs to a stack (`owner_stack`), or who owns it could
    not be told (`problem`)."""

    logical_id: str
    resource_type: str
    path: str
    kind: str
    what: str
    owner_stack: str | None = None
    owner_logical_id: str | None = None
    own_stack: bool = False  # the owner is the healed stack itself (another of its resources)
    problem: str | None = None

    def reason(self) -> str:
        """One line of the safety policy's held reasons."""
        head = (
            f"{self.logical_id} ({self.resource_type}): reverting {self.path} removes the "
            f"{self.kind} {self.what}"
        )
        if self.owner_stack and self.own_stack:
            return (
                f"{head}, which this stack's own {self.owner_logical_id} attaches "
                "(the revert would undo it)"
            )
        if self.owner_stack:
            return (
                f"{head}, which belongs to stack {self.owner_stack} "
                f"({self.owner_logical_id}): healing would break that stack"
            )
        return f"{head}; whether another stack owns it is unknown: {self.problem}"

    def to_json(self) -> dict[str, object]:
        return {
            "LogicalResourceId": self.logical_id,
            "ResourceType": self.resource_type,
            "PropertyPath": self.path,
            "Kind": self.kind,
            "Attachment": self.what,
            "OwningStack": self.owner_stack,
            "OwningLogicalResourceId": self.owner_logical_id,
            "Problem": self.problem,
        }
