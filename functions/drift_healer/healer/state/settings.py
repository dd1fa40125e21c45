"""Settings of the drift state (environment variables; docs/drift-state.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from drift_common.validation import OptionalSetting, configuration_error


class StateSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    # The DynamoDB table of the drift state; unset = stateless (every run stands alone).
    state_table_name: OptionalSetting = None
    # Unchanged drift (or an identical failure) is notified again after this long.
    remind_after_hours: Annotated[float, Field(gt=0, le=24 * 365)] = 24
    # History items expire (DynamoDB TTL) this many days after their run.
    history_ttl_days: Annotated[int, Field(ge=1, le=3650)] = 90
    # A stack held by another live run for longer than this is notified (once per holder).
    busy_notice_after_hours: Annotated[float, Field(gt=0, le=24 * 365)] = 6

    @field_validator("state_table_name")
    @classmethod
    def _is_table_name(cls, value: str | None) -> str | None:
        # TableName: 3-255 characters of [a-zA-Z0-9_.-] (botocore model), or the table's ARN.
        if value is not None and not (
            value.startswith("arn:")
            or (3 <= len(value) <= 255 and all(c.isalnum() or c in "_.-" for c in value))
        ):
            msg = f"{value!r} is not a DynamoDB table name ([a-zA-Z0-9_.-], 3-255 characters)"
            raise ValueError(msg)
        return value


def load_state_settings() -> StateSettings:
    """Read and check; a problem is a ConfigurationError naming the variable."""
    try:
        return StateSettings()
    except ValidationError as error:
        raise configuration_error(error) from None
