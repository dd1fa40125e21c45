"""AWS::EC2::SecurityGroup reader and writer (moto's EC2 backend), rules included.

aws-resource-ec2-securitygroup: GroupDescription, GroupName and VpcId "Update requires:
Replacement"; SecurityGroupIngress, SecurityGroupEgress and Tags "No interruption".

Rules are read one entry per rule (a CIDR range or a source group), in the order they were
added, in the template's shape (IpProtocol, FromPort, ToPort, CidrIp | CidrIpv6 |
SourceSecurityGroupId, Description). So a rule added by a separate
`AWS::EC2::SecurityGroupIngress` — of this stack or another — shows as an `ADD` on the group's
`SecurityGroupIngress` when the group declares that property, as drift detection reports
(cloudformation-coverage-roadmap #1198, #1387; research.md §6), and a REVERT_DRIFT of the
group removes it. Reverting revokes the rules the template does not list and authorizes the
ones it lists that are missing.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends

from . import values
from .resource_types import ResourceType, tag_changes, tag_list, tag_map

_ALL = "-1"


def rule_shape(rule: Any) -> dict[str, Any]:
    """One moto SecurityGroupRule in the template's property shape."""
    shape: dict[str, Any] = {"IpProtocol": rule.ip_protocol}
    if rule.ip_protocol != _ALL:
        shape["FromPort"] = rule.from_port
        shape["ToPort"] = rule.to_port
    if rule.ip_range.get("CidrIp"):
        shape["CidrIp"] = rule.ip_range["CidrIp"]
    if rule.ip_range.get("CidrIpv6"):
        shape["CidrIpv6"] = rule.ip_range["CidrIpv6"]
    if rule.source_group.get("GroupId"):
        shape["SourceSecurityGroupId"] = rule.source_group["GroupId"]
    if rule.ip_range.get("Description"):
        shape["Description"] = rule.ip_range["Description"]
    return shape


def _same(declared: dict[str, Any], actual: dict[str, Any]) -> bool:
    return values.equal(declared, {k: v for k, v in actual.items() if k in declared})


class SecurityGroup(ResourceType):
    type_name = "AWS::EC2::SecurityGroup"
    replacement = frozenset({"GroupDescription", "GroupName", "VpcId"})

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        group = ec2_backends[account][region].get_security_group_from_id(physical_id)
        if group is None:
            return None
        props: dict[str, Any] = {
            "GroupDescription": group.description,
            "SecurityGroupIngress": [rule_shape(r) for r in group.ingress_rules],
            "SecurityGroupEgress": [rule_shape(r) for r in group.egress_rules],
            "Tags": [{"Key": t["key"], "Value": t["value"]} for t in group.get_tags()],
        }
        if group.vpc_id:
            props["VpcId"] = group.vpc_id
        return props

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        backend = ec2_backends[account][region]
        group = backend.get_security_group_from_id(physical_id)
        if group is None:
            return
        if "SecurityGroupIngress" in desired:
            self._rules(backend, group, desired["SecurityGroupIngress"] or [], egress=False)
        if "SecurityGroupEgress" in desired:
            self._rules(backend, group, desired["SecurityGroupEgress"] or [], egress=True)
        if "Tags" in desired:
            current = {t["key"]: t["value"] for t in group.get_tags()}
            to_set, to_remove = tag_changes(current, tag_map(desired["Tags"]))
            if to_remove:
                backend.delete_tags([physical_id], {k: current[k] for k in to_remove})
            if to_set:
                backend.create_tags([physical_id], {t["Key"]: t["Value"] for t in tag_list(to_set)})

    @staticmethod
    def _rules(backend: Any, group: Any, wanted: list[dict[str, Any]], *, egress: bool) -> None:
        current = list(group.egress_rules if egress else group.ingress_rules)
        extra = [r.id for r in current if not any(_same(w, rule_shape(r)) for w in wanted)]
        revoke = (
            backend.revoke_security_group_egress
            if egress
            else backend.revoke_security_group_ingress
        )
        if extra:
            revoke(group.id, None, None, None, [], security_rule_ids=extra)
        authorize = (
            backend.authorize_security_group_egress
            if egress
            else backend.authorize_security_group_ingress
        )
        for rule in wanted:
            if any(_same(rule, rule_shape(r)) for r in current):
                continue
            ranges: list[dict[str, str]] = []
            for key in ("CidrIp", "CidrIpv6"):
                if rule.get(key):
                    entry = {key: str(rule[key])}
                    if rule.get("Description"):
                        entry["Description"] = str(rule["Description"])
                    ranges.append(entry)
            source = (
                [{"GroupId": str(rule["SourceSecurityGroupId"])}]
                if rule.get("SourceSecurityGroupId")
                else []
            )
            authorize(
                group.id,
                str(rule["IpProtocol"]),
                str(rule.get("FromPort", _ALL)),
                str(rule.get("ToPort", _ALL)),
                ranges,
                source_groups=source,
            )


HANDLERS: list[ResourceType] = [SecurityGroup()]
