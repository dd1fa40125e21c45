"""The approval of one run: in the notices, the result and the drift state as `Approval`."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from drift_common.approval import Answer
from healer.model.records import Record


class Approval(Record):
    """The approval of one run: in the notices and the result as `Approval`."""

    callback_id: str
    expires: datetime
    page: str | None = None  # the approval page's address, without a token (None: no page)
    asked: str | None = None  # where the request went (the topic)
    decision: str | None = None  # APPROVE | REJECT once answered
    by: str | None = None
    reason: str | None = None
    decided_at: datetime | None = None
    # The signed link, set only on the copy the publishing step renders the e-mail from:
    # never serialized (no checkpoint, no result, no JSON notice holds it).
    link: str | None = Field(default=None, exclude=True, repr=False)

    def decided(self, answer: Answer, at: datetime) -> Approval:
        return self.model_copy(
            update={
                "decision": answer.decision,
                "by": answer.by or "(not given)",
                "reason": answer.reason,
                "decided_at": at,
            }
        )

    def to_json(self) -> dict[str, object]:
        return {
            "CallbackId": self.callback_id,
            "Expires": self.expires.isoformat(),
            # The page's address only: the link that decides goes to e-mail subscribers.
            "Page": self.page,
            "Decision": self.decision,
            "By": self.by,
            "Reason": self.reason,
            "DecidedAt": self.decided_at.isoformat() if self.decided_at else None,
        }
