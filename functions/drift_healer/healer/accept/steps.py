"""The durable steps of accepting drift: one AWS call each, named for what it does, with
results bounded to fit a checkpoint (a result too large says so instead)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step

from healer.accept import store
from healer.aws import TypedSerDes, step_config
from healer.aws.bounds import MAX_STEP_RESULT_BYTES
from healer.aws.steps import now
from healer.model import StackSnapshot, Started
from healer.model.accept import AcceptPlan, AcceptReading, DeployedTemplate

_READING = TypedSerDes[AcceptReading](AcceptReading)
_TEMPLATE = TypedSerDes[DeployedTemplate](DeployedTemplate)
_PLAN = TypedSerDes[AcceptPlan](AcceptPlan)


@durable_step
def read_drift_to_accept(_: StepContext, stack_id: str) -> AcceptReading:
    reading = AcceptReading(resources=store.list_drift_to_accept(stack_id))
    size = _READING.checkpoint_bytes(reading)
    if size > MAX_STEP_RESULT_BYTES:  # nothing is cut: a partial accept is no accept
        return AcceptReading(
            problem=f"the drift's values are {size:,} bytes, more than one run can hold "
            f"({MAX_STEP_RESULT_BYTES:,}): accept it in the template's source by hand"
        )
    return reading


@durable_step
def get_deployed_template(_: StepContext, stack_id: str) -> DeployedTemplate:
    template = store.get_original_template(stack_id)
    if template.body is not None and _TEMPLATE.checkpoint_bytes(template) > MAX_STEP_RESULT_BYTES:
        return DeployedTemplate(problem="the template is too large to hold in one run")
    return template


@durable_step
def create_accept_change_set(
    _: StepContext,
    stack: StackSnapshot,
    name: str,
    token: str,
    *,
    role_arn: str | None,
    body: str,
    parameters: Sequence[dict[str, Any]],
) -> Started:
    started = now()
    ref = store.create_accept_change_set(
        stack, name, token, role_arn=role_arn, body=body, parameters=parameters
    )
    return Started(at=started, id=ref.change_set_id)


@durable_step
def read_accept_plan(_: StepContext, stack_id: str, change_set_id: str) -> AcceptPlan:
    checks = store.list_accept_checks(stack_id, change_set_id)
    plan = AcceptPlan(changes=checks, total=len(checks))
    while len(plan.changes) > 1 and _PLAN.checkpoint_bytes(plan) > MAX_STEP_RESULT_BYTES:
        plan = plan.model_copy(update={"changes": plan.changes[: len(plan.changes) * 3 // 4]})
    return plan  # a plan read only in part is refused (healer.accept.decisions)


# --- how the flow calls them ---------------------------------------------------------------


def run_read_drift_to_accept(context: DurableContext, stack_id: str) -> AcceptReading:
    return context.step(
        read_drift_to_accept(stack_id), "read-drift-to-accept", step_config(AcceptReading)
    )


def run_get_deployed_template(context: DurableContext, stack_id: str) -> DeployedTemplate:
    return context.step(
        get_deployed_template(stack_id), "get-deployed-template", step_config(DeployedTemplate)
    )


def run_create_accept_change_set(
    context: DurableContext,
    stack: StackSnapshot,
    name: str,
    token: str,
    *,
    role_arn: str | None,
    body: str,
    parameters: Sequence[dict[str, Any]],
) -> Started:
    """Idempotent: the name and ClientToken are fixed per execution."""
    return context.step(
        create_accept_change_set(
            stack, name, token, role_arn=role_arn, body=body, parameters=parameters
        ),
        "create-accept-change-set",
        step_config(Started),
    )


def run_read_accept_plan(context: DurableContext, stack_id: str, change_set_id: str) -> AcceptPlan:
    return context.step(
        read_accept_plan(stack_id, change_set_id), "read-accept-plan", step_config(AcceptPlan)
    )
