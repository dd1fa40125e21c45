"""Durable steps: each makes one AWS call (or reads one paginated list), named for what it does.

Clock reads happen here too, so the timestamps are checkpointed with the results.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from botocore.exceptions import ClientError

from drift_common.errors import describe_error, error_code
from drift_common.owners import owning_stack
from healer.aws import clients, ec2
from healer.aws import cloudformation as cfn
from healer.aws import sns as sns_notices
from healer.aws.bounds import bound_changes, bound_drifts
from healer.aws.durable import step_config
from healer.model import (
    ChangeSetPlan,
    DriftReading,
    FailedResource,
    Notice,
    OwnerLookup,
    Removal,
    StackSnapshot,
    Started,
)
from healer.policy import rule_id


def now() -> datetime:
    return datetime.now(UTC)


@durable_step
def note_start_time(_: StepContext) -> datetime:
    return now()


@durable_step
def describe_stack(_: StepContext, stack_name: str) -> StackSnapshot:
    return cfn.describe_stack(stack_name)


@durable_step
def start_drift_detection(_: StepContext, stack_id: str) -> Started:
    return Started(at=now(), id=cfn.start_drift_detection(stack_id))


@durable_step
def read_resource_drifts(_: StepContext, stack_id: str) -> DriftReading:
    return bound_drifts(cfn.list_resource_drifts(stack_id))


@durable_step
def create_change_set(
    _: StepContext, stack: StackSnapshot, name: str, token: str, role_arn: str | None
) -> Started:
    started = now()
    return Started(
        at=started, id=cfn.create_revert_change_set(stack, name, token, role_arn).change_set_id
    )


@durable_step
def read_planned_changes(_: StepContext, stack_id: str, change_set_id: str) -> ChangeSetPlan:
    return bound_changes(cfn.list_planned_changes(stack_id, change_set_id))


@durable_step
def read_change_set(
    _: StepContext, stack_id: str, change_set_id: str
) -> cfn.ChangeSetStatus | None:
    return cfn.find_change_set(stack_id, change_set_id)  # gone: None


@durable_step
def delete_change_set(_: StepContext, stack_id: str, change_set_id: str) -> bool:
    cfn.delete_change_set(stack_id, change_set_id)  # already gone counts as deleted
    return True


@durable_step
def execute_change_set(_: StepContext, stack_id: str, change_set_id: str, token: str) -> Started:
    """InvalidChangeSetStatus is not a failure here: if the change set is already executing
    (a retried step), the poll that follows keeps waiting; if it cannot run, the poll says so."""
    started = now()
    try:
        cfn.execute_change_set(stack_id, change_set_id, token)
    except ClientError as error:
        if error_code(error) not in {"InvalidChangeSetStatus", "TokenAlreadyExistsException"}:
            raise
        return Started(at=started, id=change_set_id, rejection=describe_error(error))
    return Started(at=started, id=change_set_id)


@durable_step
def read_failed_resources(
    _: StepContext, stack_id: str, token: str, since: datetime
) -> list[FailedResource]:
    return cfn.list_failed_resources(stack_id, token, since)


@durable_step
def find_rule_ids(_: StepContext, group_id: str, removals: list[Removal]) -> dict[str, str | None]:
    """DescribeSecurityGroupRules of one group, reduced inside the step to the id of each
    removed rule (by PropertyPath): a group may hold a thousand rules, too many to checkpoint."""
    rules = ec2.list_group_rules(group_id)
    return {r.path: rule_id(r, rules) for r in removals}


@durable_step
def find_owner(_: StepContext, physical_id: str, resource_type: str | None) -> OwnerLookup:
    """DescribeStackResources by PhysicalResourceId: the live stack resource owning it."""
    owner = owning_stack(clients.cloudformation(), physical_id, resource_type)
    if owner is None:
        return OwnerLookup(physical_id=physical_id)
    return OwnerLookup(
        physical_id=physical_id,
        stack_id=owner.stack_id,
        stack_name=owner.stack_name,
        logical_id=owner.logical_id,
    )


@durable_step
def publish_notice(_: StepContext, topic_arn: str, notice: Notice) -> str:
    return sns_notices.publish(topic_arn, notice)


@durable_step
def publish_chat_notice(_: StepContext, topic_arn: str, message: str) -> str:
    return sns_notices.publish_chat(topic_arn, message)


# --- how the flow calls them: name, result type, semantics -------------------------------


def run_note_start_time(context: DurableContext) -> datetime:
    return context.step(note_start_time(), "note-start-time", step_config(datetime))


def run_describe_stack(context: DurableContext, stack_name: str) -> StackSnapshot:
    return context.step(describe_stack(stack_name), "describe-stack", step_config(StackSnapshot))


def run_start_drift_detection(context: DurableContext, stack_id: str, name: str) -> Started:
    return context.step(start_drift_detection(stack_id), name, step_config(Started))


def run_read_resource_drifts(context: DurableContext, stack_id: str, name: str) -> DriftReading:
    return context.step(read_resource_drifts(stack_id), name, step_config(DriftReading))


def run_create_change_set(
    context: DurableContext, stack: StackSnapshot, name: str, token: str, role_arn: str | None
) -> Started:
    # Retrying is safe: the same ClientToken and name make CloudFormation return the same
    # change set instead of creating a second one.
    return context.step(
        create_change_set(stack, name, token, role_arn),
        "create-change-set",
        step_config(Started, at_most_once=True, retry_interrupted=True),
    )


def run_read_planned_changes(
    context: DurableContext, stack_id: str, change_set_id: str
) -> ChangeSetPlan:
    return context.step(
        read_planned_changes(stack_id, change_set_id),
        "read-planned-changes",
        step_config(ChangeSetPlan),
    )


def run_read_change_set(
    context: DurableContext, stack_id: str, change_set_id: str, name: str
) -> cfn.ChangeSetStatus | None:
    """DescribeChangeSet of a change set that may be gone (None)."""
    return context.step(
        read_change_set(stack_id, change_set_id),
        name,
        step_config(cfn.ChangeSetStatus | None),
    )


def run_delete_change_set(
    context: DurableContext, stack_id: str, change_set_id: str, name: str
) -> bool:
    return context.step(delete_change_set(stack_id, change_set_id), name, step_config(bool))


def run_execute_change_set(
    context: DurableContext, stack_id: str, change_set_id: str, token: str
) -> Started:
    # At most once per attempt; a retry is safe (ClientRequestToken, and "already executing"
    # is recognised above).
    return context.step(
        execute_change_set(stack_id, change_set_id, token),
        "execute-change-set",
        step_config(Started, at_most_once=True, retry_interrupted=True),
    )


def run_read_failed_resources(
    context: DurableContext, stack_id: str, token: str, since: datetime
) -> list[FailedResource]:
    return context.step(
        read_failed_resources(stack_id, token, since),
        "read-failed-resources",
        step_config(list[FailedResource]),
    )


def run_find_rule_ids(
    context: DurableContext, group_id: str, removals: list[Removal], name: str
) -> dict[str, str | None]:
    return context.step(find_rule_ids(group_id, removals), name, step_config(dict[str, str | None]))


def run_find_owner(
    context: DurableContext, physical_id: str, resource_type: str | None, name: str
) -> OwnerLookup:
    return context.step(find_owner(physical_id, resource_type), name, step_config(OwnerLookup))


def run_publish_notice(context: DurableContext, topic_arn: str, notice: Notice) -> str:
    # SNS has no idempotency token. Delivering twice beats not delivering: an interrupted or
    # timed-out publish is retried, and every copy carries the same `notice-id` attribute so
    # subscribers can drop the duplicate (docs/notices.md).
    return context.step(
        publish_notice(topic_arn, notice),
        "publish-notice",
        step_config(str),  # at least once: an interrupted attempt runs again
    )


def run_publish_chat_notice(context: DurableContext, topic_arn: str, message: str) -> str:
    """The chat copy of the notice (issue 18): at least once, like the notice; the
    custom notification's `id` is the notice id."""
    return context.step(
        publish_chat_notice(topic_arn, message), "publish-chat-notice", step_config(str)
    )
