"""CloudFormation calls of accepting drift: one API call per function (a paginated read
counts as one). Behaviour from the botocore model docs; guesses in docs/fidelity.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.handlers import json_decode_template_body

from drift_common.accept import DriftToAccept, drift_to_accept
from healer.aws import clients
from healer.aws import cloudformation as cfn
from healer.model import ChangeSetRef, StackSnapshot
from healer.model.accept import AcceptCheck, DeployedTemplate

ACCEPT_CHANGE_SET_DESCRIPTION = "cfn-drift-healer: accept drift into the stack's template"

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import (
        ParameterTypeDef,
    )

# CreateChangeSet TemplateBody: "Minimum length of 1. Maximum length of 51,200" (bytes); a
# larger template goes through S3 (TemplateURL), which accepting does not do.
MAX_TEMPLATE_BODY_BYTES = 51_200


def get_original_template(stack_id: str) -> DeployedTemplate:
    """GetTemplate, TemplateStage=Original: the template as submitted (the default,
    Processed, has a transform expanded). botocore turns a JSON body into a dict after the
    call; that hook is removed from this client, so JSON comes back as its own text too."""
    cfn = clients.cloudformation()
    cfn.meta.events.unregister("after-call.cloudformation.GetTemplate", json_decode_template_body)
    response = cfn.get_template(StackName=stack_id, TemplateStage="Original")
    body: Any = response.get("TemplateBody")
    if isinstance(body, dict):  # the hook ran anyway: JSON as JSON, 2-space indent (guess)
        body = json.dumps(body, indent=2)
    if not isinstance(body, str) or not body:
        return DeployedTemplate(problem="GetTemplate returned no template body")
    size = len(body.encode())
    if size > MAX_TEMPLATE_BODY_BYTES:
        return DeployedTemplate(
            problem=f"the template is {size:,} bytes: accepting sends it back as TemplateBody "
            f"(at most {MAX_TEMPLATE_BODY_BYTES:,} bytes); deploy the change from its source"
        )
    return DeployedTemplate(body=body)


def list_drift_to_accept(stack_id: str) -> list[DriftToAccept]:
    """DescribeStackResourceDrifts, MODIFIED and DELETED, every page, with the actual and
    expected values of each top-level property a difference touches."""
    found: list[DriftToAccept] = []
    token: str | None = None
    while True:
        page = clients.cloudformation().describe_stack_resource_drifts(
            StackName=stack_id,
            StackResourceDriftStatusFilters=["MODIFIED", "DELETED"],
            **({"NextToken": token} if token else {}),  # type: ignore[arg-type]
        )
        found += [drift_to_accept(d) for d in page["StackResourceDrifts"]]
        token = page.get("NextToken")
        if not token:
            return found


def create_accept_change_set(
    stack: StackSnapshot,
    name: str,
    token: str,
    *,
    role_arn: str | None,
    body: str,
    parameters: Sequence[dict[str, Any]],
) -> ChangeSetRef:
    """CreateChangeSet, drift-aware, with the patched template: CloudFormation then plans
    SyncWithActual where the template matches the actual state (DeploymentMode doc)."""
    return cfn.create_drift_aware_change_set(
        stack,
        name,
        token,
        role_arn,
        template_body=body,
        parameters=cast("list[ParameterTypeDef]", list(parameters)),
        description=ACCEPT_CHANGE_SET_DESCRIPTION,
    )


def list_accept_checks(stack_id: str, change_set_id: str) -> list[AcceptCheck]:
    """DescribeChangeSet with IncludePropertyValues (so every detail field is there), every
    page; only Action, Replacement and each detail's path, AttributeChangeType and
    ChangeSource are kept (never the values)."""
    checks: list[AcceptCheck] = []
    paginator = clients.cloudformation().get_paginator("describe_change_set")
    pages = paginator.paginate(
        ChangeSetName=change_set_id, StackName=stack_id, IncludePropertyValues=True
    )
    for page in pages:
        for change in page.get("Changes", []):
            resource = change.get("ResourceChange")
            if not resource:
                checks.append(AcceptCheck(logical_id="?", action=str(change.get("Type", "?"))))
                continue
            details = []
            for detail in resource.get("Details", []):
                target: Any = detail.get("Target", {})
                path = target.get("Path") or target.get("Name") or target.get("Attribute") or "?"
                details.append(
                    (str(path), target.get("AttributeChangeType"), detail.get("ChangeSource"))
                )
            checks.append(
                AcceptCheck(
                    logical_id=resource.get("LogicalResourceId", "?"),
                    action=resource.get("Action", "?"),
                    replacement=resource.get("Replacement"),
                    details=details,
                )
            )
    return checks
