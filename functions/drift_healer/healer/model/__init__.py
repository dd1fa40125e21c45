"""What a run knows, as small checkpointable records, and the pure decisions that name its
outcome: the ground floor of the healer (it imports only drift_common).

- `records`: what the flow learns about a stack (snapshot, drift, planned changes, notice);
- `polls`: the poll records of the three waits and the policy they poll by;
- `outcomes`: CloudFormation's answers mapped onto an outcome;
- `request`: the event a run starts from, validated strictly;
- `naming`: deterministic names and console links;
- `approval`: the approval a run waits for;
- `attachments`: the cross-stack attachment guard's removals, lookups and held items;
- `accept`: accepting drift into the template (the patch, its check, what was accepted).
"""

from drift_common.stacks import is_stable
from healer.model.accept import Accepted
from healer.model.approval import Approval
from healer.model.attachments import GroupRule, HeldAttachment, OwnerLookup, Removal
from healer.model.naming import (
    CHANGE_SET_DESCRIPTION,
    CHANGE_SET_NAME,
    change_set_name,
    change_set_url,
    client_token,
    region_of,
    stack_name_of,
    stack_url,
)
from healer.model.outcomes import (
    classify_change_set,
    classify_detection,
    classify_execution,
    classify_verification,
    unverified,
)
from healer.model.polls import (
    FINAL_STEPS_RESERVE_SECONDS,
    MAX_EXECUTION_TIMEOUT_SECONDS,
    ChangeSetPoll,
    DetectionPoll,
    ExecutionPoll,
    PollPolicy,
    PollState,
)
from healer.model.records import (
    ChangeSetPlan,
    ChangeSetRef,
    DriftReading,
    FailedResource,
    IgnoredAttribute,
    Notice,
    NotPutBack,
    PlannedChange,
    PropertyDifference,
    Record,
    ResourceDrift,
    StackSnapshot,
    Started,
)
from healer.model.request import HealRequest, InvalidRequestError, parse_request, stack_label

__all__ = [
    "CHANGE_SET_DESCRIPTION",
    "CHANGE_SET_NAME",
    "FINAL_STEPS_RESERVE_SECONDS",
    "MAX_EXECUTION_TIMEOUT_SECONDS",
    "Accepted",
    "Approval",
    "ChangeSetPlan",
    "ChangeSetPoll",
    "ChangeSetRef",
    "DetectionPoll",
    "DriftReading",
    "ExecutionPoll",
    "FailedResource",
    "GroupRule",
    "HealRequest",
    "HeldAttachment",
    "IgnoredAttribute",
    "InvalidRequestError",
    "NotPutBack",
    "Notice",
    "OwnerLookup",
    "PlannedChange",
    "PollPolicy",
    "PollState",
    "PropertyDifference",
    "Record",
    "Removal",
    "ResourceDrift",
    "StackSnapshot",
    "Started",
    "change_set_name",
    "change_set_url",
    "classify_change_set",
    "classify_detection",
    "classify_execution",
    "classify_verification",
    "client_token",
    "is_stable",
    "parse_request",
    "region_of",
    "stack_label",
    "stack_name_of",
    "stack_url",
    "unverified",
]
