"""Strict reading of the control API's JSON bodies: a wrong type or range is a 400 naming the
field, never a silent coercion (`bool("false")` is True; a negative latency made every
CloudFormation call fail with a 500 page)."""

from __future__ import annotations

import math
from typing import Any


class BadBodyError(ValueError):
    """A control body field has the wrong type or value; the message names the field."""


_MISSING = object()


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadBodyError(f"the body must be a JSON object, not {type(body).__name__}")
    return body


def flag(body: dict[str, Any], name: str, default: bool = False) -> bool:
    """A JSON true/false: "false", 0 or "yes" are refused."""
    value = body.get(name, _MISSING)
    if value is _MISSING:
        return default
    if not isinstance(value, bool):
        raise BadBodyError(f"{name} must be a JSON boolean (true or false), not {value!r}")
    return value


def number(
    body: dict[str, Any],
    name: str,
    default: float = 0.0,
    *,
    maximum: float | None = None,
) -> float:
    """A finite JSON number >= 0 (and <= maximum when given); booleans and strings refused."""
    value = body.get(name, _MISSING)
    if value is _MISSING:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadBodyError(f"{name} must be a JSON number, not {value!r}")
    if maximum is not None and not 0 <= value <= maximum:
        raise BadBodyError(f"{name} must be between 0 and {maximum:g}, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise BadBodyError(f"{name} must be a finite number >= 0, not {value!r}")
    return float(value)


def integer(body: dict[str, Any], name: str, default: int | None = None) -> int:
    """A JSON integer >= 0 (a required one when there is no default)."""
    value = body.get(name, _MISSING)
    if value is _MISSING:
        if default is None:
            raise BadBodyError(f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadBodyError(f"{name} must be a JSON integer >= 0, not {value!r}")
    return value


def text(body: dict[str, Any], name: str, default: str | None = None) -> str:
    """A non-empty JSON string (a required one when there is no default)."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if default is None:
            raise BadBodyError(f"{name} is required")
        return default
    if not isinstance(value, str) or not value:
        raise BadBodyError(f"{name} must be a non-empty JSON string, not {value!r}")
    return value


def optional_text(body: dict[str, Any], name: str) -> str | None:
    if body.get(name) is None:
        return None
    return text(body, name)
