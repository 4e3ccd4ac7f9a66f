"""Key customers first, as the judges read it (SPEC §4, seed 001's 20/80 rule: the few big
customers deserve more visits).

In a manager's week no visit of the policy's key class (`[visit_value] key_class`, A) is
left out while a visit of its least class (`least_class`, C) of the same manager is
made, unless the key retailer could not be served on any visit day of the week. The
key customers of a manager away all week, whose visits his neighbours make
(spec.handed_over), are owed the same by each neighbour: none is left out while a
neighbour who could serve it on one of his visit days makes a least-class visit. This
module judges that claim itself and shares no code with the route planner: on each of
the manager's visit days it asks whether a single visit could fit at all, on the
judges' own rides (engine/check/spec.py):

    earliest start = max(visit block start + ride from the day's first place, opening)
    latest end     = min(closing, visit block end, route.visiting_ends_by,
                         next fixed place's time - the ride there)

beside the day's key-class visits at their planned times: in a gap between them, from the
end of the one before plus the ride from it to the start of the one after less the ride
there (a key customer is not owed another key customer's place: six class-A shops open
09:00-09:15 fill four days' 09:00, and the two left over could not be served).

A visit of max(service_min, route.min_service_min) that does not fit between them, on
every day that does not already visit the retailer, could not be served. The test is
generous to the plan's accuser (lunch and the first-stop rule are left out), so a
violation is never a matter of rounding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import get_args

from engine.check.spec import (
    Point,
    back_for_leave,
    expected_visits,
    first_stop_deadline,
    great_circle_km,
    handed_over,
    held_at_office,
    leave_spans,
    ride,
    territory_centres,
)
from engine.domain import Block, BlockKind, Department, Retailer, Timetable
from engine.policy import Policy, parse_clock

KEY_CUSTOMER_DROPPED = "key_customer_dropped"
_BLOCK_KINDS = frozenset(get_args(BlockKind))


@dataclass(frozen=True)
class KeyCustomerDropped:
    """A key-class visit left out while a least-class visit of the same manager-week is made."""

    manager: str
    retailer: str
    message: str


@dataclass(frozen=True)
class _VisitDay:
    """A manager's visit day as far as a single visit is concerned."""

    date: dt.date
    start: int
    end: int
    start_place: str | None  # None: the office
    next_place: str | None  # None: the office
    next_deadline: int | None  # None: the next place is one the timetable does not name
    visited: frozenset[str]
    kept: tuple[tuple[str, int, int], ...] = ()
    """The day's visits of the key class (retailer, start, end): a key customer is not
    owed another key customer's place."""


def key_customers_dropped(plan: Mapping, department: Department, policy: Policy,
                          timetable: Timetable | None = None) -> list[KeyCustomerDropped]:
    """Every key-class visit the plan leaves out while it makes a least-class visit of the
    same manager-week and the key retailer could have been served (see the module text)."""
    rules = policy.visit_value
    if rules is None or (plan.get("scope") or {}).get("dates"):
        return []  # no order to keep, or a single day cannot show the week
    retailers = {r.id: r for r in department.retailers}
    days = _visit_days(plan, policy, timetable, {r for r, x in retailers.items() if x.retailer_class == rules.key_class},
                       leave_spans(department))
    least_made: dict[str, list[str]] = defaultdict(list)
    for manager, manager_days in days.items():
        for day in manager_days:
            # A stop at a retailer the department lacks is the route checker's unknown_reference.
            least_made[manager] += sorted(r for r in day.visited if r in retailers
                                          and retailers[r].retailer_class == rules.least_class)
    stated = plan.get("week_start")
    handed = handed_over(department, policy, dt.date.fromisoformat(str(stated))) if stated else {}
    centres = territory_centres(department)

    def distance(manager: str, other: str) -> float:
        return great_circle_km(*centres[manager], *centres[other])

    found = []
    for item, retailer, manager in _key_left_out(plan, retailers, rules.key_class):
        # A manager away all week or most of it: his neighbours make his visits (spec.handed_over), nearest first.
        for taker in (manager, *sorted(handed.get(manager, ()), key=lambda m: distance(manager, m))):
            made = least_made.get(taker, [])
            servable = [d for d in days.get(taker, [])
                        if _could_serve(retailer, d, policy, department, retailers, taker)]
            if not made or not servable:
                continue
            example = ", ".join(made[:3]) + (f" and {len(made) - 3} more" if len(made) > 3 else "")
            label = rules.key_class if taker == manager else f"{rules.key_class}, {manager}'s, who is away this week"
            by = "" if taker == manager else f" by his neighbour {taker}"
            found.append(KeyCustomerDropped(manager, retailer.id, (
                f"{retailer.id} (class {label}) is left out ({item.get('reason')}) while {len(made)} "
                f"class-{rules.least_class} visits of the week are made{by} ({example}); a visit of it fits on "
                f"{', '.join(f'{d.date:%a}' for d in servable)}{'' if taker == manager else f' of {taker}'}")))
            break
    return found


def _visit_days(plan: Mapping, policy: Policy, timetable: Timetable | None, key: set[str],
                leave: Mapping[tuple[str, dt.date], list[tuple[int, int]]]) -> dict[str, list[_VisitDay]]:
    """Per manager, the week's visit days: the routes' visit blocks (the timetable's when
    given), where each starts from and the next fixed place after it, or the office for a
    leave after the block (without the timetable, as the route itself states its day,
    `_route_blocks`)."""
    blocks: dict[tuple[str, dt.date], list[Block]] = defaultdict(list)
    for block in timetable.blocks if timetable is not None else ():
        blocks[(block.manager, block.date)].append(block)
    days: dict[str, list[_VisitDay]] = defaultdict(list)
    for route in plan.get("routes", []):
        manager, date = route["manager"], dt.date.fromisoformat(str(route["date"]))
        visited = frozenset(s["retailer"] for s in route.get("stops", []) if s["kind"] == "visit")
        start_from = route.get("start_from", "office")
        start_place = None if start_from in (None, "office") else start_from
        day_blocks = sorted(blocks.get((manager, date), []) if timetable is not None else _route_blocks(route),
                            key=lambda b: b.start)
        visit = next((b for b in day_blocks if b.kind == "visit"), None)
        start = visit.start if visit else parse_clock(route["visit_start"])
        end = visit.end if visit else parse_clock(route["visit_end"])
        next_place, deadline = _next_place(day_blocks, end, policy) if visit else (None, None)
        off = back_for_leave(leave.get((manager, date), []), day_blocks, end) if visit else None
        if off is not None:
            next_place, deadline = None, off  # back at the office for his leave
        kept = tuple(sorted((s["retailer"], parse_clock(s["start"]), parse_clock(s["end"]))
                            for s in route.get("stops", []) if s["kind"] == "visit" and s["retailer"] in key))
        days[manager].append(_VisitDay(date, start, end, start_place, next_place, deadline, visited, kept))
    return days


def _route_blocks(route: Mapping) -> list[Block]:
    """The day's blocks as the route states them when no timetable is given: its visit
    block (visit_start-visit_end), its lunch, and its stops of other kinds at their places
    and times. A routes file scored alone still says where the manager must be after his
    visits (tester A3: a leave at 12:00 after the 08:30-11:30 block was not read, and the
    judge owed a far A a place the plan rightly denied it)."""
    manager, date = route["manager"], dt.date.fromisoformat(str(route["date"]))
    found = []
    if route.get("visit_start") and route.get("visit_end"):
        found.append(Block(manager=manager, date=date, kind="visit", start=parse_clock(route["visit_start"]),
                           end=parse_clock(route["visit_end"])))
    if route.get("lunch_start") and route.get("lunch_end"):
        found.append(Block(manager=manager, date=date, kind="lunch", start=parse_clock(route["lunch_start"]),
                           end=parse_clock(route["lunch_end"])))
    for stop in route.get("stops", []):
        kind = stop.get("kind", "visit")
        if kind == "visit" or kind not in _BLOCK_KINDS or not stop.get("start") or not stop.get("end"):
            continue
        found.append(Block(manager=manager, date=date, kind=kind, start=parse_clock(stop["start"]),
                           end=parse_clock(stop["end"]), retailer=stop.get("retailer")))
    return found


def _next_place(day_blocks: Sequence[Block], visit_end: int, policy: Policy) -> tuple[str | None, int | None]:
    """The first place the timetable fixes after the visit block and when it must be reached
    (a lunch on the way counts against it); the office by the end of the day when none."""
    lunch = 0
    for block in (b for b in day_blocks if b.start >= visit_end):
        if block.kind == "lunch":
            lunch += block.end - block.start
            continue
        if block.retailer is not None:
            return block.retailer, block.start - lunch
        if held_at_office(policy, block.kind):
            return None, block.start - lunch
        return None, None  # a field place the timetable does not name: no ride to judge
    return None, policy.day.end


def _could_serve(retailer: Retailer, day: _VisitDay, policy: Policy, department: Department,
                 places: Mapping[str, Retailer], manager: str) -> bool:
    """Whether a single visit of the retailer fits the day (the module text's test); as the
    day's first visit it must be reached by the manager's first-stop time (SPEC §3)."""
    if retailer.id in day.visited:
        return False  # at most one visit a day (SPEC §4)

    def point(key: str | None) -> Point:
        if key is None or key not in places:
            return department.office.lat, department.office.lon, "town"
        return places[key].lat, places[key].lon, places[key].area

    here = point(retailer.id)
    service = max(retailer.service_min, policy.route.min_service_min)
    kept = sorted(day.kept, key=lambda k: k[1])
    before = [(day.start_place, day.start)] + [(r, end) for r, _, end in kept]
    for n, (there, free_from) in enumerate(before):
        arrive = free_from + ride(policy, point(there), here)[1]
        if n == 0 and arrive > first_stop_deadline(policy, day.date, department, manager):
            continue  # it would open the day, and cannot be reached in time to
        earliest = max(arrive, retailer.opens)
        latest = min(retailer.closes, day.end, policy.route.visiting_ends_by)
        if n < len(kept):
            latest = min(latest, kept[n][1] - ride(policy, here, point(kept[n][0]))[1])
        elif day.next_deadline is not None:
            latest = min(latest, day.next_deadline - ride(policy, here, point(day.next_place))[1])
        if earliest + service <= latest:
            return True
    return False


def key_customers_beside_empty_days(plan: Mapping, department: Department, policy: Policy,
                                    timetable: Timetable | None = None) -> list[KeyCustomerDropped]:
    """Every key-class visit the plan leaves out while a visit day of the same manager has no
    visit at all and a single visit of the key retailer fits that day (the module text's
    test): a visit block left empty beside a key customer left out is a week a market
    manager calls wrong, whatever kept the day empty (SPEC §3-4)."""
    rules = policy.visit_value
    if rules is None or (plan.get("scope") or {}).get("dates"):
        return []  # no order to keep, or a single day cannot show the week
    retailers = {r.id: r for r in department.retailers}
    days = _visit_days(plan, policy, timetable, {r for r, x in retailers.items() if x.retailer_class == rules.key_class},
                       leave_spans(department))
    found = []
    for item, retailer, manager in _key_left_out(plan, retailers, rules.key_class):
        empty = [d for d in days.get(manager, []) if not d.visited
                 and _could_serve(retailer, d, policy, department, retailers, manager)]
        if empty:
            found.append(KeyCustomerDropped(manager, retailer.id, (
                f"{retailer.id} (class {rules.key_class}) is left out ({item.get('reason')}) while the visit "
                f"block{'s' if len(empty) > 1 else ''} of {', '.join(f'{d.date:%a}' for d in empty)} "
                f"{'have' if len(empty) > 1 else 'has'} no visit at all; a visit of it fits there")))
    return found


def _key_left_out(plan: Mapping, retailers: Mapping[str, Retailer],
                  key_class: str) -> Iterator[tuple[Mapping, Retailer, str]]:
    """The plan's visits left out of key-class retailers: (its item, the retailer, the
    manager it is listed under). A retailer the week's routes visit as often as it is due
    (at least once) is not left out, whatever the plan also lists: the route checker's
    `due` says it is "planned and listed unvisited" (tester: R01011 visited and listed,
    called "left out (closed)" here too)."""
    made: dict[str, int] = defaultdict(int)
    for route in plan.get("routes", []):
        for stop in route.get("stops", []):
            if stop.get("kind", "visit") == "visit":
                made[str(stop.get("retailer"))] += 1
    stated = plan.get("week_start")
    week_start = dt.date.fromisoformat(str(stated)) if stated else None
    for item in plan.get("unvisited", []):
        retailer = retailers.get(item["retailer"])
        if retailer is None or retailer.retailer_class != key_class:
            continue
        due = expected_visits(retailer.id, retailer.visits_per_4_weeks, week_start) if week_start else 1
        if made[retailer.id] >= max(1, due):
            continue
        yield item, retailer, item.get("manager") or retailer.manager
