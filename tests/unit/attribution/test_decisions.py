"""Pure attribution: how a change was made, which events count, which lookups a drift needs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drift_common import trail
from healer.attribution.decisions import (
    Wanted,
    lookback_start,
    missing_note,
    newest,
    plan_lookups,
    reduce_page,
)
from healer.model import PropertyDifference, ResourceDrift
from healer.state.history import HealedRun, heal_counts

ROLE = "arn:aws:sts::123456789012:assumed-role/Admin/alice"
WANTED = [Wanted("Param", "AWS::SSM::Parameter", "/app/greeting")]


def record(**over: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "eventID": "e-1",
        "eventTime": "2026-12-08T01:00:00Z",
        "eventSource": "ssm.amazonaws.com",
        "eventName": "PutParameter",
        "requestParameters": {"name": "/app/greeting", "value": "x"},
        "userIdentity": {
            "type": "AssumedRole",
            "arn": ROLE,
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::123456789012:role/Admin"}},
        },
        "userAgent": "aws-cli/2.15.0 Python/3.11 Linux botocore/2.4",
        "sourceIPAddress": "198.51.100.7",
        "readOnly": False,
    }
    rec.update(over)
    return rec


def page(*records: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"EventId": r["eventID"], "CloudTrailEvent": json.dumps(r)} for r in records]


@pytest.mark.parametrize(
    ("changes", "via"),
    [
        ({"sessionCredentialFromConsole": "true", "userAgent": "AWS Internal"}, "console"),
        ({"userAgent": "signin.amazonaws.com"}, "console"),
        ({"userAgent": "aws-cli/2.15.0 Python/3.11 botocore/2.4"}, "AWS CLI"),
        ({"userAgent": "aws-cli/1.3.23 Python/2.7.6 Linux/2.6.18"}, "AWS CLI"),
        ({"userAgent": "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0"}, "SDK (Boto3)"),
        (
            {"userAgent": "APN/1.0 HashiCorp/1.0 Terraform/1.9.0 aws-sdk-go-v2/1.30"},
            "Terraform (another IaC tool)",
        ),
        ({"userAgent": "aws-sdk-js/3.600.0"}, "SDK (JavaScript)"),
        (
            {"userIdentity": {"invokedBy": "lambda.amazonaws.com"}},
            "AWS service (lambda.amazonaws.com)",
        ),
        ({"userAgent": ""}, "unknown"),
    ],
)
def test_how_a_change_was_made(changes: dict[str, Any], via: str) -> None:
    assert trail.via(record(**changes)) == via


def test_a_write_naming_the_resource_is_its_last_change() -> None:
    [found] = reduce_page(page(record()), WANTED, (), None).found
    assert (found.principal, found.issuer) == (ROLE, "arn:aws:iam::123456789012:role/Admin")
    assert (found.via, found.api, found.source_ip) == (
        "AWS CLI",
        "ssm:PutParameter",
        "198.51.100.7",
    )
    assert found.event_time == datetime(2026, 12, 8, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "changes",
    [
        {"userIdentity": {"arn": ROLE, "invokedBy": "cloudformation.amazonaws.com"}},
        {"sourceIPAddress": "cloudformation.amazonaws.com"},
        {"errorCode": "AccessDenied"},
        {"readOnly": True},
        {"requestParameters": {"name": "/app/other"}},
        {"eventSource": "sqs.amazonaws.com"},
    ],
    ids=["invoked-by-cfn", "cfn-source-ip", "failed", "read", "other-resource", "other-source"],
)
def test_what_is_not_who_changed_it(changes: dict[str, Any]) -> None:
    assert reduce_page(page(record(**changes)), WANTED, (), None).found == []


def test_ignored_principals_match_the_session_or_its_role() -> None:
    assert reduce_page(page(record()), WANTED, ("arn:aws:iam::*:role/Admin",), None).found == []
    assert (
        reduce_page(page(record()), WANTED, ("arn:aws:sts::*:assumed-role/*/alice",), None).found
        == []
    )


def test_a_garbled_event_is_skipped() -> None:
    events = [{"EventId": "x", "CloudTrailEvent": "not json"}, *page(record())]
    assert len(reduce_page(events, WANTED, (), "tok").found) == 1


def test_names_resource_across_names_arns_and_urls() -> None:
    assert trail.names_resource("/app/greeting", "/app/greeting")
    assert trail.names_resource("arn:aws:ssm:us-east-1:1:parameter/app/greeting", "/app/greeting")
    assert trail.names_resource("arn:aws:dynamodb:us-east-1:1:table/orders", "orders")
    assert not trail.names_resource("arn:aws:dynamodb:us-east-1:1:table/orders-old", "orders")
    assert trail.names_resource(
        "https://queue.amazonaws.com/1/jobs", "https://sqs.us-east-1.amazonaws.com/1/jobs"
    )
    assert not trail.names_resource("/app/greeting2", "/app/greeting")


def drift(lid: str, rtype: str, paths: list[str], status: str = "MODIFIED") -> ResourceDrift:
    return ResourceDrift(
        logical_id=lid,
        physical_id=f"id-{lid}",
        resource_type=rtype,
        drift_status=status,
        differences=[
            PropertyDifference(path=p, expected="a", actual="b", difference_type="NOT_EQUAL")
            for p in paths
        ],
    )


def test_lookups_follow_what_drifted_and_are_shared() -> None:
    plan = plan_lookups(
        [
            drift("A", "AWS::SSM::Parameter", ["/Value"]),
            drift("B", "AWS::SSM::Parameter", ["/Value", "/Tags/team"]),
            drift("Role", "AWS::IAM::Role", ["/AssumeRolePolicyDocument"]),
            drift("Vpc", "AWS::EC2::VPC", ["/CidrBlock"]),
        ]
    )
    by_name = {lookup.event_name: lookup for lookup in plan.lookups}
    assert [w.logical_id for w in by_name["PutParameter"].wanted] == ["A", "B"]
    assert [w.logical_id for w in by_name["AddTagsToResource"].wanted] == ["B"]
    assert "DeleteParameter" not in by_name
    assert by_name["UpdateAssumeRolePolicy"].region == "us-east-1"  # IAM: us-east-1 only
    assert by_name["PutParameter"].region is None
    assert "does not cover AWS::EC2::VPC" in plan.notes["Vpc"]


def test_a_deleted_resource_looks_for_its_deletion() -> None:
    plan = plan_lookups([drift("Q", "AWS::SQS::Queue", [], status="DELETED")])
    assert "DeleteQueue" in [lookup.event_name for lookup in plan.lookups]


def test_the_lookback_stops_at_the_last_in_sync_time_or_90_days() -> None:
    now = datetime(2026, 12, 8, tzinfo=UTC)
    assert lookback_start(now - timedelta(hours=2), now) == now - timedelta(hours=2)
    assert lookback_start(now - timedelta(days=200), now) == now - timedelta(days=90)
    assert lookback_start(None, now) == now - timedelta(days=90)


def test_the_newest_change_per_resource_wins() -> None:
    older = reduce_page(page(record(eventTime="2026-12-08T00:00:00Z")), WANTED, (), None).found
    newer = reduce_page(page(record(eventID="e-2")), WANTED, (), None).found
    assert newest([*older, *newer])["Param"].event_id == "e-2"


def test_notes_say_why_nobody_was_found() -> None:
    since = datetime(2026, 12, 8, tzinfo=UTC)
    assert "about 5 minutes" in missing_note(since, failed=None, skipped=False)
    assert "ATTRIBUTION_MAX_LOOKUPS" in missing_note(since, failed=None, skipped=True)
    assert "Throttling" in missing_note(since, failed="Throttling", skipped=False)


def test_heal_counts_per_property_with_who_changed_it() -> None:
    runs = [
        HealedRun(healed_paths=["P/Value"], principals={"P": ["robot"]}),
        HealedRun(healed_paths=["P/Value", "P/Tags"], principals={"P": ["robot", "bob"]}),
    ]
    counts = heal_counts(runs)
    assert counts["P/Value"].count == 2 and counts["P/Tags"].count == 1
    assert counts["P/Value"].principals == ["robot", "bob"]
