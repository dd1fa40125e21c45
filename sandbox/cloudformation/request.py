"""The bits of a moto request the emulated actions need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.cloudformation.models import Stack
from moto.core.utils import utcnow

from .errors import ValidationError

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
    access_key: str = ""  # who signed the request (the sandbox's CloudTrail names them)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.getter(name, default)
        return default if value is None else value

    @classmethod
    def of(cls, response: Any) -> Req:
        auth = str(getattr(response, "headers", {}).get("Authorization", ""))
        key = auth.partition("Credential=")[2].partition("/")[0]
        return cls(response.current_account, response.region, response._get_param, key)


def now() -> Any:
    return utcnow()


def require_stable(stack: Stack, what: str) -> None:
    if stack.status not in STABLE_STATUSES:
        # Guess: CloudFormation's exact text is not documented.
        raise ValidationError(
            f"Stack [{stack.stack_id}] is in {stack.status} state and {what} "
            "can only be run on stacks in a stable state"
        )
