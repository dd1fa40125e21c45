"""Accepting drift (issue 17): the actual values written into the deployed template.
A contract between the healer (which accepts) and the approval page (which shows the diff
before anyone decides): both compute the same patch from the same reads. Pure, all or
nothing.

The template text is edited in place: the YAML (or JSON) is composed into nodes that know
where they start and end in the text, and only the spans of the values that change are
replaced, so comments, quoting, key order and indentation stay as they were. A literal
value becomes the actual value; a value from `!Ref Param` becomes a parameter change; a
computed value (`!Sub`, `!GetAtt`, `!If`, a mapping, a transform or macro) and a deleted
resource are refused with the reason, and then nothing is accepted. The patched text is
read back and compared with what was meant before it is used.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from drift_common.accept.model import AcceptPatch, DriftToAccept, NotAccepted, ParameterChange
from drift_common.accept.nodes import (
    actual_value,
    child,
    end_of,
    first_intrinsic,
    intrinsic,
    norm,
    plain,
    ref_target,
    scalar_text,
    set_at,
    value_at,
    walk,
)

_PARAMETER_TYPES = {"String", "Number"}  # list and AWS-specific types are not rewritten


class _RefusedError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Edits:
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    # (logical id, property path segments) -> the value meant there, for the read-back
    meant: list[tuple[str, list[str], Any]] = field(default_factory=list)
    parameters: dict[str, ParameterChange] = field(default_factory=dict)
    parameter_uses: dict[str, int] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)


# --- one drifted resource -----------------------------------------------------------------


def _segments(path: str) -> list[str]:
    return [s.replace("~1", "/").replace("~0", "~") for s in path.strip("/").split("/") if s]


def _accept_resource(
    resource: DriftToAccept,
    node: Node,
    parameters: Node | None,
    edits: _Edits,
    as_json: bool,
) -> None:
    lid = resource.logical_id
    properties = child(node, "Properties")
    if properties is None or intrinsic(properties):
        raise _RefusedError("its Properties are not written out in the template")
    actual: dict[str, Any] = json.loads(resource.actual_json)
    expected: dict[str, Any] = json.loads(resource.expected_json)
    by_property: dict[str, list[list[str]]] = {}
    for difference in resource.differences:
        segments = _segments(difference.path)
        if not segments:
            raise _RefusedError(f"{difference.path!r} is not a property path")
        by_property.setdefault(segments[0], []).append(segments)
    for name, paths in by_property.items():
        top = child(properties, name)
        if top is None:
            raise _RefusedError(f"{name} is not in the template's Properties")
        if name not in actual:
            raise _RefusedError(
                f"{name} was removed from the resource: delete it from the template by hand"
            )
        edits.paths.extend(f"{lid}/{'/'.join(p)}" for p in paths)
        leaf_edits: list[tuple[ScalarNode, list[str], Any]] = []
        whole = False
        for segments in paths:
            here: Node = top
            walked = 1
            while walked < len(segments) and not intrinsic(here):
                nxt = child(here, segments[walked])
                if nxt is None:
                    break
                here, walked = nxt, walked + 1
            function = intrinsic(here)
            value = value_at(actual, segments)
            if function == "Ref" and walked == len(segments):
                _parameter_change(
                    ref_target(here), parameters, value, value_at(expected, segments), edits
                )
            elif function:
                raise _RefusedError(
                    f"{'/'.join(segments)} is computed by {function}: write the new value "
                    "into the template (or its source) by hand"
                )
            elif (
                walked == len(segments)
                and isinstance(here, ScalarNode)
                and here.style not in ("|", ">")
                and value is not None
                and not isinstance(value, dict | list)
            ):
                leaf_edits.append((here, segments, value))
            else:
                whole = True
        if whole:
            function = first_intrinsic(top)
            if function:
                raise _RefusedError(
                    f"{name} holds a value computed by {function}: write the new value "
                    "into the template by hand"
                )
            value = actual_value(actual[name])
            edits.spans.append((int(top.start_mark.index), end_of(top), json.dumps(value)))
            edits.meant.append((lid, [name], value))
            continue
        for scalar, segments, value in leaf_edits:
            text = scalar_text(scalar, value, as_json)
            edits.spans.append((int(scalar.start_mark.index), end_of(scalar), text))
            edits.meant.append((lid, segments, value))


def _parameter_change(
    key: str | None,
    parameters: Node | None,
    value: Any,
    old: Any,
    edits: _Edits,
) -> None:
    declared = child(parameters, key) if parameters is not None and key else None
    if key is None or declared is None:
        raise _RefusedError(f"the value is Ref {key} (a resource or pseudo parameter)")
    spec = plain(declared)
    if not isinstance(spec, dict):
        raise _RefusedError(f"parameter {key} is not declared as a mapping")
    if str(spec.get("NoEcho", "")).lower() == "true":
        raise _RefusedError(f"parameter {key} is NoEcho: its value is not written anywhere")
    if spec.get("Type") not in _PARAMETER_TYPES:
        raise _RefusedError(f"parameter {key} is of type {spec.get('Type')}: change it by hand")
    if value is None or isinstance(value, dict | list):
        raise _RefusedError(f"the actual value for parameter {key} is not a single value")
    new = norm(value)
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and new not in [norm(a) for a in allowed]:
        raise _RefusedError(f"{new!r} is not one of parameter {key}'s AllowedValues")
    pattern = spec.get("AllowedPattern")
    if isinstance(pattern, str) and not re.fullmatch(pattern, new):
        raise _RefusedError(f"{new!r} does not match parameter {key}'s AllowedPattern")
    known = edits.parameters.get(key)
    if known is not None and known.new != new:
        raise _RefusedError(f"parameter {key} would need two values ({known.new!r} and {new!r})")
    edits.parameters[key] = ParameterChange(
        key=key, old=None if old is None else str(norm(old)), new=new
    )
    edits.parameter_uses[key] = edits.parameter_uses.get(key, 0) + 1


def _references(root: Node, key: str) -> int:
    """How often the template outside Parameters uses a parameter (Ref and ${} in Sub)."""
    count = 0
    pattern = re.compile(r"\$\{" + re.escape(key) + r"\}")
    for name_node, section in root.value:
        if getattr(name_node, "value", None) == "Parameters":
            continue
        for node in walk(section):
            if ref_target(node) == key:
                count += 1
            elif isinstance(node, ScalarNode) and "${" in str(node.value):
                count += len(pattern.findall(str(node.value)))
    return count


# --- the template -------------------------------------------------------------------------


def _compose(body: str) -> Node:
    try:
        root = YAML(typ="rt").compose(body)
    except YAMLError as error:
        first = str(error).splitlines()[0]
        raise _RefusedError(f"the template could not be read: {first}") from None
    if not isinstance(root, MappingNode):
        raise _RefusedError("the template is not a mapping")
    return root


def _apply(body: str, spans: list[tuple[int, int, str]]) -> str:
    ordered = sorted(set(spans))
    for (_, end), (start, _, _) in zip([(s, e) for s, e, _ in ordered], ordered[1:], strict=False):
        if start < end:
            raise _RefusedError("two changes overlap in the template")
    for start, end, text in reversed(ordered):
        body = body[:start] + text + body[end:]
    return body


def _read_back(original: Node, patched_body: str, edits: _Edits) -> None:
    """The patched text must read as the original with exactly the meant values."""
    meant = plain(original)
    for lid, segments, value in edits.meant:
        set_at(meant["Resources"][lid]["Properties"], segments, value)
    if norm(plain(_compose(patched_body))) != norm(meant):
        raise _RefusedError("the patched template did not read back as intended")


def _lines(text: str) -> list[str]:
    """Every line ends with a newline (a last line without one would run into the next
    line of the diff)."""
    return [line if line.endswith("\n") else line + "\n" for line in text.splitlines(True)]


def unified_diff(before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            _lines(before),
            _lines(after),
            fromfile="template (deployed)",
            tofile="template (drift accepted)",
            n=2,
        )
    )


def _refuse(lid: str, path: str, reason: str) -> NotAccepted:
    return NotAccepted(logical_id=lid, path=path, reason=reason)


def patch_template(body: str, drift: Sequence[DriftToAccept]) -> AcceptPatch:
    """The deployed template with every drifted value accepted, or the refusals."""
    try:
        root = _compose(body)
    except _RefusedError as unreadable:
        return AcceptPatch(not_accepted=[_refuse("*", "", unreadable.reason)])
    transform = child(root, "Transform")
    if transform is not None:
        names = plain(transform)
        return AcceptPatch(
            not_accepted=[
                _refuse(
                    "*",
                    "",
                    f"the template uses the transform {names}: what is deployed is generated "
                    "from it, so change the template's source by hand",
                )
            ]
        )
    resources = child(root, "Resources")
    parameters = child(root, "Parameters")
    as_json = body.lstrip().startswith("{")
    edits = _Edits()
    refused: list[NotAccepted] = []
    for resource in drift:
        lid = resource.logical_id
        if resource.drift_status == "DELETED":
            refused.append(
                _refuse(
                    lid,
                    "",
                    f"the resource was deleted: accepting cannot delete it; remove {lid} (and "
                    "what refers to it) from the template and deploy",
                )
            )
            continue
        node = child(resources, lid) if resources is not None else None
        if node is None:
            refused.append(
                _refuse(lid, "", "not in the template as written (a transform or macro made it)")
            )
            continue
        try:
            _accept_resource(resource, node, parameters, edits, as_json)
        except _RefusedError as why:
            refused.append(_refuse(lid, "", why.reason))
    for key, uses in edits.parameter_uses.items():
        if _references(root, key) > uses:
            refused.append(
                _refuse(
                    "*",
                    "",
                    f"parameter {key} is also used where nothing drifted: changing it would "
                    "change those resources too",
                )
            )
    changes = sorted(edits.parameters.values(), key=lambda c: c.key)
    if refused:
        return AcceptPatch(not_accepted=refused, parameter_changes=changes, paths=edits.paths)
    try:
        patched = _apply(body, edits.spans)
        _read_back(root, patched, edits)
    except _RefusedError as why:
        return AcceptPatch(not_accepted=[_refuse("*", "", why.reason)], paths=edits.paths)
    return AcceptPatch(
        body=patched,
        diff=unified_diff(body, patched),
        parameter_changes=changes,
        paths=edits.paths,
    )


def change_parameters(
    keys: Sequence[str], changes: Sequence[ParameterChange]
) -> list[dict[str, Any]]:
    """CreateChangeSet Parameters: every stack parameter kept, the changed ones set."""
    new: Mapping[str, str] = {c.key: c.new for c in changes}
    every = [*keys, *(key for key in new if key not in keys)]
    return [
        {"ParameterKey": key, "ParameterValue": new[key]}
        if key in new
        else {"ParameterKey": key, "UsePreviousValue": True}
        for key in every
    ]
