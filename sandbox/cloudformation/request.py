"""The bits of a moto request the emulated actions need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.utils import utcnow

# Guess (research.md): states in which CloudFormation accepts drift detection and
# change sets; every *_IN_PROGRESS state means another operation is running.
STABLE_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)


@dataclass
class Req:
    account: str
    region: str
    getter: Callable[[str, Any], Any]

    def get(self, name: str, default: Any = None) -> Any:
        value = self.getter(name, default)
        return default if value is None else value

    @classmethod
    def of(cls, response: Any) -> Req:
        return cls(response.current_account, response.region, response._get_param)


def now() -> Any:
    return utcnow()
