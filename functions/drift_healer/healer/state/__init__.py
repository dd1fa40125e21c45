"""The drift state: one stack's lease, its drift over time, and alerts on change.

- `settings`, `model`: its configuration and records;
- `store`: the table, one DynamoDB call per function; `steps`: the durable steps around it;
- `decisions`, `fingerprint`, `pending`: pure decisions (notices, drift age, reviews);
- `run`: one run's view of it, which the flow calls at three points.
"""

from healer.state.model import PendingChangeSet
from healer.state.pending import not_ours
from healer.state.run import RunState
from healer.state.settings import StateSettings, load_state_settings

__all__ = [
    "PendingChangeSet",
    "RunState",
    "StateSettings",
    "load_state_settings",
    "not_ours",
]
