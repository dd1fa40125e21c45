"""How a fleet is cut up so that no execution's history grows with the number of stacks.

Stacks are grouped per account and region (drift detection and change sets are rate-limited
per account and region: each group has its own MaxConcurrency) and each group is cut into
batches of at most `batch_size` stacks. Every batch runs as a child execution of the fleet
function (`{"FleetBatch": ...}`), so the top execution holds one operation per batch and a
batch one per stack, both far under the 3,000-operation limit.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from fleet.request import Target

DEFAULT_BATCH_SIZE = 500


class Group(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str  # "account/region" (home when not given)
    batches: list[list[Target]]


def plan_groups(targets: Sequence[Target], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Group]:
    if batch_size < 1:
        msg = f"batch size must be at least 1, got {batch_size}"
        raise ValueError(msg)
    by_group: dict[str, list[Target]] = {}
    for target in targets:
        key = f"{target.account_id or 'home'}/{target.region or 'home'}"
        by_group.setdefault(key, []).append(target)
    return [
        Group(
            key=key, batches=[stacks[i : i + batch_size] for i in range(0, len(stacks), batch_size)]
        )
        for key, stacks in sorted(by_group.items())
    ]
