"""Phase history and relay trust in the drift state (issue 19): pure decisions and items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from healer.report import PhaseReport
from healer.state.decisions import next_state
from healer.state.items import state_from_item, state_to_item
from healer.state.model import DriftState, NoticeDecision, RunFacts
from healer.state.timing import (
    PHASE_HISTORY,
    observed_phases,
    recorded_phase_seconds,
    relay_delivered,
    relay_delivered_after,
)

T0 = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1"


def test_each_phase_keeps_its_last_five_durations() -> None:
    history: dict[str, list[float]] = {}
    for seconds in range(1, 8):
        history = recorded_phase_seconds(history, {"detection": seconds, "execution": 10 * seconds})
    assert history["detection"] == [3, 4, 5, 6, 7]
    assert len(history["execution"]) == PHASE_HISTORY


def test_a_phase_not_finished_this_run_keeps_its_history() -> None:
    before = {"detection": [20.0], "execution": [45.0]}
    assert recorded_phase_seconds(before, {"detection": 21.5}) == {
        "detection": [20.0, 21.5],
        "execution": [45.0],
    }
    assert recorded_phase_seconds(before, {"bogus": 3, "change_set": 0}) == before


def test_only_phases_cloudformation_finished_are_remembered() -> None:
    phases = {
        "detection": PhaseReport(20.3, 2, 0, "event", settled=True, took=20.1),
        "change_set": PhaseReport(900.0, 30, 0, None, settled=False),  # timed out
    }
    assert observed_phases(phases) == {"detection": 20.1}


def test_relay_delivery_is_remembered_and_forgotten() -> None:
    event = {"detection": PhaseReport(1, 1, 0, "event")}
    polled = {
        "verification": PhaseReport(1, 1, 0, "poll"),
        "execution": PhaseReport(1, 1, 0, "poll"),
    }
    assert relay_delivered(event | polled) is True
    assert relay_delivered(polled) is False
    assert relay_delivered({"detection": PhaseReport(1, 1, 0, None)}) is None  # polling mode
    earlier = T0 - timedelta(hours=3)
    assert relay_delivered_after(earlier, True, T0) == T0
    assert relay_delivered_after(earlier, False, T0) is None
    assert relay_delivered_after(earlier, None, T0) == earlier


def test_the_state_item_carries_phase_seconds_and_relay_delivery() -> None:
    state = next_state(
        DriftState(stack_id=STACK, phase_seconds={"detection": [20.0]}),
        STACK,
        facts=RunFacts(outcome="HEALED", fingerprint=""),
        now=T0,
        notice=NoticeDecision(notify=False),
        notified=False,
        phase_seconds={"detection": 19.25, "execution": 44.123456},
        relay_delivered=True,
    )
    item = state_to_item(state, expires_at=0)
    assert item["PhaseSeconds"]["M"]["detection"] == {"L": [{"N": "20.0"}, {"N": "19.25"}]}
    assert item["RelayDeliveredAt"] == {"S": "2026-12-08T12:00:00.000Z"}
    again = state_from_item(item)
    assert again.phase_seconds == {"detection": [20.0, 19.25], "execution": [44.123]}
    assert again.relay_delivered_at == T0


def test_a_malformed_phase_history_is_ignored() -> None:
    item = state_to_item(DriftState(stack_id=STACK), expires_at=0)
    assert "PhaseSeconds" not in item and "RelayDeliveredAt" not in item
    item["PhaseSeconds"] = {"M": {"detection": {"S": "soon"}, "execution": {"L": [{"S": "x"}]}}}
    assert state_from_item(item).phase_seconds == {}
