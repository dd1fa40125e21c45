"""Keeping step results small: every checkpoint must stay under the SDK's 256 KB limit.

A stack with hundreds of drifted resources and long property values (policy documents,
templates in parameters) would otherwise produce a checkpoint the service rejects, failing
the run. These pure functions cut the detail — never the count — and say what they cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from healer.aws.durable import TypedSerDes
from healer.model import (
    ChangeSetPlan,
    DriftReading,
    PlannedChange,
    PropertyDifference,
    ResourceDrift,
)

# The SDK's CHECKPOINT_SIZE_LIMIT_BYTES is 262,144; a step result stays well below it, since
# the result JSON and the notice are built from several of them. Bytes as checkpointed
# (TypedSerDes.checkpoint_bytes), never characters: 92,206 characters of emoji values are
# 269,383 bytes of UTF-8, and more once escaped.
MAX_STEP_RESULT_BYTES = 96_000
MAX_VALUE_CHARS = 256
MAX_DIFFERENCES_PER_RESOURCE = 25
_MIN_VALUE_CHARS = 24


def cut_value(value: str | None, limit: int) -> str | None:
    if value is None or len(value) <= limit:
        return value
    return f"{value[:limit]}... [{len(value) - limit} more characters]"


def _cut_resource(resource: ResourceDrift, value_chars: int, per_resource: int) -> ResourceDrift:
    kept = resource.differences[:per_resource]
    return resource.model_copy(
        update={
            "differences": [
                PropertyDifference(
                    path=cut_value(d.path, value_chars) or "",
                    expected=cut_value(d.expected, value_chars),
                    actual=cut_value(d.actual, value_chars),
                    difference_type=d.difference_type,
                )
                for d in kept
            ],
            "omitted_differences": resource.omitted_differences
            + len(resource.differences)
            - len(kept),
        }
    )


# The serdes the steps checkpoint these results with (healer.aws.steps: step_config).
_DRIFT_SERDES = TypedSerDes[DriftReading](DriftReading)
_PLAN_SERDES = TypedSerDes[ChangeSetPlan](ChangeSetPlan)


def _size(reading: DriftReading | ChangeSetPlan) -> int:
    if isinstance(reading, DriftReading):
        return _DRIFT_SERDES.checkpoint_bytes(reading)
    return _PLAN_SERDES.checkpoint_bytes(reading)


def bound_drifts(
    drifts: Sequence[ResourceDrift], max_bytes: int = MAX_STEP_RESULT_BYTES
) -> DriftReading:
    """Shorten values, then keep fewer differences per resource, then fewer resources."""
    value_chars, per_resource = MAX_VALUE_CHARS, MAX_DIFFERENCES_PER_RESOURCE
    while True:
        resources = [_cut_resource(r, value_chars, per_resource) for r in drifts]
        reading = DriftReading(resources=resources, total=len(drifts))
        if _size(reading) <= max_bytes or (value_chars <= _MIN_VALUE_CHARS and per_resource == 1):
            break
        if value_chars > _MIN_VALUE_CHARS:
            value_chars = max(_MIN_VALUE_CHARS, value_chars // 2)
        else:
            per_resource = max(1, per_resource // 2)
    while len(reading.resources) > 1 and _size(reading) > max_bytes:
        keep = max(1, len(reading.resources) * 3 // 4)
        reading = reading.model_copy(update={"resources": reading.resources[:keep]})
    cuts = []
    if any(r.omitted_differences for r in reading.resources):
        cuts.append(f"at most {per_resource} property difference(s) per resource")
    if any(
        "more characters]" in (v or "")
        for r in reading.resources
        for d in r.differences
        for v in (d.expected, d.actual)
    ):
        cuts.append(f"values cut at {value_chars} characters")
    if reading.omitted:
        cuts.append(f"{reading.omitted} of {reading.total} drifted resources left out")
    return reading.model_copy(update={"cut": "; ".join(cuts) or None})


def bound_changes(
    changes: Sequence[PlannedChange], max_bytes: int = MAX_STEP_RESULT_BYTES
) -> ChangeSetPlan:
    """Keep the first changes that fit. A plan that is not complete is never executed
    automatically (healer.policy.safety): what was not read cannot be checked."""
    plan = ChangeSetPlan(changes=list(changes), total=len(changes))
    while len(plan.changes) > 1 and _size(plan) > max_bytes:
        plan = plan.model_copy(
            update={"changes": plan.changes[: max(1, len(plan.changes) * 3 // 4)]}
        )
    return plan
