"""Live progress while an execution runs: what it is doing now, not only what it finished.

On a terminal one status line (rich's spinner) is rewritten in place; elsewhere (a pipe, a
CI log) the same text is printed as a line every ``every_seconds``, so a long wait or a run
of retries never looks like a hang::

      … wait-for-detection  12 s, 4 polls, last DETECTION_IN_PROGRESS, 2 transient errors
        (Throttling: Rate exceeded)
      … describe-stack  35 s, retry 3 after: Could not connect to the endpoint URL: ...
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.status import Status
from rich.text import Text

from drift_healer_cli.follow import Operation

# Keys of the handler's checkpointed poll states that carry the status CloudFormation
# answered (healer.model.polls), most specific first.
_STATUS_KEYS = ("detection_status", "execution_status", "stack_status", "status")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def running_operation(operations: list[Operation]) -> Operation | None:
    """The operation the execution is busy with: the last one that has not finished."""
    pending = [op for op in operations if not op.done]
    return pending[-1] if pending else None


def describe_running(op: Operation | None, now: datetime, started: datetime) -> str:
    """One line: phase, elapsed time, polls, last status seen, transient errors."""
    if op is None:
        return f"starting  {(now - started).total_seconds():.0f} s"
    since = op.started or started
    parts = [f"{op.name}  {max(0.0, (now - since).total_seconds()):.0f} s"]
    state = op.state or {}
    if op.polls:
        parts.append(_plural(op.polls, "poll"))
    status = next((state[key] for key in _STATUS_KEYS if state.get(key)), None)
    if status:
        parts.append(f"last {status}")
    transient = int(state.get("transient_errors") or 0)
    if transient:
        last = state.get("last_transient_error")
        parts.append(_plural(transient, "transient error") + (f" ({last})" if last else ""))
    if op.retries:
        parts.append(f"retry {op.retries} after: {op.retry_error}")
    return ", ".join(parts)


class LiveProgress:
    """Shows :func:`describe_running` text; prints finished operations above it."""

    def __init__(
        self, out: TextIO, every_seconds: float = 10.0, console: Console | None = None
    ) -> None:
        self.console = console or Console(file=out, highlight=False, soft_wrap=True)
        self.every_seconds = every_seconds
        self._status: Status | None = None
        self._last_line = 0.0
        self._started = datetime.now(UTC)

    def __enter__(self) -> LiveProgress:
        self._last_line = time.monotonic()
        if self.console.is_terminal:
            self._status = self.console.status("starting", spinner="dots")
            self._status.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def line(self, text: str) -> None:
        """A permanent line (a finished operation, the outcome)."""
        self.console.print(Text(text), soft_wrap=True)

    def show(self, operations: list[Operation], **_: Any) -> None:
        """Update the live line from the operations folded so far."""
        text = describe_running(
            running_operation(operations), datetime.now(UTC), started=self._started
        )
        if self._status is not None:
            self._status.update(Text(text))
        elif time.monotonic() - self._last_line >= self.every_seconds:
            self._last_line = time.monotonic()
            self.line(f"  … {text}")
