"""Known benign drift (IGNORE_DRIFT): left out of what is reported, never reverted unattended.

A pattern is a shell-style glob (fnmatch, case-sensitive; `*` also matches `/`) over either
- `Type:/PropertyPath`, e.g. `AWS::IAM::Role:/Tags*` or `AWS::SSM::Parameter:/Value`
  (the path as drift detection reports it in PropertyDifferences), matching single
  property differences; or
- a logical resource id, e.g. `LegacyBucket` or `Temp*`, matching the whole resource,
  DELETED included (a DELETED resource has no property paths to match).
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from healer.model import PropertyDifference, ResourceDrift


def is_property_pattern(pattern: str) -> bool:
    return ":/" in pattern


def resource_pattern(resource: ResourceDrift, patterns: Sequence[str]) -> str | None:
    """The pattern that ignores this resource as a whole (by logical id), if any."""
    return next(
        (p for p in patterns if not is_property_pattern(p) and fnmatchcase(resource.logical_id, p)),
        None,
    )


def difference_pattern(
    resource_type: str, difference: PropertyDifference, patterns: Sequence[str]
) -> str | None:
    """The pattern that ignores this property difference, if any."""
    subject = f"{resource_type}:{difference.path}"
    return next((p for p in patterns if is_property_pattern(p) and fnmatchcase(subject, p)), None)


def split_drift(
    drifted: Sequence[ResourceDrift], patterns: Sequence[str]
) -> tuple[list[ResourceDrift], list[ResourceDrift]]:
    """(drift to report, drift ignored); a resource may appear in both, split by property.

    A MODIFIED resource whose every difference is ignored is not reported at all.
    """
    reported: list[ResourceDrift] = []
    ignored: list[ResourceDrift] = []
    for resource in drifted:
        if resource_pattern(resource, patterns):
            ignored.append(resource)
            continue
        kept = [
            d
            for d in resource.differences
            if not difference_pattern(resource.resource_type, d, patterns)
        ]
        dropped = [d for d in resource.differences if d not in kept]
        if dropped:
            ignored.append(resource.model_copy(update={"differences": dropped}))
        if kept or not resource.differences:
            reported.append(resource.model_copy(update={"differences": kept}))
    return reported, ignored


def effective_drift(
    drifted: Sequence[ResourceDrift], patterns: Sequence[str]
) -> list[ResourceDrift]:
    """The drift that counts: what is reported, fingerprinted and healed."""
    return split_drift(drifted, patterns)[0]


def difference_count(resources: Sequence[ResourceDrift]) -> int:
    """Property differences, a resource without any (DELETED) counting as one."""
    return sum(max(len(r.differences), 1) for r in resources)
