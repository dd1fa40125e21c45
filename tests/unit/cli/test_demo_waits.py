"""The demo's check of a run's event-driven waits: a lost race is fine, no event at all is not."""

from __future__ import annotations

import io

from drift_healer_cli.demo import check_waits


def phases(*ended: str) -> dict[str, object]:
    names = ("detection", "execution", "verification")
    return {
        "Phases": {
            n: {"EndedOn": e, "Polls": 1, "Seconds": 1.0}
            for n, e in zip(names, ended, strict=False)
        }
    }


def problems_of(record: dict[str, object]) -> list[str]:
    problems: list[str] = []
    check_waits(record, fast=False, problems=problems, out=io.StringIO())
    return problems


def test_a_fallback_poll_that_beat_an_event_is_not_a_failure() -> None:
    assert problems_of(phases("poll", "event", "event")) == []


def test_a_run_whose_waits_all_ended_on_polls_is_a_failure() -> None:
    assert problems_of(phases("poll", "poll", "poll")) == [
        "no wait of the run ended on CloudFormation's event"
    ]
    assert problems_of({"Phases": {}}) != []
