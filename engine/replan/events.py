"""The events of a real week a re-plan answers: a manager off sick, a retailer closed,
an urgent visit, a promotion store cancelled; read from JSON with every bad field named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import InputError, Problem


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ManagerSick(_Event):
    """A manager is off sick from `from` (a date and time) until the end of `until`
    (a date; the end of the week when not given)."""

    type: Literal["manager_sick"]
    manager: str
    from_: dt.datetime = Field(alias="from")
    until: dt.date | None = None


class RetailerClosed(_Event):
    """A retailer is closed all day on `date` (the day of `now` when not given)."""

    type: Literal["retailer_closed"]
    retailer: str
    date: dt.date | None = None


class UrgentVisit(_Event):
    """A retailer must be visited by the end of `by` (the day of `now` when not given),
    by `manager` (its own manager when not given)."""

    type: Literal["urgent_visit"]
    retailer: str
    by: dt.date | None = None
    manager: str | None = None


class PromotionStoreCancelled(_Event):
    """A promotion store can no longer be used from `date` (the day of `now` when not given)."""

    type: Literal["promotion_store_cancelled"]
    retailer: str
    date: dt.date | None = None


Event = Annotated[
    ManagerSick | RetailerClosed | UrgentVisit | PromotionStoreCancelled, Field(discriminator="type")
]


class _EventList(BaseModel):
    events: tuple[Event, ...]


def read_events(data: Any, where: str = "events") -> tuple[Event, ...]:
    """Events from JSON data: a list of events, or `{"events": [...]}`; every bad field named."""
    if isinstance(data, Mapping) and "events" in data:
        data = data["events"]
    if isinstance(data, Mapping):
        data = [data]
    try:
        return _EventList.model_validate({"events": data}).events
    except ValidationError as exc:
        raise InputError([
            Problem(err["msg"].removeprefix("Value error, "), file=where,
                    column=".".join(str(p) for p in err["loc"][1:]) or None)
            for err in exc.errors()
        ]) from None


