"""The run's metrics from the real handler: drift age across runs, time to remediate, the
per-stack switch (PER_STACK_METRICS)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.handler.harness import Inbox, deploy, drift_sample, run_handler
from tests.stacks import SAMPLE_TEMPLATE


def emitted(out: str) -> list[dict[str, Any]]:
    """The EMF documents the run printed, as name -> value plus the dimension names."""
    docs = []
    for line in out.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        blob = json.loads(line)
        directive = blob["_aws"]["CloudWatchMetrics"][0]
        doc: dict[str, Any] = {m["Name"]: blob[m["Name"]][0] for m in directive["Metrics"]}
        doc["dimensions"] = sorted(directive["Dimensions"][0])
        docs.append(doc)
    return docs


def test_held_then_healed_the_metrics_follow_the_drift(
    inbox: Inbox, table: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PER_STACK_METRICS", "true")
    deploy("sample", SAMPLE_TEMPLATE)
    drift_sample()
    capsys.readouterr()

    held = run_handler(inbox, {"StackName": "sample", "CreateChangeSetOnly": True})
    assert held.outcome == "REVIEW_REQUIRED"
    by_outcome, slo, stack = emitted(capsys.readouterr().out)
    assert by_outcome["dimensions"] == ["Outcome", "service"]
    assert slo["dimensions"] == ["service"]
    assert (slo["DetectionsCompleted"], slo["DriftFound"]) == (1.0, 1.0)
    assert "DriftAgeSeconds" in slo and "TimeToRemediateSeconds" not in slo
    assert stack["dimensions"] == ["StackName", "service"]
    assert stack["StackDriftState"] == 1.0

    healed = run_handler(inbox, {"StackName": "sample"})
    assert healed.outcome == "HEALED"
    _, slo, stack = emitted(capsys.readouterr().out)
    assert slo["AutoRemediated"] == 1.0
    # Remediated from when the first run saw it, not from this run's start.
    assert slo["TimeToRemediateSeconds"] > 0
    assert stack["StackDriftState"] == 0.0


def test_no_per_stack_metrics_by_default(
    inbox: Inbox, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy("sample", SAMPLE_TEMPLATE)
    capsys.readouterr()
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "IN_SYNC"
    docs = emitted(capsys.readouterr().out)
    assert [d["dimensions"] for d in docs] == [["Outcome", "service"], ["service"]]
    assert "sample" not in json.dumps(docs)


def test_powertools_metrics_disabled_prints_none(
    inbox: Inbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")  # as the local sandbox sets it
    deploy("sample", SAMPLE_TEMPLATE)
    capsys.readouterr()
    assert run_handler(inbox, {"StackName": "sample"}).outcome == "IN_SYNC"
    assert emitted(capsys.readouterr().out) == []
