"""Settings of approval that waits (environment variables; docs/approval.md), and whether a
run that waits can fit in the durable ExecutionTimeout."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from drift_common.validation import ConfigurationError, OptionalSetting, configuration_error
from healer.model import FINAL_STEPS_RESERVE_SECONDS
from healer.settings import Settings

# Longest a durable execution may run (DurableConfig.ExecutionTimeout, 366 days).
MAX_APPROVAL_HOURS = 8_784


class ApprovalSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    # How long a run waits for a decision (the callback's timeout).
    approval_timeout_hours: Annotated[float, Field(gt=0, le=MAX_APPROVAL_HOURS)] = 72
    # A change set nobody decided on in time is deleted unless this is set.
    keep_change_set_on_timeout: bool = False
    # The approval page's Function URL, and the secret its links are signed with; either
    # unset = no page link in the notice (answer with the CLI or the AWS CLI).
    approval_page_url: OptionalSetting = None
    approval_secret_arn: OptionalSetting = None

    @field_validator("approval_timeout_hours")
    @classmethod
    def _at_least_a_second(cls, value: float) -> float:
        # A callback timeout of 0 s means "no timeout": a tiny value must not round to it.
        if value * 3600 < 1:
            msg = (
                f"{value:g} h is {value * 3600:.2g} s: the shortest wait for a decision is one"
                f" second ({1 / 3600:.6f} h)"
            )
            raise ValueError(msg)
        return value

    @field_validator("approval_page_url")
    @classmethod
    def _is_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            msg = f"{value!r} is not a URL (https://...)"
            raise ValueError(msg)
        return value

    @property
    def timeout_seconds(self) -> int:
        return round(self.approval_timeout_hours * 3600)

    @property
    def page_enabled(self) -> bool:
        return bool(self.approval_page_url and self.approval_secret_arn)


def load_approval_settings() -> ApprovalSettings:
    try:
        return ApprovalSettings()
    except ValidationError as error:
        raise configuration_error(error) from None


def approval_budget_problem(settings: Settings, approval: ApprovalSettings) -> str | None:
    """Why a run that waits for approval cannot fit in the durable ExecutionTimeout.

    Only runs that wait are checked (at their start): the wait plus every phase must fit,
    or the service would end the run mid-wait without a notice.
    """
    limit = settings.durable_execution_timeout_seconds
    needed = approval.timeout_seconds + settings.phase_budget_seconds + FINAL_STEPS_RESERVE_SECONDS
    if limit is None or needed <= limit:
        return None
    return (
        f"invalid configuration: APPROVAL_TIMEOUT_HOURS {approval.approval_timeout_hours:g}"
        f" ({approval.timeout_seconds} s) plus the phase budgets and final steps"
        f" ({needed - approval.timeout_seconds:g} s) = {needed:g} s exceed the function's"
        f" ExecutionTimeout (DURABLE_EXECUTION_TIMEOUT_SECONDS {limit} s): lower"
        " APPROVAL_TIMEOUT_HOURS or raise ExecutionTimeoutSeconds"
    )


def approval_problem(settings: Settings) -> str | None:
    """For a run that waits: bad approval settings, or a wait that cannot fit."""
    try:
        return approval_budget_problem(settings, load_approval_settings())
    except ConfigurationError as problem:
        return str(problem)
