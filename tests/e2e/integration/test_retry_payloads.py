"""The local durable service's history carries each poll's checkpointed state."""

from __future__ import annotations

import json

from sandbox.retry_payloads import RetryPayloads

ARN = "exec/1"


def checkpoint(*updates: dict[str, object]) -> bytes:
    return json.dumps({"CheckpointToken": "t", "Updates": list(updates)}).encode()


def retried(op: str, attempt: int) -> dict[str, object]:
    return {
        "Id": op,
        "EventType": "StepSucceeded",
        "StepSucceededDetails": {
            "Result": {"Truncated": False},
            "RetryDetails": {"CurrentAttempt": attempt, "NextAttemptDelaySeconds": 1},
        },
    }


def test_each_retried_poll_gets_its_own_state_in_order() -> None:
    payloads = RetryPayloads()
    payloads.record_checkpoint(ARN, checkpoint({"Id": "w", "Action": "START"}))
    payloads.record_checkpoint(ARN, checkpoint({"Id": "w", "Action": "RETRY", "Payload": "1"}))
    failed = {"Id": "s", "Action": "RETRY", "Error": {"ErrorMessage": "x"}, "Payload": "no"}
    payloads.record_checkpoint(ARN, checkpoint(failed))
    payloads.record_checkpoint(ARN, checkpoint({"Id": "w", "Action": "RETRY", "Payload": "2"}))
    final = {
        "Id": "w",
        "EventType": "StepSucceeded",
        "StepSucceededDetails": {"Result": {"Payload": "3"}},
    }
    page = {"Events": [retried("w", 1), retried("w", 2), retried("w", 3), final]}
    filled = json.loads(payloads.fill_history(ARN, json.dumps(page).encode()))
    results = [e["StepSucceededDetails"]["Result"].get("Payload") for e in filled["Events"]]
    assert results == ["1", "2", None, "3"]  # a poll not yet checkpointed stays empty
    other = json.loads(payloads.fill_history("exec/2", json.dumps(page).encode()))
    assert "Payload" not in other["Events"][0]["StepSucceededDetails"]["Result"]


def test_a_body_that_is_not_json_passes_unchanged() -> None:
    payloads = RetryPayloads()
    payloads.record_checkpoint(ARN, b"not json")
    assert payloads.fill_history(ARN, b"<html>") == b"<html>"
