"""Waiting for CloudFormation: polling, or events through the relay with polling as fallback.

- `settings`: WAIT_MODE and the event fallback schedule;
- `decisions`: when to look again (pure);
- `flow`: the three waits (detection, change-set creation, execution);
- `events`, `waiter`: event-driven rounds and the waiter record the relay reads.
"""

from healer.waits.flow import detect_and_wait, execute_and_wait, trust_events, wait_for_change_set
from healer.waits.settings import WaitMode, WaitSettings, load_wait_settings

__all__ = [
    "WaitMode",
    "WaitSettings",
    "detect_and_wait",
    "execute_and_wait",
    "load_wait_settings",
    "trust_events",
    "wait_for_change_set",
]
