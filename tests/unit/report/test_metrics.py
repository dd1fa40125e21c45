"""The healer's run metrics: the EMF documents per outcome (shape, dimensions, values)."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drift_common.outcomes import Outcome
from healer.model import Approval
from healer.model.records import ResourceDrift
from healer.report import metrics
from healer.report.run import RunReport

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FINISHED = NOW + timedelta(minutes=5)
DAY = 86400.0


def report(outcome: Outcome, *, drifted: int = 2, since: datetime | None = NOW) -> RunReport:
    run = RunReport("payments-prod", review_mode=False, stack_id="arn:stack/payments-prod/1")
    run.drifted = [
        ResourceDrift(
            logical_id=f"R{i}",
            physical_id=None,
            resource_type="AWS::SSM::Parameter",
            drift_status="MODIFIED",
        )
        for i in range(drifted)
    ]
    run.drifted_total = drifted
    run.checked_at, run.drift_since = NOW, since if drifted else None
    return run.finish(outcome, "because")


def documents(run: RunReport, *, per_stack: bool = False) -> list[dict[str, Any]]:
    figures = metrics.figures_of(run)
    return [json.loads(b) for b in metrics.blobs(figures, FINISHED, per_stack=per_stack)]


def values(blob: dict[str, Any]) -> dict[str, float]:
    names = [m["Name"] for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    return {n: blob[n][0] if isinstance(blob[n], list) else blob[n] for n in names}


def dimensions(blob: dict[str, Any]) -> list[list[str]]:
    return sorted(map(sorted, blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"]))


def test_every_run_counts_its_outcome_and_sends_the_slos_without_a_stack_dimension() -> None:
    by_outcome, slo = documents(report(Outcome.HEALED))
    assert by_outcome["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CfnDriftHealer"
    assert dimensions(by_outcome) == [["Outcome", "service"]]
    assert values(by_outcome) == {"StackRuns": 1.0, "DriftedResources": 2.0}
    assert dimensions(slo) == [["service"]]
    assert slo["service"] == "healer"
    assert "payments-prod" not in json.dumps([by_outcome, slo])  # low cardinality


def test_a_drift_healed_in_the_run_that_found_it() -> None:
    _, slo = documents(report(Outcome.HEALED))
    assert values(slo) == {
        "DetectionsCompleted": 1.0,
        "DriftFound": 1.0,
        "AutoRemediated": 1.0,
        "TimeToRemediateSeconds": 300.0,  # first seen at the run's start, healed 5 min later
    }
    units = {m["Name"]: m["Unit"] for m in slo["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units["TimeToRemediateSeconds"] == "Seconds"


def test_a_drift_approved_by_a_person_three_days_after_it_was_first_seen() -> None:
    run = report(Outcome.HEALED, since=NOW - timedelta(days=3))
    run.approval = Approval(callback_id="cb", asked="arn:topic", expires=NOW)
    _, slo = documents(run)
    assert values(slo)["AutoRemediated"] == 0.0
    assert values(slo)["TimeToRemediateSeconds"] == 3 * DAY + 300


def test_drift_left_for_review_has_an_age_and_no_remediation() -> None:
    _, slo = documents(report(Outcome.REVIEW_REQUIRED, since=NOW - timedelta(days=2)))
    assert values(slo) == {
        "DetectionsCompleted": 1.0,
        "DriftFound": 1.0,
        "DriftAgeSeconds": 2 * DAY + 300,
    }


def test_time_to_detect_needs_a_known_change_time_and_new_drift(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = report(Outcome.REVIEW_REQUIRED)
    assert "TimeToDetectSeconds" not in values(documents(run)[1])  # no attribution
    result = run.to_result()
    result["DriftedResources"][0]["LastChange"] = {"EventTime": "2026-12-01T10:00:00Z"}
    result["DriftedResources"][1]["LastChange"] = {"EventTime": "2026-12-01T11:30:00+00:00"}
    monkeypatch.setattr(RunReport, "to_result", lambda _: result)
    assert values(documents(run)[1])["TimeToDetectSeconds"] == 1800.0  # the latest change
    old = report(Outcome.REVIEW_REQUIRED, since=NOW - timedelta(days=1))  # seen before
    assert "TimeToDetectSeconds" not in values(documents(old)[1])


def test_accepted_drift_is_remediated_but_not_automatically() -> None:
    figures = metrics.RunFigures(
        outcome=str(metrics.ACCEPTED),
        drifted_resources=2,
        stack_name="payments-prod",
        drift_left=False,
        checked_at=NOW,
        drift_since=NOW - timedelta(hours=1),
    )
    _, slo = [json.loads(b) for b in metrics.blobs(figures, FINISHED, per_stack=False)]
    assert values(slo)["AutoRemediated"] == 0.0
    assert values(slo)["TimeToRemediateSeconds"] == 3900.0


@pytest.mark.parametrize(
    ("outcome", "detected"),
    [
        (Outcome.IN_SYNC, 1.0),
        (Outcome.EXECUTION_FAILED, 1.0),
        (Outcome.DETECTION_FAILED, 0.0),
        (Outcome.ERROR, 0.0),
        (Outcome.BUSY, 0.0),
        (Outcome.SKIPPED, 0.0),
    ],
)
def test_the_heartbeat_counts_only_runs_that_got_a_detection_result(
    outcome: Outcome, detected: float
) -> None:
    _, slo = documents(report(outcome, drifted=0))
    assert values(slo)["DetectionsCompleted"] == detected
    assert values(slo)["DriftFound"] == 0.0


def test_per_stack_metrics_only_when_switched_on() -> None:
    assert len(documents(report(Outcome.REVIEW_REQUIRED))) == 2
    *_, stack = documents(
        report(Outcome.REVIEW_REQUIRED, since=NOW - timedelta(hours=1)), per_stack=True
    )
    assert dimensions(stack) == [["StackName", "service"]]
    assert stack["StackName"] == "payments-prod"
    assert values(stack) == {"StackDriftState": 1.0, "StackDriftAgeSeconds": 3900.0}


@pytest.mark.parametrize(
    ("outcome", "drifted", "state"),
    [
        (Outcome.IN_SYNC, 0, 0.0),
        (Outcome.HEALED, 2, 0.0),
        (Outcome.PARTIALLY_HEALED, 2, 1.0),
        (Outcome.REJECTED, 2, 1.0),
        (Outcome.CHANGE_SET_FAILED, 2, 2.0),
    ],
)
def test_per_stack_state_is_clean_drifted_or_error(
    outcome: Outcome, drifted: int, state: float
) -> None:
    *_, stack = documents(report(outcome, drifted=drifted), per_stack=True)
    assert values(stack)["StackDriftState"] == state


def test_runs_that_say_nothing_about_the_stack_send_no_stack_state() -> None:
    assert len(documents(report(Outcome.BUSY, drifted=0), per_stack=True)) == 2


def test_the_step_prints_one_line_per_document(capsys: pytest.CaptureFixture[str]) -> None:
    figures = metrics.figures_of(report(Outcome.HEALED))
    for line in metrics.blobs(figures, FINISHED, per_stack=True):
        print(line)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(x)["_aws"]["CloudWatchMetrics"][0]["Namespace"] for x in lines] == [
        "CfnDriftHealer"
    ] * 3
