"""The resource types whose drift the emulator can detect and revert."""

from __future__ import annotations

from . import types_data, types_ec2, types_iam, types_messaging
from .resource_types import ResourceType

REGISTRY: dict[str, ResourceType] = {
    handler.type_name: handler
    for handler in (
        *types_messaging.HANDLERS,
        *types_data.HANDLERS,
        *types_iam.HANDLERS,
        *types_ec2.HANDLERS,
    )
}


def get(type_name: str) -> ResourceType | None:
    return REGISTRY.get(type_name)


def requires_replacement(type_name: str, prop: str) -> bool:
    handler = REGISTRY.get(type_name)
    return bool(handler and prop in handler.replacement)
