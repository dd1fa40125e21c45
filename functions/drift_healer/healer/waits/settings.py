"""How the detection, verification and execution waits learn that CloudFormation finished.

WAIT_MODE=events: the wait sleeps on a durable callback that the relay function completes
when CloudFormation's EventBridge event arrives, with a poll after every callback timeout as
the fallback (a lost event, a missing rule); the timeouts follow the polling schedule until
an event has arrived in the run, the long EVENT_FALLBACK_* schedule after. WAIT_MODE=polling
(the default when unset): the growing-interval polls alone. Events need the drift state
table (the relay finds the waiting callback there): without STATE_TABLE_NAME the waits poll
whatever WAIT_MODE says.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from drift_common.validation import configuration_error
from healer.model import FINAL_STEPS_RESERVE_SECONDS, PollPolicy
from healer.waits.decisions import history_schedule, next_look


class WaitMode(StrEnum):
    EVENTS = "events"
    POLLING = "polling"


class WaitSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    wait_mode: WaitMode = WaitMode.POLLING
    # The first callback timeout (a poll follows each); it doubles up to the maximum, so a
    # lost event costs at most this much delay early on and a one-hour update a handful of
    # wake-ups. The first callback is armed before the operation starts, i.e. before the
    # phase's budget can be cut to the deadline: at most 300 s (FINAL_STEPS_RESERVE_SECONDS)
    # keeps even that first sleep inside the ExecutionTimeout.
    event_fallback_initial_seconds: Annotated[int, Field(ge=1, le=FINAL_STEPS_RESERVE_SECONDS)] = 30
    event_fallback_max_seconds: Annotated[int, Field(ge=1, le=86400)] = 900
    event_fallback_backoff_rate: Annotated[float, Field(ge=1, le=10)] = 2.0
    # How long an event the relay delivered for a stack (the drift state's RelayDeliveredAt)
    # lets the stack's next runs trust events from their first wait; 0 = never across runs.
    event_trust_hours: Annotated[float, Field(ge=0, le=8760, allow_inf_nan=False)] = 24.0

    @model_validator(mode="after")
    def _ordered(self) -> WaitSettings:
        if self.event_fallback_max_seconds < self.event_fallback_initial_seconds:
            msg = "EVENT_FALLBACK_MAX_SECONDS must be >= EVENT_FALLBACK_INITIAL_SECONDS"
            raise ValueError(msg)
        return self

    def fallback_seconds(self, round_number: int) -> float:
        """The callback timeout of wake-up `round_number` (1, 2, ...): grows, capped."""
        grown = self.event_fallback_initial_seconds * self.event_fallback_backoff_rate ** (
            max(round_number, 1) - 1
        )
        return float(min(grown, self.event_fallback_max_seconds))

    def callback_timeout(
        self, round_number: int, *, trusted: bool, polling: PollPolicy, elapsed: float = 0.0
    ) -> float:
        """The callback timeout of wake-up `round_number` of an event-driven wait, armed
        `elapsed` seconds after the operation started (0 for the first, armed before it).

        Until an event has woken a wait of this run or, recently, of this stack (`trusted`
        False), nothing shows that the rule and the relay work: the rounds look when polling
        would (the phase's history schedule, or its polling intervals), so a lost event or a
        missing rule ends the wait no later than polling would. Once the relay has delivered,
        the waits trust it: the long fallback schedule, a few wake-ups even for an hour-long
        update; with history, the sleep lasts until past the expected end (and the history's
        short looks), so an event that arrives as expected is the only wake-up (two when the
        first sleep, armed before the start, is cut to 300 s)."""
        schedule = history_schedule(polling)
        if not trusted:
            timeout = float(next_look(elapsed, round_number, polling))
        elif schedule is not None and elapsed < schedule.trusted_until:
            timeout = max(schedule.trusted_until - elapsed, 1.0)
        else:
            timeout = self.fallback_seconds(round_number)
        # The first round is armed before the budget is cut to the deadline (see above).
        return min(timeout, FINAL_STEPS_RESERVE_SECONDS) if round_number <= 1 else timeout

    def trusts_relay(self, delivered_at: datetime | None, now: datetime | None) -> bool:
        """The relay delivered an event for this stack less than EVENT_TRUST_HOURS before
        `now` (the drift state's `RelayDeliveredAt`): this run trusts events from its first
        wait. 0 hours: never across runs."""
        if delivered_at is None or now is None or self.event_trust_hours <= 0:
            return False
        return timedelta(0) <= now - delivered_at < timedelta(hours=self.event_trust_hours)


def load_wait_settings() -> WaitSettings:
    """Read and check; a problem is a ConfigurationError naming the variable."""
    try:
        return WaitSettings()
    except ValidationError as error:
        raise configuration_error(error) from None
