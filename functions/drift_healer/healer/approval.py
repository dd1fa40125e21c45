"""Approval that waits: its settings and the pure decisions of the flow (healer.approval_flow).

No AWS calls and no clock reads here: every "now" and every answer is passed in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from healer.approval_contract import Answer, InvalidAnswerError, cli_command, parse_answer
from healer.model import Record
from healer.outcomes import Outcome, is_stable
from healer.settings import FINAL_STEPS_RESERVE_SECONDS, ConfigurationError, Settings
from healer.state_model import PendingChangeSet

# The name of the callback operation in the durable execution's history.
CALLBACK_NAME = "approval"
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
    approval_page_url: str | None = None
    approval_secret_arn: str | None = None

    @field_validator("approval_page_url", "approval_secret_arn", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

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
        problems = "; ".join(
            f"{'_'.join(str(p) for p in item['loc']).upper()}: "
            + item["msg"].removeprefix("Value error, ")
            for item in error.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from None


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


class Approval(Record):
    """The approval of one run: in the notices and the result as `Approval`."""

    callback_id: str
    expires: datetime
    page_url: str | None = None  # the signed link (None: no page configured)
    asked: str | None = None  # where the request went (the topic)
    decision: str | None = None  # APPROVE | REJECT once answered
    by: str | None = None
    reason: str | None = None
    decided_at: datetime | None = None

    def decided(self, answer: Answer, at: datetime) -> Approval:
        return self.model_copy(
            update={
                "decision": answer.decision,
                "by": answer.by or "(not given)",
                "reason": answer.reason,
                "decided_at": at,
            }
        )

    def to_json(self) -> dict[str, object]:
        return {
            "CallbackId": self.callback_id,
            "Expires": self.expires.isoformat(),
            "PageUrl": self.page_url,
            "Decision": self.decision,
            "By": self.by,
            "Reason": self.reason,
            "DecidedAt": self.decided_at.isoformat() if self.decided_at else None,
        }


def notice_lines(approval: Approval) -> list[str]:
    """The approval part of a notice's text: how to answer, and what was answered."""
    if approval.decision:
        verb = "approved" if approval.decision == "APPROVE" else "rejected"
        when = f" at {approval.decided_at:%Y-%m-%d %H:%M} UTC" if approval.decided_at else ""
        lines = [f"Decision: {verb} by {approval.by}{when}"]
        if approval.reason:
            lines.append(f"  reason: {approval.reason}")
        return ["", *lines, f"Callback ID: {approval.callback_id}"]
    lines = ["", f"Approval: waiting until {approval.expires:%Y-%m-%d %H:%M} UTC"]
    if approval.page_url:
        lines += ["Open to review, then approve or reject:", f"  {approval.page_url}"]
    lines += [
        f"Callback ID: {approval.callback_id}",
        "Or answer from a shell:",
        f"  {cli_command(approval.callback_id)}",
        "  (Decision REJECT to reject; or: drift-healer approve|reject STACK)",
    ]
    return lines


def read_answer(raw: str | None) -> Answer | str:
    """The answer, or why it is not one (the callback is completed: that is final)."""
    try:
        return parse_answer(raw)
    except InvalidAnswerError as problem:
        return str(problem)


def rejected(answer: Answer) -> tuple[Outcome, str]:
    reason = f": {answer.reason}" if answer.reason else " (no reason given)"
    return Outcome.REJECTED, f"rejected by {answer.by or '(not given)'}{reason}"


def invalid_answer(problem: str) -> tuple[Outcome, str]:
    return (
        Outcome.APPROVAL_INVALID,
        f"the approval was answered with something that is not a decision ({problem}); "
        "nothing was executed and the change set was kept for review",
    )


def timed_out(hours: float, *, kept: bool) -> tuple[Outcome, str]:
    fate = "kept for review (KEEP_CHANGE_SET_ON_TIMEOUT)" if kept else "deleted"
    return (
        Outcome.APPROVAL_TIMED_OUT,
        f"nobody approved or rejected within {hours:g} h; the change set was {fate}",
    )


def recheck(
    change_set_status: str | None,
    execution_status: str | None,
    stack_status: str,
) -> tuple[Outcome, str] | None:
    """After an approval: None if the change set can still run as reviewed; else why not.

    A stack updated (or busy) meanwhile is OBSOLETE: a blind execute could revert more or
    less than what the reviewer saw.
    """
    if change_set_status is None:
        return Outcome.OBSOLETE, "approved, but the change set no longer exists"
    if execution_status != "AVAILABLE" or change_set_status != "CREATE_COMPLETE":
        return (
            Outcome.OBSOLETE,
            f"approved, but the change set is {change_set_status}/{execution_status} "
            "(the stack was updated meanwhile): nothing executed",
        )
    if not is_stable(stack_status):
        return (
            Outcome.OBSOLETE,
            f"approved, but the stack is {stack_status} now: nothing executed; run again",
        )
    return None


def approved_note(approval: Approval) -> str:
    when = f" at {approval.decided_at:%Y-%m-%d %H:%M} UTC" if approval.decided_at else ""
    reason = f" ({approval.reason})" if approval.reason else ""
    return f"approved by {approval.by}{when}{reason}"


def pending_with_approval(pending: PendingChangeSet, approval: Approval) -> PendingChangeSet:
    """The drift state's pending change set, carrying the approval a run waits on (so a
    later run reuses it: healer.pending_review.approval_to_reuse)."""
    return pending.model_copy(
        update={
            "callback_id": approval.callback_id,
            "asked": approval.asked,
            "approval_expires": approval.expires,
        }
    )
