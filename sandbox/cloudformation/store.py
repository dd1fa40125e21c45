"""Process-wide state of the CloudFormation extension (moto's backends are global too): what
it keeps per stack, per drift detection and per change set."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.cloudformation.models import CloudFormationBackend, Stack, cloudformation_backends

from .changes import PlannedChange
from .errors import StackNotFoundError
from .eventbridge import EventBus
from .faults import Faults
from .request import now
from .timing import Progress, Timing


@dataclass
class StackExtra:
    """What CloudFormation keeps per stack that moto does not."""

    capabilities: list[str] = field(default_factory=list)
    drift_status: str = "NOT_CHECKED"
    last_check: datetime | None = None
    # logical id -> latest StackResourceDrift (DescribeStackResourceDrifts returns these)
    resource_drifts: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_updated: datetime | None = None
    # ClientRequestToken of ExecuteChangeSet -> change set id
    exec_tokens: dict[str, str] = field(default_factory=dict)


@dataclass
class Detection:
    detection_id: str
    stack_id: str
    stack_name: str
    account: str
    region: str
    logical_ids: list[str]
    progress: Progress
    timestamp: datetime
    status: str = "DETECTION_IN_PROGRESS"
    stack_drift_status: str | None = None
    reason: str | None = None
    drifted_count: int | None = None


@dataclass
class ChangeSetRecord:
    change_set_id: str
    name: str
    stack_id: str
    stack_name: str
    account: str
    region: str
    change_set_type: str
    template_body: str
    template: dict[str, Any]
    parameters: dict[str, str]
    resolved_parameters: dict[str, Any]
    capabilities: list[str]
    description: str | None
    tags: list[dict[str, str]]
    notification_arns: list[str]
    client_token: str | None
    deployment_mode: str | None
    progress: Progress
    creation_time: datetime = field(default_factory=now)
    status: str = "CREATE_PENDING"
    execution_status: str = "UNAVAILABLE"
    status_reason: str | None = None
    stack_drift_status: str | None = None
    planned: list[PlannedChange] = field(default_factory=list)
    exec_progress: Progress | None = None
    exec_token: str | None = None
    failure: tuple[str, str] | None = None  # (logical id, reason) once execution failed
    rollback_progress: Progress | None = None
    # CreateChangeSet RoleARN doc: the role is used "for all future operations on the stack";
    # without one "CloudFormation uses the role that was previously associated with the stack".
    role_arn: str | None = None
    exec_access_key: str = ""  # the caller of ExecuteChangeSet (for the sandbox's CloudTrail)

    @property
    def drift_aware(self) -> bool:
        return self.deployment_mode == "REVERT_DRIFT"


class State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.timing = Timing()
        self.faults: Faults = Faults()
        self.events = EventBus()
        self.stacks: dict[str, StackExtra] = {}
        self.detections: dict[str, Detection] = {}
        self.change_sets: dict[str, ChangeSetRecord] = {}

    def reset(self) -> None:
        with self.lock:
            self.timing.reset()
            self.faults.reset()
            self.events.reset()
            self.stacks.clear()
            self.detections.clear()
            self.change_sets.clear()

    def extra(self, stack_id: str) -> StackExtra:
        return self.stacks.setdefault(stack_id, StackExtra())


STATE = State()


def backend(account: str, region: str) -> CloudFormationBackend:
    return cloudformation_backends[account][region]


def find_stack(account: str, region: str, name_or_id: str | None) -> Stack:
    """A live stack by name or id; deleted stacks only by id (like CloudFormation)."""
    be = backend(account, region)
    for stack in be.stacks.values():
        if name_or_id in (stack.name, stack.stack_id):
            return stack
    if name_or_id in be.deleted_stacks:
        return be.deleted_stacks[name_or_id]
    raise StackNotFoundError(str(name_or_id))


def find_stack_anywhere(name_or_id: str) -> Stack:
    """Find a stack in any account/region known to moto (for the control API)."""
    for account, regions in list(cloudformation_backends.items()):
        for region in list(regions.keys()):
            try:
                return find_stack(account, region, name_or_id)
            except StackNotFoundError:
                continue
    raise StackNotFoundError(name_or_id)
