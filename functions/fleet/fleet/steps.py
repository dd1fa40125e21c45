"""Durable steps of the fleet: one AWS call each (clock reads too), named for what they do.

Step results are plain JSON (dicts): the models are validated again by the caller.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryDecision

from drift_common.errors import is_transient
from fleet import clients, metrics
from fleet.digest import ATTRIBUTES, Figures
from fleet.request import Selector
from fleet.selection import PageSelection, select_page

# Throttling slows the fleet down, it does not fail it: many patient attempts.
MAX_ATTEMPTS = 12


def retry_decision(error: Exception, attempts_made: int) -> RetryDecision:
    """Transient errors: capped backoff (deterministic); anything else fails the step."""
    if attempts_made >= MAX_ATTEMPTS or not is_transient(error):
        return RetryDecision.no_retry()
    return RetryDecision.retry(Duration(seconds=min(2 * 2 ** (attempts_made - 1), 60)))


PATIENT = StepConfig(retry_strategy=retry_decision)


@durable_step
def list_stacks_page(
    _: StepContext,
    selector: dict[str, Any],
    region: str | None,
    account_id: str | None,
    token: str | None,
) -> dict[str, Any]:
    """One DescribeStacks page, decided at once: only names and reasons are checkpointed."""
    cfn = clients.cloudformation(region, account_id)
    page = cfn.describe_stacks(NextToken=token) if token else cfn.describe_stacks()
    chosen = select_page(
        Selector.model_validate(selector),
        page.get("Stacks", []),
        region=region,
        account_id=account_id,
        next_token=page.get("NextToken"),
    )
    return chosen.model_dump(mode="json", by_alias=True)


_SELECTOR_FIELDS = set(Selector.model_fields)


def run_list_stacks_page(
    context: DurableContext,
    selector: Selector,
    region: str | None,
    account_id: str | None,
    token: str | None,
    *,
    number: int,
) -> PageSelection:
    where = f"{account_id or 'home'}/{region or 'home'}"
    raw = context.step(
        list_stacks_page(
            selector.model_dump(mode="json", by_alias=True, include=_SELECTOR_FIELDS),
            region,
            account_id,
            token,
        ),
        name=f"describe-stacks {where} page {number}",
        config=PATIENT,
    )
    return PageSelection.model_validate(raw)


@durable_step
def note_time(_: StepContext) -> str:
    return datetime.now(UTC).isoformat()


def run_note_time(context: DurableContext, name: str) -> datetime:
    return datetime.fromisoformat(context.step(note_time(), name=name))


@durable_step
def publish_digest(_: StepContext, topic_arn: str, subject: str, message: str) -> str:
    response = clients.sns().publish(
        TopicArn=topic_arn,
        Subject=subject,
        Message=message,
        MessageStructure="json",
        MessageAttributes={
            name: {"DataType": "String", "StringValue": value} for name, value in ATTRIBUTES.items()
        },
    )
    return response["MessageId"]


def run_publish_digest(context: DurableContext, topic_arn: str, subject: str, message: str) -> str:
    return str(
        context.step(
            publish_digest(topic_arn, subject, message), name="publish-digest", config=PATIENT
        )
    )


@durable_step
def emit_metrics(_: StepContext, numbers: dict[str, Any]) -> bool:
    metrics.emit(Figures(**numbers))
    return True


def run_emit_metrics(context: DurableContext, numbers: Figures) -> None:
    """A step: a replay of the run's end does not count the fleet twice."""
    context.step(emit_metrics(dict(numbers.__dict__)), name="emit-metrics")
