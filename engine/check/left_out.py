"""A due visit left out while its manager's day had room for it, as the judges read it
(SPEC §3-4: every due retailer is visited; a visit is listed unvisited only when the
week could not hold it).

The route plan may list a due visit as unvisited with a reason (`too_far`,
`no_room_in_day`, `time_window`, `opening_hours`, ...). The route checker only reads
that the reason is one of the vocabulary; a plan that drops a manager's B and C visits
1 km from the office "too_far", beside visit blocks left almost empty, passed. This
module judges the claim itself and shares no code with the route planner: on each visit
day of the manager (a route with a visit window, not already visiting the retailer) it
asks whether a single visit fits between the day's planned stops at their planned times,
on the judges' own rides (engine/check/spec.py):

    arrive = end of the stop before (the visit block's start at its start place) + ride
             (as the day's first visit: by the manager's first-stop time)
    start  = max(arrive, opening)
    end    = start + max(service_min, route.min_service_min)
    end   <= min(closing, visit block end, route.visiting_ends_by)
    end + ride on <= the start of the next stop, or of the next fixed place after the
             visit block (the timetable's next block at a retailer or the office, a
             lunch on the way counted; back at the office by the block's end without a
             timetable; back for a part-day leave)

The test leans to the plan, so that no plan is accused over rounding: the visit must fit
with a spare `grid_minutes` of the policy; a lunch taken on the road splits the gap and
the visit fits wholly before it (the ride on and the lunch after it) or wholly after it
(ridden from the stop before), except in the gap after the last stop when the lunch is the
timetable's block after the visit block: the next place's time is then already read less it,
as the routes ride on round the lunch, and it is not taken off twice; a route without a
stated lunch under `lunch.during_visit`
must still leave the lunch's minutes spare. Reasons other judges settle are not judged
here (`manager_absent`, `no_visit_days`, `called_by_phone`), nor a retailer whose due visits
(spec.expected_visits, at most one a working day) are all made (the listing is the route
checker's `due` fault), nor a file of single dates (one day cannot show the week).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.check.spec import (
    Point,
    back_for_leave,
    expected_visits,
    first_stop_deadline,
    leave_spans,
    ride,
    working_dates,
)
from engine.check.visit_value import _next_place
from engine.domain import Block, Department, Retailer, Timetable
from engine.policy import Policy, format_clock, parse_clock

LEFT_OUT_WITH_ROOM = "left_out_with_room"

JUDGED_ELSEWHERE = frozenset({"manager_absent", "no_visit_days", "called_by_phone"})
"""Reasons the route checker judges on their own facts (leave, calendar, phone week)."""


@dataclass(frozen=True)
class LeftOutWithRoom:
    """A due visit listed unvisited while a visit day of its manager had room for it."""

    manager: str
    retailer: str
    date: dt.date
    gap_start: int
    gap_end: int
    message: str


@dataclass(frozen=True)
class _Anchor:
    """A place the manager is at, or must be at, at a time: None is the office."""

    place: str | None
    time: int


@dataclass(frozen=True)
class _Day:
    """A visit day of a manager as far as one more visit is concerned."""

    date: dt.date
    start: _Anchor
    """Where and when the visit block starts."""
    stops: tuple[tuple[str, str, int, int], ...]
    """The route's stops inside the visit block (retailer, kind, start, end) in time order."""
    window_end: int
    finish: _Anchor | None
    """The next fixed place after the visit block and when to be there (None: none known)."""
    lunch: tuple[int, int] | None
    lunch_owed: int
    """Minutes of a lunch still to be taken on the road that the route does not state."""
    visited: frozenset[str]
    lunch_in_finish: bool = False
    """The timetable's lunch after the visit block is already taken off `finish`'s time (the
    ride on may be split around it, as the routes ride it): the last gap is not split again."""


def left_out_with_room(plan: Mapping, department: Department, policy: Policy,
                       timetable: Timetable | None = None) -> list[LeftOutWithRoom]:
    """Every due visit the plan lists unvisited while one of its manager's visit days had room
    for it (the module text's test), one per retailer, naming the first day and gap found."""
    if (plan.get("scope") or {}).get("dates"):
        return []  # a single day cannot show the week
    retailers = {r.id: r for r in department.retailers}
    days = _days(plan, department, policy, timetable)
    made = Counter(str(s.get("retailer")) for route in plan.get("routes", []) for s in route.get("stops", [])
                   if s.get("kind", "visit") == "visit")
    week_start = dt.date.fromisoformat(str(plan["week_start"])) if plan.get("week_start") else None
    worked = len(working_dates(policy, week_start, department)) if week_start is not None else 0
    found: list[LeftOutWithRoom] = []
    judged: set[str] = set()
    for item in plan.get("unvisited", []):
        retailer = retailers.get(str(item.get("retailer")))
        if retailer is None or retailer.id in judged or item.get("reason") in JUDGED_ELSEWHERE:
            continue
        judged.add(retailer.id)
        if week_start is not None and made[retailer.id] >= min(
                expected_visits(retailer.id, retailer.visits_per_4_weeks, week_start), worked or 7):
            continue  # no visit of it is missing: the listing is the route checker's `due` fault
        manager = str(item.get("manager") or retailer.manager)
        for day in days.get(manager, []):
            gap = _room(retailer, day, manager, department, policy, retailers)
            if gap is None:
                continue
            service = max(retailer.service_min, policy.route.min_service_min)
            found.append(LeftOutWithRoom(manager, retailer.id, day.date, gap[0], gap[1], (
                f"{retailer.id} (class {retailer.retailer_class}) is listed unvisited ({item.get('reason')}), "
                f"but {manager}'s route on {day.date:%a} {day.date} has room for its {service}-min visit "
                f"between {format_clock(gap[0])} and {format_clock(gap[1])} ({_between(gap[2], gap[3])}), "
                f"open {format_clock(retailer.opens)}–{format_clock(retailer.closes)}")))
            break
    return found


def _between(before: str | None, after: str | None) -> str:
    return f"after {before or 'the office'}, before {after or 'the office'}"


def _days(plan: Mapping, department: Department, policy: Policy,
          timetable: Timetable | None) -> dict[str, list[_Day]]:
    """Per manager, the routes that have a visit window: the timetable's visit block when
    given, else the route's own."""
    blocks: dict[tuple[str, dt.date], list[Block]] = defaultdict(list)
    for block in timetable.blocks if timetable is not None else ():
        blocks[(block.manager, block.date)].append(block)
    leave = leave_spans(department, policy)
    days: dict[str, list[_Day]] = defaultdict(list)
    for route in plan.get("routes", []):
        manager, date = str(route["manager"]), dt.date.fromisoformat(str(route["date"]))
        day_blocks = sorted(blocks.get((manager, date), []), key=lambda b: b.start)
        visit = next((b for b in day_blocks if b.kind == "visit"), None)
        if timetable is not None and visit is None:
            continue  # no visit block: no room for a visit
        if visit is not None:
            start, end = visit.start, visit.end
        elif route.get("visit_start") is None or route.get("visit_end") is None:
            continue
        else:
            start, end = parse_clock(route["visit_start"]), parse_clock(route["visit_end"])
        if end <= start:
            continue
        start_from = route.get("start_from", "office")
        # The stops inside the visit block: an appointment after it comes after the next
        # fixed place (`_finish`), which may be an office block the route does not list.
        stops = tuple(sorted(((str(s["retailer"]), str(s.get("kind", "visit")), parse_clock(s["start"]),
                               parse_clock(s["end"])) for s in route.get("stops", [])
                              if parse_clock(s["start"]) < end and parse_clock(s["end"]) > start),
                             key=lambda s: s[2]))
        finish = _finish(day_blocks, end, policy) if visit is not None else _Anchor(None, end)
        off = back_for_leave(leave.get((manager, date), []), day_blocks, end) if visit is not None else None
        if off is not None:
            finish = _Anchor(None, off)
        lunch = None
        if route.get("lunch_start") is not None and route.get("lunch_end") is not None:
            lunch = (parse_clock(route["lunch_start"]), parse_clock(route["lunch_end"]))
        owed = 0
        if lunch is None and policy.lunch.during_visit and not any(b.kind == "lunch" for b in day_blocks) \
                and min(end, policy.lunch.latest_end) - max(start, policy.lunch.earliest) >= policy.lunch.minutes:
            owed = policy.lunch.minutes
        # _next_place and back_for_leave give the next place's time less the lunch blocks after
        # the visit block: a ride on is ridden round the lunch, so whatever part of it falls in
        # the lunch, the manager arrives in time when the ride ends by that time.
        in_finish = visit is not None and any(b.kind == "lunch" and b.start >= end for b in day_blocks)
        days[manager].append(_Day(
            date, _Anchor(None if start_from in (None, "office") else str(start_from), start), stops,
            min(end, policy.route.visiting_ends_by), finish, lunch, owed,
            frozenset(str(s["retailer"]) for s in route.get("stops", []) if s.get("kind", "visit") == "visit"),
            in_finish))
    return days


def _finish(day_blocks: Sequence[Block], visit_end: int, policy: Policy) -> _Anchor | None:
    """The first place the timetable fixes after the visit block, and when it must be
    reached, as the key-customer judge reads it (`visit_value._next_place`); None for a
    field place the timetable does not name: no ride to judge, no room claimed."""
    place, time = _next_place(day_blocks, visit_end, policy)
    return None if time is None else _Anchor(place, time)


def _room(retailer: Retailer, day: _Day, manager: str, department: Department, policy: Policy,
          places: Mapping[str, Retailer]) -> tuple[int, int, str | None, str | None] | None:
    """(gap start, gap end, place before, place after) of the first gap of the day that
    holds a visit of the retailer with the module text's margin; None when none does."""
    if retailer.id in day.visited or day.finish is None:
        return None

    def point(key: str | None) -> Point:
        if key is None or key not in places:
            return department.office.lat, department.office.lon, "town"
        return places[key].lat, places[key].lon, places[key].area

    def minutes(a: str | None, b: str | None) -> int:
        return ride(policy, point(a), point(b))[1]

    service = max(retailer.service_min, policy.route.min_service_min)
    spare = policy.grid_minutes + day.lunch_owed
    deadline = first_stop_deadline(policy, day.date, department, manager)
    before = [day.start] + [_Anchor(r, end) for r, _, _, end in day.stops]
    after = [_Anchor(r, start) for r, _, start, _ in day.stops] + [day.finish]
    for n, (there, then) in enumerate(zip(before, after, strict=True)):
        first = not any(kind == "visit" for _, kind, _, _ in day.stops[:n])
        latest = min(retailer.closes, day.window_end)
        pieces = [(there.time, then.time, 0)]
        if day.lunch is not None and there.time < day.lunch[1] and day.lunch[0] < then.time \
                and not (then is day.finish and day.lunch_in_finish):
            lunch_start, lunch_end = day.lunch
            # Wholly before the lunch (which then comes before the ride on), or wholly after it.
            pieces = [(there.time, min(then.time, lunch_start), lunch_end - lunch_start),
                      (max(there.time, lunch_end), then.time, 0)]
        for free_from, due_by, lunch in pieces:
            arrive = free_from + minutes(there.place, retailer.id)
            if first and arrive > deadline:
                continue  # it would open the day, and cannot be reached in time to
            begin = max(arrive, retailer.opens)
            end = begin + service
            on_time = (end + spare <= min(latest, due_by)) if lunch else \
                (end + spare + minutes(retailer.id, then.place) <= then.time and end + spare <= latest)
            if lunch and on_time:
                on_time = end + lunch + minutes(retailer.id, then.place) + spare <= then.time
            if on_time:
                return there.time, min(then.time, day.window_end), there.place, then.place
    return None
