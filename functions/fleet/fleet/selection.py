"""Which stacks of one DescribeStacks page a fleet heals, and why the others are left alone.

Pure: the page comes from `fleet.stacks`, the decision is made here and unit-tested.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from pydantic import BaseModel, ConfigDict

from drift_common.stacks import is_stable
from fleet.request import Selector, Target

# Only stable stacks are selected (drift_common.stacks, the healer's rule too);
# UPDATE_ROLLBACK_FAILED needs ContinueUpdateRollback first.
NESTED_REASON = (
    "a nested stack (parent {parent}): drift detection does not recurse into nested stacks "
    "and a nested stack is updated through its root stack, so the fleet leaves it alone"
)


class Skipped(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    reason: str


class ListingFailure(BaseModel):
    """An account and region whose stacks could not be listed, and why: not checked."""

    model_config = ConfigDict(frozen=True)

    where: str  # "account/region", home when not given
    reason: str


def place(account_id: str | None, region: str | None) -> str:
    return f"{account_id or 'home'}/{region or 'home'}"


class PageSelection(BaseModel):
    """What one page decided: stacks to heal, stacks reported and left alone."""

    model_config = ConfigDict(frozen=True)

    selected: list[Target]
    skipped: list[Skipped]
    # Names from the selector's Names that this page had (for "not found" at the end).
    named_seen: list[str]
    next_token: str | None = None


def _name_of(stack_id_or_arn: str) -> str:
    # arn:aws:cloudformation:region:account:stack/NAME/uuid
    parts = stack_id_or_arn.split("/")
    return parts[1] if len(parts) > 2 else stack_id_or_arn


def matches(selector: Selector, name: str, tags: Mapping[str, str]) -> bool:
    """Named or matching a pattern (everything when neither is given), with every tag."""
    chosen = not selector.names and not selector.name_patterns
    chosen = chosen or name in selector.names
    chosen = chosen or any(fnmatchcase(name, p) for p in selector.name_patterns)
    return chosen and all(tags.get(k) == v for k, v in selector.tags.items())


def excluded_by(selector: Selector, name: str) -> str | None:
    return next((p for p in selector.exclude if fnmatchcase(name, p)), None)


def select_page(
    selector: Selector,
    stacks: Iterable[Mapping[str, Any]],
    *,
    region: str | None,
    account_id: str | None,
    next_token: str | None = None,
) -> PageSelection:
    """Decide for each stack of a DescribeStacks page (`Stacks` entries)."""
    selected: list[Target] = []
    skipped: list[Skipped] = []
    named_seen: list[str] = []
    for stack in stacks:
        name = str(stack["StackName"])
        tags = {str(t["Key"]): str(t["Value"]) for t in stack.get("Tags") or []}
        if not matches(selector, name, tags):
            continue
        if name in selector.names:
            named_seen.append(name)
        target = Target.model_validate(
            {"StackName": name, "Region": region, "AccountId": account_id}
        )
        status = str(stack.get("StackStatus", ""))
        pattern = excluded_by(selector, name)
        parent = stack.get("ParentId") or stack.get("RootId")
        if pattern is not None:
            reason = f"excluded by {pattern!r}"
        elif parent:
            reason = NESTED_REASON.format(parent=_name_of(str(parent)))
        elif status.startswith("DELETE_"):
            reason = f"the stack is {status}: being deleted or left after a failed delete"
        elif not is_stable(status):
            reason = f"the stack is {status}, not stable: drift is only healed on a stable stack"
        else:
            selected.append(target)
            continue
        skipped.append(Skipped(key=target.key, reason=reason))
    return PageSelection(
        selected=selected, skipped=skipped, named_seen=named_seen, next_token=next_token
    )


def not_found(names: Iterable[str], seen: Iterable[str], unlisted: int = 0) -> list[Skipped]:
    """Stacks listed by name that no selected account and region has (or that may be in one
    of the `unlisted` places that could not be listed)."""
    found = set(seen)
    reason = "no stack of this name in the selected accounts and regions"
    if unlisted:
        reason += f" that could be listed ({unlisted} could not: see the listing failures)"
    return [Skipped(key=name, reason=reason) for name in dict.fromkeys(names) if name not in found]
