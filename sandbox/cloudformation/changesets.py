"""CreateChangeSet and DeleteChangeSet, and the change-set records with their creation phase
(DescribeChangeSet/ListChangeSets output: ``changeset_views``).

Sources: the model doc strings of these actions and of ChangeSetStatus/ExecutionStatus
(CREATE_PENDING -> CREATE_IN_PROGRESS -> CREATE_COMPLETE | FAILED; ExecutionStatus
UNAVAILABLE until AVAILABLE; OBSOLETE "because the stack was already updated").
"""

from __future__ import annotations

import re
from typing import Any

from moto.cloudformation.models import Stack
from moto.cloudformation.utils import (
    generate_changeset_id,
    generate_stack_id,
    get_stack_from_s3_url,
)

from . import changes, templates
from .errors import (
    AlreadyExistsError,
    ChangeSetNotFoundError,
    InvalidChangeSetStatusError,
    ValidationError,
)
from .request import STABLE_STATUSES, Req, require_stable
from .store import STATE, ChangeSetRecord, backend, find_stack
from .timing import Progress

NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)
_NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")  # ChangeSetName doc string


def _complete_creation(rec: ChangeSetRecord) -> None:
    stack = find_stack(rec.account, rec.region, rec.stack_id)
    exports = backend(rec.account, rec.region).exports
    planned, drift_status = changes.plan(
        stack, rec.template, rec.parameters, exports, rec.drift_aware
    )
    for rule in STATE.faults.change_set_distortions.get(rec.stack_name, []):
        changes.distort(planned, rule, rec.drift_aware)  # sb.faults.distort_change_set
    rec.planned, rec.stack_drift_status = planned, drift_status
    new_params = templates.dry_run_map(stack, rec.template, rec.parameters, exports)
    old_params = stack.resource_map.resolved_parameters if stack.template_dict else {}
    same_inputs = (
        stack.template_dict == rec.template and new_params.resolved_parameters == old_params
    )
    if not planned and (same_inputs or rec.drift_aware):
        rec.status, rec.execution_status, rec.status_reason = "FAILED", "UNAVAILABLE", NO_CHANGES
    else:
        rec.status, rec.execution_status = "CREATE_COMPLETE", "AVAILABLE"


def advance_creation(rec: ChangeSetRecord, observed: bool) -> None:
    if rec.status not in ("CREATE_PENDING", "CREATE_IN_PROGRESS"):
        return
    if rec.progress.done():
        forced = STATE.faults.change_set_failures.get(rec.stack_name)
        if forced is not None:  # sb.faults.force_change_set_failed
            rec.status, rec.execution_status, rec.status_reason = "FAILED", "UNAVAILABLE", forced
            return
        try:
            _complete_creation(rec)
        except Exception as exc:  # the change set fails rather than the server
            rec.status, rec.execution_status = "FAILED", "UNAVAILABLE"
            rec.status_reason = f"{type(exc).__name__}: {exc}"
        return
    rec.status = "CREATE_PENDING" if rec.progress.first_half() else "CREATE_IN_PROGRESS"
    if observed:
        rec.progress.polls += 1


def find_record(req: Req, name_or_id: str | None, stack_name: str | None) -> ChangeSetRecord:
    if name_or_id and name_or_id.startswith("arn:"):
        rec = STATE.change_sets.get(name_or_id)
        if rec is None or rec.account != req.account or rec.region != req.region:
            raise ChangeSetNotFoundError(name_or_id)
        return rec
    if not stack_name:
        # Doc (DescribeChangeSet StackName): required when the change set is given by name.
        raise ValidationError(
            "StackName must be specified if ChangeSetName is not specified as an ARN."
        )
    try:
        stack = find_stack(req.account, req.region, stack_name)
    except ValidationError:
        raise ChangeSetNotFoundError(str(name_or_id)) from None
    for rec in STATE.change_sets.values():
        if rec.stack_id == stack.stack_id and rec.name == name_or_id:
            return rec
    raise ChangeSetNotFoundError(str(name_or_id))


def _template_body(req: Req, stack: Stack | None) -> str:
    body, url = req.get("TemplateBody"), req.get("TemplateURL")
    previous = bool(req.get("UsePreviousTemplate", False))
    # Doc: "You must specify only one of ... TemplateBody, TemplateURL, or set the
    # UsePreviousTemplate to true."
    if sum(map(bool, (body, url, previous))) != 1:
        raise ValidationError(
            "Specify exactly one of TemplateBody, TemplateURL or UsePreviousTemplate=true"
        )
    if previous:
        if stack is None or not stack.template_dict:
            raise ValidationError("UsePreviousTemplate can only be used with an existing stack")
        return str(stack.template)
    if url:
        return str(get_stack_from_s3_url(url, account_id=req.account, partition="aws"))
    return str(body)


def _new_review_stack(req: Req, name: str) -> Stack:
    """CREATE change set: "CloudFormation creates a stack with a unique stack ID, but no
    template or resources. The stack will be in the REVIEW_IN_PROGRESS state"."""
    stack = Stack(  # type: ignore[abstract]
        stack_id=generate_stack_id(name, req.region, req.account),
        name=name,
        template={},
        parameters={},
        account_id=req.account,
        region_name=req.region,
    )
    stack.status = "REVIEW_IN_PROGRESS"
    stack._add_stack_event("REVIEW_IN_PROGRESS", resource_status_reason="User Initiated")
    backend(req.account, req.region).stacks[stack.stack_id] = stack
    return stack


def create_change_set(req: Req) -> dict[str, Any]:
    stack_name, name = req.get("StackName"), req.get("ChangeSetName")
    cs_type = req.get("ChangeSetType", "UPDATE")  # doc: "By default ... UPDATE"
    mode = req.get("DeploymentMode")
    if not name or not _NAME.match(name):
        raise ValidationError(
            f"ChangeSetName {name} is invalid: it must start with a letter "
            "and contain only alphanumeric characters and hyphens (max 128)"
        )
    try:
        stack: Stack | None = find_stack(req.account, req.region, stack_name)
    except ValidationError:
        stack = None
    if stack is not None:
        for rec in STATE.change_sets.values():
            if rec.stack_id == stack.stack_id and rec.name == name:
                token = req.get("ClientToken")
                # ClientToken doc: a retry with the same token is the same request.
                if token and token == rec.client_token:
                    return {"Id": rec.change_set_id, "StackId": rec.stack_id}
                raise AlreadyExistsError(f"ChangeSet {name} already exists")  # text: guess
    if cs_type == "UPDATE":
        if stack is None or stack.status == "REVIEW_IN_PROGRESS":
            raise ValidationError(f"Stack with id {stack_name} does not exist")
        if stack.status not in STABLE_STATUSES:
            raise ValidationError(
                f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
            )
    elif cs_type == "CREATE":
        if mode:
            raise ValidationError("DeploymentMode REVERT_DRIFT requires an existing stack")  # guess
        if stack is not None and stack.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(
                f"Stack [{stack_name}] already exists and cannot be created again with "
                f"the changeSet [{name}]."
            )
    else:
        raise ValidationError(f"ChangeSetType {cs_type} is not supported by this emulator")
    if mode not in (None, "REVERT_DRIFT"):
        raise ValidationError(f"Invalid DeploymentMode {mode}")
    if mode and stack is not None:
        require_stable(stack, "a drift-aware change set")
    body = _template_body(req, stack if cs_type == "UPDATE" else None)
    template = templates.parse(body)
    previous = stack.resource_map.resolved_parameters if stack and stack.template_dict else None
    parameters = templates.resolve_parameters(template, req.get("Parameters", []), previous)
    capabilities = list(req.get("Capabilities", []))
    templates.check_capabilities(template, capabilities)
    if stack is None:
        stack = _new_review_stack(req, stack_name)
    # Template errors are reported synchronously by a dry run of moto's parser.
    exports = backend(req.account, req.region).exports
    resolved = templates.dry_run_map(stack, template, parameters, exports).resolved_parameters
    rec = ChangeSetRecord(
        change_set_id=generate_changeset_id(name, req.region, req.account),
        name=name,
        stack_id=stack.stack_id,
        stack_name=stack.name,
        account=req.account,
        region=req.region,
        change_set_type=cs_type,
        template_body=body,
        template=template,
        parameters=parameters,
        resolved_parameters=dict(resolved),
        capabilities=capabilities,
        description=req.get("Description"),
        tags=list(req.get("Tags", [])),
        notification_arns=list(req.get("NotificationARNs", [])),
        client_token=req.get("ClientToken"),
        deployment_mode=mode,
        progress=Progress(STATE.timing.change_set_create),
        role_arn=req.get("RoleARN") or None,
    )
    STATE.change_sets[rec.change_set_id] = rec
    advance_creation(rec, observed=False)
    return {"Id": rec.change_set_id, "StackId": rec.stack_id}


def records_of(stack_id: str) -> list[ChangeSetRecord]:
    return [r for r in STATE.change_sets.values() if r.stack_id == stack_id]


def delete_change_set(req: Req) -> dict[str, Any]:
    rec = find_record(req, req.get("ChangeSetName"), req.get("StackName"))
    if rec.execution_status == "EXECUTE_IN_PROGRESS":
        # Model: DeleteChangeSet raises InvalidChangeSetStatusError (text: guess).
        raise InvalidChangeSetStatusError(
            f"ChangeSet [{rec.change_set_id}] cannot be deleted while it is being executed"
        )
    del STATE.change_sets[rec.change_set_id]
    return {}


def mark_obsolete(stack_id: str, except_id: str | None = None) -> None:
    """Guess: once the stack was updated otherwise, other executable change sets turn
    OBSOLETE (ExecutionStatus doc: "OBSOLETE state because the stack was already updated")."""
    for rec in records_of(stack_id):
        if rec.change_set_id != except_id and rec.execution_status == "AVAILABLE":
            rec.execution_status = "OBSOLETE"
