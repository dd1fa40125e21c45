"""The event a run starts from: validated strictly, because a typo must never heal."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

# CloudFormation's own patterns (botocore model, StackNameOrId): a name starts with a letter and
# has letters, digits and hyphens, at most 128 characters; or a stack ARN.
_STACK_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]{0,127}")
_STACK_ARN = re.compile(
    r"arn:aws(-cn|-us-gov)?:cloudformation:[a-z0-9-]+:\d{12}:stack/[a-zA-Z][-a-zA-Z0-9]{0,127}/[-a-zA-Z0-9]+"
)


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
_ACCOUNT_ID = re.compile(r"\d{12}")


class InvalidRequestError(ValueError):
    """The event cannot start a run; the message names every problem."""


class HealRequest(BaseModel):
    """`{"StackName": "<name or stack ARN>", "CreateChangeSetOnly": false,
    "WaitForApproval": false}`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    stack_name: Annotated[str, Field(alias="StackName")]
    # Strict: the string "false" must not quietly become a boolean either way.
    create_change_set_only: Annotated[StrictBool, Field(alias="CreateChangeSetOnly")] = False
    # Another region and/or account (the fleet sets these): CloudFormation calls then go to
    # that region, as the role EXECUTION_ROLE_NAME in that account (healer.clients).
    region: Annotated[str | None, Field(alias="Region", pattern=_REGION.pattern)] = None
    account_id: Annotated[str | None, Field(alias="AccountId", pattern=_ACCOUNT_ID.pattern)] = None
    # A held change set (review mode, or the safety policy) waits for a person's decision.
    wait_for_approval: Annotated[StrictBool, Field(alias="WaitForApproval")] = False

    @field_validator("stack_name")
    @classmethod
    def _is_stack_name_or_arn(cls, value: str) -> str:
        if _STACK_NAME.fullmatch(value) or _STACK_ARN.fullmatch(value):
            return value
        msg = (
            f"{value!r} is not a CloudFormation stack name (a letter, then letters, digits "
            "or hyphens, at most 128 characters) nor a stack ARN"
        )
        raise ValueError(msg)


_ALLOWED = ", ".join(str(f.alias) for f in HealRequest.model_fields.values() if f.alias is not None)


def parse_request(event: Any) -> HealRequest:
    """Validate the event; every problem is named (including unknown fields, e.g. typos)."""
    if not isinstance(event, dict):
        msg = f"the event must be a JSON object, got {type(event).__name__}"
        raise InvalidRequestError(msg)
    try:
        return HealRequest.model_validate(event)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "event"
            if item["type"] == "extra_forbidden":
                problems.append(f"unknown field {field!r} (allowed: {_ALLOWED})")
            else:
                problems.append(f"{field}: {item['msg']}")
        raise InvalidRequestError("invalid event: " + "; ".join(problems)) from None


def stack_label(event: Any) -> str:
    """Best-effort stack name for a notice about an event that failed validation."""
    if isinstance(event, dict) and isinstance(event.get("StackName"), str):
        return str(event["StackName"])[:128] or "(empty)"
    return "(unknown)"
