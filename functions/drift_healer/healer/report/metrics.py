"""Per-run metrics (CloudWatch EMF through Powertools Metrics), written once at a run's end.

Dimensions stay low-cardinality (the outcome only; never stack names or ARNs): one count
per outcome and the number of drifted resources found.
"""

from __future__ import annotations

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.exceptions import DurableOperationError
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from healer.report.run import RunReport

NAMESPACE = "CfnDriftHealer"


def emit(outcome: str, drifted_resources: int) -> None:
    """Print one EMF blob to stdout (Lambda sends it to CloudWatch Logs -> Metrics)."""
    metrics = EphemeralMetrics(namespace=NAMESPACE, service="healer")
    metrics.add_dimension(name="Outcome", value=outcome)
    metrics.add_metric(name="StackRuns", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="DriftedResources", unit=MetricUnit.Count, value=drifted_resources)
    metrics.flush_metrics()


@durable_step
def emit_run_metrics(_: StepContext, outcome: str, drifted_resources: int) -> bool:
    emit(outcome, drifted_resources)
    return True


def emit_once(context: DurableContext, report: RunReport) -> None:
    """A step, so a replayed conclusion does not count the run twice. Best effort: metrics
    never change a run's outcome or keep its notice from being sent."""
    drifted = max(report.drifted_total, len(report.drifted))
    try:
        context.step(emit_run_metrics(report.final_outcome.value, drifted), name="emit-metrics")
    except DurableOperationError as failure:
        report.notes.append(f"run metrics not emitted: {failure.message}")
