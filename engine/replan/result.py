"""What a re-plan answers: the re-planned week, its routes, the visits that found no
place and the diff per manager — the JSON contract of `fieldweek replan --json`."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.domain import Block, Timetable
from engine.policy import Clock
from engine.replan.events import Event
from engine.routing.plan import OfficeLeg


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class BlockChange(_Out):
    """A block of the old plan after `now` that changed, or a new one; or (`cut`) a block
    under way when its manager fell ill, which ends then: `after` is the part he worked."""

    change: Literal["moved", "cancelled", "added", "changed", "cut"]
    kind: str
    before: Block | None = None
    after: Block | None = None
    reason: str = ""


class StopChange(_Out):
    """A visit stop after `now` that changed day or manager, was cancelled or added."""

    change: Literal["moved", "cancelled", "added", "handed_over", "received"]
    retailer: str
    date_before: dt.date | None = None
    date_after: dt.date | None = None
    manager_before: str | None = None
    manager_after: str | None = None
    reason: str = ""


class ManagerDiff(_Out):
    """Everything that changed for one manager."""

    manager: str
    blocks: tuple[BlockChange, ...] = ()
    stops: tuple[StopChange, ...] = ()


class ReplanStop(_Out):
    """A stop of the re-planned routes: a visit, or a fixed appointment at a retailer of the
    re-planned timetable (`kind`: pos_project, promotion, maintenance at a store...), as the
    week's routes have them; `pinned` stops started before `now`."""

    retailer: str
    kind: str = "visit"
    arrive: Clock
    start: Clock
    end: Clock
    pinned: bool = False
    ride_min: int | None = Field(default=None, description="the ride to the stop; its arrival less it is when "
                                                          "the manager set out for it")
    origin: str | None = Field(default=None, alias="from",
                               description='"office", the previous retailer, or "elsewhere", as the week\'s routes')
    ride_km: float | None = None


class ReplanRoute(_Out):
    """One manager's visits on one day after the re-plan, in visiting order, with the
    fields of the day the week's routes carry (`DayRoutePlan`): the rides, the visit
    block, where the day starts, and the lunch (`lunch_start`/`lunch_end`: the one taken
    before `now` as the week's routes had it, else where the re-planned day takes it on
    the road; null when the day holds no lunch on the road). The day fields are null on
    a day the re-planned timetable gives no field day."""

    manager: str
    date: dt.date
    stops: tuple[ReplanStop, ...]
    depart: Clock | None = None
    return_: Clock | None = Field(default=None, alias="return")
    distance_km: float | None = None
    travel_minutes: int | None = None
    visits: int | None = None
    visit_start: Clock | None = None
    visit_end: Clock | None = None
    start_from: str | None = None
    lunch_start: Clock | None = None
    lunch_end: Clock | None = None
    waiting_minutes: int | None = None
    idle_minutes: int | None = None
    office_returns: tuple[OfficeLeg, ...] = ()
    required_stops: int | None = None
    stops_not_made: tuple[ReplanStop, ...] = Field(
        default=(), description="stops he set out for before `now` at a shop found closed: not made, "
                                "but ridden to, so the next stop leaves from there and the day's "
                                "distance_km/travel_minutes count the ride")


UnplacedReason = Literal["manager_absent", "retailer_closed", "no_room_in_day", "not_planned", "called_by_phone"]
LEFT_OUT_BY_THE_WEEK: frozenset[UnplacedReason] = frozenset({"not_planned", "called_by_phone"})
"""Reasons of visits the week's own routes had left out (`called_by_phone`: called in a
phone slot instead, an applied capacity proposal), not ones the re-plan lost."""


class UnplacedVisit(_Out):
    """A due visit that is in no route of the week, and why (it rolls into next week)."""

    retailer: str
    manager: str
    date: dt.date | None = None
    reason: UnplacedReason
    detail: str = ""


class LateVisit(_Out):
    """An urgent visit made after the day it was due by (it is in the routes on `date`),
    and the true cause no one who may take it made it in time."""

    retailer: str
    manager: str
    due_by: dt.date
    date: dt.date
    detail: str = ""


class ReplanResult(_Out):
    """The re-planned week: the JSON contract of `fieldweek replan --json`.

    The JSON written (and a re-plan job's `result`) has beside these fields `check`, the
    independent checker's verdict (api/replan_verdict.py; null when no week was found).
    Its `shortfalls` are the weekly hours the events cost, each one manager's kind, in
    `unit` (min or sessions):

    - `planned`: what the re-planned week holds of the kind for him;
    - `asked`: what the policy asks of him this week (prorated for an absence, as the
      `message` says);
    - `lost`: what the events took from the OLD plan's kind for him (sessions they made
      impossible and the part of a session under way when he fell ill, less what the
      re-plan holds again or makes up; plus what an earlier re-plan of the week declared
      short); for hours the re-planned timetable itself declares short for another cause
      (its `timetable.shortfalls`: rides that leave no room), what it declares. It is the
      bound the checker allows, NOT the amount short.

    The amount short is `asked - planned`, and it is at most `lost` (more would be a
    fault); `planned + lost` need not equal `asked` (the old plan may have held more or
    less than asked, or the re-plan won part of the loss back).
    """

    week_start: dt.date
    now: dt.datetime
    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    objective: float | None = None
    start_objective: float | None = Field(default=None, description="the repaired old plan's objective")
    best_bound: float | None = None
    solve_seconds: float = 0.0
    events: tuple[Event, ...] = ()
    timetable: Timetable
    routes: tuple[ReplanRoute, ...] | None = None
    unplaced: tuple[UnplacedVisit, ...] = ()
    late: tuple[LateVisit, ...] = Field(default=(), description="urgent visits made after their deadline, and why")
    diff: tuple[ManagerDiff, ...] = ()
    notes: tuple[str, ...] = ()

    def to_json_dict(self) -> dict:
        """The result as JSON-ready data with the contract's key names."""
        return self.model_dump(mode="json", by_alias=True)


