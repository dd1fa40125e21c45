"""A fleet of 5,000 stacks stays under the durable limits: 3,000 operations per execution
and 256 KB per checkpoint (measured on every execution the run creates)."""

from __future__ import annotations

from typing import Any

import pytest

from fleet import clients
from tests.functional.fleet.harness import FakeCloudFormation, StubHealer, run_fleet

OPERATIONS_LIMIT = 3000
CHECKPOINT_LIMIT = 262_144  # CHECKPOINT_SIZE_LIMIT_BYTES in the SDK


def fake_stacks(count: int, drifted_every: int) -> list[dict[str, Any]]:
    # Long names: the per-stack record in a batch's result is at its largest.
    return [
        {
            "StackName": f"app-{'x' * 100}-{i:05d}"
            + ("-drifted" if i % drifted_every == 0 else ""),
            "StackStatus": "UPDATE_COMPLETE",
            "Tags": [{"Key": "team", "Value": "payments"}],
        }
        for i in range(count)
    ]


@pytest.mark.slow
def test_five_thousand_stacks_stay_under_the_operation_and_checkpoint_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stacks = 5000
    fake = FakeCloudFormation(fake_stacks(stacks, 10))
    monkeypatch.setattr(clients, "cloudformation", lambda region, account: fake)
    stub = StubHealer()

    run = run_fleet({"Fleet": {"NamePatterns": ["app-*"], "MaxConcurrency": 50}}, stub)

    assert run.digest["Checked"] == stacks
    assert run.digest["Healed"] == stacks // 10
    assert len(stub.started) == stacks and max(stub.started.values()) == 1
    fleet_executions = [e for e in run.executions if e.operations > 3]  # fleet and its batches
    assert len(fleet_executions) == 1 + stacks // 500  # the top run and ten batches of 500
    for execution in run.executions:
        assert execution.operations < OPERATIONS_LIMIT, execution
        assert execution.largest_update_bytes < CHECKPOINT_LIMIT, execution
        assert execution.input_bytes < CHECKPOINT_LIMIT, execution
    # The digest (the fleet's result) stays bounded too.
    assert len(run.result.result or "") < CHECKPOINT_LIMIT
    print(
        "largest execution:",
        max(run.executions, key=lambda e: e.operations),
        "largest update:",
        max(e.largest_update_bytes for e in run.executions),
    )
