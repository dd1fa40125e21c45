"""The trigger: a change to a managed stack's resource starts that stack's run (issue 16).

A plain Lambda function behind EventBridge rules (CloudTrail API calls, AWS Config item
changes). For each event: what changed (trigger.mapping, pure), which live stack owns it
(CloudFormation's own answer), whether that stack is one to heal, then one asynchronous
invoke of the healer's alias with a single-flight DurableExecutionName. An event it cannot
use is ignored and counted in its log line, never an error; an AWS error is raised (the
asynchronous invoke retries, then the DLQ keeps the event).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from drift_common.owners import Owner
from trigger import aws
from trigger.mapping import Changed, Ignored, changed_resource, execution_name, payload
from trigger.settings import TriggerSettings, load_trigger_settings

logger = logging.getLogger("trigger")
logger.setLevel(logging.INFO)
MODE_TAG = "drift-healer:mode"


@dataclass(frozen=True)
class Calls:
    """The AWS calls the trigger makes (tests pass their own)."""

    owner: Callable[[str, str], Owner | None] = aws.owner
    tags: Callable[[str], dict[str, str]] = aws.stack_tags
    start: Callable[[str, str, dict[str, Any]], str] = aws.start_run


def handle(event: Mapping[str, Any], settings: TriggerSettings, calls: Calls) -> dict[str, Any]:
    changed = changed_resource(event, settings.ignore_changes_by)
    if isinstance(changed, Ignored):
        return _log({"action": "ignored", "why": changed.why})
    summary = _summary(changed)
    found = calls.owner(changed.physical_id, changed.resource_type)
    if found is None:
        return _log(summary | {"action": "ignored", "why": "no live stack owns the resource"})
    summary["stack"] = found.stack_name
    if found.stack_name == settings.healer_stack_name:
        return _log(summary | {"action": "ignored", "why": "the healer's own stack"})
    if not fnmatchcase(found.stack_name, settings.target_stack_name_pattern):
        return _log(summary | {"action": "ignored", "why": "outside TARGET_STACK_NAME_PATTERN"})
    if calls.tags(found.stack_id).get(MODE_TAG, "").strip().lower() == "off":
        return _log(summary | {"action": "ignored", "why": f"opted out ({MODE_TAG}=off)"})
    name = execution_name(found.stack_id, changed.event_time, settings.settle_seconds)
    started = calls.start(settings.healer_function_arn, name, payload(found.stack_id, changed))
    return _log(summary | {"action": started, "execution-name": name})


def _summary(changed: Changed) -> dict[str, Any]:
    return {
        "source": changed.source,
        "event": changed.event_name,
        "event-id": changed.event_id,
        "resource": changed.physical_id,
        "type": changed.resource_type,
    }


def _log(summary: dict[str, Any]) -> dict[str, Any]:
    # One JSON line per event: "action" ignored/started/coalesced is what is counted.
    logger.info(json.dumps(summary, default=str))
    return summary


def lambda_handler(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    return handle(event, load_trigger_settings(), Calls())
