"""Timing of the emulated asynchronous CloudFormation operations.

Each asynchronous operation (drift detection, change-set creation, change-set
execution) finishes once BOTH ``seconds`` of wall time have elapsed AND it has
been observed (described) ``min_polls`` times. A caller therefore sees the
in-progress status exactly ``min_polls`` times when ``seconds`` is 0, which keeps
tests deterministic, while a demo can use real seconds with ``min_polls=0``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Phase:
    """Duration of one asynchronous phase."""

    seconds: float = 0.0
    min_polls: int = 1

    def __post_init__(self) -> None:
        if self.seconds < 0 or self.min_polls < 0:
            raise ValueError("Phase seconds and min_polls must be >= 0")


def _default_phase() -> Phase:
    return Phase(seconds=0.0, min_polls=1)


@dataclass
class Timing:
    """The phases a test or demo can tune (``sb.timing.detection = Phase(...)``)."""

    detection: Phase = field(default_factory=_default_phase)
    change_set_create: Phase = field(default_factory=_default_phase)
    execution: Phase = field(default_factory=_default_phase)

    def reset(self) -> None:
        self.detection = _default_phase()
        self.change_set_create = _default_phase()
        self.execution = _default_phase()

    def to_dict(self) -> dict[str, dict[str, float | int]]:
        return {
            name: {"seconds": phase.seconds, "min_polls": phase.min_polls}
            for name, phase in (
                ("detection", self.detection),
                ("change_set_create", self.change_set_create),
                ("execution", self.execution),
            )
        }


class Progress:
    """Progress of one running phase (captures the Phase in force when it started)."""

    def __init__(self, phase: Phase) -> None:
        self.phase = phase
        self.started = time.monotonic()
        self.polls = 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def done(self) -> bool:
        return self.elapsed >= self.phase.seconds and self.polls >= self.phase.min_polls

    def first_half(self) -> bool:
        """True while nobody has looked yet and less than half the time has passed."""
        return self.polls == 0 and self.elapsed < self.phase.seconds / 2
