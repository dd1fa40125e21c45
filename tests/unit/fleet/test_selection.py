"""Which stacks a fleet heals (pure), the fleet event's validation and its batching."""

from __future__ import annotations

from typing import Any

import pytest

from fleet.plan import plan_groups
from fleet.request import (
    BatchRequest,
    FleetRequest,
    InvalidFleetRequestError,
    Selector,
    Target,
    parse_fleet_event,
)
from fleet.selection import not_found, select_page


def stack(
    name: str, status: str = "CREATE_COMPLETE", tags: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "StackName": name,
        "StackStatus": status,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        **extra,
    }


def chosen(
    selector: dict[str, Any], stacks: list[dict[str, Any]]
) -> tuple[list[str], dict[str, str]]:
    page = select_page(
        Selector.model_validate(selector), stacks, region="eu-west-1", account_id=None
    )
    return [t.stack_name for t in page.selected], {s.key: s.reason for s in page.skipped}


def test_names_and_patterns_add_up_and_nothing_else_is_reported() -> None:
    names, skipped = chosen(
        {"Names": ["billing"], "NamePatterns": ["app-*", "web-?"]},
        [stack("billing"), stack("app-a"), stack("web-1"), stack("web-10"), stack("other")],
    )
    assert names == ["billing", "app-a", "web-1"]
    assert skipped == {}


def test_no_names_and_no_patterns_selects_every_stack() -> None:
    assert chosen({}, [stack("a"), stack("b")])[0] == ["a", "b"]


def test_patterns_are_case_sensitive_like_stack_names() -> None:
    assert chosen({"NamePatterns": ["app-*"]}, [stack("App-a"), stack("app-b")])[0] == ["app-b"]


def test_every_tag_must_match() -> None:
    names, _ = chosen(
        {"Tags": {"team": "payments", "env": "prod"}},
        [
            stack("both", tags={"team": "payments", "env": "prod", "x": "y"}),
            stack("one", tags={"team": "payments"}),
            stack("wrong", tags={"team": "payments", "env": "dev"}),
        ],
    )
    assert names == ["both"]


def test_exclusions_win_and_are_reported() -> None:
    names, skipped = chosen(
        {"NamePatterns": ["app-*"], "Exclude": ["*-sandbox"]},
        [stack("app-sandbox"), stack("app-a")],
    )
    assert names == ["app-a"]
    assert skipped == {"home/eu-west-1/app-sandbox": "excluded by '*-sandbox'"}


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("UPDATE_IN_PROGRESS", "UPDATE_IN_PROGRESS, not stable"),
        ("ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE, not stable"),
        ("CREATE_FAILED", "CREATE_FAILED, not stable"),
        ("UPDATE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED, not stable"),
        ("DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS: being deleted"),
        ("DELETE_FAILED", "DELETE_FAILED: being deleted"),
    ],
)
def test_unstable_and_deleting_stacks_are_reported_not_touched(status: str, says: str) -> None:
    names, skipped = chosen({}, [stack("app", status)])
    assert names == []
    assert says in skipped["home/eu-west-1/app"]


@pytest.mark.parametrize(
    "status", ["UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "UPDATE_COMPLETE"]
)
def test_stable_statuses_are_selected(status: str) -> None:
    assert chosen({}, [stack("app", status)])[0] == ["app"]


def test_nested_stacks_are_skipped_with_the_reason() -> None:
    root = "arn:aws:cloudformation:eu-west-1:111122223333:stack/root/abc"
    names, skipped = chosen({}, [stack("root-child-1", ParentId=root, RootId=root), stack("root")])
    assert names == ["root"]
    assert "nested stack (parent root)" in skipped["home/eu-west-1/root-child-1"]
    assert "does not recurse" in skipped["home/eu-west-1/root-child-1"]


def test_named_stacks_found_nowhere_are_reported() -> None:
    assert [s.key for s in not_found(["a", "b", "a"], ["b"])] == ["a"]


def test_the_target_key_names_account_region_and_stack() -> None:
    assert (
        Target(StackName="s", Region="eu-west-1", AccountId="111122223333").key
        == "111122223333/eu-west-1/s"
    )


def test_a_full_fleet_event_parses() -> None:
    request = parse_fleet_event(
        {
            "Fleet": {
                "Regions": ["eu-west-1", "us-east-1"],
                "Accounts": ["111122223333"],
                "Names": ["billing"],
                "NamePatterns": ["app-*"],
                "Tags": {"team": "payments"},
                "Exclude": ["*-sandbox"],
                "CreateChangeSetOnly": True,
                "WaitForApproval": False,
                "MaxConcurrency": 10,
            }
        }
    )
    assert isinstance(request, FleetRequest)
    assert request.regions == ("eu-west-1", "us-east-1") and request.max_concurrency == 10
    assert request.wait_for_approval is False


def test_defaults_review_mode_and_ten_at_a_time() -> None:
    request = parse_fleet_event({"Fleet": {}})
    assert request.create_change_set_only is True and request.max_concurrency == 10
    assert request.wait_for_approval is None  # not passed on: the healer decides


@pytest.mark.parametrize(
    ("event", "says"),
    [
        (
            {"Fleet": {"Region": ["eu-west-1"]}},
            "unknown field 'Region' (allowed: CreateChangeSetOnly, WaitForApproval, MaxConcurrency, Regions,",
        ),
        (
            {"Fleet": {"CreateChangeSetOnly": "false"}},
            "CreateChangeSetOnly: Input should be a valid boolean",
        ),
        (
            {"Fleet": {"MaxConcurrency": 0}},
            "MaxConcurrency: Input should be greater than or equal to 1",
        ),
        ({"Fleet": {"MaxConcurrency": 1.5}}, "MaxConcurrency: Input should be a valid integer"),
        ({"Fleet": {"Accounts": ["1234"]}}, "Accounts.0: String should match pattern"),
        ({"Fleet": {"Regions": ["Europe"]}}, "Regions.0: String should match pattern"),
        ({"Fleet": {"NamePatterns": ["app_*"]}}, "NamePatterns.0: String should match pattern"),
        ({"Fleet": {}, "StackName": "x"}, "exactly one field, Fleet"),
        ({"Fleet": []}, "Fleet must be a JSON object, got list"),
        ([], "the event must be a JSON object, got list"),
    ],
)
def test_bad_fleet_events_are_named(event: Any, says: str) -> None:
    with pytest.raises(InvalidFleetRequestError, match=None) as raised:
        parse_fleet_event(event)
    assert says in str(raised.value)


def test_a_batch_event_needs_stacks() -> None:
    with pytest.raises(InvalidFleetRequestError, match="Stacks"):
        parse_fleet_event({"FleetBatch": {"Stacks": []}})
    batch = parse_fleet_event(
        {"FleetBatch": {"Stacks": [{"StackName": "a", "Region": "eu-west-1"}]}}
    )
    assert isinstance(batch, BatchRequest) and batch.stacks[0].region == "eu-west-1"


def test_batches_are_per_account_and_region_and_bounded() -> None:
    targets = [Target(StackName=f"s{i}", Region="eu-west-1") for i in range(5)] + [
        Target(StackName="t", Region="us-east-1", AccountId="111122223333")
    ]
    groups = plan_groups(targets, batch_size=2)
    assert [(g.key, [len(b) for b in g.batches]) for g in groups] == [
        ("111122223333/us-east-1", [1]),
        ("home/eu-west-1", [2, 2, 1]),
    ]
