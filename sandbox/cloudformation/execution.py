"""ExecuteChangeSet and the asynchronous stack update it starts.

Sources: ExecuteChangeSet doc string ("CloudFormation starts updating the stack. Use the
DescribeStacks action to view the status"; "deletes all other change sets associated with
the stack"; errors InvalidChangeSetStatusError, ChangeSetNotFoundError, TokenAlreadyExistsError),
InvalidChangeSetStatusException doc ("the change set status might be CREATE_IN_PROGRESS,
or the stack status might be UPDATE_IN_PROGRESS"), StackEvent.ClientRequestToken doc
("All events triggered by a given stack operation are assigned the same client request
token"). Event sequence and rollback texts follow CloudFormation's console output (the
exact reasons are a guess).
"""

from __future__ import annotations

import copy
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.models import Event, Stack

from . import registry
from .changes import PlannedChange
from .changesets import advance_creation, find_record, records_of
from .drift import check_resource, checkable, expected_map
from .errors import InvalidChangeSetStatusError, TokenAlreadyExistsError
from .request import STABLE_STATUSES, Req, now
from .store import STATE, ChangeSetRecord, find_stack
from .timing import Progress

# Guess: a SyncWithActual resource shows the events of an update (its metadata is updated).
_START = {
    "Add": "CREATE_IN_PROGRESS",
    "Modify": "UPDATE_IN_PROGRESS",
    "SyncWithActual": "UPDATE_IN_PROGRESS",
}
_DONE = {"Add": "CREATE_COMPLETE", "Modify": "UPDATE_COMPLETE", "SyncWithActual": "UPDATE_COMPLETE"}


def event(
    stack: Stack,
    status: str,
    reason: str | None = None,
    token: str | None = None,
    resource: tuple[str, str, str] | None = None,
) -> None:
    """Append a stack event; ``resource`` = (logical id, physical id, type)."""
    lid, physical, rtype = resource or (stack.name, stack.stack_id, "AWS::CloudFormation::Stack")
    ev = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=lid,
        physical_resource_id=physical,
        resource_type=rtype,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    setattr(ev, "client_request_token", token)  # noqa: B010 (typed as None in moto)
    ev.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(ev)
    if resource is None:  # the stack's own status changed: EventBridge hears of it too
        STATE.events.emit_stack_status(stack, status, reason, token)


def _resource(stack: Stack, lid: str) -> tuple[str, str, str]:
    model = stack.resource_map._parsed_resources.get(lid)
    physical = str(getattr(model, "physical_resource_id", "") or "")
    rtype = ((stack.template_dict.get("Resources") or {}).get(lid) or {}).get("Type", "")
    return lid, physical, rtype


def execute_change_set(req: Req) -> dict[str, Any]:
    rec = find_record(req, req.get("ChangeSetName"), req.get("StackName"))
    stack = find_stack(rec.account, rec.region, rec.stack_id)
    extra = STATE.extra(stack.stack_id)
    token = req.get("ClientRequestToken")
    if token and token in extra.exec_tokens:
        if extra.exec_tokens[token] == rec.change_set_id:
            return {}  # guess: a retry with the same token is accepted and does nothing
        raise TokenAlreadyExistsError(f"Token {token} is already used by another operation")
    advance_creation(rec, observed=False)
    if rec.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatusError(
            f"ChangeSet [{rec.change_set_id}] cannot be executed in its current status of "
            f"[{rec.status}] and execution status of [{rec.execution_status}]"
        )
    allowed = {"REVIEW_IN_PROGRESS"} if rec.change_set_type == "CREATE" else STABLE_STATUSES
    if stack.status not in allowed:
        raise InvalidChangeSetStatusError(
            f"ChangeSet [{rec.change_set_id}] cannot be executed: stack [{stack.stack_id}] "
            f"is in {stack.status} state"
        )
    for other in records_of(stack.stack_id):
        if other is not rec:
            del STATE.change_sets[other.change_set_id]
    if token:
        extra.exec_tokens[token] = rec.change_set_id
    rec.exec_token = token
    if rec.role_arn:
        # Guess: the passed role becomes the stack's role when the operation starts (the doc
        # says only "for all future operations on the stack"); DescribeStacks shows it.
        stack.role_arn = rec.role_arn
    rec.execution_status = "EXECUTE_IN_PROGRESS"
    op = "CREATE" if rec.change_set_type == "CREATE" else "UPDATE"
    stack.status = f"{op}_IN_PROGRESS"
    event(stack, stack.status, "User Initiated", token)
    for p in rec.planned:
        if p.action in _START:
            event(stack, _START[p.action], None, token, _resource(stack, p.logical_id))
    rec.exec_progress = Progress(STATE.timing.execution)
    advance_execution(rec, observed=False)
    return {}


def advance_execution(rec: ChangeSetRecord, observed: bool) -> None:
    if rec.execution_status == "EXECUTE_IN_PROGRESS" and rec.exec_progress is not None:
        progress = rec.exec_progress
        finish = _finish
    elif rec.failure is not None and rec.rollback_progress is not None:
        progress, finish = rec.rollback_progress, _finish_rollback
    else:
        return
    if progress.done():
        finish(rec)
        nxt = rec.rollback_progress
        if observed and nxt is not None and nxt is not progress:
            nxt.polls += 1  # this observation already saw the rollback phase
    elif observed:
        progress.polls += 1


def _apply(rec: ChangeSetRecord, stack: Stack) -> None:
    rmap = stack.resource_map
    if rec.change_set_type == "CREATE":
        stack.template, stack.parameters = rec.template_body, rec.parameters
        stack._parse_template()
        stack.resource_map = stack._create_resource_map()
        stack.resource_map.create(stack.template_dict)
        stack.output_map = stack._create_output_map()
        return
    new_params = dict(rec.parameters)
    existed = set(rmap._parsed_resources)
    # Compare resolved values, not inputs: a parameter first left at its Default and now
    # passed with UsePreviousValue is the same value, not a change (moto's own diff
    # compares inputs and would "modify" every resource that refers to it).
    if stack.template_dict != rec.template or _params_differ(rmap, rec):
        _update_map(rmap, rec)
        stack.template = rec.template_body
        stack._parse_template()
        stack.output_map = stack._create_output_map()
    stack.template, stack.parameters = rec.template_body, new_params
    rmap.input_parameters = new_params
    if not rec.drift_aware:
        return
    for p in rec.planned:
        try:
            _revert(p, stack, existed)
        except Exception as exc:
            raise ResourceUpdateError(p.logical_id, f"{type(exc).__name__}: {exc}") from exc
    _reset_synced_drift(stack, rec)


def _update_map(rmap: parsing.ResourceMap, rec: ChangeSetRecord) -> None:
    """moto's update, except that a drift-aware change set touches only the resources it
    plans to change: a SyncWithActual resource (or one with no change) is left as it is,
    only its template definition is replaced."""
    if not rec.drift_aware:
        rmap.update(copy.deepcopy(rec.template), dict(rec.parameters))
        return
    changing = {p.logical_id for p in rec.planned if p.action != "SyncWithActual"}
    original = rmap.build_resource_diff

    def diff(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> Any:
        by_action = original(template, parameters)
        by_action["Modify"] = [n for n in by_action["Modify"] if n in changing]
        return by_action

    setattr(rmap, "build_resource_diff", diff)  # noqa: B010 (this one update only)
    try:
        rmap.update(copy.deepcopy(rec.template), dict(rec.parameters))
    finally:
        delattr(rmap, "build_resource_diff")


def _reset_synced_drift(stack: Stack, rec: ChangeSetRecord) -> None:
    """User guide: drift-aware change sets "reset the drift status of the resource". Guess:
    the stored resource drift of a synced resource turns IN_SYNC against the new template,
    and the stack's drift status follows what is stored (a new detection confirms it)."""
    synced = [p.logical_id for p in rec.planned if p.action == "SyncWithActual"]
    if not synced:
        return
    extra = STATE.extra(stack.stack_id)
    rmap = expected_map(stack)
    for lid in synced:
        if checkable(stack, lid):
            extra.resource_drifts[lid] = check_resource(stack, lid, rmap)
    drifted = any(
        d.get("StackResourceDriftStatus") in ("MODIFIED", "DELETED")
        for d in extra.resource_drifts.values()
    )
    extra.drift_status = "DRIFTED" if drifted else "IN_SYNC"


def _params_differ(rmap: parsing.ResourceMap, rec: ChangeSetRecord) -> bool:
    def text(params: dict[str, Any]) -> dict[str, str]:
        return {
            k: ",".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in params.items()
        }

    return text(rmap.resolved_parameters) != text(rec.resolved_parameters)


def _revert(p: PlannedChange, stack: Stack, existed: set[str]) -> None:
    """Bring one drifted resource back to its template values (REVERT_DRIFT)."""
    rmap = stack.resource_map
    resource_json = copy.deepcopy(stack.template_dict["Resources"][p.logical_id])
    args = (p.logical_id, resource_json, rmap, stack.account_id, stack.region_name)
    if p.action == "Add" and p.logical_id in existed:
        # Deleted out of band: recreate it from the template.
        rmap._parsed_resources[p.logical_id] = parsing.parse_and_create_resource(*args)
    elif p.action == "Modify" and p.needs_replacement:
        rmap._parsed_resources[p.logical_id] = parsing.parse_and_update_resource(*args)
    elif p.action == "Modify":
        handler = registry.get(resource_json["Type"])
        if handler is not None:
            physical = str(rmap._parsed_resources[p.logical_id].physical_resource_id)
            handler.apply(stack.account_id, stack.region_name, physical, p.desired)


class ResourceUpdateError(Exception):
    """Applying one resource failed; the update fails on that resource."""

    def __init__(self, logical_id: str, reason: str) -> None:
        super().__init__(reason)
        self.logical_id, self.reason = logical_id, reason


def _finish(rec: ChangeSetRecord) -> None:
    stack = find_stack(rec.account, rec.region, rec.stack_id)
    token = rec.exec_token
    forced = STATE.faults.execute_failures.get(stack.name, {})
    failing = next(iter(forced.items()), None)
    if failing is None:
        try:
            _apply(rec, stack)
        except ResourceUpdateError as exc:
            failing = (exc.logical_id, exc.reason)
        except Exception as exc:  # an apply error fails the update instead of the server
            lid = rec.planned[0].logical_id if rec.planned else stack.name
            failing = (lid, f"{type(exc).__name__}: {exc}")
    op = "CREATE" if rec.change_set_type == "CREATE" else "UPDATE"
    if failing is not None:
        lid, reason = failing
        event(stack, f"{op}_FAILED", reason, token, _resource(stack, lid))
        verb = "create" if op == "CREATE" else "update"
        stack.status = "ROLLBACK_IN_PROGRESS" if op == "CREATE" else "UPDATE_ROLLBACK_IN_PROGRESS"
        event(stack, stack.status, f"The following resource(s) failed to {verb}: [{lid}]. ", token)
        rec.execution_status = "EXECUTE_FAILED"
        rec.failure = failing
        rec.rollback_progress = Progress(STATE.timing.execution)
        return
    for p in rec.planned:
        if p.action in _DONE:
            event(stack, _DONE[p.action], None, token, _resource(stack, p.logical_id))
    if op == "UPDATE":
        event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None, token)
        for p in rec.planned:
            if p.action == "Remove":
                res = (
                    p.logical_id,
                    p.change.get("PhysicalResourceId", ""),
                    p.change["ResourceType"],
                )
                event(stack, "DELETE_IN_PROGRESS", None, token, res)
                event(stack, "DELETE_COMPLETE", None, token, res)
    stack.status = f"{op}_COMPLETE"
    event(stack, stack.status, None, token)
    rec.execution_status = "EXECUTE_COMPLETE"
    extra = STATE.extra(stack.stack_id)
    extra.last_updated = now()
    extra.capabilities = list(rec.capabilities)


def _finish_rollback(rec: ChangeSetRecord) -> None:
    stack = find_stack(rec.account, rec.region, rec.stack_id)
    token = rec.exec_token
    rec.rollback_progress = None
    if rec.change_set_type == "CREATE":
        stack.status = "ROLLBACK_COMPLETE"
    else:
        event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", None, token)
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
    event(stack, stack.status, None, token)
