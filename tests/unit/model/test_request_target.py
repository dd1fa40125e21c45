"""The single-stack event's Region and AccountId (set by the fleet)."""

from __future__ import annotations

import pytest

from healer.model.request import InvalidRequestError, parse_request


def test_region_and_account_are_optional_and_checked() -> None:
    request = parse_request(
        {"StackName": "app", "Region": "eu-west-1", "AccountId": "111122223333"}
    )
    assert (request.region, request.account_id) == ("eu-west-1", "111122223333")
    assert parse_request({"StackName": "app"}).account_id is None


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ({"StackName": "app", "AccountId": "1111"}, "AccountId: String should match pattern"),
        (
            {"StackName": "app", "AccountId": 111122223333},
            "AccountId: Input should be a valid string",
        ),
        ({"StackName": "app", "Region": "EU"}, "Region: String should match pattern"),
        # A region or account inside a longer string is no region or account.
        ({"StackName": "app", "Region": "xx-us-east-1-yy"}, "Region: String should match"),
        ({"StackName": "app", "AccountId": "1111222233334444"}, "AccountId: String should"),
        (
            {"StackName": "app", "Account": "111122223333"},
            "unknown field 'Account' (allowed: StackName, CreateChangeSetOnly, Region, AccountId, WaitForApproval",
        ),
    ],
)
def test_bad_targets_are_named(event: dict[str, object], says: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        parse_request(event)
    assert says in str(raised.value)
