"""CloudFormation data access: one API call per function (a paginated read counts as one).

Behaviour follows the botocore service model's documentation strings; see docs/fidelity.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from drift_common.errors import error_code
from healer.aws import clients
from healer.model import (
    CHANGE_SET_DESCRIPTION,
    ChangeSetRef,
    FailedResource,
    IgnoredAttribute,
    PlannedChange,
    PropertyDifference,
    ResourceDrift,
    StackSnapshot,
)
from healer.policy import healer_tags, target_path

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import (
        CreateChangeSetInputTypeDef,
        ParameterTypeDef,
        StackResourceDriftTypeDef,
    )


def describe_stack(stack_name: str) -> StackSnapshot:
    """DescribeStacks. A missing stack is a ValidationError ("Stack with id X does not exist")."""
    stack = clients.cloudformation().describe_stacks(StackName=stack_name)["Stacks"][0]
    return StackSnapshot(
        stack_id=stack["StackId"],
        stack_name=stack["StackName"],
        status=stack["StackStatus"],
        status_reason=stack.get("StackStatusReason"),
        parameter_keys=[
            p["ParameterKey"] for p in stack.get("Parameters", []) if "ParameterKey" in p
        ],
        capabilities=list(stack.get("Capabilities", [])),
        role_arn=stack.get("RoleARN") or None,
        tags=healer_tags({t["Key"]: t["Value"] for t in stack.get("Tags", [])}),
    )


def start_drift_detection(stack_id: str) -> str:
    return clients.cloudformation().detect_stack_drift(StackName=stack_id)["StackDriftDetectionId"]


@dataclass(frozen=True)
class DetectionStatus:
    detection_status: str
    stack_drift_status: str | None
    drifted_resource_count: int | None
    reason: str | None


def read_drift_detection(detection_id: str) -> DetectionStatus:
    """DescribeStackDriftDetectionStatus; DriftedStackResourceCount is null until complete."""
    response = clients.cloudformation().describe_stack_drift_detection_status(
        StackDriftDetectionId=detection_id
    )
    return DetectionStatus(
        detection_status=response["DetectionStatus"],
        stack_drift_status=response.get("StackDriftStatus"),
        drifted_resource_count=response.get("DriftedStackResourceCount"),
        reason=response.get("DetectionStatusReason"),
    )


def list_resource_drifts(stack_id: str) -> list[ResourceDrift]:
    """DescribeStackResourceDrifts, MODIFIED and DELETED, every page (botocore has no paginator)."""
    drifts: list[ResourceDrift] = []
    token: str | None = None
    while True:
        page = clients.cloudformation().describe_stack_resource_drifts(
            StackName=stack_id,
            StackResourceDriftStatusFilters=["MODIFIED", "DELETED"],
            **({"NextToken": token} if token else {}),  # type: ignore[arg-type]
        )
        drifts.extend(_resource_drift(d) for d in page["StackResourceDrifts"])
        token = page.get("NextToken")
        if not token:
            return drifts


def _resource_drift(drift: StackResourceDriftTypeDef) -> ResourceDrift:
    return ResourceDrift(
        logical_id=drift["LogicalResourceId"],
        physical_id=drift.get("PhysicalResourceId"),
        resource_type=drift["ResourceType"],
        drift_status=drift["StackResourceDriftStatus"],
        differences=[
            PropertyDifference(
                path=d["PropertyPath"],
                expected=d.get("ExpectedValue"),
                actual=d.get("ActualValue"),
                difference_type=d["DifferenceType"],
            )
            for d in drift.get("PropertyDifferences", [])
        ],
    )


def create_revert_change_set(
    stack: StackSnapshot, name: str, token: str, role_arn: str | None
) -> ChangeSetRef:
    """CreateChangeSet, drift-aware: puts the stack back to its current template and values.

    UsePreviousTemplate excludes TemplateBody/URL; parameters must be passed with
    UsePreviousValue or the request fails for parameters without defaults (botocore model
    docs).
    """
    parameters: list[ParameterTypeDef] = [
        {"ParameterKey": key, "UsePreviousValue": True} for key in stack.parameter_keys
    ]
    return create_drift_aware_change_set(
        stack,
        name,
        token,
        role_arn,
        template_body=None,
        parameters=parameters,
        description=CHANGE_SET_DESCRIPTION,
    )


def create_drift_aware_change_set(
    stack: StackSnapshot,
    name: str,
    token: str,
    role_arn: str | None,
    *,
    template_body: str | None,
    parameters: list[ParameterTypeDef],
    description: str,
) -> ChangeSetRef:
    """CreateChangeSet with DeploymentMode REVERT_DRIFT, with `template_body` (None: the
    stack's current template, UsePreviousTemplate). IAM resources need the stack's
    Capabilities (botocore model docs); the role is sent only when the flow chose one."""
    request: CreateChangeSetInputTypeDef = {
        "StackName": stack.stack_id,
        "ChangeSetName": name,
        "ChangeSetType": "UPDATE",
        "Parameters": parameters,
        "Capabilities": stack.capabilities,  # type: ignore[typeddict-item]
        "DeploymentMode": "REVERT_DRIFT",
        "ClientToken": token,
        "Description": description,
    }
    if template_body is None:
        request["UsePreviousTemplate"] = True
    else:
        request["TemplateBody"] = template_body
    if role_arn:
        request["RoleARN"] = role_arn
    response = clients.cloudformation().create_change_set(**request)
    return ChangeSetRef(change_set_id=response["Id"], change_set_name=name)


@dataclass(frozen=True)
class ChangeSetStatus:
    status: str
    execution_status: str | None
    reason: str | None
    # Whose change set it is (with an ARN, DescribeChangeSet ignores StackName and answers for
    # any stack of the account and region): checked before a pending review is reused.
    stack_id: str | None = None
    name: str | None = None
    deployment_mode: str | None = None
    description: str | None = None


def read_change_set(stack_id: str, change_set_id: str) -> ChangeSetStatus:
    response = clients.cloudformation().describe_change_set(
        ChangeSetName=change_set_id, StackName=stack_id
    )
    return ChangeSetStatus(
        status=response["Status"],
        execution_status=response.get("ExecutionStatus"),
        reason=response.get("StatusReason"),
        stack_id=response.get("StackId"),
        name=response.get("ChangeSetName"),
        deployment_mode=response.get("DeploymentMode"),
        description=response.get("Description"),
    )


def find_change_set(stack_id: str, change_set_id: str) -> ChangeSetStatus | None:
    """DescribeChangeSet of a change set that may be gone (ChangeSetNotFound: None)."""
    try:
        return read_change_set(stack_id, change_set_id)
    except ClientError as error:
        if error_code(error) != "ChangeSetNotFound":
            raise
        return None


def list_planned_changes(stack_id: str, change_set_id: str) -> list[PlannedChange]:
    """DescribeChangeSet's Changes, every page (NextToken when the output exceeds 1 MB).

    IncludePropertyValues is not requested: Target's Attribute, Name, Path and
    RequiresRecreation are returned without it (it adds Before/AfterValue, Drift and the
    contexts), and the policy needs paths only, never values (smaller pages, no secrets).
    ResourceDriftIgnoredAttributes (paths and reasons, no values) is read too; guess: it is
    returned without IncludePropertyValues (the model does not say it is a value detail).
    """
    changes: list[PlannedChange] = []
    paginator = clients.cloudformation().get_paginator("describe_change_set")
    for page in paginator.paginate(ChangeSetName=change_set_id, StackName=stack_id):
        for change in page.get("Changes", []):
            resource = change.get("ResourceChange")
            if not resource:
                continue
            targets = [t for d in resource.get("Details", []) if (t := d.get("Target"))]
            names = {
                str(t.get("Name") or t.get("Attribute"))
                for t in targets
                if t.get("Name") or t.get("Attribute")
            }
            paths = {target_path(t.get("Attribute"), t.get("Name"), t.get("Path")) for t in targets}
            changes.append(
                PlannedChange(
                    logical_id=resource.get("LogicalResourceId", "?"),
                    resource_type=resource.get("ResourceType", "?"),
                    action=resource.get("Action", "?"),
                    replacement=resource.get("Replacement"),
                    drift_status=resource.get("ResourceDriftStatus"),
                    properties=sorted(names),
                    property_paths=sorted(paths),
                    ignored_attributes=[
                        IgnoredAttribute(
                            path=str(a.get("Path", "?"))[:MAX_PATH_CHARS],
                            reason=str(a.get("Reason", "?")),
                        )
                        for a in resource.get("ResourceDriftIgnoredAttributes", [])
                    ][:MAX_IGNORED_PER_CHANGE],
                )
            )
    return changes


MAX_PATH_CHARS = 256
MAX_IGNORED_PER_CHANGE = 25


def delete_change_set(stack_id: str, change_set_id: str) -> bool:
    """DeleteChangeSet. False when it was already gone: a retry after a lost response gets
    ChangeSetNotFound (guess: the model lists no errors for DeleteChangeSet, DescribeChangeSet
    documents ChangeSetNotFound), and gone is what was wanted."""
    try:
        clients.cloudformation().delete_change_set(ChangeSetName=change_set_id, StackName=stack_id)
    except ClientError as error:
        if error_code(error) != "ChangeSetNotFound":
            raise
        return False
    return True


def execute_change_set(stack_id: str, change_set_id: str, token: str) -> None:
    clients.cloudformation().execute_change_set(
        ChangeSetName=change_set_id, StackName=stack_id, ClientRequestToken=token
    )


@dataclass(frozen=True)
class StackStatus:
    status: str
    reason: str | None


def read_stack_status(stack_id: str) -> StackStatus:
    stack = clients.cloudformation().describe_stacks(StackName=stack_id)["Stacks"][0]
    return StackStatus(status=stack["StackStatus"], reason=stack.get("StackStatusReason"))


def list_failed_resources(stack_id: str, token: str, since: datetime) -> list[FailedResource]:
    """DescribeStackEvents (newest first) back to `since`: the *_FAILED resource events.

    Events of the operation started by ExecuteChangeSet carry its ClientRequestToken (model
    docs); events without a token are kept when they are newer than `since`.
    """
    failed: list[FailedResource] = []
    paginator = clients.cloudformation().get_paginator("describe_stack_events")
    for page in paginator.paginate(StackName=stack_id):
        for event in page["StackEvents"]:
            if event["Timestamp"] < since:
                return failed
            status = event.get("ResourceStatus", "")
            ours = event.get("ClientRequestToken", token) == token
            is_stack = event.get("LogicalResourceId") == event.get("StackName")
            if ours and status.endswith("_FAILED") and not is_stack:
                failed.append(
                    FailedResource(
                        logical_id=event.get("LogicalResourceId", "?"),
                        resource_type=event.get("ResourceType", "?"),
                        status=status,
                        reason=event.get("ResourceStatusReason", "(no reason given)"),
                    )
                )
    return failed
