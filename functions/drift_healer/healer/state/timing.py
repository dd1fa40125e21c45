"""How long CloudFormation takes for one stack, and whether its events arrive (issue 19).

Pure decisions over the drift state: the state item keeps, per phase, the durations of the
last PHASE_HISTORY runs that CloudFormation finished (`PhaseSeconds`; a timed-out or failed
wait says nothing about how long the phase takes), and when an event the relay delivered
last woke one of the stack's waits (`RelayDeliveredAt`). The waits schedule their looks from
the first (healer.waits.decisions) and trust events from a run's first wait on the second
(healer.waits.settings.WaitSettings.trusts_relay).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from healer.report import PhaseReport

PHASE_HISTORY = 5  # durations kept per phase
PHASES = ("detection", "change_set", "execution", "verification")


def recorded_phase_seconds(
    previous: Mapping[str, list[float]], observed: Mapping[str, float]
) -> dict[str, list[float]]:
    """The history after a run: each observed duration appended to its phase, the last
    PHASE_HISTORY kept; phases this run did not finish keep their history."""
    history = {phase: list(durations) for phase, durations in previous.items() if durations}
    for phase, seconds in observed.items():
        if phase in PHASES and seconds > 0:
            history[phase] = [*history.get(phase, []), round(seconds, 3)][-PHASE_HISTORY:]
    return history


def relay_delivered_after(
    previous: datetime | None, delivered: bool | None, now: datetime
) -> datetime | None:
    """`RelayDeliveredAt` after a run: now when an event woke one of its waits; cleared when
    its event waits all ended on a poll (the events did not come: do not trust them next
    time); unchanged when it had no event wait."""
    if delivered is None:
        return previous
    return now if delivered else None


def observed_phases(phases: Mapping[str, PhaseReport]) -> dict[str, float]:
    """This run's durations worth remembering: the phases CloudFormation finished."""
    return {name: phase.took for name, phase in phases.items() if phase.settled}


def relay_delivered(phases: Mapping[str, PhaseReport]) -> bool | None:
    """True: an event woke one of this run's waits; False: it had event waits and every
    one ended on a poll; None: no event wait (polling mode, or the run ended before)."""
    ended = [phase.ended_on for phase in phases.values() if phase.ended_on]
    if not ended:
        return None
    return "event" in ended
