"""The events of a real week a re-plan answers: a manager off sick, a retailer closed,
an urgent visit, a promotion store cancelled; read from JSON with every bad field named."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    by `manager` (its own manager when not given). It takes the place of the week's visit
    to the retailer still to come: that visit stays on its day when the day is in time
    and the event names no other manager, or the one it names cannot make it in time
    (the re-plan's notes say so); else the manager named makes it, on a day he can."""

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
    """Events from JSON data: a list of events, or `{"events": [...]}`; every bad field
    named as a person reads it: "event 1 (manager_sick), field from: …", with the event's
    row numbered from 1 as the re-planner numbers events (pydantic's "0.manager_sick.from"
    was 0-based and named no row)."""
    if isinstance(data, Mapping) and "events" in data:
        data = data["events"]
    if isinstance(data, Mapping):
        data = [data]
    try:
        return _EventList.model_validate({"events": data}).events
    except ValidationError as exc:
        raise InputError([_event_problem(err["loc"][1:], err["msg"], where) for err in exc.errors()]) from None


def _event_problem(location: tuple[Any, ...], message: str, where: str) -> Problem:
    """A pydantic error at `location` (index, event type, field …) in the events' words."""
    message = message.removeprefix("Value error, ")
    if not location or not isinstance(location[0], int):
        return Problem(f"the events must be a list of events: {message}", file=where)
    row = location[0] + 1
    kind, *field = location[1:] or ("",)
    field_name = ".".join(str(part) for part in field) or None
    said = f"event {row}" + (f" ({kind})" if kind else "") + (f", field {field_name}" if field_name else "")
    return Problem(f"{said}: {message}", file=where, row=row, column=field_name or ("type" if not kind else None))


def clock_times(now: dt.datetime, events: Sequence[Event], zone: str) -> tuple[dt.datetime, tuple[Event, ...]]:
    """`now` and every moment of the events that has an offset (`Z`, `+05:00`) turned
    into the clock time of `zone`, the time zone the department's timetables are written
    in, and made naive: the re-planner reads clock times, and dropping the offset read
    02:30Z as 02:30 Beijing time (10:30 was meant) and cancelled work a sick manager had
    done. Naive moments are clock times already. The one conversion the CLI and the HTTP
    API share; a moment outside the calendar in `zone` is an InputError (`now` in column
    "now", an event's moment with its row from 1 and field)."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError([Problem(f"unknown time zone {zone!r} (an IANA name, e.g. Asia/Shanghai)",
                                  column="timezone")]) from None
    local_now = _clock_time(now, tz, Problem("", column="now"))
    local_events = tuple(_local_event(event, number, tz) for number, event in enumerate(events, 1))
    return local_now, local_events


def _local_event(event: Event, number: int, tz: ZoneInfo) -> Event:
    moments = {
        name: _clock_time(value, tz, Problem("", file="events", row=number, column=field.alias or name))
        for name, field in type(event).model_fields.items()
        if isinstance(value := getattr(event, name), dt.datetime)
    }
    return event.model_copy(update=moments) if moments else event


def _clock_time(moment: dt.datetime, tz: ZoneInfo, where: Problem) -> dt.datetime:
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(tz).replace(tzinfo=None)
    except OverflowError:
        message = f"{moment.isoformat()} lies outside the calendar in the time zone {tz.key}"
        raise InputError([dataclasses.replace(where, message=message)]) from None


