"""An independent judge of a week's routes (SPEC §3-4, §6).

`check_routes` reads a route plan as plain data — the JSON contract of
`fieldweek routes --json`, or anything with `model_dump` — and lists every rule it
breaks. It shares no code with engine.routing on purpose: it recomputes which
retailers are due, and every ride as haversine × detour ÷ speed from the policy
(both read in engine/check/spec.py), so that a mistake in the planner cannot hide in
its own check.

Rules checked, each under its id:
- `first_stop`: the first visit of a day is reached by `route.first_stop_by`; on a
  weekday with a `route.first_stop_by_on`, by the manager's own time after the morning
  meeting, at most that one (engine/check/spec.py, from his ride to his nearest due retailer);
  under `route.late_first_stop_when_far`, no earlier than that ride allows from the visit
  block's opening (after the morning meeting and the office–field buffer) or from his
  return from a leave that took his morning (`first_stop_deadline`);
- `visiting_ends`: every visit is over by `route.visiting_ends_by`;
- `visit_block`: every visit lies inside the day's visit block of the timetable;
- `service`: a visit lasts at least max(service_min, `route.min_service_min`);
- `opening_hours`: a visit starts after opening and ends by closing time;
- `travel`: rides agree with the recomputed matrix (within a minute of
  rounding), each stop is reached no earlier than the ride allows, and the
  day's km and minutes add up;
- `visit_count`: a route's stated `visits` is the number of its visit stops (a route
  saying 9 visits over 4 stops was scored as agreeing);
- `appointment`: the timetable's blocks held at a retailer (POS household, the pair's
  promotion store or maintenance site) are stops at their own times, on a day without a
  visit block too (a day of fixed field blocks only has its route, its rides counted);
- `office_return`: after the visit route the manager is back at the office by the
  next office block (a lunch on the way counts against it);
- `travel` (office returns): a stated ride back to the office arrives no earlier than
  its ride allows, stopping for any lunch it runs into (nobody rides through lunch);
- `travel` (fixed blocks): a stop at a fixed block is reached no earlier than the ride
  from the stop before it (or from the office at the day's departure) allows;
- `late_for_appointment`: every block at a fixed place (an appointment at a
  retailer, the office after field work) is reached by its start, whether the
  ride comes from the visit route or from another fixed place: arriving after a
  fixed block has started is a fault of the plan (SPEC §3, §6);
- `lunch`: with `lunch.during_visit`, the lunch lies in its window and the
  block, lasts its minutes and overlaps no visit; a day of visits whose block holds
  the lunch window's minutes clear of leave states one;
- `working_day`: no stop on a day the department does not work (a holiday of its
  calendar), and `leave`: none while its manager is on leave — both read from the
  department, not the timetable (one planned before holidays.csv or leave.csv changed
  would vouch for them);
- `due`: each due retailer is visited exactly as often as due (at most once a working
  day of the department's calendar: a daily retailer owes a week with a holiday 4
  visits), or the missing visits are listed as unvisited with a reason from the closed
  vocabulary (`no_visit_days` only in a week without a working day, `manager_absent`
  only for a manager away every working minute of it), and only by its own manager (or, under the policy's hand-over to a neighbour, by a
  neighbour of a manager away all week: engine/check/spec.py), at most once a day;
- `left_out_with_room`: no due visit is listed unvisited while a visit day of its manager
  has room for it in the planned route (engine/check/left_out.py).
- `key_customer_dropped`: no class-A visit is left out while a class-C visit of the
  same manager-week is made, or while a visit day of his has no visit at all, unless it
  could not be served (engine/check/visit_value.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.check.left_out import LEFT_OUT_WITH_ROOM, left_out_with_room
from engine.check.spec import (
    WHOLE_DAY,
    Point,
    expected_visits,
    first_stop_deadline,
    great_circle_km,
    handed_over,
    leave_spans,
    presence,
    ride,
    working_dates,
)
from engine.check.visit_value import (
    KEY_CUSTOMER_DROPPED,
    key_customers_beside_empty_days,
    key_customers_dropped,
)
from engine.domain import HANDED_OVER_TO, HANDED_OVER_WEEK, Block, Department, Retailer, Timetable
from engine.policy import Policy, format_clock, parse_clock

REASONS = frozenset({"time_window", "opening_hours", "no_room_in_day", "too_far", "no_visit_days",
                     "manager_absent", "called_by_phone"})
"""The route plan's reasons for a due visit left out (engine/routing/plan.py, PlanUnvisitedReason)."""
MINUTE_TOLERANCE = 1  # planners round each ride up to a whole minute
KM_TOLERANCE = 0.005  # relative, plus 10 m absolute: rounding of reported km
LATE_FOR_APPOINTMENT = "late_for_appointment"
VISIT_COUNT = "visit_count"
TIMETABLE_TRANSFER = LATE_FOR_APPOINTMENT
"""The former name of a late arrival between two fixed places: now a fault like any other."""


@dataclass(frozen=True)
class RouteViolation:
    """One broken rule: its id, whose day, which retailer, and what is wrong."""

    rule: str
    manager: str | None
    date: dt.date | None
    retailer: str | None
    message: str


@dataclass(frozen=True)
class RouteCheck:
    """Outcome of a check: every broken rule, and figures recomputed by the checker."""

    violations: tuple[RouteViolation, ...]
    visits: int
    distance_km: float

    @property
    def feasible(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    @property
    def route_violations(self) -> tuple[RouteViolation, ...]:
        """The broken rules other than late arrivals at fixed blocks."""
        return tuple(v for v in self.violations if v.rule != LATE_FOR_APPOINTMENT)

    @property
    def late_arrivals(self) -> tuple[RouteViolation, ...]:
        """Fixed blocks reached after they start (faults of the plan)."""
        return tuple(v for v in self.violations if v.rule == LATE_FOR_APPOINTMENT)

    @property
    def timetable_transfers(self) -> tuple[RouteViolation, ...]:
        """The late arrivals (the name they had when they were only notes)."""
        return self.late_arrivals

    def __iter__(self) -> Iterator[RouteViolation]:
        """Iterating a check walks its violations."""
        return iter(self.violations)

    def __len__(self) -> int:
        return len(self.violations)

    def messages(self) -> list[str]:
        """Each violation as one line of text."""
        return [f"[{v.rule}] {v.manager or ''} {v.date or ''} {v.message}".strip() for v in self.violations]


class _Rides:
    """Riding km and minutes between the office (None) and retailers, as the judges
    read the ride rule (engine/check/spec.py)."""

    def __init__(self, department: Department, policy: Policy):
        self.office = (department.office.lat, department.office.lon)
        self.retailers = {r.id: r for r in department.retailers}
        self.policy = policy

    def _point(self, key: str | None) -> Point:
        if key is None:
            return self.office[0], self.office[1], "town"
        retailer = self.retailers[key]
        return retailer.lat, retailer.lon, retailer.area

    def straight_km(self, a: str | None, b: str | None) -> float:
        lat1, lon1, _ = self._point(a)
        lat2, lon2, _ = self._point(b)
        return great_circle_km(lat1, lon1, lat2, lon2)

    def km(self, a: str | None, b: str | None) -> float:
        return ride(self.policy, self._point(a), self._point(b))[0]

    def minutes(self, a: str | None, b: str | None) -> int:
        return ride(self.policy, self._point(a), self._point(b))[1]


def _as_data(plan: object) -> Mapping:
    if isinstance(plan, Mapping):
        return plan
    dump = getattr(plan, "model_dump", None)
    if dump is None:
        raise TypeError("give the plan as JSON data or a pydantic model")
    return dump(mode="json", by_alias=True)


def _clock(value: object) -> int | None:
    return None if value is None else parse_clock(value)


def check_routes(
    plan: object, department: Department, policy: Policy, timetable: Timetable | None = None,
    carried: Mapping[str, int] | None = None,
) -> RouteCheck:
    """Every rule the plan breaks (empty when it keeps them all).

    Without the timetable the rules that need its blocks (visit block, fixed
    appointments, office returns) cannot be judged and are skipped. `carried` are
    visits missed in earlier weeks that the week also owes (from the caller, who
    reads the actuals; never from the plan's own claim)."""
    if isinstance(plan, Department):
        raise TypeError("check_routes(plan, department, policy, timetable): the plan comes first")
    data = _as_data(plan)
    found: list[RouteViolation] = []
    retailers = {r.id: r for r in department.retailers}
    managers = {m.id for m in department.managers}
    rides = _Rides(department, policy)
    exact = data.get("matrix_source", "straight_line") == "straight_line"
    blocks: dict[tuple[str, dt.date], list[Block]] = defaultdict(list)
    for block in timetable.blocks if timetable is not None else ():
        blocks[(block.manager, block.date)].append(block)
    visits: Counter[str] = Counter()
    total_km = 0.0
    stated_week = data.get("week_start")
    handed = handed_over(department, policy, dt.date.fromisoformat(str(stated_week))) if stated_week else {}
    leave = leave_spans(department, policy)

    for route in data.get("routes", []):
        manager = route["manager"]
        date = dt.date.fromisoformat(str(route["date"]))

        def flag(rule: str, message: str, retailer: str | None = None,
                 _m: str = manager, _d: dt.date = date) -> None:
            found.append(RouteViolation(rule, _m, _d, retailer, message))

        if manager not in managers:
            flag("unknown_reference", f"no manager {manager!r} in the department")
            continue
        day_blocks = sorted(blocks.get((manager, date), []), key=lambda b: b.start)
        visit_blocks = [b for b in day_blocks if b.kind == "visit"]
        stops = list(route.get("stops", []))
        unknown = [s["retailer"] for s in stops if s["retailer"] not in retailers]
        if unknown:
            flag("unknown_reference", f"stops at unknown retailers {unknown}")
            continue
        total_km += _check_travel(route, stops, rides, exact, flag)
        _check_day_off(stops, manager, date, department, policy, leave, flag)
        _check_back_before_leave(stops, day_blocks, leave.get((manager, date), []), rides, flag)
        visit_stops = [s for s in stops if s["kind"] == "visit"]
        if route.get("visits") is not None and route["visits"] != len(visit_stops):
            flag(VISIT_COUNT, f"visits {route['visits']} is not the number of its visit stops "
                              f"({len(visit_stops)})")
        if timetable is None:
            visit_blocks = [_block_from_route(route, manager, date)]
        elif visit_stops and not visit_blocks:
            flag("visit_block", "visits on a day without a visit block in the timetable")
            continue
        if visit_blocks:
            _check_visits(route, visit_stops, visit_blocks[0], retailers, rides, policy,
                          first_stop_deadline(policy, date, department, manager), flag,
                          lunch_apart=any(b.kind == "lunch" for b in day_blocks))
            _check_lunch_stated(route, visit_stops, visit_blocks[0], policy, leave.get((manager, date), []),
                                flag, lunch_apart=any(b.kind == "lunch" for b in day_blocks))
        _check_appointments(stops, day_blocks, flag)
        _check_office_returns(stops, day_blocks, rides, policy, flag)
        _check_office_legs(route, day_blocks, rides, exact, flag)
        _check_fixed_arrivals(route, stops, rides, exact, flag)
        for stop in visit_stops:
            visits[stop["retailer"]] += 1
            owner = retailers[stop["retailer"]].manager
            if owner != manager and manager not in handed.get(owner, ()) \
                    and not _handed_for_the_week(retailers[stop["retailer"]], manager, stated_week):
                flag("due", f"{stop['retailer']} belongs to {retailers[stop['retailer']].manager}",
                     stop["retailer"])
        for retailer_id, times in Counter(s["retailer"] for s in visit_stops).items():
            if times > 1:
                flag("due", f"{retailer_id} is visited {times} times on one day", retailer_id)

    found += _check_routeless_days(data, timetable, department)
    found += _check_due(data, department, policy, visits, carried or {})
    found += _check_no_visit_days(data, department, policy)
    found += _check_manager_absent(data, department, policy)
    found += _check_called_by_phone(data, department)
    dropped = key_customers_dropped(data, department, policy, timetable)
    named = {(d.manager, d.retailer) for d in dropped}
    dropped += [d for d in key_customers_beside_empty_days(data, department, policy, timetable)
                if (d.manager, d.retailer) not in named]
    found += [RouteViolation(KEY_CUSTOMER_DROPPED, d.manager, None, d.retailer, d.message) for d in dropped]
    found += [RouteViolation(LEFT_OUT_WITH_ROOM, x.manager, x.date, x.retailer, x.message)
              for x in left_out_with_room(data, department, policy, timetable)]
    return RouteCheck(tuple(found), sum(visits.values()), round(total_km, 3))


def _check_routeless_days(data: Mapping, timetable: Timetable | None,
                          department: Department) -> list[RouteViolation]:
    """A manager-day of the plan's week and scope whose timetable holds a block at a retailer
    has a route: without one its rides (office -> store -> ... -> office) are in no total and
    the manager's phone shows no stop, whether or not the day has a visit block."""
    if timetable is None or not data.get("week_start"):
        return []
    monday = dt.date.fromisoformat(str(data["week_start"]))
    scope = data.get("scope") or {}
    managers = set(scope.get("managers") or [m.id for m in department.managers])
    dates = {dt.date.fromisoformat(str(d)) for d in scope.get("dates") or []} or {
        monday + dt.timedelta(days=n) for n in range(7)}
    routed = {(r["manager"], dt.date.fromisoformat(str(r["date"]))) for r in data.get("routes", [])}
    found: list[RouteViolation] = []
    for block in sorted(timetable.blocks, key=lambda b: (b.manager, b.date, b.start)):
        day = (block.manager, block.date)
        if (block.retailer is None or block.kind in ("visit", "lunch") or block.manager not in managers
                or block.date not in dates or day in routed):
            continue
        found.append(RouteViolation(
            "appointment", block.manager, block.date, block.retailer,
            f"{block.kind} at {block.retailer} {format_clock(block.start)} is on no route: the plan has no "
            f"route for {block.date:%a} {block.date}, so its rides are in no total"))
    return found


def _check_day_off(stops: list[Mapping], manager: str, date: dt.date, department: Department,
                   policy: Policy, leave: Mapping[tuple[str, dt.date], list[tuple[int, int]]],
                   flag) -> None:
    """No stop on a day the department does not work (a holiday) nor while its manager is
    on leave, read from the department itself: a timetable planned before the calendar or
    the leave changed must not vouch for the day."""
    if not stops:
        return
    week_start = date - dt.timedelta(days=date.weekday())
    if date not in working_dates(policy, week_start, department):
        said = department.calendar_day(date)
        why = f"a holiday ({said.name or 'holidays.csv'})" if said is not None and said.kind == "holiday" \
            else "not a working day"
        flag("working_day", f"{len(stops)} stop(s) on {date} ({date:%a}), {why}")
    for stop in stops:
        # The stop itself, not the wait before it: one who arrives early may wait out a leave's end.
        start, end = parse_clock(stop["start"]), parse_clock(stop["end"])
        spans = [span for span in leave.get((manager, date), []) if span[0] < end and start < span[1]]
        if spans:
            when = "all day" if WHOLE_DAY in spans else ", ".join(
                f"{format_clock(a)}–{format_clock(b)}" for a, b in spans)
            flag("leave", f"{stop['retailer']} {stop['kind']} {stop['start']}–{stop['end']} while "
                          f"{manager} is on leave {when}", stop["retailer"])


def _check_back_before_leave(stops: list[Mapping], day_blocks: list[Block], spans: list[tuple[int, int]],
                             rides: _Rides, flag) -> None:
    """The manager goes on a part-day leave from the office, as he comes back from it by the
    office (SPEC §3, the day starts and ends at the office): the last stop before a leave
    leaves the ride back there, less a lunch on the way, before the leave starts. Riding
    in the leave is not carrying out the plan."""
    for off, _ in (span for span in spans if span != WHOLE_DAY):
        before = [s for s in stops if parse_clock(s["end"]) <= off]
        if not before:
            continue
        last = before[-1]
        last_end = parse_clock(last["end"])
        between = [b for b in day_blocks if last_end <= b.start and b.end <= off]
        if any(b.kind not in ("lunch", "visit") and b.retailer is None for b in between):
            continue  # rode on to a block elsewhere first
        lunch = sum(b.end - b.start for b in between if b.kind == "lunch")
        back = last_end + rides.minutes(last["retailer"], None) + lunch
        if back > off + MINUTE_TOLERANCE:
            flag("leave", f"back at the office from {last['retailer']} at {format_clock(back)} at the "
                          f"earliest, after the leave from {format_clock(off)} starts: he would ride on leave",
                 last["retailer"])


def _handed_for_the_week(retailer: Retailer, manager: str, stated_week: object) -> bool:
    """Whether an applied capacity proposal hands the retailer's visits of the plan's week
    to `manager` (its row's `handed_over_week` and `handed_over_to`, read here on their own)."""
    return (stated_week is not None and retailer.extra.get(HANDED_OVER_WEEK) == str(stated_week)
            and retailer.extra.get(HANDED_OVER_TO) == manager)


def _block_from_route(route: Mapping, manager: str, date: dt.date) -> Block:
    """The visit block as the plan states it, when no timetable is at hand."""
    start = _clock(route.get("visit_start")) or 0
    end = _clock(route.get("visit_end")) or 24 * 60
    return Block(manager=manager, date=date, kind="visit", start=start, end=end)


def _check_travel(route: Mapping, stops: list[Mapping], rides: _Rides, exact: bool, flag) -> float:
    """Each recorded ride against the checker's own; returns the recomputed km."""
    recomputed = 0.0
    # Raw JSON values as the plan records them (origin, target, ride_min, ride_km).
    legs: list[tuple[Any, Any, Any, Any]] = [
        (s.get("from"), s["retailer"], s.get("ride_min"), s.get("ride_km")) for s in stops
    ]
    legs += [(r.get("from"), None, r.get("ride_min"), r.get("ride_km"))
             for r in route.get("office_returns", [])]
    reported_km = reported_min = 0.0
    for origin, target, ride_min, ride_km in legs:
        if origin == "elsewhere" or origin is None:
            continue
        source = None if origin == "office" else origin
        if source is not None and source not in rides.retailers:
            flag("unknown_reference", f"a ride starts at unknown place {origin!r}")
            continue
        own_km, own_min = rides.km(source, target), rides.minutes(source, target)
        recomputed += own_km
        reported_km += float(ride_km or 0)
        reported_min += int(ride_min or 0)
        where = f"{origin} → {target or 'office'}"
        if exact:
            if abs(int(ride_min) - own_min) > MINUTE_TOLERANCE:
                flag("travel", f"ride {where} is recorded as {ride_min} min, the matrix says {own_min}",
                     target)
            if abs(float(ride_km) - own_km) > KM_TOLERANCE * own_km + 0.01:
                flag("travel", f"ride {where} is recorded as {ride_km} km, the matrix says {own_km:.3f}",
                     target)
        elif float(ride_km) + 0.01 < rides.straight_km(source, target):
            flag("travel", f"ride {where} of {ride_km} km is shorter than the straight line", target)
    if abs(float(route.get("distance_km", 0)) - reported_km) > 0.01 * max(1, len(legs)):
        flag("travel", f"distance_km {route.get('distance_km')} is not the sum of its rides "
                       f"({reported_km:.3f})")
    if int(route.get("travel_minutes", 0)) != round(reported_min):
        flag("travel", f"travel_minutes {route.get('travel_minutes')} is not the sum of its rides "
                       f"({reported_min:.0f})")
    return recomputed


def _check_visits(route: Mapping, visit_stops: list[Mapping], block: Block,
                  retailers: Mapping[str, Retailer], rides: _Rides, policy: Policy, first_stop_by: int,
                  flag, lunch_apart: bool = False) -> None:
    """`lunch_apart`: the timetable holds the day's lunch as a block of its own (under
    `lunch.during_visit`, a day a leave cut the visit block short of the lunch window):
    the route's lunch is that block, judged by the timetable checker, not one inside the
    visit block."""
    rules = policy.route
    lunch_start, lunch_end = _clock(route.get("lunch_start")), _clock(route.get("lunch_end"))
    if policy.lunch.during_visit and lunch_start is not None and lunch_end is not None and not lunch_apart:
        if lunch_end - lunch_start < policy.lunch.minutes:
            flag("lunch", f"lunch lasts {lunch_end - lunch_start} min, under {policy.lunch.minutes}")
        if lunch_start < policy.lunch.earliest or lunch_end > policy.lunch.latest_end:
            flag("lunch", f"lunch {format_clock(lunch_start)}–{format_clock(lunch_end)} is outside "
                          f"{format_clock(policy.lunch.earliest)}–{format_clock(policy.lunch.latest_end)}")
        if lunch_start < block.start or lunch_end > block.end:
            flag("lunch", "lunch lies outside the visit block")
    leave, previous = block.start, route.get("start_from", "office")
    previous_key = None if previous == "office" else previous
    for number, stop in enumerate(visit_stops):
        rid = stop["retailer"]
        retailer = retailers[rid]
        arrive, start, end = (parse_clock(stop[k]) for k in ("arrive", "start", "end"))
        if number == 0 and arrive > first_stop_by:
            flag("first_stop", f"first retailer {rid} reached at {format_clock(arrive)}, after "
                               f"{format_clock(first_stop_by)}", rid)
        if end > rules.visiting_ends_by:
            flag("visiting_ends", f"{rid} visited until {format_clock(end)}, after "
                                  f"{format_clock(rules.visiting_ends_by)}", rid)
        if start < block.start or end > block.end:
            flag("visit_block", f"{rid} visited {format_clock(start)}–{format_clock(end)}, outside the "
                                f"visit block {format_clock(block.start)}–{format_clock(block.end)}", rid)
        needed = max(retailer.service_min, rules.min_service_min)
        if end - start < needed:
            flag("service", f"{rid} gets {end - start} min, needs {needed}", rid)
        if start < retailer.opens or end > retailer.closes:
            flag("opening_hours", f"{rid} visited {format_clock(start)}–{format_clock(end)}, open "
                                  f"{format_clock(retailer.opens)}–{format_clock(retailer.closes)}", rid)
        if start < arrive:
            flag("travel", f"{rid}: service starts before arrival", rid)
        if lunch_start is not None and lunch_end is not None and start < lunch_end and lunch_start < end:
            flag("lunch", f"lunch overlaps the visit to {rid}", rid)
        if lunch_start is not None and lunch_end is not None and leave <= lunch_start < arrive:
            leave = max(leave, lunch_end)
        ride = rides.minutes(previous_key, rid)
        if arrive < leave + ride - MINUTE_TOLERANCE:
            flag("travel", f"{rid} reached at {format_clock(arrive)}, but the {ride}-min ride from "
                           f"{previous_key or 'the office'} starts at {format_clock(leave)}", rid)
        leave, previous_key = end, rid


def _check_lunch_stated(route: Mapping, visit_stops: list[Mapping], block: Block, policy: Policy,
                        spans: list[tuple[int, int]], flag, lunch_apart: bool) -> None:
    """Under `lunch.during_visit` a day of visits whose visit block holds the lunch's minutes
    inside the lunch window, clear of the manager's leave, owes its lunch on the road: the
    route states it (`lunch_start`, `lunch_end`), as the route planner reserves one on such a
    day. A route without them was judged on nothing (tester: a seed-003-style week with the
    fields deleted scored 0 violations). Not owed on a day the timetable holds the lunch as
    a block of its own (`lunch_apart`), nor on a day without visits (not on the road)."""
    lunch = policy.lunch
    if not lunch.during_visit or lunch_apart or lunch.minutes <= 0 or not visit_stops:
        return
    missing = [key for key in ("lunch_start", "lunch_end") if route.get(key) is None]
    if not missing:
        return
    start, end = max(lunch.earliest, block.start), min(lunch.latest_end, block.end)
    free, now = 0, start
    for off, back in sorted(spans):
        if back <= now or off >= end:
            continue
        free, now = max(free, off - now), max(now, back)
    if max(free, end - now) < lunch.minutes:
        return
    flag("lunch", f"{block.manager} has no lunch on {block.date:%a} {block.date}: the policy takes the "
                  f"{lunch.minutes}-min lunch on the road ({format_clock(lunch.earliest)}–"
                  f"{format_clock(lunch.latest_end)}, lunch.during_visit), the visit block "
                  f"{format_clock(block.start)}–{format_clock(block.end)} holds it, but the route states no "
                  f"{' / '.join(missing)}")


def _check_appointments(stops: list[Mapping], day_blocks: list[Block], flag) -> None:
    fixed = [b for b in day_blocks if b.kind not in ("visit", "lunch") and b.retailer is not None]
    listed = {(s["retailer"], s["kind"], parse_clock(s["start"])): s for s in stops
              if s["kind"] != "visit"}
    for block in fixed:
        stop = listed.get((block.retailer, block.kind, block.start))
        if stop is None:
            flag("appointment", f"{block.kind} at {block.retailer} {format_clock(block.start)} is not "
                                f"on the route", block.retailer)
            continue
        if parse_clock(stop["end"]) != block.end:
            flag("appointment", f"{block.kind} at {block.retailer} ends at {stop['end']}, the timetable "
                                f"says {format_clock(block.end)}", block.retailer)
        if parse_clock(stop["arrive"]) > block.start:
            flag(LATE_FOR_APPOINTMENT, f"{block.kind} at {block.retailer} reached at {stop['arrive']}, "
                                       f"after it starts at {format_clock(block.start)}", block.retailer)


def _check_office_returns(stops: list[Mapping], day_blocks: list[Block], rides: _Rides,
                          policy: Policy, flag) -> None:
    """After field stops, the ride back must reach the office by the next office block."""
    office_kinds = {k for k, rule in policy.kinds.items() if rule.place == "office"}
    for block in (b for b in day_blocks if b.kind in office_kinds):
        before = [s for s in stops if parse_clock(s["end"]) <= block.start]
        if not before:
            continue
        last = before[-1]
        last_end = parse_clock(last["end"])
        between = [b for b in day_blocks if last_end <= b.start and b.end <= block.start]
        if any(b.kind not in office_kinds and b.kind != "lunch" for b in between):
            continue  # rode on to a field block the timetable gives no place
        if any(b.kind in office_kinds for b in between):
            continue  # already back for an earlier office block
        lunch = sum(b.end - b.start for b in between if b.kind == "lunch")
        back = last_end + rides.minutes(last["retailer"], None) + lunch
        if back > block.start + MINUTE_TOLERANCE:
            flag("office_return" if last["kind"] == "visit" else LATE_FOR_APPOINTMENT,
                 f"back at the office at {format_clock(back)} at the earliest, after "
                 f"{block.kind} starts at {format_clock(block.start)}", last["retailer"])


def _check_office_legs(route: Mapping, day_blocks: list[Block], rides: _Rides, exact: bool,
                       flag) -> None:
    """Each stated ride back to the office arrives no earlier than the ride allows; a
    lunch (the timetable's lunch block, or the route's own) that the ride runs into
    stops it, and it goes on after the lunch: nobody rides through his lunch."""
    pauses = {(b.start, b.end) for b in day_blocks if b.kind == "lunch"}
    lunch_start, lunch_end = _clock(route.get("lunch_start")), _clock(route.get("lunch_end"))
    if lunch_start is not None and lunch_end is not None:
        pauses.add((lunch_start, lunch_end))
    for leg in route.get("office_returns", []):
        origin = leg.get("from")
        if origin in (None, "elsewhere", "office") or origin not in rides.retailers:
            continue  # not a counted ride (an unknown place is flagged by _check_travel)
        leave, arrive = parse_clock(leg["leave"]), parse_clock(leg["arrive"])
        riding = rides.minutes(origin, None) if exact else int(leg.get("ride_min") or 0)
        earliest = _earliest_arrival(leave, riding, sorted(pauses))
        if arrive + MINUTE_TOLERANCE < earliest:
            flag("travel", f"back at the office from {origin} at {format_clock(arrive)}, but the "
                           f"{riding}-min ride leaving at {format_clock(leave)} cannot arrive before "
                           f"{format_clock(earliest)} (it stops for lunch on the way)", origin)


def _check_fixed_arrivals(route: Mapping, stops: list[Mapping], rides: _Rides, exact: bool, flag) -> None:
    """Each stop at a fixed block (not a visit: `_check_visits` times those) is reached no
    earlier than its ride allows: from the stop before it when it comes from there, from
    the office at the day's departure when it opens the day."""
    for number, stop in enumerate(stops):
        origin = stop.get("from")
        if stop["kind"] == "visit" or origin in (None, "elsewhere"):
            continue
        if number == 0 and origin == "office" and route.get("depart") is not None:
            source, leave = None, parse_clock(route["depart"])
        elif number > 0 and origin == stops[number - 1]["retailer"]:
            source, leave = origin, parse_clock(stops[number - 1]["end"])
        else:
            continue  # from the office after an office block: when he left it is not stated
        riding = rides.minutes(source, stop["retailer"]) if exact else int(stop.get("ride_min") or 0)
        arrive = parse_clock(stop["arrive"])
        if arrive + MINUTE_TOLERANCE < leave + riding:
            flag("travel", f"{stop['kind']} at {stop['retailer']} reached at {stop['arrive']}, but the "
                           f"{riding}-min ride from {origin} leaves at {format_clock(leave)}", stop["retailer"])


def _earliest_arrival(leave: int, riding: int, pauses: list[tuple[int, int]]) -> int:
    """The end of `riding` minutes of riding from `leave` when no riding is done inside
    a pause (sorted, as start/end minutes): the riding minutes are spent in the gaps."""
    now, still = leave, riding
    for pause_start, pause_end in pauses:
        if pause_end <= now:
            continue
        gap = max(pause_start - now, 0)
        if still <= gap:
            break
        still -= gap
        now = pause_end
    return now + still


def _check_no_visit_days(data: Mapping, department: Department, policy: Policy) -> list[RouteViolation]:
    """`no_visit_days` says the week has no working day: false in a week that has one."""
    listed = [item for item in data.get("unvisited", []) if item.get("reason") == "no_visit_days"]
    if not listed or not data.get("week_start"):
        return []
    worked = working_dates(policy, dt.date.fromisoformat(str(data["week_start"])), department)
    if not worked:
        return []
    days = ", ".join(f"{d:%a} {d}" for d in worked)
    return [RouteViolation("due", item.get("manager"), None, item["retailer"],
                           f"{item['retailer']} is listed no_visit_days, but the week has working days ({days})")
            for item in listed]


def _check_manager_absent(data: Mapping, department: Department, policy: Policy) -> list[RouteViolation]:
    """`manager_absent` says the retailer's manager is away every working minute of the
    week (engine/check/spec.py `presence`, read from the department's leave): false for a
    manager at work any of it, or in a week without a working day (`no_visit_days`)."""
    listed = [item for item in data.get("unvisited", []) if item.get("reason") == "manager_absent"]
    if not listed or not data.get("week_start"):
        return []
    week_start = dt.date.fromisoformat(str(data["week_start"]))
    worked = working_dates(policy, week_start, department)
    share = presence(department, policy, week_start)
    owners = {r.id: r.manager for r in department.retailers}
    found = []
    for item in listed:
        owner = owners.get(item["retailer"], item.get("manager"))
        if not worked or share.get(owner, 1) > 0:
            why = "the week has no working day" if not worked else f"{owner} is at work part of the week"
            found.append(RouteViolation("due", item.get("manager"), None, item["retailer"],
                                        f"{item['retailer']} is listed manager_absent, but {why}"))
    return found


PHONE_CALL_WEEK = "phone_call_week"
"""retailers.csv's column for a week whose visit a phone call replaces, read on its own
as an applied capacity proposal writes it (data/README.md)."""


def _check_called_by_phone(data: Mapping, department: Department) -> list[RouteViolation]:
    """`called_by_phone` says the retailer's row records a call in this week's phone slot
    (`phone_call_week` the week's Monday): false for any other retailer."""
    listed = [item for item in data.get("unvisited", []) if item.get("reason") == "called_by_phone"]
    if not listed or not data.get("week_start"):
        return []
    week_start = str(data["week_start"])
    called = {r.id for r in department.retailers if r.extra.get(PHONE_CALL_WEEK) == week_start}
    return [RouteViolation("due", item.get("manager"), None, item["retailer"],
                           f"{item['retailer']} is listed called_by_phone, but its row records no call in the "
                           f"week of {week_start} ({PHONE_CALL_WEEK})")
            for item in listed if item["retailer"] not in called]


def _check_due(data: Mapping, department: Department, policy: Policy, visits: Counter[str],
               carried: Mapping[str, int]) -> list[RouteViolation]:
    """Each retailer's visits planned plus listed unvisited make what it owes the week:
    its due count and the visits carried over, but at most one a working day of the
    department's calendar (a retailer is visited once a day at most: a daily retailer
    owes a week with a holiday 4 visits, not 5). A week with no working day keeps the
    full count, its visits listed `no_visit_days`."""
    scope = data.get("scope") or {}
    if scope.get("dates"):
        return []  # a single day cannot show the week's visits
    week_start = dt.date.fromisoformat(str(data["week_start"]))
    days_worked = len(working_dates(policy, week_start, department))
    chosen = set(scope.get("managers") or [m.id for m in department.managers])
    missing: Counter[str] = Counter()
    found = []
    for item in data.get("unvisited", []):
        missing[item["retailer"]] += 1
        if item.get("reason") not in REASONS:
            found.append(RouteViolation("due", item.get("manager"), None, item["retailer"],
                                        f"reason {item.get('reason')!r} is not one of {sorted(REASONS)}"))
    for retailer in department.retailers:
        if retailer.manager not in chosen:
            continue
        due = expected_visits(retailer.id, retailer.visits_per_4_weeks, week_start) + carried.get(retailer.id, 0)
        if days_worked:
            due = min(due, days_worked)
        done, listed = visits[retailer.id], missing[retailer.id]
        if done > due:
            found.append(RouteViolation("due", retailer.manager, None, retailer.id,
                                        f"{retailer.id} is visited {done} times, due {due}"))
        elif done + listed != due:
            found.append(RouteViolation(
                "due", retailer.manager, None, retailer.id,
                f"{retailer.id} is due {due} visits: {done} planned and {listed} listed unvisited"))
    return found
