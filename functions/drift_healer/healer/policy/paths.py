"""Matching a change set's changed properties against the property paths drift reported.

Drift detection's PropertyDifference.PropertyPath is relative to the resource's Properties
(`/Value`, `/Tags/1/Value`, `/RedrivePolicy/maxReceiveCount`). A change set's
ResourceTargetDefinition gives `Attribute` (Properties | Tags | Metadata | DeletionPolicy |
...), `Name` (only when Attribute is Properties) and `Path` ("the property path of the
property"). We map a target onto a drift-style path:
- Attribute Properties: `Path` without its `/Properties` prefix; without a Path, `/` + Name.
- Attribute Tags: `Path` without `/Properties` (or as given when it starts with `/Tags`),
  else `/Tags`.
- Any other attribute (Metadata, DeletionPolicy, ...) is not a property: its name is kept
  without a leading slash, so it never matches drift and is always held.
Guess: the model does not document the Path syntax; the console shows `/Properties/<Name>`
for top-level properties, and deeper paths (`/Properties/Tags/0/Value`) may appear in
property-level change sets. Both are handled by matching on whole path segments in either
direction: a change of `/Tags` covers drift at `/Tags/1/Value`, and a change at
`/Policy/Statement/0` is covered by drift reported at `/Policy`.
"""

from __future__ import annotations

from collections.abc import Iterable

_PROPERTIES = "/Properties"


def target_path(attribute: str | None, name: str | None, path: str | None) -> str:
    """A change-set target as a drift-style property path (see the module docstring)."""
    if attribute in (None, "Properties", "Tags"):
        if path and path.startswith(_PROPERTIES + "/"):
            return path[len(_PROPERTIES) :]
        if attribute == "Tags":
            return path if path and path.startswith("/Tags") else "/Tags"
        if name:
            return f"/{name}"
        return "Properties"  # all properties, unnamed: matches no single drifted path
    return attribute


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def covers(change_path: str, drift_path: str) -> bool:
    """Whether a changed path and a drifted path name the same property (segment prefix)."""
    if not change_path.startswith("/") or not drift_path.startswith("/"):
        return False
    change, drift = _segments(change_path), _segments(drift_path)
    if not change or not drift:
        return False
    shorter = min(len(change), len(drift))
    return change[:shorter] == drift[:shorter]


def uncovered(change_paths: Iterable[str], drift_paths: Iterable[str]) -> list[str]:
    """The changed paths that no drifted path accounts for."""
    drifted = list(drift_paths)
    return [p for p in change_paths if not any(covers(p, d) for d in drifted)]
