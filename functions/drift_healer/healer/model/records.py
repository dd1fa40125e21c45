"""What the workflow learns about a stack: small, serialisable records (checkpointed as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class StackSnapshot(Record):
    """DescribeStacks, reduced to what the flow needs."""

    stack_id: str
    stack_name: str
    status: str
    status_reason: str | None = None
    parameter_keys: list[str] = []
    capabilities: list[str] = []
    role_arn: str | None = None  # the stack's own service role (DescribeStacks RoleARN)
    # Only this tool's own stack tags (`drift-healer:*`): the snapshot is checkpointed, and a
    # stack may carry 50 tags of up to 384 characters.
    tags: dict[str, str] = {}


class PropertyDifference(Record):
    path: str
    expected: str | None
    actual: str | None
    difference_type: str  # ADD | REMOVE | NOT_EQUAL


class ResourceDrift(Record):
    logical_id: str
    physical_id: str | None
    resource_type: str
    drift_status: str  # MODIFIED | DELETED (IN_SYNC / NOT_CHECKED are not read)
    differences: list[PropertyDifference] = []
    # Differences left out to keep the checkpoint small (healer.aws.bounds).
    omitted_differences: int = 0


class DriftReading(Record):
    """DescribeStackResourceDrifts, bounded to fit a checkpoint: `total` counts every drifted
    resource CloudFormation reported, `resources` holds the first ones (possibly cut)."""

    resources: list[ResourceDrift] = []
    total: int = 0
    cut: str | None = None  # what was cut to keep the record small, for the notice

    @property
    def omitted(self) -> int:
        return self.total - len(self.resources)


class IgnoredAttribute(Record):
    """ResourceChange.ResourceDriftIgnoredAttributes: an attribute whose drift the change set
    ignores. Reason: MANAGED_BY_AWS | WRITE_ONLY_PROPERTY | SENSITIVE_PROPERTY (the
    DriftIgnoredReason enum of the botocore model)."""

    path: str
    reason: str


class NotPutBack(Record):
    """Something REVERT_DRIFT leaves as it is, so nobody believes the stack fully healed.
    Reason: one of IgnoredAttribute's, TAG_ADDED_OUTSIDE_TEMPLATE or TWO_WAY_COMPARISON."""

    logical_id: str
    resource_type: str
    path: str  # the attribute or property path; "*" for the whole resource
    reason: str

    def to_json(self) -> dict[str, str]:
        return {
            "LogicalResourceId": self.logical_id,
            "ResourceType": self.resource_type,
            "Path": self.path,
            "Reason": self.reason,
        }


class PlannedChange(Record):
    """One resource change of the REVERT_DRIFT change set."""

    logical_id: str
    resource_type: str
    action: str  # Add | Modify | Remove | Import | Dynamic | SyncWithActual
    replacement: str | None = None  # True | False | Conditional (Modify only)
    drift_status: str | None = None  # ResourceDriftStatus of drift-aware change sets
    properties: list[str] = []  # attribute/property names the change touches
    # Changed property paths relative to Properties ("/Value", "/Tags", "/Policy/Statement"),
    # or the attribute name for non-property attributes ("Metadata"); see policy.target_path.
    property_paths: list[str] = []
    # ResourceDriftIgnoredAttributes (drift-aware change sets): drift the change leaves.
    ignored_attributes: list[IgnoredAttribute] = []


class FailedResource(Record):
    """A failed resource event of a stack operation, with CloudFormation's reason."""

    logical_id: str
    resource_type: str
    status: str
    reason: str


class ChangeSetPlan(Record):
    """DescribeChangeSet's resource changes, bounded like DriftReading."""

    changes: list[PlannedChange] = []
    total: int = 0

    @property
    def complete(self) -> bool:
        return len(self.changes) == self.total


class ChangeSetRef(Record):
    change_set_id: str
    change_set_name: str


class Started(Record):
    """An asynchronous CloudFormation operation was started at `at`."""

    at: datetime
    id: str = ""
    rejection: str | None = None  # ExecuteChangeSet refused with InvalidChangeSetStatus


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str  # the text, for email
    result_json: str  # the result JSON, for every other protocol
    attributes: dict[str, str]

    @property
    def message(self) -> str:
        """SNS `Message` for `MessageStructure=json` (`default` goes to every protocol not
        named; `sms` gets the subject alone)."""
        return json.dumps({"default": self.result_json, "email": self.body, "sms": self.subject})
