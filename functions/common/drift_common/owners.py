"""Which stack owns a physical resource: CloudFormation's own answer, not tags.

`DescribeStackResources` with `PhysicalResourceId` alone returns the resources of the stack
the resource belongs to (botocore model, cloudformation/2010-05-15). It also answers for
stacks deleted in the last 90 days, and physical ids are not unique across types, so a hit is
an owner only when the resource is not deleted and (when asked) of the expected type.
Used by the healer (does what a change removes belong to another stack?) and the trigger
(which stack does a changed resource belong to?).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient


@dataclass(frozen=True)
class Owner:
    stack_id: str
    stack_name: str
    logical_id: str
    resource_type: str
    resource_status: str


def is_not_found(error: ClientError) -> bool:
    """No stack owns the id: a ValidationError whose message says it does not exist (the
    exact text is not documented; public callers match "does not exist": guess)."""
    err = error.response.get("Error", {})
    return err.get("Code") == "ValidationError" and "does not exist" in err.get("Message", "")


def owner_of(
    resources: list[dict[str, object]], physical_id: str, resource_type: str | None = None
) -> Owner | None:
    """Pure: the owning resource among DescribeStackResources' answer, or None."""
    for res in resources:
        if res.get("PhysicalResourceId") != physical_id:
            continue
        if resource_type is not None and res.get("ResourceType") != resource_type:
            continue
        status = str(res.get("ResourceStatus", ""))
        # Guess: resources of a stack deleted in the last 90 days read DELETE_COMPLETE.
        if status.startswith("DELETE_COMPLETE"):
            continue
        return Owner(
            stack_id=str(res.get("StackId", "")),
            stack_name=str(res.get("StackName", "")),
            logical_id=str(res.get("LogicalResourceId", "")),
            resource_type=str(res.get("ResourceType", "")),
            resource_status=status,
        )
    return None


def owning_stack(
    cfn: CloudFormationClient, physical_id: str, resource_type: str | None = None
) -> Owner | None:
    """The live stack resource whose physical id is `physical_id` (of `resource_type` when
    given), or None when no stack owns it. One AWS call. Any other error (throttling, access
    denied) is raised: a caller that cannot tell must fail closed."""
    try:
        answer = cfn.describe_stack_resources(PhysicalResourceId=physical_id)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    resources = [dict(r) for r in answer.get("StackResources", [])]
    return owner_of(resources, physical_id, resource_type)
