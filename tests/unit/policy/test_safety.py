from healer.model.records import PlannedChange, PropertyDifference, ResourceDrift
from healer.policy.safety import SafetyPolicy, evaluate

POLICY = SafetyPolicy()


def drift(
    logical_id: str = "Param",
    *paths: str,
    resource_type: str = "AWS::SSM::Parameter",
    status: str = "MODIFIED",
) -> ResourceDrift:
    return ResourceDrift(
        logical_id=logical_id,
        physical_id="/p",
        resource_type=resource_type,
        drift_status=status,
        differences=[
            PropertyDifference(path=p, expected="a", actual="b", difference_type="NOT_EQUAL")
            for p in (paths or ("/Value",) if status == "MODIFIED" else ())
        ],
    )


def change(logical_id: str = "Param", *paths: str, **fields: str) -> PlannedChange:
    values = {"resource_type": "AWS::SSM::Parameter", "action": "Modify", "replacement": "False"}
    values.update(fields)
    return PlannedChange(
        logical_id=logical_id,
        property_paths=list(paths or ("/Value",)),
        **values,  # type: ignore[arg-type]
    )


PARAM = drift()


def test_plain_revert_of_the_drifted_property_is_automatic() -> None:
    decision = evaluate([change()], [PARAM], POLICY)
    assert decision.automatic and decision.held == [] and decision.warnings == []


def test_replacement_is_held_unless_allowed() -> None:
    [reason] = evaluate([change(replacement="True")], [PARAM], POLICY).held
    assert "replacement (True)" in reason and "ALLOW_REPLACEMENT=true" in reason
    allowing = SafetyPolicy(allow_replacement=True)
    assert evaluate([change(replacement="True")], [PARAM], allowing).automatic
    [conditional] = evaluate([change(replacement="Conditional")], [PARAM], POLICY).held
    assert "Conditional" in conditional


def test_change_to_a_resource_that_never_drifted_is_held() -> None:
    assert evaluate([change("Queue")], [PARAM], POLICY).held == [
        "Queue (AWS::SSM::Parameter): the change set changes it, but drift detection did not "
        "report it"
    ]


def test_change_to_a_property_that_did_not_drift_is_held() -> None:
    role = drift("Role", "/Tags/0/Value", resource_type="AWS::IAM::Role")
    over_broad = change(
        "Role", "/AssumeRolePolicyDocument", "/Tags", resource_type="AWS::IAM::Role"
    )
    assert evaluate([over_broad], [role], POLICY).held == [
        "Role (AWS::IAM::Role): the change set also changes /AssumeRolePolicyDocument, which "
        "drift detection did not report as drifted (drifted: /Tags/0/Value)"
    ]
    assert evaluate(
        [change("Role", "/Tags", resource_type="AWS::IAM::Role")], [role], POLICY
    ).automatic


def test_a_change_without_property_detail_is_held() -> None:
    bare = PlannedChange(logical_id="Param", resource_type="AWS::SSM::Parameter", action="Modify")
    [reason] = evaluate([bare], [PARAM], POLICY).held
    assert "names no changed property" in reason


def test_non_property_attributes_are_never_covered_by_drift() -> None:
    [reason] = evaluate([change("Param", "/Value", "Metadata")], [PARAM], POLICY).held
    assert "also changes Metadata" in reason


def test_modified_resource_planned_as_anything_but_modify_is_held() -> None:
    for action in ("Add", "Remove", "Dynamic", "Import"):
        [reason] = evaluate([change(action=action)], [PARAM], POLICY).held
        assert reason.endswith(f"reported it MODIFIED, but the change set plans {action}")


def test_deleted_resource_is_held_unless_recreation_is_allowed() -> None:
    deleted = drift(status="DELETED")
    recreate = PlannedChange(logical_id="Param", resource_type="AWS::SSM::Parameter", action="Add")
    held = evaluate([recreate], [deleted], POLICY)
    assert not held.automatic and "RECREATE_DELETED=true" in held.held[0]
    assert held.warnings == []
    allowed = evaluate([recreate], [deleted], SafetyPolicy(recreate_deleted=True))
    assert allowed.automatic
    [warning] = allowed.warnings
    assert warning.startswith("Param (AWS::SSM::Parameter) was deleted out of band")
    assert "not restored" in warning


def test_deleted_resource_planned_as_modify_is_held_even_when_recreation_is_allowed() -> None:
    decision = evaluate([change()], [drift(status="DELETED")], SafetyPolicy(recreate_deleted=True))
    assert decision.held == [
        "Param (AWS::SSM::Parameter): it was deleted out of band, but the change set plans Modify"
    ]


def test_excluded_types_are_held_by_default_and_configurable() -> None:
    table = drift(
        "Orders", "/ProvisionedThroughput/ReadCapacityUnits", resource_type="AWS::DynamoDB::Table"
    )
    revert = change("Orders", "/ProvisionedThroughput", resource_type="AWS::DynamoDB::Table")
    assert evaluate([revert], [table], POLICY).held == [
        "Orders (AWS::DynamoDB::Table): its type is excluded from automatic healing "
        "(AUTO_HEAL_EXCLUDE_TYPES: AWS::DynamoDB::*)"
    ]
    assert evaluate([revert], [table], SafetyPolicy(exclude_types=())).automatic
    ssm_excluded = SafetyPolicy(exclude_types=("AWS::SSM::*",))
    assert "AWS::SSM::*" in evaluate([change()], [PARAM], ssm_excluded).held[0]


def test_include_types_is_an_allow_list() -> None:
    only_queues = SafetyPolicy(include_types=("AWS::SQS::Queue",))
    assert evaluate([change()], [PARAM], only_queues).held == [
        "Param (AWS::SSM::Parameter): its type is not in AUTO_HEAL_INCLUDE_TYPES"
    ]
    assert evaluate([change()], [PARAM], SafetyPolicy(include_types=("AWS::SSM::*",))).automatic


def test_at_most_max_auto_changes_resources() -> None:
    drifted = [drift(f"P{i}") for i in range(3)]
    changes = [change(f"P{i}") for i in range(3)]
    assert evaluate(changes, drifted, SafetyPolicy(max_auto_changes=3)).automatic
    assert evaluate(changes, drifted, SafetyPolicy(max_auto_changes=2)).held == [
        "the change set changes 3 resources; MAX_AUTO_CHANGES allows at most 2 automatically"
    ]


def test_reverting_ignored_drift_is_held() -> None:
    both = drift("Param", "/Value", "/Tags/team")
    policy = SafetyPolicy(ignore_drift=("AWS::SSM::Parameter:/Tags/*",))
    assert evaluate([change("Param", "/Value")], [both], policy).automatic
    assert evaluate([change("Param", "/Value", "/Tags")], [both], policy).held == [
        "Param (AWS::SSM::Parameter): the change set would also revert ignored drift at "
        "/Tags/team (IGNORE_DRIFT)"
    ]
    by_id = SafetyPolicy(ignore_drift=("Par*",))
    [reason] = evaluate([change()], [PARAM], by_id).held
    assert "its drift is ignored (IGNORE_DRIFT: Par*)" in reason


def test_metadata_sync_is_never_held() -> None:
    sync = PlannedChange(
        logical_id="Other", resource_type="AWS::RDS::DBInstance", action="SyncWithActual"
    )
    assert evaluate([sync], [PARAM], SafetyPolicy(max_auto_changes=0)).automatic


def test_every_fired_rule_is_listed() -> None:
    table = drift("T", resource_type="AWS::DynamoDB::Table")
    bad = change(
        "T", "/Value", "/BillingMode", resource_type="AWS::DynamoDB::Table", replacement="True"
    )
    held = evaluate([bad], [table], SafetyPolicy(max_auto_changes=0)).held
    assert len(held) == 4
    assert [h.split(": ", 1)[1][:20] for h in held[:3]] == [
        "its type is excluded",
        "reverting needs repl",
        "the change set also ",
    ]
    assert held[3].startswith("the change set changes 1 resources")
