"""Who changed a drifted resource (CloudTrail), as checkpointable records."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from healer.model.records import Record


class LastChange(Record):
    """The last write outside CloudFormation to one drifted resource (result
    `DriftedResources[].LastChange`)."""

    logical_id: str
    resource_type: str
    principal: str
    principal_type: str
    issuer: str | None = None  # the role behind an assumed-role session
    event_name: str
    event_source: str
    event_time: datetime
    event_id: str
    source_ip: str | None = None
    via: str

    def to_json(self) -> dict[str, str | None]:
        return {
            "Principal": self.principal,
            "PrincipalType": self.principal_type,
            "EventName": self.event_name,
            "EventSource": self.event_source,
            "EventTime": self.event_time.isoformat(timespec="seconds"),
            "EventId": self.event_id,
            "SourceIp": self.source_ip,
            "Via": self.via,
        }

    @property
    def api(self) -> str:
        """`ssm:PutParameter`."""
        return f"{self.event_source.split('.', 1)[0]}:{self.event_name}"


class LookupPage(Record):
    """One LookupEvents page, reduced to the writes that name a wanted resource."""

    found: list[LastChange] = Field(default_factory=list)
    next_token: str | None = None
    scanned: int = 0
    throttled: str | None = None  # the lookup failed for good: why (a note, never an outcome)


class HealCount(Record):
    """How often one property ("LogicalId/PropertyPath") was healed within the thrash
    window, and who had changed it each time (from the history's `Changes`)."""

    count: int = 0
    principals: list[str] = Field(default_factory=list)
