"""The attribution step: one LookupEvents page, reduced to what a checkpoint needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_step

from healer.attribution.decisions import Lookup, reduce_page
from healer.aws import cloudtrail, step_config
from healer.model import LookupPage

# Throttling is retried a little (CloudTrail: 2 lookups a second per account and region,
# shared by every run), then becomes a note: attribution never changes an outcome.
LOOKUP_ATTEMPTS = 3


@durable_step
def look_up_changes(
    _: StepContext, lookup: Lookup, start: datetime, token: str | None, ignore: Sequence[str]
) -> LookupPage:
    events, next_token = cloudtrail.lookup_events_by_name(
        lookup.event_name, start, token, lookup.region
    )
    return reduce_page(events, lookup.wanted, ignore, next_token)


def run_look_up_changes(
    context: DurableContext,
    lookup: Lookup,
    *,
    start: datetime,
    token: str | None,
    ignore: Sequence[str],
    page: int,
) -> LookupPage:
    return context.step(
        look_up_changes(lookup, start, token, tuple(ignore)),
        f"{lookup.step_name}-{page}",
        step_config(LookupPage, max_attempts=LOOKUP_ATTEMPTS),
    )
