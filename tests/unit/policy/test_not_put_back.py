"""What REVERT_DRIFT leaves as it is (healer.policy.not_put_back)."""

from __future__ import annotations

from healer.model import IgnoredAttribute, PlannedChange, PropertyDifference, ResourceDrift
from healer.policy import describe_not_put_back, not_put_back


def change(**fields: object) -> PlannedChange:
    values: dict[str, object] = {
        "logical_id": "Db",
        "resource_type": "AWS::RDS::DBInstance",
        "action": "Modify",
        "property_paths": ["/AllocatedStorage"],
    }
    values.update(fields)
    return PlannedChange(**values)  # type: ignore[arg-type]


def test_ignored_attributes_are_listed_with_their_reason() -> None:
    planned = change(
        ignored_attributes=[
            IgnoredAttribute(path="/Properties/MasterUserPassword", reason="WRITE_ONLY_PROPERTY"),
            IgnoredAttribute(path="/Properties/Endpoint", reason="MANAGED_BY_AWS"),
            IgnoredAttribute(path="/Properties/Secret", reason="SENSITIVE_PROPERTY"),
        ]
    )
    items = not_put_back([planned], [])
    assert [(i.path, i.reason) for i in items] == [
        ("/Properties/MasterUserPassword", "WRITE_ONLY_PROPERTY"),
        ("/Properties/Endpoint", "MANAGED_BY_AWS"),
        ("/Properties/Secret", "SENSITIVE_PROPERTY"),
    ]
    assert describe_not_put_back(items[0]) == (
        "Db (AWS::RDS::DBInstance) /Properties/MasterUserPassword: write-only: compared with "
        "the previous deployment, not the live value"
    )


def test_a_two_way_comparison_type_is_listed_whole() -> None:
    [item] = not_put_back([change(drift_status="UNSUPPORTED", ignored_attributes=[])], [])
    assert (item.path, item.reason) == ("*", "TWO_WAY_COMPARISON")
    assert "compares templates only" in describe_not_put_back(item)


def test_tag_keys_added_outside_the_template_are_listed() -> None:
    def added(path: str, actual: str) -> PropertyDifference:
        return PropertyDifference(path=path, expected=None, actual=actual, difference_type="ADD")

    drifted = [
        ResourceDrift(
            logical_id="Queue",
            physical_id="q",
            resource_type="AWS::SQS::Queue",
            drift_status="MODIFIED",
            differences=[
                added("/Tags/2", '{"Key":"cost-center","Value":"42"}'),
                added("/Tags/owner", "me"),  # map-valued tags (AWS::SSM::Parameter)
                PropertyDifference(
                    path="/Tags/0/Value", expected="a", actual="b", difference_type="NOT_EQUAL"
                ),
                added("/RedrivePolicy/x", "1"),
            ],
        )
    ]
    items = not_put_back([], drifted)
    assert [(i.path, i.reason) for i in items] == [
        ("/Tags/cost-center", "TAG_ADDED_OUTSIDE_TEMPLATE"),
        ("/Tags/owner", "TAG_ADDED_OUTSIDE_TEMPLATE"),
    ]


def test_nothing_left_is_an_empty_list() -> None:
    assert not_put_back([change()], []) == []
