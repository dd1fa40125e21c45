"""The event a run starts from: validated strictly, because a typo must never heal."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from drift_common.validation import ACCOUNT_ID, REGION, STACK_ARN, STACK_NAME, parse_event

_STACK_NAME = re.compile(STACK_NAME)
_STACK_ARN = re.compile(STACK_ARN)


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
    # that region, as the role EXECUTION_ROLE_NAME in that account (healer.aws.clients).
    region: Annotated[str | None, Field(alias="Region", pattern=REGION)] = None
    account_id: Annotated[str | None, Field(alias="AccountId", pattern=ACCOUNT_ID)] = None
    # A held change set (review mode, or the safety policy) waits for a person's decision.
    wait_for_approval: Annotated[StrictBool, Field(alias="WaitForApproval")] = False
    # --- issue 17: accept the drift into the template instead of reverting it. Never the
    # default, never automatic: whoever sends it decides to change the stack's template.
    accept_drift: Annotated[StrictBool, Field(alias="AcceptDrift")] = False
    accept_reason: Annotated[str | None, Field(alias="AcceptReason", max_length=1000)] = None
    accepted_by: Annotated[str | None, Field(alias="AcceptedBy", max_length=200)] = None

    @model_validator(mode="after")
    def _accept_is_a_decision_of_its_own(self) -> HealRequest:
        if self.accept_drift and (self.create_change_set_only or self.wait_for_approval):
            msg = (
                "AcceptDrift is a decision already: not with CreateChangeSetOnly or WaitForApproval"
            )
            raise ValueError(msg)
        if not self.accept_drift and (self.accept_reason or self.accepted_by):
            raise ValueError("AcceptReason and AcceptedBy go with AcceptDrift: true")
        return self

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


def parse_request(event: Any) -> HealRequest:
    """Validate the event; every problem is named (including unknown fields, e.g. typos)."""
    return parse_event(
        HealRequest, event, error=InvalidRequestError, what="the event", invalid="invalid event"
    )


def stack_label(event: Any) -> str:
    """Best-effort stack name for a notice about an event that failed validation."""
    if isinstance(event, dict) and isinstance(event.get("StackName"), str):
        return str(event["StackName"])[:128] or "(empty)"
    return "(unknown)"
