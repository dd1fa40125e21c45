"""A stable fingerprint of a stack's drift, and what changed between two of them.

The fingerprint is what "the same drift" means for the drift state: a sha256 over the
drifted resources (logical id, type, drift status) and, for each, its property paths with
expected and actual values and difference type, all sorted, so the order CloudFormation
lists them in does not matter. DELETED resources count (they have no properties). Physical
ids are left out: they are not part of what drifted.

The per-resource digests (16 hex characters each) are what the state keeps to say, at the
next notice, which resources were added, removed or changed since: small enough to store
for a stack at CloudFormation's 500-resource limit (about 20 KB), with no values in them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from pydantic import Field

from healer.model import Record, ResourceDrift

IN_SYNC_FINGERPRINT = ""  # no drift at all
DIGEST_LENGTH = 16


def _canonical(resource: ResourceDrift) -> list[object]:
    differences = sorted(
        (d.path, d.difference_type, d.expected or "", d.actual or "") for d in resource.differences
    )
    return [resource.logical_id, resource.resource_type, resource.drift_status, differences]


def _sha256(value: object) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def drift_fingerprint(drifts: Iterable[ResourceDrift]) -> str:
    """sha256 hex of the drift, order-independent; "" when nothing drifted."""
    canonical = sorted((_canonical(r) for r in drifts), key=json.dumps)
    return _sha256(canonical) if canonical else IN_SYNC_FINGERPRINT


def resource_digests(drifts: Iterable[ResourceDrift]) -> dict[str, str]:
    """Logical id -> short digest of that resource's drift."""
    return {r.logical_id: _sha256(_canonical(r))[:DIGEST_LENGTH] for r in drifts}


class DriftChanges(Record):
    """Which resources' drift differs between the last notice and now (logical ids, sorted)."""

    added: list[str] = Field(default_factory=list)  # drifted now, not then
    removed: list[str] = Field(default_factory=list)  # drifted then, not now
    changed: list[str] = Field(default_factory=list)  # drifted both times, differently

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> str:
        """One line for a notice, e.g. "new drift: Queue; no longer drifted: Topic"."""
        parts = [
            f"{label}: {', '.join(ids)}"
            for label, ids in (
                ("new drift", self.added),
                ("drift changed", self.changed),
                ("no longer drifted", self.removed),
            )
            if ids
        ]
        return "; ".join(parts) or "no resource-level change"


def drift_changes(before: Mapping[str, str], after: Mapping[str, str]) -> DriftChanges:
    """Compare two `resource_digests` maps (before = as of the last notice)."""
    return DriftChanges(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        changed=sorted(k for k in after.keys() & before.keys() if after[k] != before[k]),
    )
