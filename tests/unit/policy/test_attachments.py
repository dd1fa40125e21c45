"""The cross-stack attachment guard's pure decisions (healer.policy.attachments)."""

from __future__ import annotations

import json

from healer.model import GroupRule, OwnerLookup, PlannedChange, PropertyDifference, ResourceDrift
from healer.policy import SafetyPolicy, evaluate
from healer.policy.attachments import (
    MAX_LOOKUPS,
    find_removals,
    judge,
    lookup_ids,
    rule_id,
    rules_by_group,
    with_rule_ids,
)

SG = "AWS::EC2::SecurityGroup"
ROLE = "AWS::IAM::Role"
SSH = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "192.168.0.0/16"}
ARN = "arn:aws:iam::123456789012:policy/extra-read"
A_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/base/1"


def added(path: str, value: object, kind: str = "ADD") -> PropertyDifference:
    text = value if isinstance(value, str) else json.dumps(value)
    return PropertyDifference(path=path, expected=None, actual=text, difference_type=kind)


def drift(logical_id: str, resource_type: str, *diffs: PropertyDifference) -> ResourceDrift:
    return ResourceDrift(
        logical_id=logical_id,
        physical_id="sg-1" if resource_type == SG else "base-app",
        resource_type=resource_type,
        drift_status="MODIFIED",
        differences=list(diffs),
    )


def change(logical_id: str, resource_type: str, *paths: str) -> PlannedChange:
    return PlannedChange(
        logical_id=logical_id,
        resource_type=resource_type,
        action="Modify",
        replacement="False",
        property_paths=list(paths),
    )


def rule(rule_id: str, **fields: object) -> GroupRule:
    values: dict[str, object] = {"egress": False, "protocol": "tcp", "from_port": 22}
    values.update({"to_port": 22, "cidr_ipv4": "192.168.0.0/16"} | fields)
    return GroupRule(rule_id=rule_id, **values)  # type: ignore[arg-type]


def test_an_added_rule_the_change_set_reverts_is_a_removal() -> None:
    [removal] = find_removals(
        [change("Web", SG, "/SecurityGroupIngress")],
        [drift("Web", SG, added("/SecurityGroupIngress/1", SSH))],
    )
    assert (removal.kind, removal.what) == ("ingress rule", "tcp 22-22 from 192.168.0.0/16")
    assert removal.physical_id == "sg-1" and removal.lookup_id is None


def test_a_managed_policy_is_looked_up_by_its_arn() -> None:
    [removal] = find_removals(
        [change("App", ROLE, "/ManagedPolicyArns")],
        [drift("App", ROLE, added("/ManagedPolicyArns/1", ARN))],
    )
    assert (removal.lookup_id, removal.lookup_type) == (ARN, "AWS::IAM::ManagedPolicy")
    assert lookup_ids([removal]) == [ARN]


def test_what_is_not_an_attachment_or_not_reverted_is_no_removal() -> None:
    drifted = [
        drift("Web", SG, added("/SecurityGroupIngress/1", SSH), added("/Tags/0", {"Key": "a"})),
        drift("App", ROLE, added("/ManagedPolicyArns/1", ARN)),
    ]
    # The change set reverts only the group's tags; the role is not in it.
    assert find_removals([change("Web", SG, "/Tags")], drifted) == []
    # A value changed inside a rule is not a whole element added.
    nested = [drift("Web", SG, added("/SecurityGroupIngress/0/CidrIp", "1.2.3.4/32", "NOT_EQUAL"))]
    assert find_removals([change("Web", SG, "/SecurityGroupIngress")], nested) == []


def test_a_rule_id_is_found_only_when_exactly_one_rule_matches() -> None:
    [removal] = find_removals(
        [change("Web", SG, "/SecurityGroupIngress")],
        [drift("Web", SG, added("/SecurityGroupIngress/1", SSH))],
    )
    assert rule_id(removal, [rule("sgr-443", from_port=443, to_port=443), rule("sgr-22")]) == (
        "sgr-22"
    )
    assert rule_id(removal, [rule("sgr-22", egress=True)]) is None
    assert rule_id(removal, [rule("sgr-a"), rule("sgr-b")]) is None  # ambiguous
    assert rules_by_group([removal]) == {"sg-1": [removal]}
    [with_id] = with_rule_ids([removal], {("Web", "/SecurityGroupIngress/1"): "sgr-22"})
    assert with_id.lookup_id == "sgr-22"


def removals_with_ids() -> list:  # type: ignore[type-arg]
    removals = find_removals(
        [change("Web", SG, "/SecurityGroupIngress"), change("App", ROLE, "/ManagedPolicyArns")],
        [
            drift("Web", SG, added("/SecurityGroupIngress/1", SSH)),
            drift("App", ROLE, added("/ManagedPolicyArns/1", ARN)),
        ],
    )
    return with_rule_ids(removals, {("Web", "/SecurityGroupIngress/1"): "sgr-22"})


def test_owned_by_another_stack_is_held_naming_it() -> None:
    lookups: dict[str, OwnerLookup | str] = {
        "sgr-22": OwnerLookup(
            physical_id="sgr-22", stack_id="arn:other", stack_name="other", logical_id="Ssh"
        ),
        ARN: OwnerLookup(physical_id=ARN),  # no stack owns it: ordinary drift
    }
    [held] = judge(removals_with_ids(), lookups, {}, A_ID)
    assert (held.owner_stack, held.owner_logical_id, held.own_stack) == ("other", "Ssh", False)
    assert held.reason() == (
        "Web (AWS::EC2::SecurityGroup): reverting /SecurityGroupIngress/1 removes the ingress "
        "rule tcp 22-22 from 192.168.0.0/16, which belongs to stack other (Ssh): healing "
        "would break that stack"
    )


def test_owned_by_this_stack_through_another_resource_is_held() -> None:
    lookups: dict[str, OwnerLookup | str] = {
        "sgr-22": OwnerLookup(
            physical_id="sgr-22", stack_id=A_ID, stack_name="base", logical_id="R"
        ),
        ARN: OwnerLookup(physical_id=ARN),
    }
    [held] = judge(removals_with_ids(), lookups, {}, A_ID)
    assert held.own_stack and "this stack's own R attaches" in held.reason()


def test_what_cannot_be_checked_is_held_saying_why() -> None:
    removals = removals_with_ids()
    lookups: dict[str, OwnerLookup | str] = {ARN: "Throttling: Rate exceeded"}
    held = judge(removals, lookups, {"sg-1": "AccessDenied: not authorized"}, A_ID)
    assert [h.problem for h in held] == [
        "the group's rules could not be read: AccessDenied: not authorized",
        "the owner lookup failed: Throttling: Rate exceeded",
    ]
    no_id = with_rule_ids(removals, {})
    assert judge(no_id[:1], {}, {}, A_ID)[0].problem == (
        "no single rule of the group matches it, so its rule id is unknown"
    )


def test_inline_policies_and_removals_past_the_limit_are_held_unchecked() -> None:
    inline = find_removals(
        [change("App", ROLE, "/Policies")],
        [drift("App", ROLE, added("/Policies/1", {"PolicyName": "x", "PolicyDocument": {}}))],
    )
    [held] = judge(inline, {}, {}, A_ID)
    assert held.what == "x" and "cannot be looked up" in str(held.problem)
    many = [added(f"/ManagedPolicyArns/{i}", f"{ARN}-{i}") for i in range(1, MAX_LOOKUPS + 3)]
    removals = find_removals(
        [change("App", ROLE, "/ManagedPolicyArns")], [drift("App", ROLE, *many)]
    )
    ids = lookup_ids(removals)
    assert len(ids) == MAX_LOOKUPS
    held_many = judge(removals, {i: OwnerLookup(physical_id=i) for i in ids}, {}, A_ID)
    assert len(held_many) == 2 and all("more than" in str(h.problem) for h in held_many)


def test_the_safety_policy_holds_on_a_held_attachment() -> None:
    [held] = judge(removals_with_ids()[1:], {ARN: "denied"}, {}, A_ID)
    changes = [change("App", ROLE, "/ManagedPolicyArns")]
    drifted = [drift("App", ROLE, added("/ManagedPolicyArns/1", ARN))]
    assert evaluate(changes, drifted, SafetyPolicy()).automatic
    decision = evaluate(changes, drifted, SafetyPolicy(), attachments=[held])
    assert not decision.automatic and decision.held == [held.reason()]
