"""Route hand-over: the week's routes after a re-plan.

Stops that started before `now` stay as they were (a sick manager's only those started
before he fell ill, one under way then ending there, as his visit block does, when
its service was done by then; one he broke off before was not made, and it and the
rest of his are visits to hand on). The rest are fitted again into the
re-planned visit blocks; what cannot stay (a sick manager's, a closed retailer's, what
no longer fits a changed day) is handed on in the policy's order (`replan.handover`):
to the manager's own later days (`next_days`), then to the nearest neighbouring
territory within `replan.neighbour_max_km` (`neighbour`). Urgent visits go to a day
up to their deadline whenever one holds them: the named manager's, the retailer's own,
then (when the policy hands over to neighbours) a neighbouring territory's, making room
there when they must, before any day after the deadline. Key customers first, as in
the week's routes (routing/visit_value.py): a visit that finds no room takes the place
of the fewest, least valuable visits after `now` on a day it may go to, and those look
for a place again, or are listed saying whose visit took theirs. One made late is listed in
`late` with the true cause (who is off, who has no visit time, whose days are full). A
visit that finds no place is listed in `unplaced` with its reason: no due visit is lost
silently."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from engine.domain import Retailer, Timetable
from engine.policy import Policy, ReplanRules, parse_clock
from engine.replan.result import (
    LEFT_OUT_BY_THE_WEEK,
    LateVisit,
    ReplanRoute,
    ReplanStop,
    StopChange,
    UnplacedReason,
    UnplacedVisit,
)
from engine.replan.situation import Situation
from engine.routing.approach import manager_approach
from engine.routing.daily import (
    DayRoute,
    FieldDay,
    Place,
    Territory,
    TimedRoute,
    TimedStop,
    appointment_days,
    build_itinerary,
    cheapest_feasible_insertion,
    drop_until_feasible,
    field_days,
    fits_alone,
    part_day_leave,
    required_stops,
    route_km,
    service_minutes,
    time_visit_route,
)
from engine.routing.matrix import great_circle_km, straight_line_matrix
from engine.routing.neighbours import neighbours
from engine.routing.plan import OfficeLeg, called_for_the_week
from engine.routing.visit_value import room_by_cheaper, visit_values
from engine.work_calendar import WorkCalendar


@dataclasses.dataclass
class _Visit:
    """A visit to place: where it was planned and where it ends up."""

    retailer: str
    owner: str
    manager: str | None
    date: dt.date | None
    reason: UnplacedReason | None = None
    detail: str = ""
    urgent_by: dt.date | None = None
    assigned: str | None = None
    """The manager an urgent visit is given to."""
    to_manager: str | None = None
    to_date: dt.date | None = None
    visited_before: dt.date | None = None
    """For an urgent visit: the day this week the retailer was visited before `now`."""
    named: bool = False
    """For an urgent visit: the event names the manager it is asked of (`assigned`)."""
    left_out: bool = False
    """For an urgent visit: it makes the visit of its retailer the week's routes left out."""

    @property
    def replaces_a_planned_one(self) -> bool:
        """An urgent visit that is the week's planned visit to its retailer, made urgent."""
        return self.urgent_by is not None and self.date is not None


@dataclasses.dataclass
class _PlannedRoutes:
    """The week's route plan read at `now`."""

    pinned: dict[tuple[str, dt.date], list[ReplanStop]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    lunch_taken: dict[tuple[str, dt.date], int | None] = dataclasses.field(default_factory=dict)
    """Manager-days whose lunch started before `now`, with the minute it ends (None: not given)."""
    lunch_pinned: dict[tuple[str, dt.date], tuple[int, int, bool]] = dataclasses.field(default_factory=dict)
    """Those lunches whose end is given: (start, end, taken at the next place: the route
    rode back from its last visit before it, `LUNCH_AT_NEXT_PLACE`), as the re-plan's
    routes state them."""
    not_made: dict[tuple[str, dt.date], list[ReplanStop]] = dataclasses.field(
        default_factory=lambda: defaultdict(list))
    """Stops he set out for before `now` at a shop found closed: not made, but he rode
    there, so the route keeps the ride (the next leg leaves from there, the day's totals
    count it) and lists the stop in `stops_not_made`."""
    visits: list[_Visit] = dataclasses.field(default_factory=list)
    """Every visit after `now`, and the urgent ones."""
    staying: dict[tuple[str, dt.date], list[_Visit]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    """Visits no event moves: they try their own day first."""
    unplaced: list[UnplacedVisit] = dataclasses.field(default_factory=list)


_CARRIED_REASONS: dict[Any, UnplacedReason] = {
    "manager_absent": "manager_absent", "retailer_closed": "retailer_closed", "called_by_phone": "called_by_phone"}


def _read_routes(situation: Situation, routes: Mapping[str, Any]) -> _PlannedRoutes:
    """Split the route plan into stops pinned before `now` and visits still to place,
    each visit that an event moves marked with its reason."""
    retailers = {r.id: r for r in situation.department.retailers}
    read = _PlannedRoutes()
    for item in routes.get("unvisited", []):
        # An earlier re-plan's visit lost to an event keeps its cause (the route planner
        # never gives these), one the routes call by phone instead (an applied capacity
        # proposal) stays so; any other the week's routes left out is `not_planned`.
        given = item.get("reason")
        kept: UnplacedReason = _CARRIED_REASONS.get(given, "not_planned")
        read.unplaced.append(UnplacedVisit(
            retailer=item["retailer"], manager=item.get("manager") or retailers[item["retailer"]].manager,
            date=item.get("date"), reason=kept, detail=item.get("detail") or item.get("reason", "")))
    for route in routes.get("routes", []):
        manager, date = route["manager"], dt.date.fromisoformat(str(route["date"]))
        absence = situation.absences.get(manager)
        lunch = route.get("lunch_start")
        if lunch is not None and situation.pinned(date, parse_clock(lunch)):
            lunch_end = route.get("lunch_end")
            read.lunch_taken[(manager, date)] = None if lunch_end is None else parse_clock(lunch_end)
            if lunch_end is not None:
                read.lunch_pinned[(manager, date)] = (parse_clock(lunch), parse_clock(lunch_end),
                                                      _rode_back_before(route, parse_clock(lunch)))
        for stop in route.get("stops", []):
            if stop.get("kind", "visit") != "visit":
                continue  # a fixed appointment: the re-planned timetable's blocks give it (`routes`)
            start = parse_clock(stop["start"])
            # A shop closed all day was found closed: a visit to it before `now` was not made.
            closed = (stop["retailer"], date) in situation.closed
            end = parse_clock(stop["end"])
            started = situation.pinned(date, _set_out(stop, start))
            broken_off = started and _broken_off(situation, manager, date, start, end, retailers[stop["retailer"]])
            if started and not closed and not broken_off \
                    and not (absence is not None and absence.covers(date, start)):
                # Done, or under way when he fell ill with its service done: then it ends
                # there, as his visit block does.
                if absence is not None and absence.date == date and start < absence.minute < end:
                    end = absence.minute
                read.pinned[(manager, date)].append(ReplanStop(
                    retailer=stop["retailer"], arrive=parse_clock(stop["arrive"]), start=start,
                    end=end, pinned=True, ride_min=_ride(stop)))
                continue
            if started and closed and not (absence is not None and absence.covers(date, start)):
                read.not_made[(manager, date)].append(ReplanStop(
                    retailer=stop["retailer"], arrive=parse_clock(stop["arrive"]), start=start,
                    end=end, pinned=True, ride_min=_ride(stop)))
            visit = _Visit(stop["retailer"], retailers[stop["retailer"]].manager, manager, date)
            read.visits.append(visit)
            if broken_off and not closed:
                assert absence is not None
                visit.reason, visit.detail = "manager_absent", (
                    f"{manager} is off sick from {absence.since}: it broke off his visit under way then "
                    f"({stop['start']}-{stop['end']}) before its service was done, so it was not made")
            elif absence is not None and absence.covers(date, start):
                visit.reason, visit.detail = "manager_absent", f"{manager} is off sick"
            elif closed:
                found = f", found closed at {stop['start']}: the visit was not made" \
                    if situation.pinned(date, start) else ""
                visit.reason, visit.detail = "retailer_closed", f"closed on {date}{found}"
            else:
                read.staying[(manager, date)].append(visit)
    for event in situation.urgent:
        _add_urgent(read, event.retailer, retailers[event.retailer].manager, event.by or situation.today,
                    event.manager)
    return read


def _broken_off(situation: Situation, manager: str, date: dt.date, start: int, end: int,
                retailer: Retailer) -> bool:
    """A stop under way when its manager fell ill that he had not worked its service of
    (`service_minutes`: the policy's minimum at least) by then: the visit was not made,
    and is his to hand on like those he did not start. One whose service was done
    by then was made, and ends there."""
    absence = situation.absences.get(manager)
    return (absence is not None and absence.date == date and start < absence.minute < end
            and absence.minute - start < service_minutes(retailer, situation.policy))


def _set_out(stop: Mapping[str, Any], start: int) -> int:
    """When the manager set out for a stop: its arrival less its ride (`ride_min`). A stop
    he set out for before `now` is his, as one he started is: he is on the way, so it
    stays as planned, ride and all, and his route goes on from there. A stop without its
    ride (a route plan of an older re-plan) is read from its start."""
    ride = _ride(stop)
    if ride is None:
        return start
    return min(start, parse_clock(stop["arrive"]) - ride)


def _ride(stop: Mapping[str, Any]) -> int | None:
    """The stop's ride in whole minutes, None when the route plan does not give it."""
    ride = stop.get("ride_min")
    return None if ride is None else round(ride)


def _add_urgent(read: _PlannedRoutes, retailer: str, owner: str, by: dt.date, manager: str | None) -> None:
    """An urgent visit takes the place of the week's first visit to the retailer still to
    come (a retailer due once in weeks is not visited twice in a few days): that visit is
    made urgent, and stays on its day when the day is in time. Without one it is a new
    visit; the words say when the retailer was visited this week before `now`."""
    planned = min((v for v in read.visits if v.retailer == retailer and v.urgent_by is None and v.date is not None),
                  key=lambda v: v.date or dt.date.max, default=None)
    if planned is not None:
        assert planned.manager is not None and planned.date is not None
        key = (planned.manager, planned.date)
        if key in read.staying:
            read.staying[key] = [v for v in read.staying[key] if v is not planned]
        planned.urgent_by, planned.assigned, planned.reason = by, manager or planned.manager or owner, None
        planned.named = manager is not None
        planned.detail = "urgent visit"
        return
    done = [date for (_, date), stops in read.pinned.items() if any(s.retailer == retailer for s in stops)]
    # A visit of the retailer the week's routes left out is the one the urgent visit makes:
    # it is listed no more (the urgent visit is, should it find no place either).
    left_out = next((u for u in read.unplaced if u.retailer == retailer), None)
    if left_out is not None:
        read.unplaced.remove(left_out)
    read.visits.append(_Visit(retailer, owner, None, None, urgent_by=by, detail="urgent visit",
                              assigned=manager or owner, visited_before=max(done, default=None),
                              named=manager is not None, left_out=left_out is not None))


class _Handover:
    """The routes being rebuilt: each manager-day's order of visits after `now`."""

    def __init__(self, situation: Situation, timetable: Timetable, rules: ReplanRules, read: _PlannedRoutes):
        self.situation, self.rules, self.read = situation, rules, read
        self.policy = situation.policy
        self.retailers = {r.id: r for r in situation.department.retailers}
        department, monday = situation.department, timetable.week_start
        rules_of = dict(WorkCalendar(department, self.policy).working_days(monday))
        # The days as the week's routes read them, part-day leave included: no ride in it,
        # back at the office by its start (the re-plan's routes rode into it).
        self.days = {m.id: {d.date: d for d in field_days(timetable, self.policy, m.id, rules_of,
                                                          manager_approach(department, self.policy, monday, m.id),
                                                          part_day_leave(department.leave, m.id))}
                     for m in department.managers}
        # Days with fixed field blocks at retailers but no visit block, routed as the week's are.
        self.appointment_days = {m.id: {d.date: d for d in appointment_days(timetable, self.policy, m.id,
                                                                            part_day_leave(department.leave, m.id))}
                                 for m in department.managers}
        self.territories = _territories(situation, timetable, rules, read)
        self.centres = situation.department.territory_centres()
        self.orders: dict[tuple[str, dt.date], list[str]] = {}
        self._remainder: dict[tuple[str, dt.date], FieldDay | None] = {}
        self.unplaced = list(read.unplaced)
        # An urgent visit is worth more than any other: it never makes way (`_make_way_for`).
        self.values = visit_values(self.retailers, self.policy, monday)
        above_all = max(self.values.values(), default=0) + 1
        self.values.update({v.retailer: above_all for v in read.visits if v.urgent_by is not None})
        self.late: list[LateVisit] = []
        self.notes: list[str] = []

    def day_of(self, manager: str, date: dt.date) -> FieldDay | None:
        """What is left of the manager's field day after `now` (None: nothing)."""
        key = (manager, date)
        if key not in self._remainder:
            # He goes on from the last stop he set out for, one found closed too.
            gone = sorted([*self.read.pinned.get(key, []), *self.read.not_made.get(key, [])], key=lambda s: s.start)
            self._remainder[key] = _remaining_day(self.days[manager].get(date), gone,
                                                  self.situation, key in self.read.lunch_taken,
                                                  self.read.lunch_taken.get(key))
        return self._remainder[key]

    def refit_own_days(self) -> None:
        """Visits no event moves stay on their day, as many as the re-planned day holds."""
        for (manager, date), planned in sorted(self.read.staying.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            day = self.day_of(manager, date)
            if day is None:
                for visit in planned:
                    visit.reason, visit.detail = "no_room_in_day", _no_time_left_words(manager, date, self.situation)
                continue
            order = [v.retailer for v in planned]
            _, kept, _ = drop_until_feasible(day, order, self.retailers, self.territories[manager], self.policy)
            self.orders[(manager, date)] = kept
            remaining = list(planned)
            for retailer_id in kept:
                visit = next(v for v in remaining if v.retailer == retailer_id)
                remaining.remove(visit)
                visit.to_manager, visit.to_date = manager, date
            for visit in remaining:
                visit.reason, visit.detail = "no_room_in_day", "it no longer fits its day once the day changed"

    def place_the_rest(self) -> None:
        """Every visit without a day, urgent ones first: the first day of its options
        that holds it; an urgent visit may bump ordinary ones, which then look again."""
        homeless = deque(sorted((v for v in self.read.visits if v.to_date is None),
                                key=lambda v: (v.urgent_by is None, v.date or self.situation.today, v.retailer)))
        while homeless:
            visit = homeless.popleft()
            open_days = [(m, d) for m, d in _options(visit, self.situation, self.rules, self.days, self.centres)
                         if (visit.retailer, d) not in self.situation.closed and self.day_of(m, d) is not None
                         and visit.retailer in self.territories[m].index]
            options = [(m, d) for m, d in open_days if not self._visited_on(visit, d)]
            visited = sorted({d for _, d in open_days} - {d for _, d in options})
            if visit.urgent_by is None:
                self._insert(visit, options)
                if visit.to_date is None:
                    homeless.extend(self._make_way_for(visit, options))
            else:
                # A day in time, room made on it if need be, before any day after the deadline.
                by = visit.urgent_by
                for tier in ([o for o in options if o[1] <= by], [o for o in options if o[1] > by]):
                    self._insert(visit, tier)
                    if visit.to_date is None:
                        homeless.extend(self._make_room_for(visit, tier))
                    if visit.to_date is not None:
                        break
            if visit.urgent_by is not None and visit.to_date is not None:
                visit.detail = _urgent_words(visit, self._why_not_in_time)
                if visit.to_date > visit.urgent_by:
                    self.late.append(LateVisit(retailer=visit.retailer, manager=visit.to_manager or visit.owner,
                                               due_by=visit.urgent_by, date=visit.to_date, detail=visit.detail))
                elif (visit.to_manager, visit.to_date) == (visit.manager, visit.date):
                    # Said only of one in time: one late is in `late`, with its cause; and
                    # why the manager the event names does not make it, when it names one.
                    instead = f" ({visit.assigned}, named for it, cannot make it by then)" \
                        if visit.named and visit.assigned != visit.manager else ""
                    self.notes.append(f"urgent visit to {visit.retailer} by {visit.urgent_by}: its visit planned "
                                      f"on {visit.date} ({visit.manager}) is in time and stays{instead}")
                elif visit.named and visit.to_manager == visit.assigned and visit.manager not in (None, visit.assigned):
                    self.notes.append(f"urgent visit to {visit.retailer} by {visit.urgent_by}: made by "
                                      f"{visit.assigned}, named for it, on {visit.to_date}, in place of the visit "
                                      f"planned with {visit.manager} on {visit.date}")
            if visit.to_date is None:
                reason: UnplacedReason = visit.reason or (
                    self._urgent_unplaced_reason(visit) if visit.urgent_by is not None else "no_room_in_day")
                detail = _urgent_unplaced_words(visit, self._why_not_in_time(visit, None)) \
                    if visit.urgent_by is not None else _unplaced_words(
                    visit, self.rules, _lost_to_his_absence(visit, self.situation)
                    and "neighbour" in self.rules.handover, self._no_neighbour_words(visit.manager or visit.owner),
                    self._off_to_the_end(visit.manager), self.situation.week_over)
                if visited:
                    detail += f"; {visit.retailer} has a visit on {_days(visited)} already (once a day at most)"
                self.unplaced.append(UnplacedVisit(retailer=visit.retailer, manager=visit.owner, date=visit.date,
                                                   reason=reason, detail=detail))

    def _visited_on(self, visit: _Visit, date: dt.date) -> bool:
        """A retailer is visited once a day at most, as in the week's routes
        (routing/due.py): a day it has a visit to come on, by any manager, takes no other,
        nor does one it was visited on before `now`, save for an urgent visit (the
        event asks for another besides the one made before it was asked)."""
        if any(visit.retailer in order for (_, day), order in self.orders.items() if day == date):
            return True
        return visit.urgent_by is None and any(
            stop.retailer == visit.retailer for (_, day), stops in self.read.pinned.items() if day == date
            for stop in stops)

    def _insert(self, visit: _Visit, options: Sequence[tuple[str, dt.date]]) -> None:
        """At the cheapest place of the first option whose day still holds every rule."""
        for manager, date in options:
            order = self.orders.setdefault((manager, date), [])
            if visit.retailer in order:
                continue
            day = self.day_of(manager, date)
            assert day is not None
            found = cheapest_feasible_insertion(day, order, visit.retailer, self.retailers,
                                                self.territories[manager], self.policy)
            if found is not None:
                self.orders[(manager, date)] = found[1]
                visit.to_manager, visit.to_date = manager, date
                return

    def _make_way_for(self, visit: _Visit, options: Sequence[tuple[str, dt.date]]) -> list[_Visit]:
        """A visit no option has room for takes the place of the fewest, least valuable
        visits after `now` (the week's rule, `room_by_cheaper`) on the cheapest such day of
        the first manager of its options who has one (the hand-over's order); returns those
        it displaced, to look for a place again. Stops before `now` are in no order, and
        urgent visits are worth more than any (`values`): neither makes way."""
        retailer = self.retailers[visit.retailer]
        for manager in dict.fromkeys(m for m, _ in options):
            territory = self.territories[manager]
            best: tuple[tuple[int, int, float], dt.date, list[str], list[str]] | None = None
            for date in (d for m, d in options if m == manager):
                order = self.orders.setdefault((manager, date), [])
                day = self.day_of(manager, date)
                if day is None or visit.retailer in order or not fits_alone(day, retailer, territory, self.policy):
                    continue
                room = room_by_cheaper(day, order, visit.retailer, self.values, self.retailers, territory,
                                       self.policy)
                if room is not None and (best is None or room[0] < best[0]):
                    best = (room[0], date, room[1], room[2])
            if best is None:
                continue
            _, date, self.orders[(manager, date)], removed = best
            visit.to_manager, visit.to_date = manager, date
            key = self.policy.visit_value is not None and retailer.retailer_class == self.policy.visit_value.key_class
            whose = f"{visit.owner}'s {'key customer' if key else 'customer'} " if visit.owner != manager else ""
            words = (f"made way on {date:%a} for {whose}{visit.retailer} (class {retailer.retailer_class}, "
                     "a more valuable visit)")
            displaced = []
            for retailer_id in removed:
                other = self._unplace(retailer_id, manager, date)
                other.detail = f"{other.detail}; {words}" if other.reason else words
                other.reason = other.reason or "no_room_in_day"
                displaced.append(other)
            return displaced
        return []

    def _unplace(self, retailer_id: str, manager: str, date: dt.date) -> _Visit:
        """The ordinary visit of the retailer on the manager's day, taken off it (a visit
        that made way or room for another)."""
        other = next(v for v in self.read.visits if (v.retailer, v.to_manager, v.to_date)
                     == (retailer_id, manager, date) and v.urgent_by is None)
        other.to_manager = other.to_date = None
        return other

    def _make_room_for(self, visit: _Visit, options: Sequence[tuple[str, dt.date]]) -> list[_Visit]:
        """An urgent visit takes the place of ordinary ones; returns those bumped."""
        for manager, date in options:
            order = self.orders.setdefault((manager, date), [])
            day = self.day_of(manager, date)
            assert day is not None
            # Another urgent visit of that day never makes room (three urgent visits of one
            # day: the third took the second's place, which no ordinary visit held).
            urgent = {v.retailer for v in self.read.visits
                      if v.urgent_by is not None and (v.to_manager, v.to_date) == (manager, date)}
            made = _make_room(day, order, visit.retailer, self.retailers, self.territories[manager], self.policy,
                              keep=urgent)
            if made is None:
                continue
            self.orders[(manager, date)], bumped = made
            visit.to_manager, visit.to_date = manager, date
            moved = []
            for retailer_id in bumped:
                other = self._unplace(retailer_id, manager, date)
                other.reason = other.reason or "no_room_in_day"
                other.detail = f"made room for the urgent visit to {visit.retailer}"
                moved.append(other)
            return moved
        return []

    def _why_not_in_time(self, visit: _Visit, only: str | None) -> str:
        """The true cause an urgent visit is made by no one up to its deadline (`only`:
        why that one manager did not make it): each manager who may take it, off sick, on
        leave, without visit time left or with his days up to then full; the retailer
        closed; no neighbouring territory near enough."""
        by = visit.urgent_by
        assert by is not None
        dates = [d for d in self.situation.dates if self.situation.today <= d <= by]
        closed = [d for d in dates if (visit.retailer, d) in self.situation.closed]
        open_dates = [d for d in dates if d not in closed]
        if only is not None:
            return self._why_not_of(only, visit.retailer, open_dates)
        parts = [f"{visit.retailer} is closed on {_days(closed)}"] if closed else []
        owner = visit.owner
        parts += [f"{m}: {self._why_not_of(m, visit.retailer, open_dates)}"
                  for m in _urgent_managers(visit, self.rules, self.centres) if open_dates]
        if "neighbour" not in self.rules.handover:
            parts.append("the policy's replan.handover names no neighbour to take it")
        elif (no_neighbour := self._no_neighbour_words(owner)) is not None:
            parts.append(no_neighbour)
        if not parts:
            return f"urgent visit due by {by}: no working day of the week falls from now " \
                   f"({self.situation.today}) up to then"
        return f"urgent visit due by {by}: no day up to then takes it ({'; '.join(parts)})"

    def _urgent_unplaced_reason(self, visit: _Visit) -> UnplacedReason:
        """The code of the cause an urgent visit is made on no day of the week, as the
        words of `_why_not_in_time` give it: the retailer closed on every day left; else
        everyone who may take it (`_urgent_managers`) off sick or on leave on every day
        left it is open (as a sick manager's other visits are `manager_absent`); else
        no room."""
        dates = [d for d in self.situation.dates if d >= self.situation.today]
        open_dates = [d for d in dates if (visit.retailer, d) not in self.situation.closed]
        if not open_dates:
            return "retailer_closed"
        if all(self._absent(m, d) for m in _urgent_managers(visit, self.rules, self.centres) for d in open_dates):
            return "manager_absent"
        return "no_room_in_day"

    def _absent(self, manager: str, date: dt.date) -> bool:
        """Off sick that day, or on leave without a field day."""
        absence = self.situation.absences.get(manager)
        if absence is not None and absence.date <= date <= absence.until:
            return True
        return date not in self.days[manager] and any(
            (entry.manager, entry.date) == (manager, date) for entry in self.situation.department.leave)

    def _why_not_of(self, manager: str, retailer: str, dates: Sequence[dt.date]) -> str:
        """Why `manager` makes no visit to `retailer` on any of `dates`, day by day."""
        absence = self.situation.absences.get(manager)
        mine = [entry for entry in self.situation.department.leave if entry.manager == manager]
        on_leave = {entry.date for entry in mine if entry.start is None}
        # Part of the day: the visit block it leaves no room for is what is missing.
        part_leave = {entry.date for entry in mine if entry.start is not None}
        why: dict[str, list[dt.date]] = defaultdict(list)
        for date in dates:
            if absence is not None and absence.date <= date <= absence.until:
                why[f"off sick from {absence.since}"].append(date)
            elif date not in self.days[manager]:
                why["on leave" if date in on_leave else "no visit block beside his part-day leave"
                    if date in part_leave else "no visit block"].append(date)
            elif self.day_of(manager, date) is None:
                why["no visit time left after now"].append(date)
            elif retailer not in self.territories[manager].index:
                why["not his territory"].append(date)
            else:
                why["no room in his visit blocks"].append(date)
        if not why:
            return "no working day up to then"
        return ", ".join(f"{words} on {_days(days)}" if not words.startswith("off sick") else words
                         for words, days in why.items())

    def _off_to_the_end(self, manager: str | None) -> bool:
        """True when the manager is off sick to the end of the week: no later day of his."""
        absence = self.situation.absences.get(manager or "")
        return absence is not None and absence.until >= self.situation.dates[-1]

    def _no_neighbour_words(self, manager: str) -> str | None:
        """When the policy hands over to neighbours but no colleague's territory centre
        lies within `replan.neighbour_max_km` of the manager's: that, with the nearest."""
        if "neighbour" not in self.rules.handover or _neighbours(manager, self.centres, self.rules):
            return None
        others = [m for m in self.centres if m != manager]
        if manager not in self.centres or not others:
            return "no colleague is there to take it"
        here = self.centres[manager]
        km = great_circle_km([here[0]], [here[1]], [self.centres[m][0] for m in others],
                             [self.centres[m][1] for m in others])[0]
        nearest_km, nearest = min(zip(km.tolist(), others, strict=True))
        return (f"no neighbouring territory qualifies: no colleague's territory centre lies within "
                f"{self.rules.neighbour_max_km:g} km of {manager}'s (replan.neighbour_max_km), the nearest, "
                f"{nearest}'s, is {nearest_km:.1f} km away")

    def routes(self) -> tuple[ReplanRoute, ...]:
        """Each manager-day's pinned stops followed by its visits after `now`, timed, with
        the fixed appointments of the re-planned timetable's day in their places, and the
        fields of the day the week's routes carry (`_day_fields`: rides, visit block,
        lunch). Without the appointments a re-plan's routes lost every promotion, POS and
        maintenance stop, and a day of appointments only its route; without the lunch a
        reader of the routes did not learn when a lunch on the road is taken."""
        out: list[ReplanRoute] = []
        routed = set(self.read.pinned) | {k for k, stops in self.read.not_made.items() if stops} | {k for k, order in self.orders.items() if order}
        keys = routed | {(m, date) for m in self.days for date in (*self.days[m], *self.appointment_days[m])}
        for manager, date in sorted(keys, key=lambda k: (k[0], k[1])):
            key = (manager, date)
            visits = sorted([*self.read.pinned.get(key, []), *self.read.not_made.get(key, [])], key=lambda s: s.start)
            order = self.orders.get(key, [])
            day = self.day_of(manager, date)
            timed = None
            if day is not None:
                # Timed with no visit too: the rest of the day still takes its lunch on the road.
                timed = time_visit_route(day, order, self.retailers, self.territories[manager], self.policy)
                visits += [ReplanStop(retailer=s.retailer, arrive=s.arrive, start=s.start, end=s.end,
                                      ride_min=s.ride_minutes) for s in timed.stops]
            if key in self.read.lunch_taken:
                route = self._timed_day(manager, date, visits, self.read.lunch_pinned.get(key))
            elif timed is not None and timed.lunch is not None:
                # Where the timing of the rest of the day puts the lunch, and leaves from.
                route = self._timed_day(manager, date, visits, (*timed.lunch, False),
                                        (timed.leave_last, timed.lunch_wait))
            else:
                route = self._timed_day(manager, date, visits, None)
            route = route or ReplanRoute(manager=manager, date=date,
                                         stops=tuple(s for s in visits if s not in self.read.not_made.get(key, [])))
            if route.stops or key in routed:
                out.append(route)
        return tuple(out)

    def _timed_day(self, manager: str, date: dt.date, visits: Sequence[ReplanStop],
                   lunch_at: tuple[int, int, bool] | None,
                   timing: tuple[int, int] | None = None) -> ReplanRoute | None:
        """The day's route as the week's routes give it (`build_itinerary`, `_day_plan`):
        `visits` (pinned and to come) with the fixed appointments at retailers of the
        manager's day in the re-planned timetable timed around them (the ride from the
        office, the last visit or the appointment before), the rides, the visit block,
        where the day starts and the lunch; None when the re-planned timetable gives the
        manager no field day on `date`. `lunch_at`: the lunch on the road (start, end,
        taken at the next place after the ride back); `timing`: where the day's last
        visit or lunch leaves from and the wait for the lunch window, as
        `time_visit_route` timed them (else read from `visits` and the lunch)."""
        day = self.days[manager].get(date) or self.appointment_days[manager].get(date)
        if day is None:
            return None
        pinned = {(s.retailer, s.start) for s in visits if s.pinned}
        not_made = {(s.retailer, s.start) for s in self.read.not_made.get((manager, date), [])}
        # As `time_visit_route` times a day: the lunch is taken after a stop (or at the
        # block's start), the wait for its window idle, and a lunch after the last stop
        # is where the manager leaves from.
        leave_last, lunch_wait = visits[-1].end if visits else day.block_start, 0
        lunch = None if lunch_at is None else lunch_at[:2]
        # A lunch taken before `now` stays as it was though the re-planned block now ends
        # during it (he fell ill at lunch).
        if lunch is not None and not (day.visit_block and day.block_start <= lunch[0] and (
                lunch[1] <= day.block_end or (timing is None and lunch[0] < day.block_end))):
            lunch = None  # a lunch block of the timetable, not one on the road: the itinerary reads it there
        if lunch is not None and timing is not None:
            leave_last, lunch_wait = timing
        elif lunch is not None and not (lunch_at is not None and lunch_at[2]):
            lunch_wait = max(0, lunch[0] - max((s.end for s in visits if s.end <= lunch[0]), default=day.block_start))
            if lunch[0] >= leave_last:
                leave_last = lunch[1]
        timed = TimedRoute(tuple(TimedStop(s.retailer, s.arrive, s.start, s.end, s.ride_min or 0) for s in visits),
                           lunch, leave_last, None, 0, lunch_wait)
        itinerary = build_itinerary(DayRoute(day, timed, ()), self.territories[manager], self.policy)
        stops = tuple(ReplanStop(
            retailer=s.retailer, kind=s.kind, arrive=s.arrive, start=s.start, end=s.end,
            pinned=(s.retailer, s.start) in pinned if s.kind == "visit" else self.situation.pinned(date, s.start),
            ride_min=s.ride_minutes, origin=s.origin, ride_km=round(s.ride_km, 3)) for s in itinerary.stops)
        own = [r.id for r in self.retailers.values() if r.manager == manager]
        gone = tuple(s for s in stops if s.kind == "visit" and (s.retailer, s.start) in not_made)
        stops = tuple(s for s in stops if s not in gone)
        return ReplanRoute(
            manager=manager, date=date, stops=tuple(sorted(stops, key=lambda s: s.start)), stops_not_made=gone,
            depart=itinerary.depart, return_=itinerary.back_at_office, distance_km=round(itinerary.distance_km, 3),
            travel_minutes=itinerary.travel_minutes, visits=sum(s.kind == "visit" for s in stops),
            visit_start=day.block_start, visit_end=day.block_end, start_from=day.start_place.retailer or "office",
            lunch_start=itinerary.lunch[0] if itinerary.lunch else None,
            lunch_end=itinerary.lunch[1] if itinerary.lunch else None,
            waiting_minutes=itinerary.waiting_minutes, idle_minutes=itinerary.idle_minutes,
            office_returns=tuple(OfficeLeg(origin=r.origin, leave=r.leave, arrive=r.arrive,
                                           ride_min=r.ride_minutes, ride_km=round(r.ride_km, 3))
                                 for r in itinerary.office_returns),
            required_stops=(required_stops([s.retailer for s in stops if s.kind == "visit"], self.retailers,
                                           self.policy, own) or None) if day.visit_block else None)


def _rode_back_before(route: Mapping[str, Any], lunch_start: int) -> bool:
    """Whether a route of the week took its lunch at the next place (`LUNCH_AT_NEXT_PLACE`):
    a ride back from its last visit before the lunch left before the lunch began."""
    visits = [parse_clock(s["end"]) for s in route.get("stops", []) if s.get("kind", "visit") == "visit"]
    if not visits or max(visits) > lunch_start:
        return False
    return any(max(visits) <= parse_clock(leg["leave"]) < lunch_start for leg in route.get("office_returns", [])
               if isinstance(leg, Mapping) and leg.get("leave"))


def replan_routes(situation: Situation, timetable: Timetable, routes: Mapping[str, Any], rules: ReplanRules,
                  ) -> tuple[tuple[ReplanRoute, ...], list[StopChange], list[UnplacedVisit], list[LateVisit],
                             list[str]]:
    """Keep the stops before `now`, re-fit the rest into the new visit blocks, and hand
    on what cannot stay (see the module text): the routes, the stop changes, the
    visits that found no place, the urgent visits made after their deadline and notes
    (an urgent visit met by one planned in time)."""
    read = _read_routes(situation, routes)
    handover = _Handover(situation, timetable, rules, read)
    handover.refit_own_days()
    handover.place_the_rest()
    handover.notes += _left_out_before_words(handover.unplaced)
    handover.notes += _calls_cancelled_words(situation, handover.unplaced)
    return handover.routes(), stop_changes(read.visits, situation), handover.unplaced, handover.late, handover.notes


def _left_out_before_words(unplaced: Sequence[UnplacedVisit]) -> list[str]:
    """`unplaced` lists the visits the week's own routes left out too (`not_planned`,
    `called_by_phone`), as the routes' `unvisited` did, beside those the re-plan found no
    place for: a note gives both counts, so a count of one is not read as the other's."""
    reasons = Counter(u.reason for u in unplaced if u.reason in LEFT_OUT_BY_THE_WEEK)
    before = sum(reasons.values())
    if not before:
        return []
    given = ", ".join(f"{n} {reason}" if len(reasons) > 1 else reason for reason, n in sorted(reasons.items()))
    return [f"unplaced lists {len(unplaced)} visit(s): {len(unplaced) - before} the re-plan found no place for, "
            f"and {before} the week's routes had already left out (reason {given})"]


def _calls_cancelled_words(situation: Situation, unplaced: Sequence[UnplacedVisit]) -> list[str]:
    """Visits the week calls by phone instead (`called_by_phone`) whose caller's phone
    slots after `now` his sickness cancels: one line per caller, saying who was to call
    them. The re-plan hands no phone calls over; they are left to the market manager."""
    callers = called_for_the_week(situation.department, situation.timetable.week_start)
    by_caller: dict[str, list[str]] = defaultdict(list)
    for u in unplaced:
        if u.reason == "called_by_phone":
            by_caller[callers.get(u.retailer, u.manager)].append(u.retailer)
    words = []
    for caller, retailers in sorted(by_caller.items()):
        absence = situation.absences.get(caller)
        if absence is None:
            continue
        cancelled = [b for b in situation.timetable.blocks if b.manager == caller and b.kind == "phone"
                     and not situation.pinned(b.date, b.start) and absence.overlaps(b.date, b.end)]
        if cancelled:
            words.append(f"{', '.join(sorted(set(retailers)))}: called in {caller}'s phone slots this week instead "
                         f"of visited (the capacity proposal applied), but {caller} is off sick from "
                         f"{absence.since}, which cancels {len(cancelled)} phone slot(s) of his after now; the "
                         "calls are left to the market manager (the re-plan hands no phone calls over)")
    return words


def _make_room(day: FieldDay, order: Sequence[str], retailer_id: str, retailers: Mapping[str, Retailer],
               territory: Territory, policy: Policy, keep: Collection[str] = ()) -> tuple[list[str], list[str]] | None:
    """Put `retailer_id` where it adds the fewest km and take out other stops (never those
    in `keep`), fewest first, until the day keeps every rule: (new order, stops taken out),
    or None when the visit does not fit the day even alone or beside those kept."""
    if not time_visit_route(day, [retailer_id], retailers, territory, policy, first_stop_rule=False).feasible:
        return None
    trials = [[*order[:i], retailer_id, *order[i:]] for i in range(len(order) + 1)]
    trial = min(trials, key=lambda t: route_km(day, t, territory))
    removed: list[str] = []
    timed = time_visit_route(day, trial, retailers, territory, policy)
    while not timed.feasible:
        options = []
        for index, other in enumerate(trial):
            if other == retailer_id or other in keep:
                continue
            shorter = trial[:index] + trial[index + 1:]
            shorter_timed = time_visit_route(day, shorter, retailers, territory, policy)
            options.append(((shorter_timed.lateness, route_km(day, shorter, territory)), index, shorter_timed))
        if not options:
            return None
        _, index, timed = min(options, key=lambda o: o[0])
        removed.append(trial.pop(index))
    return trial, removed


def _remaining_day(day: FieldDay | None, pinned: Sequence[ReplanStop], situation: Situation,
                   lunch_taken: bool, lunch_end: int | None = None) -> FieldDay | None:
    """The part of a field day still to come: the whole day after today, what is left
    after `now` today, none before today. Today it goes on from the last stop made or
    under way (pinned, ride and all: the first-stop rule met), else from the office at
    `now`, where the first-stop rule still holds while it can (a manager who has not set
    out yet can still leave as planned); after a lunch under way at `now`, once it ends."""
    if day is None or day.date < situation.today:
        return None
    if day.date > situation.today:
        return day
    now = situation.now_minute
    if now >= day.visiting_ends:
        return None
    changes: dict[str, Any] = {}
    if pinned:
        last = pinned[-1]
        changes.update(block_start=max(now, last.end), start_place=Place("retailer", last.retailer),
                       first_stop_by=day.visiting_ends)
    elif now > day.block_start:
        changes.update(block_start=now, first_stop_by=day.first_stop_by if now < day.first_stop_by
                       else day.visiting_ends)
    if lunch_taken:
        changes.update(lunch_minutes=0)
        if lunch_end is not None:
            changes.update(block_start=max(changes.get("block_start", day.block_start), lunch_end))
    return dataclasses.replace(day, **changes) if changes else day


def _territories(situation: Situation, timetable: Timetable, rules: ReplanRules,
                 read: _PlannedRoutes) -> dict[str, Territory]:
    """Each manager's riding matrix: his retailers, his appointments, the visits the week's
    routes give him (a colleague's away that week, handed to him: the re-plan crashed on
    them), the territories he may take visits from (a sick neighbour's) and urgent visits
    given to him."""
    department, policy = situation.department, situation.policy
    centres = department.territory_centres()
    wanted: dict[str, set[str]] = {m.id: {r.id for r in department.territory(m.id)} for m in department.managers}
    for b in timetable.blocks:
        if b.retailer is not None:
            wanted[b.manager].add(b.retailer)
    for visit in read.visits:
        if visit.manager in wanted:
            wanted[visit.manager].add(visit.retailer)
    for (manager, _), stops in read.pinned.items():
        if manager in wanted:
            wanted[manager] |= {stop.retailer for stop in stops}
    for sick in situation.absences:
        # His own retailers and those the week's routes gave him (an absent colleague's
        # handed to him): his neighbours may take either (tester's sample: a key customer
        # handed to m02, left out when m02 fell ill while m06 near by made class-C visits).
        his = {r.id for r in department.territory(sick)} | {v.retailer for v in read.visits if v.manager == sick}
        for manager in _neighbours(sick, centres, rules):
            wanted[manager] |= his
    for event in situation.urgent:
        if event.manager is not None:
            wanted[event.manager].add(event.retailer)
        if "neighbour" in rules.handover:
            # An urgent visit may go to a neighbour of its retailer's manager (`_urgent_managers`).
            owner = next(r.manager for r in department.retailers if r.id == event.retailer)
            for manager in _neighbours(owner, centres, rules):
                wanted[manager].add(event.retailer)
    retailers = {r.id: r for r in department.retailers}
    out = {}
    for manager, ids in wanted.items():
        places = [retailers[i] for i in sorted(ids)]
        matrix = straight_line_matrix(
            [department.office.lat, *(r.lat for r in places)], [department.office.lon, *(r.lon for r in places)],
            ["town", *(r.area for r in places)], policy.travel)
        out[manager] = Territory((None, *(r.id for r in places)), matrix)
    return out


def _neighbours(manager: str, centres: Mapping[str, tuple[float, float]], rules: ReplanRules) -> list[str]:
    """Managers whose territory centre lies within `replan.neighbour_max_km`, nearest first
    (routing/neighbours.py states the rule for every planner)."""
    return neighbours(manager, centres, rules.neighbour_max_km)


def _options(visit: _Visit, situation: Situation, rules: ReplanRules, days: Mapping[str, Mapping[dt.date, FieldDay]],
             centres: Mapping[str, tuple[float, float]]) -> list[tuple[str, dt.date]]:
    """Where a visit may go, in order of preference."""
    later = [d for d in situation.dates if d >= situation.today]

    def available(manager: str, dates: Sequence[dt.date]) -> list[tuple[str, dt.date]]:
        absence = situation.absences.get(manager)
        return [(manager, d) for d in dates if d in days[manager]
                and not (absence is not None and absence.date <= d <= absence.until)]

    if visit.urgent_by is not None:
        managers = _urgent_managers(visit, rules, centres)
        in_time = [d for d in later if d <= visit.urgent_by]
        late = [d for d in later if d > visit.urgent_by]
        urgent = [o for dates in (in_time, late) for manager in managers for o in available(manager, dates)]
        if visit.manager is not None and visit.date in in_time and (visit.manager, visit.date) in urgent:
            # The planned visit made urgent is in time where it is: it stays there first,
            # unless the event names another manager: it is made by him when he can make
            # it in time (the event's `manager`), and stays on its day only when he cannot.
            own_day = (visit.manager, visit.date)
            urgent.remove(own_day)
            named = [o for o in urgent if visit.named and o[0] == visit.assigned and o[1] in in_time]
            urgent = [*named, own_day, *(o for o in urgent if o not in named)]
        return urgent
    assert visit.manager is not None and visit.date is not None
    planned = visit.date
    preferred = sorted(later, key=lambda d: (d < planned, abs((d - planned).days)))
    if visit.reason == "retailer_closed":
        # Its own days the shop is open, later ones first, then those between now and
        # the closed day (a shop closed on Friday is visited on Thursday rather than not).
        return available(visit.manager, [d for d in preferred if d != planned])
    to_neighbours = [o for neighbour in _neighbours(visit.manager, centres, rules)
                     for o in available(neighbour, preferred)]
    if visit.reason == "manager_absent":
        options: list[tuple[str, dt.date]] = []
        for way in rules.handover:
            options += available(visit.manager, [d for d in later if d >= planned]) if way == "next_days" \
                else to_neighbours
        return options
    own = available(visit.manager, preferred)
    if _lost_to_his_absence(visit, situation) and "neighbour" in rules.handover:
        # His days he is off are no option (`available`): the neighbours take it next.
        return own + [o for o in to_neighbours if o not in own]
    return own


def _urgent_managers(visit: _Visit, rules: ReplanRules, centres: Mapping[str, tuple[float, float]]) -> list[str]:
    """Who may make an urgent visit, in order: the manager the event names, then (on the
    days he cannot) the retailer's own, then, when the policy hands visits over to
    neighbours, a neighbouring territory's manager, nearest first: a deadline is not
    missed while a colleague the policy would hand the visit to has room."""
    managers = [visit.assigned or visit.owner, visit.owner]
    if "neighbour" in rules.handover:
        managers += _neighbours(visit.owner, centres, rules)
    return list(dict.fromkeys(managers))


def _days(dates: Sequence[dt.date]) -> str:
    """"Tue 2026-12-01, Wed 2026-12-02"."""
    return ", ".join(f"{d:%a} {d.isoformat()}" for d in dates)


def _no_time_left_words(manager: str, date: dt.date, situation: Situation) -> str:
    """Why a day holds no visit after the re-plan, naming the sickness that began that day."""
    absence = situation.absences.get(manager)
    if absence is not None and absence.date == date:
        return f"no visit time left on that day after the re-plan ({manager} is off sick from {absence.since})"
    return "no visit time left on that day after the re-plan"


def _lost_to_his_absence(visit: _Visit, situation: Situation) -> bool:
    """A visit of a manager off sick later that week which lost its day: planned before
    he falls ill, it found no room once the re-plan changed that day (his visit block
    may give way to other work). His days off are no option, so after his own days it
    goes to a neighbour, as the policy hands over his other visits."""
    absence = situation.absences.get(visit.manager or "")
    return (visit.reason == "no_room_in_day" and absence is not None and visit.date is not None
            and visit.date <= absence.until)


def _urgent_words(visit: _Visit, why_not: Callable[[_Visit, str | None], str]) -> str:
    """Why an urgent visit went where it did: past its deadline, the true cause no one
    made it in time (`why_not`, `_Handover._why_not_in_time`); to someone other than the
    manager asked (named by the event, else the one it was planned with), why he did not."""
    words = "urgent visit"
    assert visit.to_date is not None and visit.urgent_by is not None
    if visit.replaces_a_planned_one:
        words += f" (in place of the visit planned on {visit.date})"
    elif visit.visited_before is not None:
        words += f" (besides the visit on {visit.visited_before}, before now: the event asks for another)"
    elif visit.left_out:
        words += " (in place of the visit the week's routes left out)"
    if visit.to_date > visit.urgent_by:
        return f"LATE: {why_not(visit, None)}; made on {visit.to_date} by {visit.to_manager}, the first day that holds it"
    asked = visit.assigned or visit.owner
    if visit.to_manager != asked and (visit.to_manager, visit.to_date) == (visit.manager, visit.date):
        words += f"; {asked}, named for it, cannot make it by {visit.urgent_by} ({why_not(visit, asked)}), " \
                 f"so the visit planned with {visit.manager} on {visit.date} is made as planned, in time"
    elif visit.named and visit.to_manager == asked and visit.manager not in (None, asked):
        words += f"; {asked}, named for it, makes it"
    elif visit.to_manager != asked:
        role = "named for it" if visit.named else "its manager" if asked == visit.owner else "planned for it"
        taker = "its own manager" if visit.to_manager == visit.owner else "a neighbouring territory's manager"
        words += f"; {asked}, {role}, cannot make it by {visit.urgent_by} ({why_not(visit, asked)}), " \
                 f"so {visit.to_manager}, {taker}, takes it"
    return words


def _urgent_unplaced_words(visit: _Visit, why_not_in_time: str) -> str:
    """Why an urgent visit is made on no day of the week: the true cause no one made it
    in time, and that no later day holds it either."""
    instead = f", nor for the visit planned on {visit.date}" if visit.replaces_a_planned_one else ""
    return f"NOT MADE: {why_not_in_time}; no later visit day of the week has room for it either{instead}"


def _unplaced_words(visit: _Visit, rules: ReplanRules, handed_over: bool, no_neighbour: str | None = None,
                    no_own_days: bool = False, week_over: str | None = None) -> str:
    """Why a visit found no place, naming the days it was offered (`handed_over`: those
    of the policy's hand-over, as for a sick manager's visits); a way of the hand-over
    that offers nothing says so instead of that it has no room: `no_neighbour`, why the
    policy's neighbours are none (`_Handover._no_neighbour_words`), `no_own_days`, the
    sick manager is off to the end of the week. `week_over` (`Situation.week_over`): the
    re-plan runs after the week's working time ended, so no day is offered at all, and
    no room is the cause."""
    if week_over is not None:
        return f"{visit.detail}; the week is over (its working time ended {week_over}): no day is left to make it"
    if visit.reason == "manager_absent":
        ways = [{"next_days": "his own later days", "neighbour": "a neighbouring territory"}[w]
                for w in rules.handover if not (w == "neighbour" and no_neighbour)
                and not (w == "next_days" and no_own_days)]
        empty = ["he is off to the end of the week"] if no_own_days and "next_days" in rules.handover else []
        empty += [no_neighbour] if no_neighbour else []
        words = visit.detail
        if ways:
            words += f"; it could go to {' or '.join(ways)}, but none has room"
        elif not empty:
            words += "; it could go nowhere (the policy hands nothing over)"
        return "".join([words, *(f"; {e}" for e in empty)])
    if handed_over:
        if no_neighbour:
            return f"{visit.detail}; his other days he is in have no room; {no_neighbour}"
        return f"{visit.detail}; neither his other days he is in nor a neighbouring territory has room"
    if visit.reason == "retailer_closed":
        return f"{visit.detail}; no other visit day of the week left has room"
    return f"{visit.detail}; no other visit day of the week has room"


def stop_changes(visits: Sequence[_Visit], situation: Situation) -> list[StopChange]:
    changes: list[StopChange] = []
    for v in visits:
        if v.manager is None:
            if v.to_date is not None:
                changes.append(StopChange(change="added", retailer=v.retailer, date_after=v.to_date,
                                          manager_after=v.to_manager, reason=v.detail))
            continue
        if (v.to_manager, v.to_date) == (v.manager, v.date):
            continue
        if v.to_date is None:
            changes.append(StopChange(change="cancelled", retailer=v.retailer, date_before=v.date,
                                      manager_before=v.manager, reason=v.detail))
        elif v.to_manager == v.manager:
            changes.append(StopChange(change="moved", retailer=v.retailer, date_before=v.date, date_after=v.to_date,
                                      manager_before=v.manager, manager_after=v.manager, reason=v.detail))
        else:
            changes += [StopChange(change=change, retailer=v.retailer, date_before=v.date, date_after=v.to_date,
                                   manager_before=v.manager, manager_after=v.to_manager, reason=v.detail)
                        for change in ("handed_over", "received")]
    return changes


