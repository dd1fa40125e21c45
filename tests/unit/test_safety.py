from healer.model import PlannedChange, ResourceDrift
from healer.safety import review_reasons

PARAM = ResourceDrift(
    logical_id="Param",
    physical_id="/p",
    resource_type="AWS::SSM::Parameter",
    drift_status="MODIFIED",
)


def change(logical_id: str = "Param", **fields: str) -> PlannedChange:
    values = {"resource_type": "AWS::SSM::Parameter", "action": "Modify", "replacement": "False"}
    values.update(fields)
    return PlannedChange(logical_id=logical_id, **values)  # type: ignore[arg-type]


def test_plain_revert_of_drifted_resource_is_safe() -> None:
    assert review_reasons([change()], [PARAM], allow_replacement=False) == []


def test_replacement_is_held_unless_allowed() -> None:
    reasons = review_reasons([change(replacement="True")], [PARAM], allow_replacement=False)
    assert len(reasons) == 1 and "replacement (True)" in reasons[0]
    assert review_reasons([change(replacement="True")], [PARAM], allow_replacement=True) == []
    conditional = review_reasons(
        [change(replacement="Conditional")], [PARAM], allow_replacement=False
    )
    assert "Conditional" in conditional[0]


def test_change_to_a_resource_that_never_drifted_is_held() -> None:
    reasons = review_reasons([change("Queue")], [PARAM], allow_replacement=False)
    assert reasons == [
        "Queue (AWS::SSM::Parameter): the change set changes it, but drift detection did not report it"
    ]


def test_removal_is_held() -> None:
    reasons = review_reasons([change(action="Remove")], [PARAM], allow_replacement=True)
    assert "action Remove" in reasons[0]


def test_metadata_sync_is_safe_even_without_drift() -> None:
    sync = change("Other", action="SyncWithActual", replacement="")
    assert review_reasons([sync], [PARAM], allow_replacement=False) == []
