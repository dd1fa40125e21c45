"""The trigger's AWS calls: which stack owns a resource, the stack's tags, starting a run."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from drift_common import clients as shared
from drift_common.errors import error_code
from drift_common.owners import Owner, owning_stack

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_lambda import LambdaClient

AGENT = "cfn-drift-healer-trigger/0.1"


def cloudformation() -> CloudFormationClient:
    return shared.cloudformation(agent=AGENT)


def owner(physical_id: str, resource_type: str) -> Owner | None:
    """DescribeStackResources by physical id (drift_common.owners); None: no live stack."""
    return owning_stack(cloudformation(), physical_id, resource_type)


def stack_tags(stack_id: str) -> dict[str, str]:
    stacks = cloudformation().describe_stacks(StackName=stack_id).get("Stacks", [])
    return {str(t["Key"]): str(t["Value"]) for s in stacks for t in s.get("Tags", [])}


def start_run(function_arn: str, name: str, payload: dict[str, Any]) -> str:
    """Invoke the healer asynchronously under `name`: "started", or "coalesced" when a run of
    this name already exists (same payload: Lambda returns it; another payload:
    DurableExecutionAlreadyStartedException — either way a run for this window is coming)."""
    lam: LambdaClient = shared.client("lambda", agent=AGENT)
    try:
        lam.invoke(
            FunctionName=function_arn,
            InvocationType="Event",
            DurableExecutionName=name,
            Payload=json.dumps(payload).encode(),
        )
    except ClientError as error:
        if error_code(error) == "DurableExecutionAlreadyStartedException":
            return "coalesced"
        raise
    return "started"
