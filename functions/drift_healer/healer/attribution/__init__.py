"""Who changed it: each drifted resource's last write outside CloudFormation, from
CloudTrail's event history (docs/attribution.md).

- `decisions`: which lookups a drift needs, which events count, the notes (pure);
- `steps`: one LookupEvents page per step, bounded and retried a little;
- `flow`: the lookups of one run, into the report.
"""

from healer.attribution.flow import attribute

__all__ = ["attribute"]
