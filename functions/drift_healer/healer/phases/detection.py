"""Drift detection with its wait, the settle before a triggered run, and the lease."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.config import Duration

from healer.model import (
    DetectionPoll,
    HealRequest,
)
from healer.report import PhaseReport, RunReport
from healer.settings import Settings
from healer.state import RunState
from healer.waits import detect_and_wait


class Detection(NamedTuple):
    poll: DetectionPoll
    budget_seconds: float


def detect_drift(
    context: DurableContext,
    settings: Settings,
    report: RunReport,
    stack_id: str,
    *,
    phase: str,
    deadline: datetime | None,
    state: RunState,
) -> Detection:
    """DetectStackDrift, then wait (events or polls) until it finishes; the looks are
    scheduled from this stack's history of `phase` (detection or verification)."""
    base = state.with_history(settings.poll_policy("detection"), phase)
    _, poll, policy = detect_and_wait(context, stack_id, phase=phase, base=base, deadline=deadline)
    report.phases[phase] = PhaseReport.of(poll)
    return Detection(poll, policy.budget_seconds)


def settle_after_change(
    context: DurableContext,
    settings: Settings,
    request: HealRequest,
    report: RunReport,
    started: datetime,
) -> None:
    """An event-triggered run (the event's `Trigger`) waits SETTLE_SECONDS before it
    detects (a durable wait: free), so that a burst of edits is healed by one run."""
    trigger = request.trigger
    if trigger is None:
        return
    report.trigger_source = "event"
    report.trigger = trigger.model_dump(mode="json", by_alias=True)
    report.trigger_text = trigger.describe(started)
    if settings.settle_seconds > 0:
        context.wait(Duration.from_seconds(settings.settle_seconds), name="settle-after-change")


def take_stack_lease(
    context: DurableContext,
    settings: Settings,
    request: HealRequest,
    state: RunState,
    stack_id: str,
    *,
    room_seconds: float | None,
) -> None:
    """The stack's lease. A triggered run that finds it held waits for it (durable waits,
    60 s doubling to 15 min, at most TRIGGER_BUSY_WAIT_SECONDS, and never into the time its
    phases need: `room_seconds` is what the ExecutionTimeout leaves): the change that
    started it is checked after the holder ends, not left to the schedule."""
    state.begin(context, stack_id, settings.lease_seconds)
    budget = settings.trigger_busy_wait_seconds if request.trigger is not None else 0
    if room_seconds is not None:
        budget = max(0, min(budget, int(room_seconds - settings.phase_budget_seconds)))
    waited, delay, attempt = 0, 60, 0
    while state.busy and waited < budget:
        attempt += 1
        pause = min(delay, budget - waited)
        context.wait(Duration.from_seconds(pause), name=f"wait-for-stack-lease-{attempt}")
        waited, delay = waited + pause, min(delay * 2, 900)
        state.begin(context, stack_id, settings.lease_seconds)
