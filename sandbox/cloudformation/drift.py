"""DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts and
DetectStackResourceDrift (sources: the botocore CloudFormation model doc strings)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.cloudformation.models import Stack

from . import registry, templates, values
from .errors import ValidationError
from .request import Req, now, require_stable
from .store import STATE, Detection, backend, find_stack
from .timing import Progress

_DRIFT_FILTERS = {"IN_SYNC", "MODIFIED", "DELETED", "NOT_CHECKED", "UNKNOWN", "UNSUPPORTED"}


def expected_map(stack: Stack) -> Any:
    be = backend(stack.account_id, stack.region_name)
    return templates.dry_run_map(stack, stack.template_dict, stack.parameters, be.exports)


def checkable(stack: Stack, logical_id: str) -> bool:
    resource = (stack.template_dict.get("Resources") or {}).get(logical_id) or {}
    return (
        registry.get(resource.get("Type", "")) is not None
        and logical_id in stack.resource_map._parsed_resources
    )


def check_resource(stack: Stack, logical_id: str, rmap: Any) -> dict[str, Any]:
    """One StackResourceDrift: compares only the template-declared properties."""
    resource = stack.template_dict["Resources"][logical_id]
    handler = registry.get(resource["Type"])
    assert handler is not None
    model = stack.resource_map._parsed_resources[logical_id]
    physical_id = str(model.physical_resource_id)
    drift: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": resource["Type"],
        "Timestamp": now(),
    }
    actual = handler.read(stack.account_id, stack.region_name, physical_id)
    if actual is None:
        # StackResourceDrift doc: DELETED has no Expected/ActualProperties.
        drift["StackResourceDriftStatus"] = "DELETED"
        return drift
    expected = values.checked_properties(templates.resolve_properties(rmap, resource))
    differences = values.diff_properties(expected, actual)
    drift["ExpectedProperties"] = json.dumps(expected)
    drift["ActualProperties"] = json.dumps(values.actual_subset(expected, actual))
    drift["StackResourceDriftStatus"] = "MODIFIED" if differences else "IN_SYNC"
    if differences:
        drift["PropertyDifferences"] = differences
    return drift


def _complete(det: Detection) -> None:
    try:
        stack = find_stack(det.account, det.region, det.stack_id)
    except ValidationError:
        det.status, det.reason = "DETECTION_FAILED", "Stack no longer exists"
        det.stack_drift_status = "UNKNOWN"
        return
    extra = STATE.extra(stack.stack_id)
    forced = STATE.faults.detection_failures.get(stack.name)
    rmap = expected_map(stack)
    ids = det.logical_ids or list(stack.template_dict.get("Resources") or {})
    candidates = [lid for lid in ids if checkable(stack, lid)]
    failed: dict[str, str] = {}
    if forced is not None and candidates:
        target = forced[0] if forced[0] in candidates else candidates[0]
        failed[target] = forced[1]
    drifted = 0
    for lid in candidates:
        if lid in failed:
            continue
        try:
            result = check_resource(stack, lid, rmap)
        except Exception as exc:  # a reader bug must not crash the detection
            failed[lid] = f"{type(exc).__name__}: {exc}"
            continue
        extra.resource_drifts[lid] = result
        drifted += result["StackResourceDriftStatus"] in ("MODIFIED", "DELETED")
    det.drifted_count = drifted
    if failed:
        # DETECTION_FAILED doc: "failed for at least one resource ... Results will be
        # available for resources on which CloudFormation successfully completed".
        det.status = "DETECTION_FAILED"
        det.reason = "; ".join(
            f"Failed to detect drift on resource [{lid}]: {why}" for lid, why in failed.items()
        )
        # Guess: DRIFTED when a checked resource drifted, else UNKNOWN (doc: UNKNOWN =
        # "could not run drift detection for a resource in the stack").
        det.stack_drift_status = "DRIFTED" if drifted else "UNKNOWN"
    else:
        det.status = "DETECTION_COMPLETE"
        det.stack_drift_status = "DRIFTED" if drifted else "IN_SYNC"
    extra.drift_status = det.stack_drift_status


def advance(det: Detection, observed: bool) -> None:
    if det.status != "DETECTION_IN_PROGRESS":
        return
    if det.progress.done():
        _complete(det)
        STATE.events.emit_drift(det)
    elif observed:
        det.progress.polls += 1


def detect_stack_drift(req: Req) -> dict[str, Any]:
    stack = find_stack(req.account, req.region, req.get("StackName"))
    require_stable(stack, "drift detection")
    logical_ids = list(req.get("LogicalResourceIds", []))
    known = stack.template_dict.get("Resources") or {}
    unknown = [lid for lid in logical_ids if lid not in known]
    if unknown:
        # Guess (text): filters must name resources of the stack.
        raise ValidationError(
            f"Resources [{', '.join(unknown)}] do not exist in stack {stack.name}"
        )
    det = Detection(
        detection_id=str(uuid.uuid4()),
        stack_id=stack.stack_id,
        stack_name=stack.name,
        account=req.account,
        region=req.region,
        logical_ids=logical_ids,
        progress=Progress(STATE.timing.detection),
        timestamp=now(),
    )
    STATE.detections[det.detection_id] = det
    # StackDriftInformation.LastCheckTimestamp: "when a drift detection operation was initiated".
    STATE.extra(stack.stack_id).last_check = det.timestamp
    advance(det, observed=False)
    return {"StackDriftDetectionId": det.detection_id}


def describe_detection_status(req: Req) -> dict[str, Any]:
    det_id = req.get("StackDriftDetectionId")
    det = STATE.detections.get(det_id)
    if det is None or det.account != req.account or det.region != req.region:
        raise ValidationError(f"Drift detection with id {det_id} does not exist")  # guess text
    advance(det, observed=True)
    out: dict[str, Any] = {
        "StackId": det.stack_id,
        "StackDriftDetectionId": det.detection_id,
        "DetectionStatus": det.status,
        "Timestamp": det.timestamp,
    }
    if det.stack_drift_status is not None:
        out["StackDriftStatus"] = det.stack_drift_status
    if det.reason is not None:
        out["DetectionStatusReason"] = det.reason
    if det.status != "DETECTION_IN_PROGRESS":
        # Doc: "NULL until the drift detection operation reaches DETECTION_COMPLETE".
        # Guess: a DETECTION_FAILED operation also reports the count of what it checked.
        out["DriftedStackResourceCount"] = det.drifted_count
    return out


def describe_resource_drifts(req: Req) -> dict[str, Any]:
    stack = find_stack(req.account, req.region, req.get("StackName"))
    filters = list(req.get("StackResourceDriftStatusFilters", []))
    bad = [f for f in filters if f not in _DRIFT_FILTERS]
    if bad:
        raise ValidationError(f"Invalid StackResourceDriftStatusFilters: {bad}")
    max_results = int(req.get("MaxResults", 100))
    if not 1 <= max_results <= 100:  # model: BoxedMaxResults min 1 max 100
        raise ValidationError("MaxResults must be between 1 and 100")
    drifts = [
        d
        for d in STATE.extra(stack.stack_id).resource_drifts.values()
        if not filters or d["StackResourceDriftStatus"] in filters
    ]
    token = req.get("NextToken")
    start = 0
    if token:
        try:
            start = int(token)
        except ValueError:
            raise ValidationError("Invalid NextToken") from None  # guess text
    page = drifts[start : start + max_results]
    out: dict[str, Any] = {"StackResourceDrifts": page}
    if start + max_results < len(drifts):
        out["NextToken"] = str(start + max_results)
    return out


def detect_resource_drift(req: Req) -> dict[str, Any]:
    stack = find_stack(req.account, req.region, req.get("StackName"))
    require_stable(stack, "drift detection")
    lid = req.get("LogicalResourceId")
    resource = (stack.template_dict.get("Resources") or {}).get(lid)
    if resource is None:
        raise ValidationError(f"Resource {lid} does not exist for stack {stack.name}")
    if not checkable(stack, lid):
        # Doc: "Resources that don't currently support drift detection can't be checked."
        raise ValidationError(
            f"Drift detection is not supported for resource type {resource['Type']}"
        )
    result = check_resource(stack, lid, expected_map(stack))
    extra = STATE.extra(stack.stack_id)
    extra.resource_drifts[lid] = result
    extra.last_check = result["Timestamp"]
    return {"StackResourceDrift": result}
