"""The trigger function's settings (environment variables; docs/settings.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from drift_common.validation import configuration_error


class TriggerSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    # The healer, qualified (its alias): a durable function is invoked by version or alias.
    healer_function_arn: Annotated[str, Field(min_length=1)]
    # The stacks a change may start a run for (IAM-style glob, as TargetStackNamePattern).
    target_stack_name_pattern: Annotated[str, Field(min_length=1)] = "*"
    # The healer's own stack: changes to it never start a run.
    healer_stack_name: str = ""
    # The settle window (the healer's SETTLE_SECONDS): one run per stack and window.
    settle_seconds: Annotated[int, Field(ge=0, le=900)] = 60
    # Changes by these principals start nothing (the healer's own role, CloudFormation's).
    ignore_changes_by: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("ignore_changes_by", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


def load_trigger_settings() -> TriggerSettings:
    try:
        return TriggerSettings()
    except ValidationError as error:
        raise configuration_error(error) from None
