"""Break-glass holds and the thrash guard, as rules of the safety policy."""

from __future__ import annotations

from datetime import UTC, datetime

from healer.model import HealCount, LastChange, PlannedChange, PropertyDifference, ResourceDrift
from healer.policy import GuardPolicy, Knowledge, SafetyPolicy, evaluate

DRIFT = ResourceDrift(
    logical_id="P",
    physical_id="/p",
    resource_type="AWS::SSM::Parameter",
    drift_status="MODIFIED",
    differences=[
        PropertyDifference(path="/Value", expected="a", actual="b", difference_type="NOT_EQUAL")
    ],
)
CHANGE = PlannedChange(
    logical_id="P",
    resource_type="AWS::SSM::Parameter",
    action="Modify",
    replacement="False",
    property_paths=["/Value"],
)
CAROL = LastChange(
    logical_id="P",
    resource_type="AWS::SSM::Parameter",
    principal="arn:aws:sts::1:assumed-role/Incident/carol",
    principal_type="AssumedRole",
    issuer="arn:aws:iam::1:role/Incident",
    event_name="PutParameter",
    event_source="ssm.amazonaws.com",
    event_time=datetime(2026, 12, 8, 1, 2, tzinfo=UTC),
    event_id="e",
    via="console",
)


def decide(guards: GuardPolicy, known: Knowledge) -> list[str]:
    return evaluate([CHANGE], [DRIFT], SafetyPolicy(guards=guards), known=known).held


def test_a_break_glass_principal_holds_the_change_naming_who_and_when() -> None:
    [reason] = decide(
        GuardPolicy(hold_if_changed_by=("arn:aws:iam::*:role/Incident",)),
        Knowledge({"P": CAROL}, {}, {}),
    )
    assert CAROL.principal in reason and "2026-12-08 01:02 UTC" in reason
    assert "HOLD_IF_CHANGED_BY: arn:aws:iam::*:role/Incident" in reason


def test_others_pass_and_no_globs_means_no_rule() -> None:
    other = GuardPolicy(hold_if_changed_by=("arn:aws:iam::*:role/Other",))
    assert decide(other, Knowledge({"P": CAROL}, {}, {})) == []
    assert decide(GuardPolicy(), Knowledge({}, {"P": "throttled"}, {})) == []


def test_break_glass_without_attribution_fails_closed() -> None:
    guards = GuardPolicy(hold_if_changed_by=("arn:aws:iam::*:role/Incident",))
    [reason] = decide(guards, Knowledge({}, {"P": "the CloudTrail lookup failed"}, {}))
    assert "not known (the CloudTrail lookup failed)" in reason


def test_thrash_holds_at_the_limit_naming_who_keeps_changing_it() -> None:
    heals = {"P/Value": HealCount(count=3, principals=["arn:robot"])}
    [reason] = decide(GuardPolicy(), Knowledge({"P": CAROL}, {}, heals))
    assert "P/Value was healed 3 times in the last 24 h" in reason
    assert "arn:robot" in reason and CAROL.principal in reason


def test_below_the_limit_or_off_it_heals() -> None:
    heals = {"P/Value": HealCount(count=2)}
    assert decide(GuardPolicy(), Knowledge({}, {}, heals)) == []
    assert (
        decide(GuardPolicy(thrash_heals=0), Knowledge({}, {}, {"P/Value": HealCount(count=9)}))
        == []
    )


def test_thrash_without_history_fails_closed() -> None:
    [reason] = decide(GuardPolicy(), Knowledge({}, {}, {}, heals_unknown="state unavailable"))
    assert "could not read the run history (state unavailable)" in reason
