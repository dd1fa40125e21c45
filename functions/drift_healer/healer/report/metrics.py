"""Per-run metrics (CloudWatch EMF through Powertools Metrics), written once at a run's end.

Three kinds of blob, each one EMF document (its metrics share its dimensions):

- per outcome (`Outcome`, `service`): `StackRuns` and `DriftedResources`, as before;
- per run, no stack dimension (`service`): the SLOs and the heartbeat — `DetectionsCompleted`
  (1 when the run got a drift detection result: the alarm DriftDetectionStale), `DriftFound`
  (drift events per day), `TimeToDetectSeconds` (latest known change -> the detection that
  first saw it), `TimeToRemediateSeconds` (drift first seen -> healed or accepted),
  `AutoRemediated` (1 healed without a person, 0 approved or accepted: its Average is the
  share auto-remediated) and `DriftAgeSeconds` (how long the drift left has been there);
- opt-in, per stack (`StackName`, `service`; PER_STACK_METRICS=true): `StackDriftState`
  (0 clean, 1 drifted, 2 error) and `StackDriftAgeSeconds`. Every stack is then a metric
  series of its own, billed as such (docs/metrics.md).

The blobs are a pure function of `RunFigures` and the step's clock reading (`blobs`); the
step prints them, and Lambda sends stdout to CloudWatch Logs, which extracts the metrics.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.exceptions import DurableOperationError
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from pydantic import Field

from drift_common.outcomes import DRIFT_FOUND, FAILURES, HEALED, Outcome
from healer.model import Record
from healer.report.run import RunReport

NAMESPACE = "CfnDriftHealer"
SERVICE = "healer"
# Issue 17's outcome, when drift_common has it: the drift was accepted into the template.
ACCEPTED = getattr(Outcome, "ACCEPTED", "ACCEPTED")
# Outcomes that end a drift by a decision of the healer or a person (time to remediate).
REMEDIATED = frozenset({*HEALED, ACCEPTED})
# Outcomes of a run that got no drift detection result: not a heartbeat.
NOT_DETECTED = frozenset(
    {Outcome.DETECTION_FAILED, Outcome.TIMED_OUT, Outcome.ERROR, Outcome.SKIPPED}
) | {Outcome.BUSY, Outcome.OPTED_OUT}
# Outcomes that say nothing about the stack's drift (no per-stack state).
NO_STACK_STATE = frozenset({Outcome.BUSY, Outcome.OPTED_OUT, Outcome.SKIPPED})

CLEAN, DRIFTED, FAILED = 0, 1, 2


class RunFigures(Record):
    """What the metrics need of one run (all checkpointed or deterministic values)."""

    outcome: str
    drifted_resources: int
    stack_name: str
    drift_left: bool  # drift is still there at the end of the run
    checked_at: datetime | None = None  # the run's clock reading (None: no drift state)
    drift_since: datetime | None = None  # the drift this run found was first seen then
    change_times: list[datetime] = Field(
        default_factory=list
    )  # when the drift found was made, where known
    approved_by_person: bool = False


def figures_of(report: RunReport) -> RunFigures:
    outcome = str(report.final_outcome)
    return RunFigures(
        outcome=outcome,
        drifted_resources=max(report.drifted_total, len(report.drifted)),
        stack_name=report.stack_name,
        drift_left=outcome not in REMEDIATED and bool(report.drifted),
        checked_at=report.checked_at,
        drift_since=report.drift_since,
        change_times=change_times(report.to_result().get("DriftedResources", [])),
        approved_by_person=report.approval is not None,
    )


def change_times(drifted: Sequence[dict[str, Any]]) -> list[datetime]:
    """`DriftedResources[].LastChange.EventTime` (attribution, issue 16), where present."""
    times = []
    for resource in drifted:
        change = resource.get("LastChange")
        raw = change.get("EventTime") if isinstance(change, dict) else None
        if not raw:
            continue
        try:
            moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            continue
        times.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return times


def stack_state(figures: RunFigures) -> int | None:
    """0 clean, 1 drifted, 2 error; None when the run says nothing about the stack."""
    if figures.outcome in NO_STACK_STATE:
        return None
    if figures.outcome in FAILURES:
        return FAILED
    return DRIFTED if figures.drift_left else CLEAN


def slo_values(figures: RunFigures, finished: datetime) -> dict[str, tuple[MetricUnit, float]]:
    """The per-run SLO metrics (no stack dimension): name -> (unit, value)."""
    outcome = figures.outcome
    values: dict[str, tuple[MetricUnit, float]] = {
        "DetectionsCompleted": (MetricUnit.Count, 0.0 if outcome in NOT_DETECTED else 1.0),
        "DriftFound": (MetricUnit.Count, 1.0 if outcome in {*DRIFT_FOUND, ACCEPTED} else 0.0),
    }
    detected = figures.checked_at
    new_drift = detected is not None and figures.drift_since == detected
    if new_drift and figures.change_times and detected is not None:
        latest = max(figures.change_times)
        values["TimeToDetectSeconds"] = (
            MetricUnit.Seconds,
            max(0.0, (detected - latest).total_seconds()),
        )
    if outcome in REMEDIATED:
        values["AutoRemediated"] = (
            MetricUnit.Count,
            0.0 if outcome == ACCEPTED or figures.approved_by_person else 1.0,
        )
        if figures.drift_since is not None:
            values["TimeToRemediateSeconds"] = (
                MetricUnit.Seconds,
                max(0.0, (finished - figures.drift_since).total_seconds()),
            )
    if figures.drift_left and figures.drift_since is not None:
        values["DriftAgeSeconds"] = (
            MetricUnit.Seconds,
            max(0.0, (finished - figures.drift_since).total_seconds()),
        )
    return values


def _blob(dimensions: dict[str, str], values: dict[str, tuple[MetricUnit, float]]) -> str:
    metrics = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
    for name, value in dimensions.items():
        metrics.add_dimension(name=name, value=value)
    for name, (unit, number) in values.items():
        metrics.add_metric(name=name, unit=unit, value=number)
    return json.dumps(metrics.serialize_metric_set(), separators=(",", ":"))


def blobs(figures: RunFigures, finished: datetime, *, per_stack: bool) -> list[str]:
    """The run's EMF documents, one line each."""
    out = [
        _blob(
            {"Outcome": figures.outcome},
            {
                "StackRuns": (MetricUnit.Count, 1.0),
                "DriftedResources": (MetricUnit.Count, float(figures.drifted_resources)),
            },
        ),
        _blob({}, slo_values(figures, finished)),
    ]
    state = stack_state(figures)
    if per_stack and state is not None:
        stack: dict[str, tuple[MetricUnit, float]] = {
            "StackDriftState": (MetricUnit.Count, float(state))
        }
        age = 0.0
        if state == DRIFTED and figures.drift_since is not None:
            age = max(0.0, (finished - figures.drift_since).total_seconds())
        stack["StackDriftAgeSeconds"] = (MetricUnit.Seconds, age)
        out.append(_blob({"StackName": figures.stack_name}, stack))
    return out


@durable_step
def emit_run_metrics(_: StepContext, figures: RunFigures, per_stack: bool) -> bool:
    if is_metrics_disabled():  # POWERTOOLS_METRICS_DISABLED, as Powertools' own flush
        return True
    for line in blobs(figures, datetime.now(UTC), per_stack=per_stack):  # the step's clock
        print(line)  # EMF: stdout is the transport
    return True


def emit_once(context: DurableContext, report: RunReport, *, per_stack: bool = False) -> None:
    """A step, so a replayed conclusion does not count the run twice. Best effort: metrics
    never change a run's outcome or keep its notice from being sent."""
    try:
        context.step(emit_run_metrics(figures_of(report), per_stack), name="emit-metrics")
    except DurableOperationError as failure:
        report.notes.append(f"run metrics not emitted: {failure.message}")
