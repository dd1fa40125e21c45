"""The run's settings from the environment (pydantic-settings); every variable is in
docs/settings.md."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from drift_common.credentials import parse_account_ids
from drift_common.validation import (
    ROLE_ARN,
    SNS_TOPIC_ARN,
    ConfigurationError,
    OptionalSetting,
    configuration_error,
)
from healer.model import FINAL_STEPS_RESERVE_SECONDS, MAX_EXECUTION_TIMEOUT_SECONDS, PollPolicy
from healer.policy import DEFAULT_EXCLUDE_TYPES, SafetyPolicy

_SNS_TOPIC_ARN = re.compile(SNS_TOPIC_ARN)
_ROLE_ARN = re.compile(ROLE_ARN)

# Finite, positive, and no longer than a durable execution can last.
Seconds = Annotated[float, Field(gt=0, le=MAX_EXECUTION_TIMEOUT_SECONDS, allow_inf_nan=False)]
# A comma-separated list in the environment ("a, b"); blank entries are dropped.
CommaList = Annotated[tuple[str, ...], NoDecode]
# Resource type globs: AWS::Service::Resource with fnmatch wildcards (*, ?, [...]).
_TYPE_GLOB = re.compile(r"[A-Za-z0-9*?\[\]!]+(::[A-Za-z0-9*?\[\]!]+){0,2}")
# IGNORE_DRIFT: a logical id glob, or Type:/PropertyPath.
_LOGICAL_ID_GLOB = re.compile(r"[A-Za-z0-9*?\[\]!]+")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    sns_topic_arn: OptionalSetting = None
    notify_on_in_sync: bool = False
    # Opt-in per-stack metrics (a metric series per stack, billed as such: docs/metrics.md).
    per_stack_metrics: bool = False
    # Optional chat topic (Amazon Q Developer in chat applications): every notice again, as a
    # custom notification; the approval link only with CHAT_APPROVAL_LINKS (a capability).
    chat_topic_arn: OptionalSetting = None
    chat_approval_links: bool = False
    verify_after_heal: bool = True
    # Safety gate: a revert that replaces a resource (new physical resource, data loss for
    # queues and tables) is held for review unless this is set.
    allow_replacement: bool = False
    # Optional CloudFormation service role passed as RoleARN when creating the change set.
    cloudformation_role_arn: OptionalSetting = None
    # The accounts whose execution role a run may assume (drift_common.credentials checks
    # it before every AssumeRole); read here so that a list that is not one stops the run.
    target_account_ids: CommaList = ()

    poll_backoff_rate: Annotated[float, Field(ge=1.0, le=4.0, allow_inf_nan=False)] = 1.5
    detection_poll_initial_seconds: Seconds = 5
    detection_poll_max_seconds: Seconds = 30
    detection_timeout_seconds: Seconds = 900
    change_set_poll_initial_seconds: Seconds = 5
    change_set_poll_max_seconds: Seconds = 30
    change_set_timeout_seconds: Seconds = 600
    execution_poll_initial_seconds: Seconds = 10
    execution_poll_max_seconds: Seconds = 60
    execution_timeout_seconds: Seconds = 3600
    # The function's DurableConfig.ExecutionTimeout, passed by the template: the phase budgets
    # must fit in it, or the service would kill a run before it could say why.
    durable_execution_timeout_seconds: (
        Annotated[int, Field(ge=1, le=MAX_EXECUTION_TIMEOUT_SECONDS)] | None
    ) = None

    # --- safety policy (docs/safety-policy.md) -------------------------------
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

    @field_validator("target_account_ids", mode="before")
    @classmethod
    def _account_ids(cls, value: object) -> object:
        return parse_account_ids(value) if isinstance(value, str) else value

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

    @field_validator("sns_topic_arn", "chat_topic_arn")
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
        problem = budget_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def phase_budget_seconds(self) -> float:
        """The longest a run can wait on CloudFormation: every phase at its time budget."""
        verification = self.detection_timeout_seconds if self.verify_after_heal else 0
        return (
            self.detection_timeout_seconds
            + self.change_set_timeout_seconds
            + self.execution_timeout_seconds
            + verification
        )

    @property
    def lease_seconds(self) -> float:
        """How long a stack's lease lasts when taken: what the run can still do (every phase
        at its budget, and the final steps), never past the ExecutionTimeout. A run that waits
        for a person extends it first, and again before executing (execute_and_verify_seconds)."""
        needed = self.phase_budget_seconds + FINAL_STEPS_RESERVE_SECONDS
        if self.durable_execution_timeout_seconds is not None:
            return float(min(needed, self.durable_execution_timeout_seconds))
        return needed

    @property
    def execute_and_verify_seconds(self) -> float:
        """What a run still does once it decided to execute: execute, verify, final steps."""
        verification = self.detection_timeout_seconds if self.verify_after_heal else 0
        return self.execution_timeout_seconds + verification + FINAL_STEPS_RESERVE_SECONDS

    def deadline(self, run_started_at: datetime) -> datetime | None:
        """When the last wait must end for the run to finish inside ExecutionTimeout."""
        if self.durable_execution_timeout_seconds is None:
            return None
        return run_started_at + timedelta(
            seconds=self.durable_execution_timeout_seconds - FINAL_STEPS_RESERVE_SECONDS
        )

    @property
    def notice_target(self) -> NoticeTarget:
        return NoticeTarget(
            self.sns_topic_arn,
            self.notify_on_in_sync,
            per_stack_metrics=self.per_stack_metrics,
            chat_topic_arn=self.chat_topic_arn,
        )

    def poll_policy(self, phase: str) -> PollPolicy:
        """`phase` is one of detection, change_set, execution."""
        return PollPolicy(
            initial_seconds=getattr(self, f"{phase}_poll_initial_seconds"),
            max_seconds=getattr(self, f"{phase}_poll_max_seconds"),
            backoff_rate=self.poll_backoff_rate,
            budget_seconds=getattr(self, f"{phase}_timeout_seconds"),
        )


def budget_problem(settings: Settings) -> str | None:
    """Why the phase budgets cannot fit in the durable ExecutionTimeout (None: they fit)."""
    limit = settings.durable_execution_timeout_seconds
    needed = settings.phase_budget_seconds + FINAL_STEPS_RESERVE_SECONDS
    if limit is None or needed <= limit:
        return None
    return (
        f"the phase budgets (DETECTION_TIMEOUT_SECONDS {settings.detection_timeout_seconds:g}"
        f" + CHANGE_SET_TIMEOUT_SECONDS {settings.change_set_timeout_seconds:g}"
        f" + EXECUTION_TIMEOUT_SECONDS {settings.execution_timeout_seconds:g}"
        + (" + verification" if settings.verify_after_heal else "")
        + f" + {FINAL_STEPS_RESERVE_SECONDS} s for the final steps = {needed:g} s) exceed the"
        f" function's ExecutionTimeout (DURABLE_EXECUTION_TIMEOUT_SECONDS {limit} s): lower"
        " the budgets or raise ExecutionTimeoutSeconds"
    )


@dataclass(frozen=True)
class NoticeTarget:
    """Where a run's end goes (notices, metrics): usable even when the rest of the
    configuration is not."""

    topic_arn: str | None
    notify_on_in_sync: bool = False
    per_stack_metrics: bool = False
    chat_topic_arn: str | None = None


def notice_target_from_environment() -> NoticeTarget:
    """SNS_TOPIC_ARN alone, for reporting a configuration problem (None if it is unusable)."""
    raw = (os.environ.get("SNS_TOPIC_ARN") or "").strip()
    return NoticeTarget(raw if _SNS_TOPIC_ARN.fullmatch(raw) else None)


def running_in_lambda() -> bool:
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def load_settings() -> Settings:
    """Read and check the settings; a problem is a ConfigurationError that names the variable."""
    try:
        settings = Settings()
    except ValidationError as error:
        raise configuration_error(error) from None
    if settings.sns_topic_arn is None and running_in_lambda():
        msg = "invalid configuration: SNS_TOPIC_ARN is required in Lambda (the topic for notices)"
        raise ConfigurationError(msg)
    return settings
