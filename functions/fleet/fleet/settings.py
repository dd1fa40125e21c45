"""The fleet function's settings, from its environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from fleet.plan import DEFAULT_BATCH_SIZE


class FleetConfigurationError(ValueError):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class FleetSettings:
    healer_function: str  # qualified (alias or version): a durable target needs one
    fleet_function: str  # this function's own alias: batches run as its child executions
    topic_arn: str | None
    batch_size: int


def _qualified(name: str, value: str | None) -> str:
    if not value:
        raise FleetConfigurationError(f"{name} is not set")
    # name:qualifier or arn:...:function:name:qualifier
    parts = value.split(":")
    qualified = len(parts) == 8 if value.startswith("arn:") else len(parts) == 2
    if not qualified:
        msg = (
            f"{name} must name a version or alias (a durable function is invoked qualified), "
            f"got {value!r}"
        )
        raise FleetConfigurationError(msg)
    return value


def load_fleet_settings() -> FleetSettings:
    raw_batch = os.environ.get("FLEET_BATCH_SIZE") or str(DEFAULT_BATCH_SIZE)
    if not raw_batch.isdigit() or not 1 <= int(raw_batch) <= 1000:
        msg = f"FLEET_BATCH_SIZE must be a whole number from 1 to 1000, got {raw_batch!r}"
        raise FleetConfigurationError(msg)
    return FleetSettings(
        healer_function=_qualified("HEALER_FUNCTION_ARN", os.environ.get("HEALER_FUNCTION_ARN")),
        fleet_function=_qualified("FLEET_FUNCTION_ARN", os.environ.get("FLEET_FUNCTION_ARN")),
        topic_arn=os.environ.get("SNS_TOPIC_ARN") or None,
        batch_size=int(raw_batch),
    )
