"""Settings from the environment (pydantic-settings); every variable is in the README."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from healer.safety import DEFAULT_EXCLUDE_TYPES, SafetyPolicy

_SNS_TOPIC_ARN = re.compile(r"arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}")
_ROLE_ARN = re.compile(r"arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}")

Seconds = Annotated[float, Field(gt=0)]
# A comma-separated list in the environment ("a, b"); blank entries are dropped.
CommaList = Annotated[tuple[str, ...], NoDecode]
# Resource type globs: AWS::Service::Resource with fnmatch wildcards (*, ?, [...]).
_TYPE_GLOB = re.compile(r"[A-Za-z0-9*?\[\]!]+(::[A-Za-z0-9*?\[\]!]+){0,2}")
# IGNORE_DRIFT: a logical id glob, or Type:/PropertyPath.
_LOGICAL_ID_GLOB = re.compile(r"[A-Za-z0-9*?\[\]!]+")


class ConfigurationError(RuntimeError):
    """The function is mis-configured; raised before any AWS call is made."""


@dataclass(frozen=True)
class PollPolicy:
    """How one phase polls: a short first interval, growing by `backoff_rate`, capped."""

    initial_seconds: float
    max_seconds: float
    backoff_rate: float
    budget_seconds: float


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    sns_topic_arn: str | None = None
    notify_on_in_sync: bool = False
    verify_after_heal: bool = True
    # Safety gate: a revert that replaces a resource (new physical resource, data loss for
    # queues and tables) is held for review unless this is set.
    allow_replacement: bool = False
    # Optional CloudFormation service role passed as RoleARN when creating the change set.
    cloudformation_role_arn: str | None = None

    poll_backoff_rate: Annotated[float, Field(ge=1.0, le=4.0)] = 1.5
    detection_poll_initial_seconds: Seconds = 5
    detection_poll_max_seconds: Seconds = 30
    detection_timeout_seconds: Seconds = 900
    change_set_poll_initial_seconds: Seconds = 5
    change_set_poll_max_seconds: Seconds = 30
    change_set_timeout_seconds: Seconds = 600
    execution_poll_initial_seconds: Seconds = 10
    execution_poll_max_seconds: Seconds = 60
    execution_timeout_seconds: Seconds = 3600

    # --- safety policy (issue 7; README "Safety policy") -------------------------------
    recreate_deleted: bool = False
    auto_heal_exclude_types: CommaList = DEFAULT_EXCLUDE_TYPES
    auto_heal_include_types: CommaList = ()
    max_auto_changes: Annotated[int, Field(ge=0)] = 10
    ignore_drift: CommaList = ()

    @field_validator(
        "auto_heal_exclude_types", "auto_heal_include_types", "ignore_drift", mode="before"
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("auto_heal_exclude_types", "auto_heal_include_types")
    @classmethod
    def _are_type_globs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [glob for glob in value if not _TYPE_GLOB.fullmatch(glob)]
        if bad:
            msg = f"{', '.join(map(repr, bad))}: expected resource type globs like AWS::RDS::*"
            raise ValueError(msg)
        return value

    @field_validator("ignore_drift")
    @classmethod
    def _are_drift_globs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [
            glob
            for glob in value
            if not (":/" in glob and _TYPE_GLOB.fullmatch(glob.split(":/", 1)[0]))
            and not _LOGICAL_ID_GLOB.fullmatch(glob)
        ]
        if bad:
            msg = (
                f"{', '.join(map(repr, bad))}: expected Type:/PropertyPath "
                "(AWS::IAM::Role:/Tags*) or a logical resource id (LegacyQueue, Temp*)"
            )
            raise ValueError(msg)
        return value

    def safety_policy(self) -> SafetyPolicy:
        return SafetyPolicy(
            allow_replacement=self.allow_replacement,
            recreate_deleted=self.recreate_deleted,
            exclude_types=self.auto_heal_exclude_types,
            include_types=self.auto_heal_include_types,
            max_auto_changes=self.max_auto_changes,
            ignore_drift=self.ignore_drift,
        )

    # --- end safety policy -------------------------------------------------------------

    @field_validator("sns_topic_arn", "cloudformation_role_arn", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("sns_topic_arn")
    @classmethod
    def _is_topic_arn(cls, value: str | None) -> str | None:
        if value is not None and not _SNS_TOPIC_ARN.fullmatch(value):
            msg = f"{value!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
            raise ValueError(msg)
        return value

    @field_validator("cloudformation_role_arn")
    @classmethod
    def _is_role_arn(cls, value: str | None) -> str | None:
        if value is not None and not _ROLE_ARN.fullmatch(value):
            msg = f"{value!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _intervals_fit(self) -> Settings:
        for phase in ("detection", "change_set", "execution"):
            if getattr(self, f"{phase}_poll_initial_seconds") > getattr(
                self, f"{phase}_poll_max_seconds"
            ):
                msg = (
                    f"{phase.upper()}_POLL_INITIAL_SECONDS exceeds {phase.upper()}_POLL_MAX_SECONDS"
                )
                raise ValueError(msg)
        return self

    def poll_policy(self, phase: str) -> PollPolicy:
        """`phase` is one of detection, change_set, execution."""
        return PollPolicy(
            initial_seconds=getattr(self, f"{phase}_poll_initial_seconds"),
            max_seconds=getattr(self, f"{phase}_poll_max_seconds"),
            backoff_rate=self.poll_backoff_rate,
            budget_seconds=getattr(self, f"{phase}_timeout_seconds"),
        )


def running_in_lambda() -> bool:
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def load_settings() -> Settings:
    """Read and check the settings; a problem is a ConfigurationError that names the variable."""
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'_'.join(str(p) for p in item['loc']).upper() or 'settings'}: {item['msg']}"
            for item in error.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from None
    if settings.sns_topic_arn is None and running_in_lambda():
        msg = "invalid configuration: SNS_TOPIC_ARN is required in Lambda (the topic for notices)"
        raise ConfigurationError(msg)
    return settings
