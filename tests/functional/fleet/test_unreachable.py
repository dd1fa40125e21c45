"""One account or region the fleet cannot reach is reported in the digest; the others heal."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from fleet import clients
from fleet.steps import MAX_ATTEMPTS
from tests.functional.fleet.harness import FakeCloudFormation, StubHealer, run_fleet

DENIED, GOOD = "999988887777", "111122223333"


def stack(name: str) -> dict[str, Any]:
    return {"StackName": name, "StackStatus": "UPDATE_COMPLETE", "Tags": []}


class Unreachable:
    """A CloudFormation client whose every call fails the way `code` says."""

    def __init__(self, code: str, message: str, operation: str) -> None:
        self.error = ClientError({"Error": {"Code": code, "Message": message}}, operation)
        self.calls = 0

    def describe_stacks(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        raise self.error


@pytest.fixture
def places(monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str | None, str | None], Any]:
    """(region, account) -> its CloudFormation client, as `fleet.clients` would make it."""
    table: dict[tuple[str | None, str | None], Any] = {}
    monkeypatch.setattr(clients, "cloudformation", lambda region, account: table[region, account])
    return table


@pytest.mark.parametrize(
    ("code", "message", "operation"),
    [
        # The denied account's role does not trust the fleet (or does not exist).
        ("AccessDenied", "not authorized to perform: sts:AssumeRole", "AssumeRole"),
        # An opt-in region that is not enabled in that account.
        ("InvalidClientTokenId", "The security token included in the request is invalid", "X"),
        ("UnrecognizedClientException", "The security token is invalid", "DescribeStacks"),
    ],
)
def test_an_unreachable_account_is_reported_and_the_other_accounts_are_healed(
    places: dict[tuple[str | None, str | None], Any],
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    message: str,
    operation: str,
) -> None:
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", f"{DENIED},{GOOD}")
    denied = Unreachable(code, message, operation)
    places["eu-west-1", DENIED] = places["us-east-1", DENIED] = denied
    places["eu-west-1", GOOD] = FakeCloudFormation([stack("app-a-drifted"), stack("app-b")])
    places["us-east-1", GOOD] = FakeCloudFormation([stack("app-c-drifted")])
    stub = StubHealer()

    run = run_fleet(
        {"Fleet": {"Accounts": [DENIED, GOOD], "Regions": ["eu-west-1", "us-east-1"]}}, stub
    )

    digest = run.digest
    assert (digest["Checked"], digest["Healed"]) == (3, 2)
    assert sorted(stub.started) == [
        f"{GOOD}/eu-west-1/app-a-drifted",
        f"{GOOD}/eu-west-1/app-b",
        f"{GOOD}/us-east-1/app-c-drifted",
    ]
    failures = {f["Where"]: f["Reason"] for f in digest["ListingFailures"]["Items"]}
    assert set(failures) == {f"{DENIED}/eu-west-1", f"{DENIED}/us-east-1"}
    for reason in failures.values():
        assert reason.startswith("listing failed: ") and code in reason and message in reason
    assert digest["ListingsFailed"] == 2
    assert denied.calls == 2  # not an error worth retrying: one attempt per place


def test_the_digest_text_says_where_nothing_was_checked(
    places: dict[tuple[str | None, str | None], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", f"{DENIED},{GOOD}")
    places[None, DENIED] = Unreachable("AccessDenied", "no trust", "AssumeRole")
    places[None, GOOD] = FakeCloudFormation([stack("app-a")])
    published: list[dict[str, Any]] = []

    class Topic:
        def publish(self, **kwargs: Any) -> dict[str, Any]:
            published.append(kwargs)
            return {"MessageId": "m-1"}

    monkeypatch.setattr(clients, "sns", Topic)
    monkeypatch.setenv("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:drift")

    run_fleet({"Fleet": {"Accounts": [DENIED, GOOD]}}, StubHealer())

    (notice,) = published
    assert notice["Subject"].endswith(", 1 not listed")
    assert (
        f"{DENIED}/home: listing failed: An error occurred (AccessDenied) when calling the "
        "AssumeRole operation: no trust"
    ) in notice["Message"]


def test_an_account_outside_the_allow_list_is_never_assumed(
    places: dict[tuple[str | None, str | None], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TARGET_ACCOUNT_IDS", GOOD)
    outside = Unreachable("AccessDenied", "must not be called", "AssumeRole")
    places[None, DENIED] = outside
    places[None, GOOD] = FakeCloudFormation([stack("app-a")])
    stub = StubHealer()

    run = run_fleet({"Fleet": {"Accounts": [DENIED, GOOD]}}, stub)

    assert outside.calls == 0
    assert list(stub.started) == [f"{GOOD}/home/app-a"]
    (failure,) = run.digest["ListingFailures"]["Items"]
    assert failure["Where"] == f"{DENIED}/home"
    assert failure["Reason"].startswith(
        f"not listed: account {DENIED} is not in TARGET_ACCOUNT_IDS"
    )


class NoEndpoint:
    """A region whose endpoint never answers (botocore's EndpointConnectionError)."""

    def __init__(self) -> None:
        self.calls = 0

    def describe_stacks(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        raise EndpointConnectionError(endpoint_url="https://cloudformation.xx-gone-1.amazonaws.com")


def test_a_region_without_an_endpoint_is_retried_then_reported(
    places: dict[tuple[str | None, str | None], Any],
) -> None:
    gone = NoEndpoint()
    places["xx-gone-1", None] = gone
    places["eu-west-1", None] = FakeCloudFormation([stack("app-a-drifted")])
    stub = StubHealer()

    run = run_fleet({"Fleet": {"Regions": ["xx-gone-1", "eu-west-1"]}}, stub)

    assert gone.calls == MAX_ATTEMPTS  # connection trouble may pass: retried, then given up
    assert list(stub.started) == ["home/eu-west-1/app-a-drifted"]
    (failure,) = run.digest["ListingFailures"]["Items"]
    assert failure["Where"] == "home/xx-gone-1"
    assert "Could not connect to the endpoint URL" in failure["Reason"]
