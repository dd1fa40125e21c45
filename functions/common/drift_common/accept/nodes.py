"""The template's YAML (or JSON) as composed nodes: what a node is (a literal, an intrinsic
function), where its text ends, its value as data, and values compared as drift detection
compares them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./@-][A-Za-z0-9_./@ :=+-]*$")


def tag_of(node: Node) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag) or "")


def intrinsic(node: Node) -> str | None:
    """The intrinsic function a node is (`Ref`, `Fn::Sub`, ...), or None for a literal."""
    tag = tag_of(node)
    if tag.startswith("!"):
        return "Ref" if tag == "!Ref" else "Condition" if tag == "!Condition" else f"Fn::{tag[1:]}"
    if isinstance(node, MappingNode) and len(node.value) == 1:
        key = node.value[0][0]
        if isinstance(key, ScalarNode) and (key.value == "Ref" or key.value.startswith("Fn::")):
            return str(key.value)
    return None


def ref_target(node: Node) -> str | None:
    if tag_of(node) == "!Ref" and isinstance(node, ScalarNode):
        return str(node.value)
    if isinstance(node, MappingNode) and intrinsic(node) == "Ref":
        target = node.value[0][1]
        return str(target.value) if isinstance(target, ScalarNode) else None
    return None


def child(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v  # type: ignore[no-any-return]
    return None


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, MappingNode):
        for k, v in node.value:
            yield from walk(k)
            yield from walk(v)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from walk(item)


def first_intrinsic(node: Node) -> str | None:
    return next((name for n in walk(node) if (name := intrinsic(n))), None)


def end_of(node: Node) -> int:
    """Where a node's text ends: a block collection's own end mark runs on to the next
    token (newline and indentation included), so its last descendant's end is used."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    children = [c for pair in node.value for c in (pair if isinstance(pair, tuple) else (pair,))]
    return max((end_of(c) for c in children), default=int(node.end_mark.index))


# --- values -------------------------------------------------------------------------------


def norm(value: Any) -> Any:
    """Compare the way drift detection does: scalars as text, tags without aws:* keys."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(value)
    if isinstance(value, str):
        return value.lower() if value.lower() in ("true", "false") else value
    if isinstance(value, dict):
        return {str(k): norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in without_aws_tags(value)]
    return value


def without_aws_tags(value: list[Any]) -> list[Any]:
    return [
        v
        for v in value
        if not (isinstance(v, dict) and str(v.get("Key", "")).startswith("aws:") and "Key" in v)
    ]


def plain(node: Node) -> Any:
    """A node as data; intrinsic functions as their JSON form ({"Ref": ...})."""
    if isinstance(node, ScalarNode):
        value: Any = node.value
        if node.style is None and value in ("", "~", "null", "Null", "NULL"):
            value = None
    elif isinstance(node, SequenceNode):
        value = [plain(item) for item in node.value]
    else:
        value = {str(plain(k)): plain(v) for k, v in node.value}
    tag = tag_of(node)
    if tag.startswith("!"):
        return {intrinsic(node): value}
    return value


def value_at(data: Any, segments: Sequence[str]) -> Any:
    for seg in segments:
        if isinstance(data, dict):
            data = data.get(seg)
        elif isinstance(data, list) and seg.isdigit() and int(seg) < len(data):
            data = data[int(seg)]
        else:
            return None
    return data


def set_at(data: dict[str, Any], segments: Sequence[str], value: Any) -> None:
    for seg in segments[:-1]:
        data = data[seg]
    data[segments[-1]] = value


def scalar_text(node: ScalarNode, value: Any, as_json: bool) -> str:
    """The new value written the way the old one was (plain, quoted), JSON in JSON."""
    if as_json or isinstance(value, dict | list):
        return json.dumps(value)
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if node.style == "'":
        return "'" + text.replace("'", "''") + "'"
    if node.style == '"':
        return json.dumps(text)
    if not isinstance(value, str) or (PLAIN_SAFE.match(text) and not text.endswith(":")):
        return text
    return json.dumps(text)


def actual_value(value: Any) -> Any:
    return without_aws_tags(value) if isinstance(value, list) else value
