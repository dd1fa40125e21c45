"""The state a retried step or a ``wait_for_condition`` poll checkpointed, in its history event.

Each poll of ``wait_for_condition`` checkpoints ``Action: RETRY`` with the new state as
``Payload``; the history shows it as a ``StepSucceeded`` event with ``RetryDetails``, whose
``StepSucceededDetails.Result`` the Lambda API documents as "the response payload from the
successful operation". dex-local-runner 1.4 leaves that payload out of RETRY events (it
builds them without a result), so a client following an execution cannot see what the last
poll saw. The front door sees every checkpoint pass by: it keeps the RETRY payloads per
operation and puts them into the history events it proxies, in order.

Guess (written down in docs/fidelity.md): the real service returns the RETRY
payload in those events when ``IncludeExecutionData`` is true, as it does for a final
``StepSucceeded``.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import Any


class RetryPayloads:
    """RETRY payloads seen in checkpoints, per execution and operation, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._payloads: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def record_checkpoint(self, execution_arn: str, body: bytes) -> None:
        """Keep the payloads of a CheckpointDurableExecution request's successful RETRYs."""
        try:
            request = json.loads(body)
        except ValueError:
            return
        updates = request.get("Updates") if isinstance(request, dict) else None
        with self._lock:
            for update in updates or []:
                if (
                    isinstance(update, dict)
                    and update.get("Action") == "RETRY"
                    and not update.get("Error")  # a RETRY with an error is a StepFailed event
                    and isinstance(update.get("Payload"), str)
                ):
                    self._payloads[execution_arn][str(update.get("Id"))].append(update["Payload"])

    def fill_history(self, execution_arn: str, body: bytes) -> bytes:
        """The history's first page with each retried ``StepSucceeded`` given its payload
        (a later page cannot be matched: the retries counted on earlier pages are unknown)."""
        try:
            page: Any = json.loads(body)
        except ValueError:
            return body
        events = page.get("Events") if isinstance(page, dict) else None
        if not isinstance(events, list):
            return body
        with self._lock:
            known = {op: list(payloads) for op, payloads in self._payloads[execution_arn].items()}
        seen: dict[str, int] = defaultdict(int)
        for event in events:
            details = event.get("StepSucceededDetails") if isinstance(event, dict) else None
            if not isinstance(details, dict) or not details.get("RetryDetails"):
                continue
            op_id = str(event.get("Id"))
            index = seen[op_id]
            seen[op_id] += 1
            result = details.setdefault("Result", {})
            if isinstance(result, dict) and "Payload" not in result:
                payloads = known.get(op_id, [])
                if index < len(payloads):
                    result["Payload"] = payloads[index]
                    result["Truncated"] = False
        return json.dumps(page).encode()

    def forget(self, execution_arn: str) -> None:
        with self._lock:
            self._payloads.pop(execution_arn, None)
