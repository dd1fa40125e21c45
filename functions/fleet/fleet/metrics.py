"""The fleet's metrics (CloudWatch EMF through Powertools Metrics), once per run.

One dimension only (`Service`, set by Powertools): never stack names, accounts or regions,
so the number of metric series does not grow with the fleet.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from fleet.digest import Figures

NAMESPACE = "CfnDriftHealer"
SERVICE = "fleet"


def emit(numbers: Figures) -> None:
    metrics = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
    for name, value in (
        ("StacksChecked", numbers.checked),
        ("StacksDrifted", numbers.drifted),
        ("StacksHealed", numbers.healed),
        ("StacksHeldForReview", numbers.held),
        ("StacksFailed", numbers.failed),
        ("StacksSkipped", numbers.skipped),
        ("ListingsFailed", numbers.listings_failed),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    # The fleet's heartbeat (each of its stacks' healer runs sends DetectionsCompleted).
    metrics.add_metric(name="FleetRunsCompleted", unit=MetricUnit.Count, value=1)
    metrics.add_metric(
        name="OldestDriftAgeSeconds",
        unit=MetricUnit.Seconds,
        value=numbers.oldest_drift_age_seconds,
    )
    metrics.flush_metrics()
