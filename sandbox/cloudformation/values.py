"""Normalising and comparing property values the way drift detection does.

Sources:
- DetectStackDrift doc string: "Only resource properties explicitly defined in the stack
  template are checked for drift."
- PropertyDifference doc string: PropertyPath is the fully-qualified path; DifferenceType
  ADD ("a value has been added to a resource property that's an array or list data type"),
  REMOVE ("the property has been removed from the current resource configuration"),
  NOT_EQUAL.
- CloudFormation drift guide: values are compared after type coercion (a template "30"
  equals an actual 30; "true" equals True) and tag lists are unordered. The exact coercion
  rules are a guess.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Keys CloudFormation manages itself on tags; never counted as drift (guess).
_RESERVED_TAG_PREFIX = "aws:"
NULL = "null"  # ActualValue of a REMOVE difference (guess: CloudFormation prints null)


def normalize(value: Any) -> Any:
    """Canonical form: scalars become strings ("30" == 30, "true" == True)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        lowered = value.lower()
        return lowered if lowered in ("true", "false") else value
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def is_tag_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict) and set(item) <= {"Key", "Value"} and "Key" in item for item in value
    )


def sorted_tags(tags: list[dict[str, Any]], drop_reserved: bool = False) -> list[dict[str, Any]]:
    kept = [
        {"Key": t["Key"], "Value": t.get("Value", "")}
        for t in tags
        if not (drop_reserved and str(t["Key"]).startswith(_RESERVED_TAG_PREFIX))
    ]
    return sorted(kept, key=lambda t: str(t["Key"]))


# Characters XML 1.0 cannot carry, even as a character reference: C0 controls but tab, LF
# and CR, the surrogates and U+FFFE/U+FFFF. A raw one made the emulated API answer XML that
# botocore refuses ("invalid XML received").
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with every character XML cannot carry written as a JSON escape (`\\u0001`),
    as the JSON-valued fields (ActualProperties) already print them. Guess: what AWS prints
    for such a value is not documented; it cannot send it raw in a Query API answer."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_text(value: Any) -> str:
    """A property value as CloudFormation prints it in PropertyDifferences."""
    if value is None:
        return NULL
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))  # ensure_ascii: \u0001 already
    return str(normalize(value))


def _difference(path: str, expected: Any, actual: Any, kind: str) -> dict[str, str]:
    return {
        "PropertyPath": path,
        "ExpectedValue": to_text(expected),
        "ActualValue": to_text(actual),
        "DifferenceType": kind,
    }


def _diff_tags(path: str, expected: list[Any], actual: list[Any]) -> list[dict[str, str]]:
    exp = sorted_tags(expected)
    act = sorted_tags(actual, drop_reserved=True)
    act_index = {str(t["Key"]): i for i, t in enumerate(act)}
    exp_keys = {str(t["Key"]) for t in exp}
    out: list[dict[str, str]] = []
    for i, tag in enumerate(exp):
        key = str(tag["Key"])
        if key not in act_index:
            out.append(_difference(f"{path}/{i}", tag, None, "REMOVE"))
            continue
        actual_value = act[act_index[key]]["Value"]
        if normalize(tag["Value"]) != normalize(actual_value):
            out.append(_difference(f"{path}/{i}/Value", tag["Value"], actual_value, "NOT_EQUAL"))
    for j, tag in enumerate(act):
        if str(tag["Key"]) not in exp_keys:
            out.append(_difference(f"{path}/{j}", None, tag, "ADD"))
    return out


def diff_value(path: str, expected: Any, actual: Any) -> list[dict[str, str]]:
    """Differences between one expected (template) value and the actual value."""
    if actual is None and expected is not None:
        return [_difference(path, expected, None, "REMOVE")]
    if is_tag_list(expected) and is_tag_list(actual):
        return _diff_tags(path, expected, actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[dict[str, str]] = []
        for key, exp in expected.items():
            out.extend(diff_value(f"{path}/{key}", exp, actual.get(key)))
        for key, act in actual.items():
            if key not in expected and act is not None:
                out.append(_difference(f"{path}/{key}", None, act, "ADD"))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        out = []
        for i, exp in enumerate(expected):
            if i < len(actual):
                out.extend(diff_value(f"{path}/{i}", exp, actual[i]))
            else:
                out.append(_difference(f"{path}/{i}", exp, None, "REMOVE"))
        for j in range(len(expected), len(actual)):
            out.append(_difference(f"{path}/{j}", None, actual[j], "ADD"))
        return out
    if normalize(expected) != normalize(actual):
        return [_difference(path, expected, actual, "NOT_EQUAL")]
    return []


def diff_properties(expected: dict[str, Any], actual: dict[str, Any]) -> list[dict[str, str]]:
    """Compare only the properties declared in the template (``expected``)."""
    out: list[dict[str, str]] = []
    for name, exp in expected.items():
        out.extend(diff_value(f"/{name}", exp, actual.get(name)))
    return out


def equal(expected: Any, actual: Any) -> bool:
    return not diff_value("", expected, actual)


# Dynamic references to secrets (CloudFormation User Guide, dynamic references): the
# "sensitive value, such as an AWS Secrets Manager value" of SENSITIVE_PROPERTY.
_SECRET_REFERENCES = ("{{resolve:secretsmanager:", "{{resolve:ssm-secure:")


def is_secret_reference(value: Any) -> bool:
    return any(ref in json.dumps(value) for ref in _SECRET_REFERENCES)


def checked_properties(expected: dict[str, Any]) -> dict[str, Any]:
    """The declared properties drift detection compares: not those set from a secret (guess:
    their drift is ignored, as drift-aware change sets report SENSITIVE_PROPERTY)."""
    return {k: v for k, v in expected.items() if not is_secret_reference(v)}


def actual_subset(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, Any]:
    """The actual values of the template-declared properties (tags without aws:* keys)."""
    out: dict[str, Any] = {}
    for name in expected:
        if name not in actual or actual[name] is None:
            continue
        value = actual[name]
        out[name] = sorted_tags(value, drop_reserved=True) if is_tag_list(value) else value
    return out
