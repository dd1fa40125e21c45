"""EC2 data access for the attachment guard: one API call per function (a paginated read
counts as one).

`DescribeSecurityGroupRules` (botocore ec2 model) lists a group's rules with their ids
(`SecurityGroupRuleId`), `IsEgress`, `IpProtocol`, `FromPort`/`ToPort` (-1 for all),
`CidrIpv4`, `CidrIpv6`, `PrefixListId` and `ReferencedGroupInfo.GroupId`; filter `group-id`.
"""

from __future__ import annotations

from typing import Any

from healer.aws import clients
from healer.model import GroupRule


def _port(value: Any) -> int | None:
    return None if value is None else int(value)


def list_group_rules(group_id: str) -> list[GroupRule]:
    rules: list[GroupRule] = []
    paginator = clients.ec2().get_paginator("describe_security_group_rules")
    for page in paginator.paginate(Filters=[{"Name": "group-id", "Values": [group_id]}]):
        for rule in page.get("SecurityGroupRules", []):
            if rule.get("GroupId", group_id) != group_id:
                continue
            rules.append(
                GroupRule(
                    rule_id=str(rule["SecurityGroupRuleId"]),
                    egress=bool(rule.get("IsEgress")),
                    protocol=str(rule.get("IpProtocol", "")).lower(),
                    from_port=_port(rule.get("FromPort")),
                    to_port=_port(rule.get("ToPort")),
                    cidr_ipv4=rule.get("CidrIpv4"),
                    cidr_ipv6=rule.get("CidrIpv6"),
                    prefix_list_id=rule.get("PrefixListId"),
                    group_id=(rule.get("ReferencedGroupInfo") or {}).get("GroupId"),
                )
            )
    return rules
