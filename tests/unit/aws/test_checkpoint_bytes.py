"""Step results are bounded in the bytes their checkpoint takes, not in characters."""

from __future__ import annotations

import json

from aws_durable_execution_sdk_python.serdes import SerDesContext

from healer.aws.bounds import MAX_STEP_RESULT_BYTES, bound_changes, bound_drifts
from healer.aws.durable import TypedSerDes
from healer.model import ChangeSetPlan, DriftReading
from healer.model.records import PlannedChange, PropertyDifference, ResourceDrift

CHECKPOINT_LIMIT = 262_144  # the SDK's CHECKPOINT_SIZE_LIMIT_BYTES
EMOJI = "\N{GRINNING FACE}"


def checkpointed(value: object, kind: type) -> int:
    """The step result as the SDK sends it: the serdes' string inside the checkpoint's JSON
    (json.dumps, as the SDK measures its operation updates: non-ASCII escaped)."""
    payload = TypedSerDes[object](kind).serialize(value, SerDesContext("op", "arn"))
    return len(json.dumps(payload).encode())


def emoji_parameters(count: int) -> list[ResourceDrift]:
    return [
        ResourceDrift(
            logical_id=f"Param{i}",
            physical_id=f"/app/param-{i}",
            resource_type="AWS::SSM::Parameter",
            drift_status="MODIFIED",
            differences=[
                PropertyDifference(
                    path=path,
                    expected="plain",
                    actual=EMOJI * 1200,
                    difference_type="NOT_EQUAL",
                )
                for path in ("/Value", "/Description")
            ],
        )
        for i in range(count)
    ]


def test_seventy_seven_drifted_parameters_with_emoji_values_fit_a_checkpoint() -> None:
    reading = bound_drifts(emoji_parameters(77))

    assert checkpointed(reading, DriftReading) <= MAX_STEP_RESULT_BYTES < CHECKPOINT_LIMIT
    # Every resource is kept (values are cut first) and the cut is said.
    assert (len(reading.resources), reading.total) == (77, 77)
    assert reading.cut and "values cut at" in reading.cut


def test_a_plan_of_emoji_property_paths_fits_a_checkpoint() -> None:
    changes = [
        PlannedChange(
            logical_id=f"Param{i}{EMOJI * 200}",
            resource_type="AWS::SSM::Parameter",
            action="Modify",
            replacement="False",
            property_paths=(f"/Tags/{EMOJI * 250}",),
        )
        for i in range(200)
    ]

    plan = bound_changes(changes)

    assert checkpointed(plan, ChangeSetPlan) <= MAX_STEP_RESULT_BYTES
    assert 0 < len(plan.changes) < 200 and plan.total == 200


def test_ascii_detail_is_not_cut_more_than_before() -> None:
    reading = bound_drifts(
        [
            ResourceDrift(
                logical_id="Param",
                physical_id="/app/p",
                resource_type="AWS::SSM::Parameter",
                drift_status="MODIFIED",
                differences=[
                    PropertyDifference(
                        path="/Value", expected="a", actual="b" * 200, difference_type="NOT_EQUAL"
                    )
                ],
            )
        ]
    )
    assert reading.cut is None and reading.resources[0].differences[0].actual == "b" * 200
