"""Computing the Changes of a change set (standard and drift-aware REVERT_DRIFT).

Sources (model doc strings): ResourceChange (Action Add|Modify|Remove; Replacement
True|False|Conditional "depends on the change with the most impact"; ResourceDriftStatus
only for drift-aware change sets, UNSUPPORTED = "Resource type does not support actual
state comparison"), ResourceTargetDefinition (Attribute, Name only when Attribute is
Properties, RequiresRecreation Never|Conditionally|Always, Path, BeforeValue/AfterValue,
BeforeValueFrom ACTUAL_STATE, AfterValueFrom TEMPLATE, Drift, AttributeChangeType),
ResourceChangeDetail (Evaluation Static|Dynamic, ChangeSource).
Guess: a resource deleted out of band appears as Action Add (it is recreated).

Accepting drift (a REVERT_DRIFT change set with a new template whose value equals the
actual one; user guide: "drift-aware change sets reset the drift status of the resource
without modifying the resource"): the detail is AttributeChangeType SyncWithActual
("The drift status of this item will be reset but the item will not be modified"),
ChangeSource NoModification ("changes made to the template that matches the actual state
of the resource"). Guesses: a resource whose every detail syncs has Action SyncWithActual
and Replacement False; one that mixes synced and reverted details stays Action Modify.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation.models import Stack

from . import registry, templates, values
from .faults import Distortion


@dataclass
class PlannedChange:
    """One resource change plus what executing it needs."""

    change: dict[str, Any]
    action: str
    logical_id: str
    desired: dict[str, Any] = field(default_factory=dict)
    needs_replacement: bool = False


def ignored_attributes(type_name: str, declared: dict[str, Any]) -> list[dict[str, str]]:
    """ResourceDriftIgnoredAttributes of a drift-aware change: the declared properties whose
    drift it ignores, and why. Guess: Path is `/Properties/<Name>` like a target's Path."""
    handler = registry.get(type_name)
    out: list[dict[str, str]] = []
    for prop, value in declared.items():
        reason = None
        if values.is_secret_reference(value):
            reason = "SENSITIVE_PROPERTY"
        elif handler is not None and prop in handler.write_only:
            reason = "WRITE_ONLY_PROPERTY"
        elif handler is not None and prop in handler.managed_by_aws:
            reason = "MANAGED_BY_AWS"
        if reason:
            out.append({"Path": f"/Properties/{prop}", "Reason": reason})
    return out


def _contains_unknown(value: Any) -> bool:
    return templates.KNOWN_AFTER_APPLY in json.dumps(value)


def _detail(
    type_name: str,
    prop: str,
    *,
    before: Any,
    after: Any,
    drift_aware: bool,
    previous: Any = None,
    drifted: bool = False,
    sync: bool = False,
) -> dict[str, Any]:
    always = registry.requires_replacement(type_name, prop) and not sync
    target: dict[str, Any] = {
        "Attribute": "Tags" if prop == "Tags" else "Properties",
        "RequiresRecreation": "Always" if always else "Never",
        "Path": f"/Properties/{prop}",
        "BeforeValue": values.to_text(before),
        "AfterValue": values.to_text(after),
        "AttributeChangeType": "SyncWithActual"
        if sync
        else "Add"
        if before is None
        else "Remove"
        if after is None
        else "Modify",
    }
    if prop != "Tags":
        target["Name"] = prop
    if drift_aware:
        target["BeforeValueFrom"] = "ACTUAL_STATE"
        target["AfterValueFrom"] = "TEMPLATE"
        if drifted:
            target["Drift"] = {
                "PreviousValue": values.to_text(previous),
                "ActualValue": values.to_text(before),
            }
    return {
        "Target": target,
        "Evaluation": "Dynamic" if _contains_unknown(after) else "Static",
        "ChangeSource": "NoModification" if sync else "DirectModification",
    }


def _replacement(details: list[dict[str, Any]]) -> str:
    if any(
        d["Target"]["RequiresRecreation"] == "Always" and d["Evaluation"] == "Static"
        for d in details
    ):
        return "True"
    if any(d["Target"]["RequiresRecreation"] != "Never" for d in details):
        return "Conditional"
    return "False"


def _modify(
    stack: Stack,
    lid: str,
    *,
    type_name: str,
    before: dict[str, Any],
    after: dict[str, Any],
    previous: dict[str, Any],
    drift_aware: bool,
    drift_status: str | None,
) -> PlannedChange | None:
    details = []
    ignored = ignored_attributes(type_name, after) if drift_aware else []
    skipped = {i["Path"].removeprefix("/Properties/") for i in ignored}
    for prop in [*after, *(p for p in before if p not in after and p in previous)]:
        if prop in skipped:
            continue  # its drift is ignored: neither compared nor reverted
        b, a = before.get(prop), after.get(prop)
        if b is None and a is None:
            continue
        drifted = drift_aware and not values.equal(previous.get(prop), b)
        same = b is not None and a is not None and values.equal(a, b)
        if same and not drifted:
            continue
        details.append(
            _detail(
                type_name,
                prop,
                before=b,
                after=a,
                drift_aware=drift_aware,
                previous=previous.get(prop),
                drifted=drifted,
                sync=same,
            )
        )
    if not details:
        return None
    synced = all(d["Target"]["AttributeChangeType"] == "SyncWithActual" for d in details)
    model = stack.resource_map._parsed_resources.get(lid)
    action = "SyncWithActual" if synced else "Modify"
    change: dict[str, Any] = {
        "Action": action,
        "LogicalResourceId": lid,
        "PhysicalResourceId": str(getattr(model, "physical_resource_id", "")),
        "ResourceType": type_name,
        "Replacement": _replacement(details),
        "Scope": sorted({d["Target"]["Attribute"] for d in details}),
        "Details": details,
        "BeforeContext": json.dumps({"Properties": before}),
        "AfterContext": json.dumps({"Properties": after}),
    }
    if drift_status is not None:
        change["ResourceDriftStatus"] = drift_status
    if ignored:
        change["ResourceDriftIgnoredAttributes"] = ignored
    return PlannedChange(
        change=change,
        action=action,
        logical_id=lid,
        desired={k: v for k, v in after.items() if k not in skipped},
        needs_replacement=change["Replacement"] != "False",
    )


def plan(
    stack: Stack,
    new_template: dict[str, Any],
    parameters: dict[str, str],
    exports: Any,
    drift_aware: bool,
) -> tuple[list[PlannedChange], str | None]:
    """(changes, StackDriftStatus) for executing ``new_template`` on ``stack``."""
    new_map = templates.dry_run_map(stack, new_template, parameters, exports)
    old_template = stack.template_dict or {}
    old_map = templates.dry_run_map(stack, old_template, stack.parameters, exports)
    live = stack.resource_map._parsed_resources
    old_res = {lid: r for lid, r in (old_template.get("Resources") or {}).items() if lid in live}
    new_res = {
        lid: r
        for lid, r in (new_template.get("Resources") or {}).items()
        if templates.condition_holds(new_map, r)
    }
    planned: list[PlannedChange] = []
    any_drift = False
    for lid, res in new_res.items():
        type_name = res["Type"]
        after = templates.resolve_properties(new_map, res)
        old = old_res.get(lid)
        if old is None or old.get("Type") != type_name:
            planned.append(_add(lid, type_name, after, "NOT_CHECKED" if drift_aware else None))
            continue
        previous = templates.resolve_properties(old_map, old)
        handler = registry.get(type_name)
        if not drift_aware:
            before, status = previous, None
        elif handler is None:
            before, status = previous, "UNSUPPORTED"
        else:
            actual = handler.read(
                stack.account_id, stack.region_name, str(live[lid].physical_resource_id)
            )
            if actual is None:
                any_drift = True
                planned.append(_add(lid, type_name, after, "DELETED"))
                continue
            before = {k: v for k, v in actual.items() if k in after or k in previous}
            drifted = bool(values.diff_properties(values.checked_properties(previous), actual))
            any_drift = any_drift or drifted
            status = "MODIFIED" if drifted else "IN_SYNC"
        change = _modify(
            stack,
            lid,
            type_name=type_name,
            before=before,
            after=after,
            previous=previous,
            drift_aware=drift_aware,
            drift_status=status,
        )
        if change is not None:
            planned.append(change)
    for lid, res in old_res.items():
        if lid not in new_res or new_res[lid].get("Type") != res.get("Type"):
            planned.append(_remove(stack, lid, res["Type"]))
    drift_status = ("DRIFTED" if any_drift else "IN_SYNC") if drift_aware else None
    return planned, drift_status


def _add(
    lid: str, type_name: str, after: dict[str, Any], drift_status: str | None
) -> PlannedChange:
    change: dict[str, Any] = {
        "Action": "Add",
        "LogicalResourceId": lid,
        "ResourceType": type_name,
        "Scope": [],
        "Details": [],
        "AfterContext": json.dumps({"Properties": after}),
    }
    if drift_status is not None:
        change["ResourceDriftStatus"] = drift_status
    return PlannedChange(change=change, action="Add", logical_id=lid, desired=after)


def _remove(stack: Stack, lid: str, type_name: str) -> PlannedChange:
    model = stack.resource_map._parsed_resources.get(lid)
    change = {
        "Action": "Remove",
        "LogicalResourceId": lid,
        "PhysicalResourceId": str(getattr(model, "physical_resource_id", "")),
        "ResourceType": type_name,
        "PolicyAction": "Delete",
        "Scope": [],
        "Details": [],
    }
    return PlannedChange(change=change, action="Remove", logical_id=lid)


def distort(planned: list[PlannedChange], rule: Distortion, drift_aware: bool) -> None:
    """Apply a ``faults.distort_change_set`` rule to the planned change of its resource."""
    for p in planned:
        if p.logical_id != rule.logical_id:
            continue
        if rule.extra_property and p.action == "Modify":
            type_name = p.change["ResourceType"]
            value = p.desired.get(rule.extra_property)
            detail = _detail(
                type_name, rule.extra_property, before=value, after=value, drift_aware=drift_aware
            )
            detail["Evaluation"] = "Dynamic"  # known after apply, the reported cause
            p.change["Details"].append(detail)
            p.change["Scope"] = sorted({d["Target"]["Attribute"] for d in p.change["Details"]})
            p.change["Replacement"] = _replacement(p.change["Details"])
            p.needs_replacement = p.change["Replacement"] != "False"
        if rule.action and rule.action != p.action:
            p.action = p.change["Action"] = rule.action
            if rule.action != "Modify":  # Replacement/Scope/Details are Modify-only
                p.change["Details"], p.change["Scope"] = [], []
                p.change.pop("Replacement", None)


# Keys shown only with DescribeChangeSet IncludePropertyValues=True (doc: "the returned
# changes include detailed changes in the property values").
VALUE_KEYS = ("BeforeValue", "AfterValue", "BeforeValueFrom", "AfterValueFrom", "Drift")
CONTEXT_KEYS = ("BeforeContext", "AfterContext")


def render(change: dict[str, Any], include_values: bool) -> dict[str, Any]:
    rc = dict(change)
    if not include_values:
        for key in CONTEXT_KEYS:
            rc.pop(key, None)
        rc["Details"] = [
            {**d, "Target": {k: v for k, v in d["Target"].items() if k not in VALUE_KEYS}}
            for d in rc.get("Details", [])
        ]
    return {"Type": "Resource", "ResourceChange": rc}
