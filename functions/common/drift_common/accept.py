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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class AcceptDifference(_Record):
    path: str  # PropertyPath, "/VisibilityTimeout", "/Tags/0/Value"
    difference_type: str  # ADD | REMOVE | NOT_EQUAL


class DriftToAccept(_Record):
    """One drifted resource, with the full actual and expected values (JSON text) of the
    top-level properties its differences touch: what the template is patched with."""

    logical_id: str
    resource_type: str
    drift_status: str  # MODIFIED | DELETED
    differences: list[AcceptDifference] = Field(default_factory=list)
    actual_json: str = "{}"
    expected_json: str = "{}"


class NotAccepted(_Record):
    logical_id: str
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {
            "LogicalResourceId": self.logical_id,
            "PropertyPath": self.path,
            "Reason": self.reason,
        }


class ParameterChange(_Record):
    key: str
    old: str | None
    new: str

    def to_json(self) -> dict[str, str | None]:
        return {"ParameterKey": self.key, "OldValue": self.old, "NewValue": self.new}


class AcceptPatch(_Record):
    """The template with the actual values written in (None when anything is refused: a
    stack is accepted whole or not at all), its unified diff and the parameter changes."""

    body: str | None = None
    diff: str = ""
    parameter_changes: list[ParameterChange] = Field(default_factory=list)
    not_accepted: list[NotAccepted] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)  # "LogicalId/PropertyPath" accepted

    @property
    def complete(self) -> bool:
        return self.body is not None and not self.not_accepted


def _top(path: str) -> str:
    return path.strip("/").split("/")[0]


def drift_to_accept(drift: Mapping[str, Any]) -> DriftToAccept:
    """One StackResourceDrift (DescribeStackResourceDrifts, as boto3 returns it), reduced to
    what the patch needs: the differences' paths and the touched properties' values."""
    differences = [
        AcceptDifference(path=d["PropertyPath"], difference_type=d["DifferenceType"])
        for d in drift.get("PropertyDifferences", [])
    ]
    touched = {_top(d.path) for d in differences}
    actual = json.loads(drift.get("ActualProperties") or "{}")
    expected = json.loads(drift.get("ExpectedProperties") or "{}")
    return DriftToAccept(
        logical_id=drift["LogicalResourceId"],
        resource_type=drift["ResourceType"],
        drift_status=drift["StackResourceDriftStatus"],
        differences=differences,
        actual_json=json.dumps({k: v for k, v in actual.items() if k in touched}),
        expected_json=json.dumps({k: v for k, v in expected.items() if k in touched}),
    )


_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./@-][A-Za-z0-9_./@ :=+-]*$")
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


def _tag(node: Node) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag) or "")


def _intrinsic(node: Node) -> str | None:
    """The intrinsic function a node is (`Ref`, `Fn::Sub`, ...), or None for a literal."""
    tag = _tag(node)
    if tag.startswith("!"):
        return "Ref" if tag == "!Ref" else "Condition" if tag == "!Condition" else f"Fn::{tag[1:]}"
    if isinstance(node, MappingNode) and len(node.value) == 1:
        key = node.value[0][0]
        if isinstance(key, ScalarNode) and (key.value == "Ref" or key.value.startswith("Fn::")):
            return str(key.value)
    return None


def _ref_target(node: Node) -> str | None:
    if _tag(node) == "!Ref" and isinstance(node, ScalarNode):
        return str(node.value)
    if isinstance(node, MappingNode) and _intrinsic(node) == "Ref":
        target = node.value[0][1]
        return str(target.value) if isinstance(target, ScalarNode) else None
    return None


def _child(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v  # type: ignore[no-any-return]
    return None


def _walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, MappingNode):
        for k, v in node.value:
            yield from _walk(k)
            yield from _walk(v)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _walk(item)


def _first_intrinsic(node: Node) -> str | None:
    return next((name for n in _walk(node) if (name := _intrinsic(n))), None)


def _end(node: Node) -> int:
    """Where a node's text ends: a block collection's own end mark runs on to the next
    token (newline and indentation included), so its last descendant's end is used."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    children = [c for pair in node.value for c in (pair if isinstance(pair, tuple) else (pair,))]
    return max((_end(c) for c in children), default=int(node.end_mark.index))


# --- values -------------------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """Compare the way drift detection does: scalars as text, tags without aws:* keys."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(value)
    if isinstance(value, str):
        return value.lower() if value.lower() in ("true", "false") else value
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in _without_aws_tags(value)]
    return value


def _without_aws_tags(value: list[Any]) -> list[Any]:
    return [
        v
        for v in value
        if not (isinstance(v, dict) and str(v.get("Key", "")).startswith("aws:") and "Key" in v)
    ]


def _plain(node: Node) -> Any:
    """A node as data; intrinsic functions as their JSON form ({"Ref": ...})."""
    if isinstance(node, ScalarNode):
        value: Any = node.value
        if node.style is None and value in ("", "~", "null", "Null", "NULL"):
            value = None
    elif isinstance(node, SequenceNode):
        value = [_plain(item) for item in node.value]
    else:
        value = {str(_plain(k)): _plain(v) for k, v in node.value}
    tag = _tag(node)
    if tag.startswith("!"):
        return {_intrinsic(node): value}
    return value


def _at(data: Any, segments: Sequence[str]) -> Any:
    for seg in segments:
        if isinstance(data, dict):
            data = data.get(seg)
        elif isinstance(data, list) and seg.isdigit() and int(seg) < len(data):
            data = data[int(seg)]
        else:
            return None
    return data


def _set(data: dict[str, Any], segments: Sequence[str], value: Any) -> None:
    for seg in segments[:-1]:
        data = data[seg]
    data[segments[-1]] = value


def _scalar_text(node: ScalarNode, value: Any, as_json: bool) -> str:
    """The new value written the way the old one was (plain, quoted), JSON in JSON."""
    if as_json or isinstance(value, dict | list):
        return json.dumps(value)
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if node.style == "'":
        return "'" + text.replace("'", "''") + "'"
    if node.style == '"':
        return json.dumps(text)
    if not isinstance(value, str) or (_PLAIN_SAFE.match(text) and not text.endswith(":")):
        return text
    return json.dumps(text)


def _actual_value(value: Any) -> Any:
    return _without_aws_tags(value) if isinstance(value, list) else value


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
    properties = _child(node, "Properties")
    if properties is None or _intrinsic(properties):
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
        top = _child(properties, name)
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
            while walked < len(segments) and not _intrinsic(here):
                nxt = _child(here, segments[walked])
                if nxt is None:
                    break
                here, walked = nxt, walked + 1
            function = _intrinsic(here)
            value = _at(actual, segments)
            if function == "Ref" and walked == len(segments):
                _parameter_change(
                    _ref_target(here), parameters, value, _at(expected, segments), edits
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
            function = _first_intrinsic(top)
            if function:
                raise _RefusedError(
                    f"{name} holds a value computed by {function}: write the new value "
                    "into the template by hand"
                )
            value = _actual_value(actual[name])
            edits.spans.append((int(top.start_mark.index), _end(top), json.dumps(value)))
            edits.meant.append((lid, [name], value))
            continue
        for scalar, segments, value in leaf_edits:
            text = _scalar_text(scalar, value, as_json)
            edits.spans.append((int(scalar.start_mark.index), _end(scalar), text))
            edits.meant.append((lid, segments, value))


def _parameter_change(
    key: str | None,
    parameters: Node | None,
    value: Any,
    old: Any,
    edits: _Edits,
) -> None:
    declared = _child(parameters, key) if parameters is not None and key else None
    if key is None or declared is None:
        raise _RefusedError(f"the value is Ref {key} (a resource or pseudo parameter)")
    spec = _plain(declared)
    if not isinstance(spec, dict):
        raise _RefusedError(f"parameter {key} is not declared as a mapping")
    if str(spec.get("NoEcho", "")).lower() == "true":
        raise _RefusedError(f"parameter {key} is NoEcho: its value is not written anywhere")
    if spec.get("Type") not in _PARAMETER_TYPES:
        raise _RefusedError(f"parameter {key} is of type {spec.get('Type')}: change it by hand")
    if value is None or isinstance(value, dict | list):
        raise _RefusedError(f"the actual value for parameter {key} is not a single value")
    new = _norm(value)
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and new not in [_norm(a) for a in allowed]:
        raise _RefusedError(f"{new!r} is not one of parameter {key}'s AllowedValues")
    pattern = spec.get("AllowedPattern")
    if isinstance(pattern, str) and not re.fullmatch(pattern, new):
        raise _RefusedError(f"{new!r} does not match parameter {key}'s AllowedPattern")
    known = edits.parameters.get(key)
    if known is not None and known.new != new:
        raise _RefusedError(f"parameter {key} would need two values ({known.new!r} and {new!r})")
    edits.parameters[key] = ParameterChange(
        key=key, old=None if old is None else str(_norm(old)), new=new
    )
    edits.parameter_uses[key] = edits.parameter_uses.get(key, 0) + 1


def _references(root: Node, key: str) -> int:
    """How often the template outside Parameters uses a parameter (Ref and ${} in Sub)."""
    count = 0
    pattern = re.compile(r"\$\{" + re.escape(key) + r"\}")
    for name_node, section in root.value:
        if getattr(name_node, "value", None) == "Parameters":
            continue
        for node in _walk(section):
            if _ref_target(node) == key:
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
    meant = _plain(original)
    for lid, segments, value in edits.meant:
        _set(meant["Resources"][lid]["Properties"], segments, value)
    if _norm(_plain(_compose(patched_body))) != _norm(meant):
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
    transform = _child(root, "Transform")
    if transform is not None:
        names = _plain(transform)
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
    resources = _child(root, "Resources")
    parameters = _child(root, "Parameters")
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
        node = _child(resources, lid) if resources is not None else None
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
