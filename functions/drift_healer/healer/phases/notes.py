"""Bookkeeping that turns a late failure into a note, never a changed outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from aws_durable_execution_sdk_python.exceptions import DurableOperationError

from healer.report import RunReport

T = TypeVar("T")


def noted(report: RunReport, what: str, call: Callable[[], T], *, default: T) -> T:
    """Bookkeeping after the outcome is known: a failure becomes a note, never the outcome."""
    try:
        return call()
    except DurableOperationError as failure:
        report.notes.append(f"{what}: {failure.message or type(failure).__name__}")
        return default
