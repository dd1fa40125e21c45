"""The drift state remembers how long CloudFormation takes for the stack, and the next run's
waits look when the history says (issue 19)."""

from __future__ import annotations

from sandbox.cloudformation.timing import Phase
from sandbox.emulator import AwsSandbox
from tests.functional.handler.harness import Inbox, deploy, drift_sample, run_handler
from tests.stacks import SAMPLE_TEMPLATE


def phase_seconds(table: str, stack_id: str) -> dict[str, list[float]]:
    from healer.state.store import read_state  # noqa: PLC0415 - the env points at the sandbox

    state = read_state(table, stack_id)
    assert state is not None
    return state.phase_seconds


def test_every_finished_phase_is_recorded_per_stack(table: str, inbox: Inbox) -> None:
    stack_id = deploy("sample", SAMPLE_TEMPLATE)
    for _ in range(2):
        drift_sample()
        assert run_handler(inbox, {"StackName": "sample"}).outcome == "HEALED"
    history = phase_seconds(table, stack_id)
    assert sorted(history) == ["change_set", "detection", "execution", "verification"]
    assert all(len(durations) == 2 for durations in history.values())


def test_the_next_run_looks_first_near_the_expected_end(
    aws: AwsSandbox, table: str, inbox: Inbox
) -> None:
    # Change-set creation takes 6 s of real time (and has no event: it is always polled).
    aws.timing.change_set_create = Phase(6.0, 0)
    aws.timing.detection = aws.timing.execution = Phase(0.0, 1)
    stack_id = deploy("sample", SAMPLE_TEMPLATE)

    drift_sample()
    first = run_handler(inbox, {"StackName": "sample"}, skip_time=False)
    assert first.outcome == "HEALED"
    # No history: looks 0, 1, 2.5, 4.5, 6.5 s after the start (FAST_POLLS, x1.5).
    assert first.output["Phases"]["change_set"]["Polls"] >= 4
    [learned] = phase_seconds(table, stack_id)["change_set"]
    assert 0 < learned <= first.output["Phases"]["change_set"]["Seconds"]

    # The stack's history says 6 s (as a few runs make it): the next run looks right after
    # the start, then at 90 % of 6 s (whole seconds: 6 s), and at most one short look later.
    remember_change_set_seconds(table, stack_id, 6.0)
    drift_sample()
    second = run_handler(inbox, {"StackName": "sample"}, skip_time=False)
    assert second.outcome == "HEALED"
    assert second.output["Phases"]["change_set"]["Polls"] <= 3


def remember_change_set_seconds(table: str, stack_id: str, seconds: float) -> None:
    from healer.aws import clients  # noqa: PLC0415
    from healer.state.items import item_key  # noqa: PLC0415

    clients.dynamodb().update_item(
        TableName=table,
        Key=item_key(stack_id, "STATE"),
        UpdateExpression="SET PhaseSeconds.change_set = :d",
        ExpressionAttributeValues={":d": {"L": [{"N": str(seconds)}]}},
    )
