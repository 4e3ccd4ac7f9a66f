"""Need against room, per manager and day (SPEC §3, §4): the minutes of service and
riding the week's due visits need, and the minutes the manager's visit blocks hold.

- **Available** is what the route may use of each visit block: the block from its
  start to the end of visiting (the policy's `route.visiting_ends_by` cuts a block
  that runs later), less a lunch taken inside it (`FieldDay.visiting_minutes`, the
  same figure the routes are built on). A block from whose start no due retailer is
  reached by `route.first_stop_by` holds no visit, so it makes no minutes available.
- **Service** is each due visit's stop length (`service_minutes`: the retailer's own
  minutes, never below the policy's minimum).
- **Riding** comes from the same travel model as the routes. Given the week's route
  plan, a planned visit counts the ride its route makes to it, and a visit the routes
  left out counts the manager's mean ride per planned visit, on the day the routes
  named for it (or the day with the most room left) — but a visit the routes left out
  for a reason more room does not mend (`MENDED_BY_ROOM`: too far to reach in any visit
  window, its opening hours or the route's time rules) is counted left out and
  `unmendable`, and adds nothing to the need: cutting the manager's other visits would
  not place it. Without a route plan, each visit
  counts the ride from the nearest other due place of the manager (office included),
  each visit day the ride out from the office to the nearest due retailer, and visits
  fill the days with the most room first (an estimate: routes ride more).

Need = service + riding; the shortfall is what need exceeds available by.

**Hand-over** (given the route plan): a due visit of a manager that a colleague's route
made (the routes hand a manager away most of the week's visits his own days leave out to
his neighbours, and a folder's recorded hand-over to the neighbour it names) is his
`handed_over_visits`, and its minutes (`handed_over_min`: its service and his mean ride
per planned visit, as a visit left out) are in his need: his week needs them whoever made
them, so his shortfall or spare says whether his own visit blocks hold his week (tester
d8cap2, week of 2026-11-23: m03 at work two days read "+3 min spare" while colleagues made
6 of his 21 visits). The colleague's row counts them as `taken_over_visits`, and in his
need as ridden, on his days; the department's need counts each visit once. Not in the
days of the manager who handed them over: they were not made on his days.

**Leave** (SPEC §3): each manager's figures say on how many of the week's working days he
is on whole-day leave (`leave_days` of `working_days`). A manager on leave every working
day has no visit block: given the route plan, the visits his neighbours made for him
(`handed_over_visits`, the routes' hand-over) are counted in their figures, where they were
ridden, and his own need is only the minutes of his visits no one made; he is not short
of capacity for being away. Pure: reads no file and prints nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from engine.domain import Department, Retailer, Timetable
from engine.policy import Policy
from engine.routing.daily import (
    FieldDay,
    UnvisitedReason,
    field_days,
    part_day_leave,
    service_minutes,
)
from engine.routing.due import DueRetailer, due_retailers, due_with_carry_over, week_monday
from engine.routing.matrix import straight_line_matrix
from engine.routing.plan import RoutePlan, UnvisitedRetailer, handed_for_the_week
from engine.work_calendar import WorkCalendar

Source = Literal["routes", "estimate"]

MENDED_BY_ROOM: tuple[UnvisitedReason, ...] = ("no_room_in_day",)
"""The routes' reasons for leaving a due visit out that more room in the manager's days
mends (`engine.routing.daily.UNVISITED_REASONS`): the days it could go on are full. A visit
left out as too far, for its opening hours, the route's time rules or a week with no visit
day stays out however many other visits are cut."""


def mendable(unvisited: Iterable[UnvisitedRetailer]) -> list[UnvisitedRetailer]:
    """The left-out visits more room mends (`MENDED_BY_ROOM`)."""
    return [item for item in unvisited if item.reason in MENDED_BY_ROOM]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class DayCapacity(_Out):
    """One manager-day: minutes needed and available (units: minutes)."""

    manager: str
    date: dt.date
    available_min: int
    service_min: int
    riding_min: int
    need_min: int
    shortfall_min: int
    planned_visits: int
    unplanned_visits: int


class ManagerCapacity(_Out):
    """One manager's week: the sums of the days, and the ride a visit costs him."""

    manager: str
    due_visits: int
    planned_visits: int
    unplanned_visits: int
    unplanned_min: int
    ride_per_visit_min: float
    available_min: int
    service_min: int
    riding_min: int
    need_min: int
    shortfall_min: int
    """What his week's need exceeds his week's available minutes by (net: a day with room
    offsets a full one), 0 when it does not; `spare_min` the other way round."""
    spare_min: int
    days: tuple[DayCapacity, ...]
    short_days_min: int = 0
    """The sum of his days' `shortfall_min`: more than `shortfall_min` when a day of his
    has room another day cannot use (tester d519C: m04 225 net, 229 over his short days)."""
    working_days: int = 0
    """The week's working days (the department's calendar)."""
    leave_days: int = 0
    """Of them, the days the manager is on whole-day leave."""
    handed_over_visits: int = 0
    """His due visits a colleague's route made for him (the routes' hand-over)."""
    handed_over_min: int = 0
    """The minutes of his handed-over visits counted in his need (module text); 0 for a
    manager with no visit block this week, whose need is only the visits no one made."""
    handed_over_applied_min: int = 0
    """Of `handed_over_min`, the visits an applied proposal's hand-over for the week made
    (retailers.csv's `handed_over_week`): already decided, a proposal does not free them again."""
    taken_over_visits: int = 0
    """Visits he made for colleagues (their due visits handed to him), in his need as ridden."""
    unmendable_visits: int = 0
    """Of his visits left out, those left out for a reason more room does not mend
    (`MENDED_BY_ROOM`): counted in `unplanned_visits`, not in the need or `unplanned_min`."""

    @property
    def away_all_week(self) -> bool:
        """On whole-day leave every working day of the week: his visits are the week's
        hand-over, not a measure of his territory."""
        return 0 < self.working_days <= self.leave_days


class WeekCapacity(_Out):
    """The department's week: every manager's need against his visit blocks."""

    department: str
    policy: str
    week_start: dt.date
    source: Source
    managers: tuple[ManagerCapacity, ...]
    need_min: int
    available_min: int
    shortfall_min: int
    """The short managers' `shortfall_min` summed: one manager's spare minutes do not
    make another's visits, so a department short of 577 min may need less than it has."""
    unplanned_visits: int
    spare_min: int = 0
    """The other managers' `spare_min` summed: `need_min - available_min` is
    `shortfall_min - spare_min`, but for visits handed between managers."""

    def manager(self, manager_id: str) -> ManagerCapacity:
        """One manager's figures; KeyError for a manager not in the week."""
        for figures in self.managers:
            if figures.manager == manager_id:
                return figures
        raise KeyError(manager_id)


def week_capacity(
    department: Department,
    policy: Policy,
    timetable: Timetable,
    week_start: dt.date,
    routes: RoutePlan | None = None,
    carried: Mapping[str, int] | None = None,
) -> WeekCapacity:
    """Every manager's need against available minutes for the week of `timetable`.

    With `routes` (`plan_routes` for the same department, timetable and week) the
    figures are those of the planned routes and of what they left out; without, the
    riding is estimated (module docstring). `carried` adds visits missed earlier, as
    the routes do."""
    monday = week_monday(week_start)
    retailers = {r.id: r for r in department.retailers}
    working = [date for date, _ in WorkCalendar(department, policy).working_days(monday)]
    weeks = []
    for m in department.managers:
        due = _due(department, policy, monday, m.id, carried)
        weeks.append(_ManagerWeek(
            department=department, policy=policy, manager=m.id, monday=monday, retailers=retailers,
            available=_available_by_day(department, timetable, policy, m.id, monday, due), due=due,
            working_days=len(working), leave_days=_leave_days(department, m.id, working)))
    managers = tuple(_manager_capacity(week, routes) for week in weeks)
    return WeekCapacity(
        department=department.name, policy=policy.name, week_start=monday,
        source="estimate" if routes is None else "routes", managers=managers,
        # A handed-over visit is in its manager's need and, as ridden, in the colleague's: once here.
        need_min=sum(m.need_min - m.handed_over_min for m in managers),
        available_min=sum(m.available_min for m in managers),
        shortfall_min=sum(m.shortfall_min for m in managers),
        unplanned_visits=sum(m.unplanned_visits for m in managers),
        spare_min=sum(m.spare_min for m in managers),
    )


def nearest_ride_minutes(department: Department, policy: Policy, retailer: Retailer,
                         places: Sequence[Retailer]) -> int:
    """Riding minutes to `retailer` from the nearest of `places` or the office, by the
    routes' straight-line travel model."""
    others = [p for p in places if p.id != retailer.id]
    return nearest_rides(department, policy, [retailer, *others])[0]


def nearest_ride_from_office(department: Department, policy: Policy, retailer: Retailer) -> int:
    """Riding minutes from the office to `retailer`, by the routes' travel model."""
    lats, lons = [department.office.lat, retailer.lat], [department.office.lon, retailer.lon]
    return int(straight_line_matrix(lats, lons, ["town", retailer.area], policy.travel).minutes[0, 1])


def nearest_rides(department: Department, policy: Policy, places: Sequence[Retailer]) -> list[int]:
    """For each of `places`, the riding minutes from the nearest other place or the office."""
    if not places:
        return []
    lats = [department.office.lat, *(p.lat for p in places)]
    lons = [department.office.lon, *(p.lon for p in places)]
    areas = ["town", *(p.area for p in places)]
    minutes = straight_line_matrix(lats, lons, areas, policy.travel).minutes.copy()
    np.fill_diagonal(minutes, np.iinfo(minutes.dtype).max)
    return [int(v) for v in minutes[:, 1:].min(axis=0)]


@dataclass(frozen=True)
class _ManagerWeek:
    """What one manager's figures are computed from."""

    department: Department
    policy: Policy
    manager: str
    monday: dt.date
    retailers: Mapping[str, Retailer]
    available: dict[dt.date, int]
    due: list[DueRetailer]
    working_days: int = 0
    leave_days: int = 0


def _leave_days(department: Department, manager: str, working: Sequence[dt.date]) -> int:
    """How many of the week's working dates the manager is on whole-day leave."""
    return len({leave.date for leave in department.leave
                if leave.manager == manager and leave.start is None and leave.date in working})


@dataclass
class _DayTally:
    available: int
    service: int = 0
    riding: int = 0
    planned: int = 0
    unplanned: int = 0

    @property
    def room(self) -> int:
        return self.available - self.service - self.riding


def _due(department: Department, policy: Policy, monday: dt.date, manager: str,
         carried: Mapping[str, int] | None) -> list[DueRetailer]:
    """The manager's due list exactly as the routes build it (at most one a working day)."""
    if carried:
        return due_with_carry_over(department, monday, carried, manager, policy=policy)
    return due_retailers(department, monday, manager, policy=policy)


def _available_by_day(department: Department, timetable: Timetable, policy: Policy, manager: str,
                      monday: dt.date, due: Sequence[DueRetailer]) -> dict[dt.date, int]:
    """Minutes of each day's visit blocks the route may use (two blocks on a day add up);
    a block from whose start no due retailer is reached by the first-stop time holds no
    visit at all (SPEC §3), so none of its minutes are available."""
    available: dict[dt.date, int] = {}
    for day in field_days(timetable, policy, manager, leave=part_day_leave(department.leave, manager)):
        if week_monday(day.date) == monday:
            usable = _first_stop_reachable(department, policy, day, due)
            available[day.date] = available.get(day.date, 0) + (max(day.visiting_minutes, 0) if usable else 0)
    return available


def _first_stop_reachable(department: Department, policy: Policy, day: FieldDay,
                          due: Sequence[DueRetailer]) -> bool:
    """Whether some due retailer is reached from the route's start by the first-stop time,
    by the routes' straight-line travel model."""
    if not due:
        return True
    start = department.office.lat, department.office.lon, "town"
    if day.start_place.retailer is not None:
        here = next((r for r in department.retailers if r.id == day.start_place.retailer), None)
        if here is not None:
            start = here.lat, here.lon, here.area
    places = [item.retailer for item in due]
    matrix = straight_line_matrix([start[0], *(p.lat for p in places)], [start[1], *(p.lon for p in places)],
                                  [start[2], *(p.area for p in places)], policy.travel)
    return bool(day.block_start + int(matrix.minutes[0, 1:].min()) <= day.first_stop_by)


def _manager_capacity(week: _ManagerWeek, routes: RoutePlan | None) -> ManagerCapacity:
    tallies = {date: _DayTally(minutes) for date, minutes in sorted(week.available.items())}
    due_visits = sum(item.visits for item in week.due)
    unmendable = 0
    if routes is None:
        ride_per_visit, unplanned_min = _estimated(week, tallies), 0
    else:
        ride_per_visit, unplanned_min, unmendable = _from_routes(week, routes, tallies)
    days = tuple(
        DayCapacity(
            manager=week.manager, date=date, available_min=t.available, service_min=t.service,
            riding_min=t.riding, need_min=t.service + t.riding,
            shortfall_min=max(t.service + t.riding - t.available, 0),
            planned_visits=t.planned, unplanned_visits=t.unplanned,
        )
        for date, t in tallies.items()
    )
    available = sum(d.available_min for d in days)
    service = sum(d.service_min for d in days)
    riding = sum(d.riding_min for d in days)
    unplanned = sum(d.unplanned_visits for d in days) + unmendable
    handed_over = handed_over_min = applied_min = taken_over = 0
    if routes is not None:
        handed, taken_over = _hand_over(week, routes)
        handed_over = len(handed)
        if days:  # his week needs them, whoever made them (module text)
            minutes = {r: service_minutes(week.retailers[r], week.policy) for r in handed}
            handed_over_min = sum(minutes[r] for r in handed) + round(ride_per_visit) * handed_over
            applied = handed_for_the_week(week.department, week.monday)
            applied_min = sum(minutes[r] + round(ride_per_visit) for r in handed if r in applied)
            service += sum(minutes[r] for r in handed)
            riding += round(ride_per_visit) * handed_over
    if not days:  # no visit block this week (leave): every due visit no one made is short of room
        service = unplanned_min = _unmade_minutes(week, routes)
        unplanned = due_visits if routes is None else _unplanned_count(routes, week.manager)
        if routes is not None and 0 < week.working_days <= week.leave_days:
            handed_over = due_visits - unplanned
    return ManagerCapacity(
        manager=week.manager, due_visits=due_visits,
        planned_visits=sum(d.planned_visits for d in days), unplanned_visits=unplanned,
        unplanned_min=unplanned_min, ride_per_visit_min=round(ride_per_visit, 2),
        available_min=available, service_min=service, riding_min=riding,
        need_min=service + riding, shortfall_min=max(service + riding - available, 0),
        spare_min=max(available - service - riding, 0), days=days,
        short_days_min=sum(d.shortfall_min for d in days),
        working_days=week.working_days, leave_days=week.leave_days, handed_over_visits=handed_over,
        handed_over_min=handed_over_min, handed_over_applied_min=applied_min, taken_over_visits=taken_over,
        unmendable_visits=unmendable if days else 0,
    )


def _hand_over(week: _ManagerWeek, routes: RoutePlan) -> tuple[list[str], int]:
    """The manager's retailers whose visits a colleague's route made (one entry a visit),
    and how many visits of colleagues' retailers his own routes made."""
    handed: list[str] = []
    taken = 0
    for route in routes.routes:
        for stop in route.stops:
            owner = week.retailers[stop.retailer].manager if stop.retailer in week.retailers else None
            if stop.kind != "visit" or owner is None or owner == route.manager:
                continue
            if owner == week.manager:
                handed.append(stop.retailer)
            elif route.manager == week.manager:
                taken += 1
    return handed, taken


def _unmade_minutes(week: _ManagerWeek, routes: RoutePlan | None) -> int:
    """A manager with no visit block: the service minutes of his due visits no one made —
    all of them without a route plan; given one, those it left out (a neighbour who made
    one of them for him, the routes' hand-over, counts its minutes in his own figures)."""
    if routes is None:
        return sum(service_minutes(item.retailer, week.policy) * item.visits for item in week.due)
    return sum(service_minutes(week.retailers[item.retailer], week.policy) for item in routes.unvisited
               if item.manager == week.manager and item.retailer in week.retailers)


def _unplanned_count(routes: RoutePlan, manager: str) -> int:
    return sum(1 for item in routes.unvisited if item.manager == manager)


def _estimated(week: _ManagerWeek, tallies: dict[dt.date, _DayTally]) -> float:
    """Without routes: each visit's service and nearest-place ride go to the day with
    the most room left; returns the mean ride per visit."""
    nearest = nearest_rides(week.department, week.policy, [item.retailer for item in week.due])
    rides: list[int] = []
    for item, ride in zip(week.due, nearest, strict=True):
        service = service_minutes(item.retailer, week.policy)
        for _ in range(item.visits):
            rides.append(ride)
            if tallies:
                day = max(tallies.values(), key=lambda t: t.room)
                day.service += service
                day.riding += ride
                day.planned += 1
    if rides and tallies:  # every day rides out from the office to its first retailer
        ride_out = min(nearest_ride_from_office(week.department, week.policy, item.retailer)
                       for item in week.due)
        for day in tallies.values():
            day.riding += ride_out
            rides.append(ride_out)
    return sum(rides) / max(sum(item.visits for item in week.due), 1)


def _from_routes(week: _ManagerWeek, routes: RoutePlan,
                 tallies: dict[dt.date, _DayTally]) -> tuple[float, int, int]:
    """With routes: each day's planned visits as routed, then each visit left out that
    more room mends at the manager's mean ride per visit; returns that mean, the minutes
    left out and how many visits were left out for a reason more room does not mend."""
    planned_rides = planned_visits = 0
    for route in routes.routes:
        if route.manager != week.manager or route.date not in tallies:
            continue
        tally = tallies[route.date]
        for stop in route.stops:
            if stop.kind == "visit":
                tally.service += stop.end - stop.start
                tally.riding += stop.ride_min
                tally.planned += 1
                planned_rides += stop.ride_min
                planned_visits += 1
    if planned_visits:
        ride_per_visit = planned_rides / planned_visits
    else:
        rides = nearest_rides(week.department, week.policy, [item.retailer for item in week.due])
        ride_per_visit = sum(rides) / len(rides) if rides else 0.0
    unplanned_min = unmendable = 0
    for item in routes.unvisited:
        if item.manager != week.manager or item.retailer not in week.retailers:
            continue
        if item.reason not in MENDED_BY_ROOM:
            unmendable += 1
            continue
        minutes = service_minutes(week.retailers[item.retailer], week.policy) + round(ride_per_visit)
        unplanned_min += minutes
        if not tallies:
            continue
        day = tallies.get(item.date) if item.date is not None else None
        day = day or max(tallies.values(), key=lambda t: t.room)
        day.service += minutes - round(ride_per_visit)
        day.riding += round(ride_per_visit)
        day.unplanned += 1
    return ride_per_visit, unplanned_min, unmendable
