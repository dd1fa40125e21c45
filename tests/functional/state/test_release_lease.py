"""`drift-healer release-lease`: shows who holds a stack, and frees it only for that holder."""

from __future__ import annotations

import json
import time

import pytest

from drift_common.table import PARTITION_KEY, SORT_KEY, STATE_KEY
from drift_healer_cli.main import main
from sandbox.emulator import AwsSandbox

HOLDER = "arn:aws:lambda:us-east-1:123456789012:function:h:1/durable-execution/r/1"


def stack_held(aws: AwsSandbox, table: str) -> dict[str, dict[str, str]]:
    stack_id = aws.client("cloudformation").create_stack(
        StackName="app", TemplateBody=json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    )["StackId"]
    key = {PARTITION_KEY: {"S": stack_id}, SORT_KEY: {"S": STATE_KEY}}
    aws.client("dynamodb").put_item(
        TableName=table,
        Item=key
        | {
            "LeaseHolder": {"S": HOLDER},
            "LeaseExpires": {"N": str(int(time.time()) + 3600)},
            "LastOutcome": {"S": "HEALED"},
        },
    )
    return key


def item(aws: AwsSandbox, table: str, key: dict[str, dict[str, str]]) -> dict[str, object]:
    return dict(aws.client("dynamodb").get_item(TableName=table, Key=key)["Item"])


def test_without_the_holder_it_shows_the_lease_and_changes_nothing(
    aws: AwsSandbox, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = stack_held(aws, table)

    code = main(["release-lease", "app", "--table", table])

    assert code == 1
    out = capsys.readouterr().out
    assert f"app: held by {HOLDER}" in out
    assert f"drift-healer release-lease app --holder {HOLDER}" in out
    assert item(aws, table, key)["LeaseHolder"] == {"S": HOLDER}


def test_with_the_holder_it_releases_the_lease_and_keeps_the_state(
    aws: AwsSandbox, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = stack_held(aws, table)

    assert main(["release-lease", "app", "--table", table, "--holder", HOLDER]) == 0

    left = item(aws, table, key)
    assert "LeaseHolder" not in left and "LeaseExpires" not in left
    assert left["LastOutcome"] == {"S": "HEALED"}
    assert "released" in capsys.readouterr().out


def test_another_holder_is_never_released(
    aws: AwsSandbox, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = stack_held(aws, table)

    assert main(["release-lease", "app", "--table", table, "--holder", "arn:other"]) == 1

    assert item(aws, table, key)["LeaseHolder"] == {"S": HOLDER}
    assert f"held by {HOLDER}, not arn:other" in capsys.readouterr().err
