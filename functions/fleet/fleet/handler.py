"""cfn-drift-healer fleet: heal every selected stack across regions and accounts.

Orchestration only. `{"Fleet": ...}` selects stacks (one DescribeStacks page per step), runs
each account+region group's batches as child executions of this function
(`{"FleetBatch": ...}`), then publishes one digest and emits the fleet's metrics. A batch heals
each of its stacks with its own durable execution of the healer (context.invoke of its alias),
at most MaxConcurrency at a time. Child executions are checkpointed operations named after the
batch or stack, so a retried or replayed fleet never starts a stack twice.
"""

from __future__ import annotations

import json
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.concurrency.models import BatchResult
from aws_durable_execution_sdk_python.config import CompletionConfig, MapConfig, NestingType
from aws_durable_execution_sdk_python.exceptions import DurableOperationError, InvokeError
from aws_lambda_powertools import Logger

from drift_common.credentials import account_problem
from drift_common.validation import ConfigurationError
from fleet import steps
from fleet.digest import build_digest, figures, fit_notice
from fleet.plan import Group, plan_groups
from fleet.request import (
    BatchRequest,
    FleetRequest,
    InvalidFleetRequestError,
    RunOptions,
    Target,
    parse_fleet_event,
)
from fleet.results import StackResult, from_failure, from_healer
from fleet.selection import ListingFailure, Skipped, not_found, place
from fleet.settings import FleetSettings, load_fleet_settings

LOGGER = Logger(service="fleet")
# Every stack runs whatever happens to the others (the default map fails fast).
TOLERATE_EVERY_FAILURE = CompletionConfig(tolerated_failure_percentage=100)


class FleetFailedError(DurableOperationError):
    """The fleet could not run at all (bad event or settings); the message says why."""


class DigestNotPublishedError(DurableOperationError):
    """The fleet ran but its digest was lost: the failed execution (and its alarm) is the only
    signal left. `data` is the digest."""


@durable_execution
def lambda_handler(event: Any, context: DurableContext) -> Any:
    context.set_logger(LOGGER)  # replay-aware: a replayed line is not logged again
    try:
        settings = load_fleet_settings()
        request = parse_fleet_event(event)
    except (ConfigurationError, InvalidFleetRequestError) as problem:
        raise FleetFailedError(str(problem)) from None
    if isinstance(request, BatchRequest):
        return [r.model_dump(mode="json") for r in run_batch(context, settings, request)]
    return run_fleet(context, settings, request)


def run_fleet(context: DurableContext, settings: FleetSettings, request: FleetRequest) -> Any:
    targets, skipped, unlisted = select(context, request)
    groups = plan_groups(targets, settings.fleet_batch_size)
    context.logger.info(
        "fleet: %d stacks selected in %d groups, %d skipped, %d places not listed",
        len(targets),
        len(groups),
        len(skipped),
        len(unlisted),
    )
    results = run_groups(context, settings, request, groups)
    now = steps.run_note_time(context, "note-finish-time")
    arn = context.execution_context.durable_execution_arn
    digest = build_digest(results, skipped, now, arn, unlisted=unlisted)
    if settings.sns_topic_arn:
        title, message = fit_notice(
            lambda limit: build_digest(
                results, skipped, now, arn, unlisted=unlisted, list_limit=limit
            )
        )
        try:
            steps.run_publish_digest(context, settings.sns_topic_arn, title, message)
            digest["Notified"] = True
        except DurableOperationError as failure:
            digest["Notified"] = False
            digest["Notes"] = [f"the digest could not be published: {failure.message}"]
    steps.run_emit_metrics(context, figures(results, skipped, now, unlisted))
    if digest.get("Notified") is False:  # recorded (log, error data), then the alarm's turn
        context.logger.error("fleet: %s", digest["Notes"][0])
        raise DigestNotPublishedError(
            f"DIGEST_NOT_PUBLISHED: {digest['Notes'][0]}", data=json.dumps(digest)
        )
    return digest


def select(
    context: DurableContext, request: FleetRequest
) -> tuple[list[Target], list[Skipped], list[ListingFailure]]:
    """Every page of every account and region, one step per page. An account or region that
    cannot be listed (its role is denied or missing, an opt-in region not enabled, no
    endpoint) is recorded and the others go on; an account not in TARGET_ACCOUNT_IDS is not
    even tried."""
    targets: list[Target] = []
    skipped: list[Skipped] = []
    unlisted: list[ListingFailure] = []
    seen: list[str] = []
    for account_id in request.accounts or (None,):
        refused = account_problem(account_id) if account_id else None
        for region in request.regions or (None,):
            if refused:
                unlisted.append(
                    ListingFailure(where=place(account_id, region), reason=f"not listed: {refused}")
                )
                continue
            token: str | None = None
            number = 1
            while True:
                try:
                    page = steps.run_list_stacks_page(
                        context, request, region, account_id, token, number=number
                    )
                except DurableOperationError as failure:  # retried already if worth it
                    after = f" (after {number - 1} page(s))" if number > 1 else ""
                    reason = f"listing failed{after}: {failure.message}"
                    unlisted.append(ListingFailure(where=place(account_id, region), reason=reason))
                    break
                targets += page.selected
                skipped += page.skipped
                seen += page.named_seen
                if not page.next_token:
                    break
                token, number = page.next_token, number + 1
    return targets, skipped + not_found(request.names, seen, len(unlisted)), unlisted


def run_groups(
    context: DurableContext, settings: FleetSettings, options: RunOptions, groups: list[Group]
) -> list[StackResult]:
    """Groups (account+region) side by side; within a group, its batches one after another."""
    if not groups:
        return []
    run_options = options.model_dump(by_alias=True, exclude_none=True, include=_OPTION_FIELDS)

    def run_group(ctx: DurableContext, group: Group, _: int, __: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for number, batch in enumerate(group.batches, start=1):
            payload = {
                "FleetBatch": run_options
                | {"Stacks": [t.model_dump(by_alias=True, exclude_none=True) for t in batch]}
            }
            name = f"batch {group.key} {number}"
            try:
                out += ctx.invoke(settings.fleet_function_arn, payload, name=name)
            except InvokeError as failure:  # the batch itself failed: its stacks say so
                out += [
                    from_failure(t, f"batch failed: {failure.message}", None).model_dump(
                        mode="json"
                    )
                    for t in batch
                ]
        return out

    done: BatchResult[list[dict[str, Any]]] = context.map(
        groups,
        run_group,
        name="groups",
        config=MapConfig(
            max_concurrency=None,  # different accounts/regions do not share rate limits
            completion_config=TOLERATE_EVERY_FAILURE,
            item_namer=lambda group, _: f"group {group.key}",
        ),
    )
    results: list[StackResult] = []
    for item, group in zip(done.all, groups, strict=True):
        if item.result is not None:
            results += [StackResult.model_validate(r) for r in item.result]
        else:
            reason = item.error.message if item.error else "the group failed"
            results += [from_failure(t, reason, None) for batch in group.batches for t in batch]
    return results


_OPTION_FIELDS = {"create_change_set_only", "wait_for_approval", "max_concurrency"}


def healer_payload(target: Target, options: RunOptions) -> dict[str, Any]:
    """The healer's single-stack event; WaitForApproval only when the fleet was given it."""
    payload: dict[str, Any] = {
        "StackName": target.stack_name,
        "CreateChangeSetOnly": options.create_change_set_only,
    }
    if options.wait_for_approval is not None:
        payload["WaitForApproval"] = options.wait_for_approval
    if target.region:
        payload["Region"] = target.region
    if target.account_id:
        payload["AccountId"] = target.account_id
    return payload


def run_batch(
    context: DurableContext, settings: FleetSettings, request: BatchRequest
) -> list[StackResult]:
    """Each stack healed by its own execution of the healer, MaxConcurrency at a time."""

    def heal_one(ctx: DurableContext, target: Target, _: int, __: Any) -> dict[str, Any]:
        payload = healer_payload(target, request)
        try:
            record: Any = ctx.invoke(
                settings.healer_function_arn, payload, name=f"heal {target.key}"
            )
            result = from_healer(target, record)
        except InvokeError as failure:  # a failed stack never stops the fleet
            result = from_failure(target, failure.message, failure.data)
        return result.model_dump(mode="json")

    done: BatchResult[dict[str, Any]] = context.map(
        list(request.stacks),
        heal_one,
        name="stacks",
        config=MapConfig(
            max_concurrency=request.max_concurrency,
            completion_config=TOLERATE_EVERY_FAILURE,
            # No context operation per stack: the invoke is the stack's only operation.
            nesting_type=NestingType.FLAT,
            item_namer=lambda target, _: f"stack {target.key}",
        ),
    )
    results = []
    for item, target in zip(done.all, request.stacks, strict=True):
        if item.result is not None:
            results.append(StackResult.model_validate(item.result))
        else:
            message = item.error.message if item.error else None
            results.append(from_failure(target, message, None))
    return results
