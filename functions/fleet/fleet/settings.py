"""The fleet function's settings, from its environment (pydantic-settings, like the healer's)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from drift_common.credentials import parse_account_ids
from drift_common.validation import (
    SNS_TOPIC_ARN,
    OptionalSetting,
    configuration_error,
)
from fleet.plan import DEFAULT_BATCH_SIZE


class FleetSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    # Qualified (alias or version): a durable target needs one.
    healer_function_arn: Annotated[str, Field(min_length=1)]
    # This function's own alias: batches run as its child executions.
    fleet_function_arn: Annotated[str, Field(min_length=1)]
    sns_topic_arn: OptionalSetting = None
    fleet_batch_size: Annotated[int, Field(ge=1, le=1000, strict=False)] = DEFAULT_BATCH_SIZE
    # The accounts whose execution role may be assumed (drift_common.credentials): checked
    # here so a bad list stops the fleet before it starts, and again before every AssumeRole.
    target_account_ids: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("target_account_ids", mode="before")
    @classmethod
    def _account_ids(cls, value: object) -> object:
        return parse_account_ids(value) if isinstance(value, str) else value

    @field_validator("sns_topic_arn")
    @classmethod
    def _is_topic_arn(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(SNS_TOPIC_ARN, value):
            msg = f"{value!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
            raise ValueError(msg)
        return value

    @field_validator("healer_function_arn", "fleet_function_arn")
    @classmethod
    def _qualified(cls, value: str) -> str:
        # name:qualifier or arn:...:function:name:qualifier
        parts = value.split(":")
        if (len(parts) == 8) if value.startswith("arn:") else (len(parts) == 2):
            return value
        msg = (
            f"must name a version or alias (a durable function is invoked qualified), got {value!r}"
        )
        raise ValueError(msg)


def load_fleet_settings() -> FleetSettings:
    """Read and check; a problem is a ConfigurationError naming the variable."""
    try:
        return FleetSettings()  # read from the environment
    except ValidationError as error:
        raise configuration_error(error) from None
