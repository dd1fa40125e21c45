"""Each wait ends when CloudFormation's event arrives; a lost event costs one fallback poll."""

from __future__ import annotations

import threading
import time

import pytest

from sandbox.cloudformation.timing import Phase
from tests.e2e.events.world import FALLBACK, EventWorld

pytestmark = pytest.mark.slow

EVENT_PHASES = ("detection", "execution", "verification")


def test_each_wait_ends_on_the_event_with_one_describe(events: EventWorld) -> None:
    events.deploy_drifted("ev-happy")

    result, arn = events.heal("ev-happy")

    assert result["Outcome"] == "HEALED"
    for phase in EVENT_PHASES:
        assert result["Phases"][phase]["EndedOn"] == "event", phase
        assert result["Phases"][phase]["Polls"] == 1, phase  # the Describe after the event
        # CloudFormation took 0.3 s; the wait ended well before the fallback.
        assert result["Phases"][phase]["Seconds"] < FALLBACK, phase
    assert "EndedOn" not in result["Phases"]["change_set"]  # no event exists: polled
    woke = events.relay.woken()
    assert len(woke) == 3
    names = events.history_names(arn)
    assert "wait-for-detection-listen-1" in names  # recorded before DetectStackDrift
    assert names.index("wait-for-detection-listen-1") < names.index("start-detection")
    assert "wait-for-detection-polling" not in names


def test_event_sent_before_the_callback_is_waited_on_still_wakes_it(events: EventWorld) -> None:
    # Detection finishes inside DetectStackDrift itself: its event reaches the relay while
    # the handler has not yet recorded the detection id nor started waiting.
    events.sb.timing.detection = Phase(0.0, 0)
    events.deploy_drifted("ev-early")

    result, _ = events.heal("ev-early")

    assert result["Outcome"] == "HEALED"
    assert result["Phases"]["detection"]["EndedOn"] == "event"
    assert result["Phases"]["detection"]["Seconds"] < FALLBACK


def test_duplicated_events_are_harmless(events: EventWorld) -> None:
    events.sb.events.knobs.duplicate = True
    events.deploy_drifted("ev-dup")

    result, _ = events.heal("ev-dup")

    assert result["Outcome"] == "HEALED"
    assert all(result["Phases"][p]["EndedOn"] == "event" for p in EVENT_PHASES)
    outcomes = [status for r in events.relay.woken() for status in r["callbacks"].values()]
    assert "already closed" in outcomes  # the second copy found the callback done


def test_dropped_events_in_a_run_that_saw_none_cost_no_more_than_polling(
    events: EventWorld,
) -> None:
    # Nothing shows yet that the relay works: the fallback rounds follow the polling
    # schedule (POLL_INITIAL = 2 s, then 3 s), i.e. Describes at 2 s and 5 s after the start,
    # where polling would look at 0, 2 and 5 s. A 3 s phase ends on the second round (one
    # Describe fewer than polling, at the same time), not after the long FALLBACK.
    events.sb.events.knobs.drop = True
    events.sb.timing.detection = events.sb.timing.execution = Phase(3.0, 0)
    events.deploy_drifted("ev-lost")

    result, _ = events.heal("ev-lost")

    assert result["Outcome"] == "HEALED"
    for phase in EVENT_PHASES:
        assert result["Phases"][phase]["EndedOn"] == "poll", phase
        assert result["Phases"][phase]["Polls"] == 2, (phase, result["Phases"][phase])
        assert result["Phases"][phase]["Seconds"] < FALLBACK, phase
    assert events.relay.results == []  # nothing reached the relay


def test_after_an_event_arrived_the_later_waits_use_the_long_fallback(
    events: EventWorld,
) -> None:
    # The detection's event arrives (the relay is proven); then every event is lost. The
    # execution and verification waits trust events: one long FALLBACK round each, no
    # polling-schedule rounds.
    def drop_once_detection_woke() -> None:
        deadline = time.monotonic() + 30
        while not events.relay.woken() and time.monotonic() < deadline:
            time.sleep(0.02)
        events.sb.events.knobs.drop = True

    watcher = threading.Thread(target=drop_once_detection_woke, daemon=True)
    watcher.start()
    events.deploy_drifted("ev-trusted")

    result, _ = events.heal("ev-trusted")
    watcher.join()

    assert result["Outcome"] == "HEALED"
    assert result["Phases"]["detection"]["EndedOn"] == "event"
    for phase in ("execution", "verification"):
        seen = result["Phases"][phase]
        assert seen["EndedOn"] == "poll", (phase, seen)
        assert seen["Polls"] == 1, (phase, seen)  # one round of FALLBACK, then the Describe
        assert seen["Seconds"] >= FALLBACK - 0.5, (phase, seen)
