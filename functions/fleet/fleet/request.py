"""The fleet event, validated as strictly as the single-stack event.

    {"Fleet": {"Regions": ["eu-west-1"], "Accounts": ["111122223333"], "Names": ["app-a"],
               "NamePatterns": ["app-*"], "Tags": {"team": "payments"},
               "Exclude": ["*-sandbox"], "CreateChangeSetOnly": true,
               "WaitForApproval": false, "MaxConcurrency": 10}}

A batch of an already selected fleet (the fleet invoking itself, see fleet.handler) is
`{"FleetBatch": {...}}`: not meant to be sent by people, validated all the same.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator
from pydantic_core import PydanticCustomError

from drift_common.validation import ACCOUNT_ID, REGION, STACK_NAME, parse_event

# A stack name (drift_common.validation.STACK_NAME), or a shell-style pattern (fnmatch:
# * ? [..]) over stack names.
NAME = STACK_NAME
PATTERN = r"^[-a-zA-Z0-9*?\[\]!]{1,128}$"
MAX_CONCURRENCY_LIMIT = 100


class InvalidFleetRequestError(ValueError):
    """The event cannot start a fleet run; the message names every problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class Selector(_Strict):
    """Which stacks: every listed name, plus every name matching a pattern (with all the tags),
    minus the exclusions. No Names and no NamePatterns means every stack (still tag-filtered)."""

    regions: Annotated[
        tuple[Annotated[str, Field(pattern=REGION)], ...], Field(alias="Regions")
    ] = ()
    accounts: Annotated[
        tuple[Annotated[str, Field(pattern=ACCOUNT_ID)], ...], Field(alias="Accounts")
    ] = ()
    names: Annotated[tuple[Annotated[str, Field(pattern=NAME)], ...], Field(alias="Names")] = ()
    name_patterns: Annotated[
        tuple[Annotated[str, Field(pattern=PATTERN)], ...], Field(alias="NamePatterns")
    ] = ()
    tags: Annotated[dict[str, str], Field(alias="Tags")] = Field(default_factory=dict)
    exclude: Annotated[
        tuple[Annotated[str, Field(pattern=PATTERN)], ...], Field(alias="Exclude")
    ] = ()

    @field_validator("regions", "accounts")
    @classmethod
    def _each_once(cls, places: tuple[str, ...]) -> tuple[str, ...]:
        # Refused, not de-duplicated: a place listed twice would heal its stacks twice, and
        # is most often a slip for another place, which de-duplicating would leave unhealed.
        repeated = sorted({p for p in places if places.count(p) > 1})
        if repeated:
            listed = ", ".join(map(repr, repeated))
            raise PydanticCustomError(
                "repeated", "{listed} is listed more than once", {"listed": listed}
            )
        return places


class RunOptions(_Strict):
    """Passed to every stack's execution of the healer."""

    create_change_set_only: Annotated[StrictBool, Field(alias="CreateChangeSetOnly")] = True
    # Passed on only when set (the healer's own default applies otherwise).
    wait_for_approval: Annotated[StrictBool | None, Field(alias="WaitForApproval")] = None
    # Per account and region: drift detection and change sets are rate-limited per account.
    max_concurrency: Annotated[
        StrictInt, Field(alias="MaxConcurrency", ge=1, le=MAX_CONCURRENCY_LIMIT)
    ] = 10


class FleetRequest(Selector, RunOptions):
    """The inner object of `{"Fleet": {...}}`."""


class Target(_Strict):
    """One selected stack."""

    stack_name: Annotated[str, Field(alias="StackName", pattern=NAME)]
    region: Annotated[str | None, Field(alias="Region", pattern=REGION)] = None
    account_id: Annotated[str | None, Field(alias="AccountId", pattern=ACCOUNT_ID)] = None

    @property
    def key(self) -> str:
        """Unique within a fleet; names the stack's child execution."""
        return f"{self.account_id or 'home'}/{self.region or 'home'}/{self.stack_name}"


class BatchRequest(RunOptions):
    """The inner object of `{"FleetBatch": {...}}`: stacks of one account and region."""

    stacks: Annotated[tuple[Target, ...], Field(alias="Stacks", min_length=1)]


def parse_fleet_event(event: Any) -> FleetRequest | BatchRequest:
    """`{"Fleet": {...}}` or `{"FleetBatch": {...}}`; every problem is named."""
    if not isinstance(event, dict):
        msg = f"the event must be a JSON object, got {type(event).__name__}"
        raise InvalidFleetRequestError(msg)
    keys = set(event)
    if keys not in ({"Fleet"}, {"FleetBatch"}):
        msg = f"the event must have exactly one field, Fleet (or FleetBatch), got {sorted(keys)}"
        raise InvalidFleetRequestError(msg)
    model: type[FleetRequest | BatchRequest] = FleetRequest if "Fleet" in keys else BatchRequest
    body = event.get("Fleet", event.get("FleetBatch"))
    return parse_event(
        model,
        body,
        error=InvalidFleetRequestError,
        what=next(iter(keys)),
        invalid="invalid fleet event",
    )


def is_pattern(text: str) -> bool:
    return bool(re.search(r"[*?\[]", text))
