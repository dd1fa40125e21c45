"""Pure inputs of the safety policy: the stack mode tag, IGNORE_DRIFT, property paths."""

from __future__ import annotations

import pytest

from drift_common.outcomes import Outcome
from healer.model.records import PropertyDifference, ResourceDrift
from healer.policy.ignore import effective_drift, split_drift
from healer.policy.paths import covers, target_path, uncovered
from healer.policy.stack_mode import (
    MODE_TAG,
    ModeDecision,
    RunMode,
    classify_found_drift,
    decide_run_mode,
    healer_tags,
)


@pytest.mark.parametrize(
    ("review", "tag", "expected"),
    [
        (False, None, RunMode.AUTO),
        (True, None, RunMode.REVIEW),
        (False, "auto", RunMode.AUTO),
        (False, "review", RunMode.REVIEW),
        (False, "detect", RunMode.DETECT),
        (False, "off", RunMode.OFF),
        (False, " Off ", RunMode.OFF),
        (True, "auto", RunMode.REVIEW),  # a tag never loosens the event
        (True, "detect", RunMode.DETECT),
        (True, "off", RunMode.OFF),
    ],
)
def test_the_stricter_of_event_and_tag_wins(
    review: bool, tag: str | None, expected: RunMode
) -> None:
    tags = {} if tag is None else {MODE_TAG: tag}
    assert decide_run_mode(review_requested=review, tags=tags).mode is expected


def test_a_tag_that_tightens_the_run_says_so() -> None:
    decision = decide_run_mode(review_requested=False, tags={MODE_TAG: "review"})
    assert decision.note == "stack tag drift-healer:mode=review"
    assert decide_run_mode(review_requested=True, tags={MODE_TAG: "auto"}).note is None


@pytest.mark.parametrize(
    ("review", "tag", "expected"),
    [
        (False, None, RunMode.DETECT),
        (True, None, RunMode.DETECT),
        (False, "review", RunMode.DETECT),
        (False, "detect", RunMode.DETECT),
        (False, "off", RunMode.OFF),  # opted out stays out: nothing to report either
    ],
)
def test_a_run_without_its_lease_only_reports(
    review: bool, tag: str | None, expected: RunMode
) -> None:
    tags = {} if tag is None else {MODE_TAG: tag}
    why = "the stack's lease could not be taken (AccessDeniedException: no (UpdateItem))"
    decision = decide_run_mode(review_requested=review, tags=tags, unleased=why)
    assert decision.mode is expected
    if expected is RunMode.DETECT:
        assert decision.note is not None and decision.note.endswith(
            f"{why}: a run that cannot hold the stack changes nothing"
        )


def test_an_unknown_tag_value_is_report_only_with_a_reason() -> None:
    decision = decide_run_mode(review_requested=False, tags={MODE_TAG: "manual"})
    assert decision.mode is RunMode.DETECT
    assert decision.note is not None and "'manual' is not one of off, detect, review, auto" in (
        decision.note
    )


def test_tag_keys_are_case_sensitive_and_only_healer_tags_are_kept() -> None:
    tags = {"Drift-Healer:Mode": "off", "owner": "a", "drift-healer:mode": "detect"}
    assert healer_tags(tags) == {"drift-healer:mode": "detect"}
    assert decide_run_mode(review_requested=False, tags={"Drift-Healer:Mode": "off"}).mode is (
        RunMode.AUTO
    )


def resource(logical_id: str, rtype: str, *paths: str, status: str = "MODIFIED") -> ResourceDrift:
    return ResourceDrift(
        logical_id=logical_id,
        physical_id=None,
        resource_type=rtype,
        drift_status=status,
        differences=[
            PropertyDifference(path=p, expected="1", actual="2", difference_type="NOT_EQUAL")
            for p in paths
        ],
    )


ROLE = resource("Role", "AWS::IAM::Role", "/Tags/1/Value", "/MaxSessionDuration")
QUEUE = resource("Queue", "AWS::SQS::Queue", "/DelaySeconds")
GONE = resource("Gone", "AWS::SNS::Topic", status="DELETED")


def test_no_patterns_keep_everything() -> None:
    assert effective_drift([ROLE, QUEUE, GONE], []) == [ROLE, QUEUE, GONE]


def test_property_patterns_drop_differences_and_resources_left_without_any() -> None:
    reported, ignored = split_drift([ROLE, QUEUE, GONE], ["AWS::IAM::Role:/Tags*", "*:/Delay*"])
    assert [(r.logical_id, [d.path for d in r.differences]) for r in reported] == [
        ("Role", ["/MaxSessionDuration"]),
        ("Gone", []),
    ]
    assert [(r.logical_id, [d.path for d in r.differences]) for r in ignored] == [
        ("Role", ["/Tags/1/Value"]),
        ("Queue", ["/DelaySeconds"]),
    ]


def test_logical_id_patterns_drop_whole_resources_deleted_included() -> None:
    assert effective_drift([ROLE, QUEUE, GONE], ["Gone", "Q*"]) == [ROLE]
    # a type is not a logical id: "AWS::SNS::Topic" alone ignores nothing
    assert effective_drift([GONE], ["AWS::SNS::Topic:/*"]) == [GONE]


def test_ignored_only_drift_is_in_sync_and_detect_mode_reports() -> None:
    auto = ModeDecision(RunMode.AUTO)
    assert classify_found_drift([], [QUEUE], auto) == (
        Outcome.IN_SYNC,
        "only ignored drift was found (1 difference(s) matching IGNORE_DRIFT)",
    )
    assert classify_found_drift([ROLE], [], auto) is None
    assert classify_found_drift([], [], auto) is None  # nothing read: let CloudFormation say
    outcome, reason = classify_found_drift(
        [ROLE], [], ModeDecision(RunMode.DETECT, "stack tag drift-healer:mode=detect")
    ) or (None, "")
    assert outcome is Outcome.DRIFTED and "no change set" in reason


@pytest.mark.parametrize(
    ("attribute", "name", "path", "expected"),
    [
        ("Properties", "Value", "/Properties/Value", "/Value"),
        ("Properties", "Value", None, "/Value"),
        ("Properties", "Tags", "/Properties/Tags/0/Value", "/Tags/0/Value"),
        ("Tags", None, "/Properties/Tags", "/Tags"),
        ("Tags", None, None, "/Tags"),
        ("Tags", None, "/Tags/2", "/Tags/2"),
        ("Metadata", None, "/Metadata", "Metadata"),
        ("DeletionPolicy", None, None, "DeletionPolicy"),
        ("Properties", None, None, "Properties"),
    ],
)
def test_change_set_targets_map_onto_drift_paths(
    attribute: str, name: str | None, path: str | None, expected: str
) -> None:
    assert target_path(attribute, name, path) == expected


def test_paths_cover_each_other_on_whole_segments() -> None:
    assert covers("/Tags", "/Tags/1/Value")
    assert covers("/Policy/Statement/0", "/Policy")
    assert covers("/Value", "/Value")
    assert not covers("/Tag", "/Tags/1")
    assert not covers("/Tags/0/Value", "/Tags/1/Value")
    assert not covers("Metadata", "/Metadata")
    assert not covers("Properties", "/Value")
    assert uncovered(["/Tags", "/AssumeRolePolicyDocument"], ["/Tags/0/Value"]) == [
        "/AssumeRolePolicyDocument"
    ]
