"""Installs the extension into moto at run time (no fork): new and replaced actions on
CloudFormationResponse, fault injection around every CloudFormation action, and two
fixes to moto's template support."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.models import Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, BaseResponse, EmptyResult

from . import changeset_views, changesets, drift, execution, fixes, templates
from .errors import ValidationError
from .faults import INTERNAL_FAILURE, error_response
from .request import STABLE_STATUSES, Req, now
from .store import STATE, find_stack

Handler = Callable[[Req], dict[str, Any]]
_installed: list[bool] = []
log = logging.getLogger(__name__)


def _action(handler: Handler) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        result = handler(Req.of(self))
        return ActionResult(result) if result else EmptyResult()

    return method


def advance_stack(stack_id: str, observed: bool) -> None:
    for rec in changesets.records_of(stack_id):
        changesets.advance_creation(rec, observed)
        execution.advance_execution(rec, observed)


def advance_all() -> None:
    """Let time-based phases finish without anybody polling (called by a ticker)."""
    with STATE.lock:
        for det in list(STATE.detections.values()):
            drift.advance(det, observed=False)
        for rec in list(STATE.change_sets.values()):
            try:
                changesets.advance_creation(rec, observed=False)
                execution.advance_execution(rec, observed=False)
            except Exception:  # e.g. the stack was deleted meanwhile
                continue


def _describe_change_set(req: Req) -> dict[str, Any]:
    rec = changesets.find_record(req, req.get("ChangeSetName"), req.get("StackName"))
    changesets.advance_creation(rec, observed=True)
    execution.advance_execution(rec, observed=True)
    return changeset_views.describe(rec, bool(req.get("IncludePropertyValues", False)))


def _observing(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """DescribeStacks / DescribeStackEvents count as polls of the stack's operations."""

    def method(self: Any) -> Any:
        req = Req.of(self)
        name = req.get("StackName")
        be = self.cloudformation_backend
        stacks = [find_stack(req.account, req.region, name)] if name else list(be.stacks.values())
        for stack in stacks:
            advance_stack(stack.stack_id, observed=True)
        return original(self)

    return method


def _create_stack(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        req = Req.of(self)
        body = req.get("TemplateBody")
        capabilities = list(req.get("Capabilities", []))
        if body:
            template = templates.parse(body)
            templates.resolve_parameters(template, req.get("Parameters", []), None)
            templates.check_capabilities(template, capabilities)
        result = original(self)
        stack = find_stack(req.account, req.region, req.get("StackName"))
        STATE.extra(stack.stack_id).capabilities = capabilities
        return result

    return method


def _update_stack(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        req = Req.of(self)
        stack = find_stack(req.account, req.region, req.get("StackName"))
        if stack.status not in STABLE_STATUSES:
            raise ValidationError(
                f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
            )
        result = original(self)
        changesets.mark_obsolete(stack.stack_id)
        STATE.extra(stack.stack_id).last_updated = now()
        return result

    return method


def _delete_stack(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        req = Req.of(self)
        try:
            stack_id = find_stack(req.account, req.region, req.get("StackName")).stack_id
        except ValidationError:
            stack_id = None
        result = original(self)
        for rec in changesets.records_of(stack_id or ""):
            STATE.change_sets.pop(rec.change_set_id, None)
        return result

    return method


def _describe_stack_resources(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """PhysicalResourceId alone finds the owning stack (moto knows only StackName). Model:
    "You must specify either StackName or PhysicalResourceId, but not both"; deleted stacks
    (kept by moto) are searched too, as CloudFormation does for 90 days."""

    def method(self: Any) -> Any:
        req = Req.of(self)
        physical_id = req.get("PhysicalResourceId")
        name = req.get("StackName")
        if physical_id and name:
            raise ValidationError(
                "You must specify either StackName or PhysicalResourceId, but not both"
            )
        if not physical_id:
            if not name:
                raise ValidationError("Either StackName or PhysicalResourceId must be specified")
            return original(self)
        be = self.cloudformation_backend
        for stack in [*be.stacks.values(), *be.deleted_stacks.values()]:
            if any(
                getattr(r, "physical_resource_id", None) == physical_id
                for r in stack.stack_resources
            ):
                logical = req.get("LogicalResourceId")
                resources = [
                    r
                    for r in stack.stack_resources
                    if logical is None or getattr(r, "logical_resource_id", None) == logical
                ][:100]  # model: "Only the first 100 resources will be returned"
                dto = cfn_responses.StackResourceDTO
                return ActionResult({"StackResources": [dto(stack, r) for r in resources]})
        # Guess at the text (research.md §4): callers match "does not exist".
        raise ValidationError(f"Stack for {physical_id} does not exist")

    return method


_STAGES = ("Original", "Processed")


def _get_template(req: Req) -> dict[str, Any]:
    """GetTemplate (model: TemplateStage Original | Processed, "By default, CloudFormation
    specifies Processed"; "If the template doesn't include transforms, Original and Processed
    return the same template"). The sandbox runs no transforms: both stages are the text the
    stack was last deployed (or accepted) with. A change set's template by ChangeSetName."""
    stage = req.get("TemplateStage") or "Processed"
    if stage not in _STAGES:
        raise ValidationError(f"Invalid TemplateStage {stage}")  # text: guess
    change_set = req.get("ChangeSetName")
    if change_set:
        body = changesets.find_record(req, change_set, req.get("StackName")).template_body
    else:
        body = str(find_stack(req.account, req.region, req.get("StackName")).template)
    return {"TemplateBody": body, "StagesAvailable": list(_STAGES)}


def _call_action(self: Any) -> Any:
    """Counting, fault injection and before-hooks around every CloudFormation action."""
    action = self._get_action() or ""
    faults = STATE.faults
    faults.count(action)
    latency, fault = faults.decide(action)
    if latency:
        time.sleep(latency)
    if fault is not None:
        faults.count(f"{action}:{fault}")
        return error_response(fault)
    params = self.params.original_dict() if hasattr(self.params, "original_dict") else self.params
    for hook in faults.hooks(action):
        hook(dict(params or {}))
    try:
        with STATE.lock:
            status, headers, body = BaseResponse.call_action(self)
    except Exception:  # an emulator bug answers like AWS would, and is logged
        log.exception("CloudFormation %s crashed in the sandbox", action)
        faults.count(f"{action}:Crash")
        return error_response(INTERNAL_FAILURE)
    if int(status) >= 300:
        faults.count(f"{action}:Error")
        return status, headers, body
    faults.count(f"{action}:OK")  # it was processed, whatever the client sees
    lost = faults.lose_response(action)
    if lost is not None:
        faults.count(f"{action}:{lost}")
        return error_response(lost)
    return status, headers, body


def _drift_information(self: Stack) -> dict[str, Any]:
    extra = STATE.stacks.get(self.stack_id)
    if extra is None or extra.last_check is None:
        return {"StackDriftStatus": "NOT_CHECKED"}
    return {"StackDriftStatus": extra.drift_status, "LastCheckTimestamp": extra.last_check}


def _capabilities(self: Stack) -> list[str] | None:
    extra = STATE.stacks.get(self.stack_id)
    return list(extra.capabilities) if extra and extra.capabilities else None


def _last_updated_time(self: Stack) -> Any:
    extra = STATE.stacks.get(self.stack_id)
    return extra.last_updated if extra else None


def install() -> None:
    """Idempotent."""
    if _installed:
        return
    _installed.append(True)
    fixes.apply()
    # moto's serialiser reads Stack.<snake_case> attributes for DescribeStacks/ListStacks.
    setattr(Stack, "drift_information", property(_drift_information))  # noqa: B010
    setattr(Stack, "capabilities", property(_capabilities))  # noqa: B010
    setattr(Stack, "last_updated_time", property(_last_updated_time))  # noqa: B010
    cls = CloudFormationResponse
    # moto's transformers expect its own ChangeSet model; ours are already in API shape.
    cls.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
        k: v
        for k, v in cls.RESPONSE_KEY_PATH_TO_TRANSFORMER.items()
        if not k.startswith("DescribeChangeSetOutput.")
    }
    actions: dict[str, Handler] = {
        "detect_stack_drift": drift.detect_stack_drift,
        "describe_stack_drift_detection_status": drift.describe_detection_status,
        "describe_stack_resource_drifts": drift.describe_resource_drifts,
        "detect_stack_resource_drift": drift.detect_resource_drift,
        "create_change_set": changesets.create_change_set,
        "describe_change_set": _describe_change_set,
        "list_change_sets": changeset_views.list_change_sets,
        "delete_change_set": changesets.delete_change_set,
        "execute_change_set": execution.execute_change_set,
        "get_template": _get_template,
    }
    for name, handler in actions.items():
        setattr(cls, name, _action(handler))
    wrappers = {
        "describe_stacks": _observing,
        "describe_stack_events": _observing,
        "create_stack": _create_stack,
        "update_stack": _update_stack,
        "delete_stack": _delete_stack,
        "describe_stack_resources": _describe_stack_resources,
    }
    for name, wrap in wrappers.items():
        setattr(cls, name, wrap(getattr(cls, name)))
    setattr(cls, "call_action", _call_action)  # noqa: B010
