"""Per-stack opt-out: the stack tag `drift-healer:mode` can only make a run stricter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from drift_common.outcomes import Outcome
from healer.model import ResourceDrift
from healer.policy.ignore import difference_count

# Stack tags this tool reads; only these are kept in the (checkpointed) stack snapshot.
TAG_PREFIX = "drift-healer:"
MODE_TAG = "drift-healer:mode"


class RunMode(StrEnum):
    """From loosest to strictest."""

    AUTO = "auto"  # heal if the safety policy passes
    REVIEW = "review"  # create the change set, never execute it
    DETECT = "detect"  # detect and report drift, no change set
    OFF = "off"  # never touched: no detection, no notice


_STRICTNESS = [RunMode.AUTO, RunMode.REVIEW, RunMode.DETECT, RunMode.OFF]

# An unknown value is read as `detect`: it changes nothing, yet its notice tells the owners
# that their tag is not understood. `off` would be stricter but silent, so a typo meant as
# `review` would hide the stack's drift for good.
UNKNOWN_VALUE_MODE = RunMode.DETECT


@dataclass(frozen=True)
class ModeDecision:
    mode: RunMode
    note: str | None = None  # why the stack tag changed the run, for the report


def healer_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The stack tags this tool reads (`drift-healer:*`)."""
    return {key: value for key, value in tags.items() if key.startswith(TAG_PREFIX)}


def decide_run_mode(
    *, review_requested: bool, tags: Mapping[str, str], unleased: str | None = None
) -> ModeDecision:
    """The strictest of the event's mode, the stack's `drift-healer:mode` tag and, when
    the run could not take the stack's lease (`unleased` says why), report only.

    Tag keys are case-sensitive in CloudFormation; the value is read case-insensitively
    (`Off` means off), which can never loosen a run.
    """
    decided = _mode_from_tag(review_requested=review_requested, tags=tags)
    if unleased is None or decided.mode is RunMode.OFF:
        return decided
    note = f"{unleased}: a run that cannot hold the stack changes nothing"
    return ModeDecision(RunMode.DETECT, f"{decided.note}; {note}" if decided.note else note)


def _mode_from_tag(*, review_requested: bool, tags: Mapping[str, str]) -> ModeDecision:
    requested = RunMode.REVIEW if review_requested else RunMode.AUTO
    raw = tags.get(MODE_TAG)
    if raw is None:
        return ModeDecision(requested)
    try:
        tagged = RunMode(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in reversed(_STRICTNESS))
        return ModeDecision(
            UNKNOWN_VALUE_MODE,
            f"stack tag {MODE_TAG}={raw!r} is not one of {allowed}; "
            f"treated as {UNKNOWN_VALUE_MODE.value} (report only)",
        )
    if _STRICTNESS.index(tagged) <= _STRICTNESS.index(requested):
        return ModeDecision(requested)  # the tag cannot loosen the event's mode
    return ModeDecision(tagged, f"stack tag {MODE_TAG}={tagged.value}")


def classify_found_drift(
    reported: Sequence[ResourceDrift], ignored: Sequence[ResourceDrift], mode: ModeDecision
) -> tuple[Outcome, str] | None:
    """After a DRIFTED detection: None means go on to the change set."""
    if not reported and ignored:
        return (
            Outcome.IN_SYNC,
            f"only ignored drift was found ({difference_count(ignored)} difference(s) "
            "matching IGNORE_DRIFT)",
        )
    if mode.mode is RunMode.DETECT:
        return (
            Outcome.DRIFTED,
            f"{len(reported)} resource(s) drifted; report only ({mode.note}): "
            "no change set was created",
        )
    return None
