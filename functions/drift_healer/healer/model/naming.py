"""Deterministic names derived from the durable execution, and console links."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

CHANGE_SET_PREFIX = "drift-healer"
# Every change set the healer creates carries it: with the name and the deployment mode, how a
# pending review read from the drift table is recognised as the healer's (state.pending).
CHANGE_SET_DESCRIPTION = "cfn-drift-healer: revert drift to the stack's template"
CHANGE_SET_NAME = re.compile(rf"{CHANGE_SET_PREFIX}-[0-9a-f]{{16}}")


def _digest(execution_arn: str, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}\n{execution_arn}".encode()).hexdigest()


def change_set_name(execution_arn: str) -> str:
    """Unique per execution, the same on every replay or retry: `drift-healer-<16 hex>`.

    Fits ChangeSetName's pattern `[a-zA-Z][-a-zA-Z0-9]*`, max 128 (botocore model).
    """
    return f"{CHANGE_SET_PREFIX}-{_digest(execution_arn, 'change-set')[:16]}"


def accept_change_set_name(execution_arn: str) -> str:
    """The change set that accepts drift (issue 17): `drift-healer-accept-<16 hex>`."""
    return f"{CHANGE_SET_PREFIX}-accept-{_digest(execution_arn, 'accept')[:16]}"


def client_token(execution_arn: str, purpose: str) -> str:
    """CreateChangeSet ClientToken / ExecuteChangeSet ClientRequestToken.

    Fits `[a-zA-Z0-9][-a-zA-Z0-9]*`, max 128 (botocore model).

    A retried request with the same token is recognised as the same request.
    """
    return f"{purpose}-{_digest(execution_arn, purpose)[:40]}"


def stack_name_of(stack_id: str) -> str:
    """`arn:...:stack/NAME/ID` -> NAME (a plain name as it is)."""
    parts = stack_id.split("/")
    return parts[1] if stack_id.startswith("arn:") and len(parts) == 3 else stack_id


def region_of(arn: str) -> str:
    """`arn:PARTITION:SERVICE:REGION:...` -> REGION ('' for a plain name)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 4 and parts[0] == "arn" else ""


def console_host(region: str) -> str:
    if region.startswith("cn-"):
        return "console.amazonaws.cn"
    if region.startswith("us-gov-"):
        return "console.amazonaws-us-gov.com"
    return f"{region}.console.aws.amazon.com"


def change_set_url(stack_id: str, change_set_id: str) -> str:
    """Console page of the change set (the change set's own ARN names the region)."""
    region = region_of(change_set_id) or region_of(stack_id)
    return (
        f"https://{console_host(region)}/cloudformation/home?region={region}"
        f"#/stacks/changesets/changes?stackId={quote(stack_id, safe='')}"
        f"&changeSetId={quote(change_set_id, safe='')}"
    )


def stack_url(stack_id: str) -> str:
    region = region_of(stack_id)
    return (
        f"https://{console_host(region)}/cloudformation/home?region={region}"
        f"#/stacks/stackinfo?stackId={quote(stack_id, safe='')}"
    )
