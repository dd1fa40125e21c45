"""Template helpers: parameters, capabilities and resolving properties with moto's parser."""

from __future__ import annotations

import copy
from typing import Any

from moto.cloudformation.models import Stack
from moto.cloudformation.parsing import ResourceMap, clean_json

from .errors import InsufficientCapabilitiesError, ValidationError

KNOWN_AFTER_APPLY = "{{changeSet:KNOWN_AFTER_APPLY}}"

# CreateChangeSet doc string (Capabilities): these types need CAPABILITY_IAM or
# CAPABILITY_NAMED_IAM; "If you have IAM resources with custom names, you must specify
# CAPABILITY_NAMED_IAM".
IAM_TYPES = frozenset(
    {
        "AWS::IAM::AccessKey",
        "AWS::IAM::Group",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::IAM::User",
        "AWS::IAM::UserToGroupAddition",
    }
)
_IAM_NAME_PROPERTIES = (
    "RoleName",
    "UserName",
    "GroupName",
    "ManagedPolicyName",
    "InstanceProfileName",
)


def parse(body: str) -> dict[str, Any]:
    parsed = Stack.parse_template(body)
    if not isinstance(parsed, dict):
        raise ValidationError("Template format error: JSON not well-formed.")
    return parsed


def check_capabilities(template: dict[str, Any], capabilities: list[str]) -> None:
    needed: str | None = None
    for resource in (template.get("Resources") or {}).values():
        if resource.get("Type") not in IAM_TYPES:
            continue
        props = resource.get("Properties") or {}
        if any(name in props for name in _IAM_NAME_PROPERTIES):
            needed = "CAPABILITY_NAMED_IAM"
            break
        needed = needed or "CAPABILITY_IAM"
    if needed is None:
        return
    if needed == "CAPABILITY_NAMED_IAM" and "CAPABILITY_NAMED_IAM" in capabilities:
        return
    if needed == "CAPABILITY_IAM" and set(capabilities) & {
        "CAPABILITY_IAM",
        "CAPABILITY_NAMED_IAM",
    }:
        return
    # Message as CloudFormation prints it (e.g. "Requires capabilities : [CAPABILITY_IAM]").
    raise InsufficientCapabilitiesError(f"Requires capabilities : [{needed}]")


def resolve_parameters(
    template: dict[str, Any],
    passed: list[dict[str, Any]],
    previous: dict[str, Any] | None,
) -> dict[str, str]:
    """Input parameter values for a template, validated like CloudFormation does.

    Parameter doc string: UsePreviousValue reuses the stack's current value. A parameter
    without Default that gets no value fails with "Parameters: [X] must have values".
    A key not declared in the template fails with "Parameters: [X] do not exist in the
    template" (CloudFormation's wording as commonly reported; not in the model).
    """
    declared = template.get("Parameters") or {}
    unknown = [p["ParameterKey"] for p in passed if p.get("ParameterKey") not in declared]
    if unknown:
        raise ValidationError(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    values: dict[str, str] = {}
    for param in passed:
        key = param["ParameterKey"]
        if param.get("UsePreviousValue"):
            if param.get("ParameterValue") is not None:
                raise ValidationError(
                    f"Invalid input for parameter key {key}. Cannot specify usePreviousValue "
                    "as true and non empty value for a parameter"
                )
            if previous is None or key not in previous:
                # Guess: CloudFormation rejects UsePreviousValue for a key the stack lacks.
                raise ValidationError(
                    f"Invalid input for parameter key {key}. Cannot specify usePreviousValue "
                    "as true for a parameter key not in the previous template"
                )
            prev = previous[key]
            values[key] = ",".join(map(str, prev)) if isinstance(prev, list) else str(prev)
        elif "ParameterValue" in param:
            values[key] = str(param["ParameterValue"])
    missing = [k for k, v in declared.items() if k not in values and "Default" not in (v or {})]
    if missing:
        raise ValidationError(f"Parameters: [{', '.join(missing)}] must have values")
    return values


class _Placeholder:
    """A resource that does not exist yet: its Ref/GetAtt are known only after apply."""

    physical_resource_id = KNOWN_AFTER_APPLY

    def get_cfn_attribute(self, _name: str) -> str:
        return KNOWN_AFTER_APPLY


class DryRunMap(ResourceMap):
    """moto's ResourceMap that resolves intrinsics without creating any resource."""

    def __getitem__(self, key: str) -> Any:
        if key in self._parsed_resources:
            return self._parsed_resources[key]
        if key in self._resource_json_map:
            return _Placeholder()
        raise KeyError(key)


def dry_run_map(
    stack: Stack, template: dict[str, Any], parameters: dict[str, str], exports: Any
) -> DryRunMap:
    rmap = DryRunMap(
        stack.stack_id,
        stack.name,
        parameters,
        stack.tags,
        account_id=stack.account_id,
        region_name=stack.region_name,
        template=template,
        cross_stack_resources=exports,
    )
    rmap.load()
    live = stack.resource_map._parsed_resources
    old_resources = (stack.template_dict or {}).get("Resources") or {}
    for lid, res in (template.get("Resources") or {}).items():
        old = old_resources.get(lid)
        if old and old.get("Type") == res.get("Type") and lid in live:
            rmap._parsed_resources[lid] = live[lid]
    return rmap


def condition_holds(rmap: ResourceMap, resource: dict[str, Any]) -> bool:
    condition = resource.get("Condition")
    return not condition or bool(rmap.lazy_condition_map[condition])


def resolve_properties(rmap: ResourceMap, resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's Properties with parameters and intrinsic functions resolved."""
    resolved = clean_json(copy.deepcopy(resource.get("Properties") or {}), rmap)
    return resolved if isinstance(resolved, dict) else {}
