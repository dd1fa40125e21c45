"""Per resource type: how to read the live properties from moto's backends and how to
write template values back (used to revert drift).

``replacement`` lists the properties whose documented update behaviour is
"Update requires: Replacement" in the AWS resource and property types reference
(each type's page in the CloudFormation User Guide). Every other supported property
is documented as "Update requires: No interruption".

Readers return the resource's properties in CloudFormation's shape, or None when the
physical resource no longer exists (drift status DELETED). Types without a reader are
not checked (left out of drift results, as DescribeStackResourceDrifts documents for
types that don't support drift detection).
"""

from __future__ import annotations

from typing import Any, ClassVar


class ResourceType:
    type_name: ClassVar[str] = ""
    replacement: ClassVar[frozenset[str]] = frozenset()
    # Properties a drift-aware change set lists in ResourceDriftIgnoredAttributes (botocore
    # DriftIgnoredReason): WRITE_ONLY_PROPERTY ("not included in read response for the
    # resource's live state") and MANAGED_BY_AWS ("expected to be dynamically modified"). No
    # emulated type has one today (their schemas' writeOnlyProperties are not modelled).
    write_only: ClassVar[frozenset[str]] = frozenset()
    managed_by_aws: ClassVar[frozenset[str]] = frozenset()

    def read(self, account: str, region: str, physical_id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def apply(self, account: str, region: str, physical_id: str, desired: dict[str, Any]) -> None:
        """Set the declared properties to ``desired`` (no replacement properties)."""
        raise NotImplementedError


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def tag_map(tags: Any) -> dict[str, str]:
    """Template tags (list of Key/Value, or a map for AWS::SSM::Parameter) as a dict."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags or []}


def tag_changes(
    current: dict[str, str], desired: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """(tags to set, keys to remove) to go from current to desired; aws:* keys are kept."""
    to_set = {k: v for k, v in desired.items() if current.get(k) != v}
    to_remove = [k for k in current if k not in desired and not k.startswith("aws:")]
    return to_set, to_remove
