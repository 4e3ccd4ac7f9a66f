"""Build → solve → result for the week's routes (SPEC §1.2, §3-4): `plan_routes`.

For every manager: the retailers due this week (`due`), the days they are
visited on (`visit_days`), each day's route timed exactly with its fixed
appointments (`daily`), and what could not be visited, with a reason. The result
is a `RoutePlan`, the JSON contract of `fieldweek routes --json`:

    {"week_start", "routes": [{"manager", "date", "depart", "return", "distance_km",
      "travel_minutes", "stops": [{"retailer", "kind", "arrive", "start", "end", ...}], ...}],
     "unvisited": [{"retailer", "manager", "reason", ...}], "shortfalls": [...], ...}

Times are HH:MM, distances km, durations minutes. Never prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from engine.budget import RouteBudget
from engine.domain import HANDED_OVER_TO, HANDED_OVER_WEEK, Department, Retailer, Timetable
from engine.policy import Clock, Policy, format_clock
from engine.processes import pool_context
from engine.routing.approach import manager_approach
from engine.routing.daily import (
    DayRoute,
    FieldDay,
    Itinerary,
    Territory,
    UnvisitedReason,
    appointment_days,
    appointment_route,
    build_itinerary,
    cheapest_day,
    day_area,
    field_days,
    part_day_leave,
    required_stops,
    route_day,
    time_visit_route,
)
from engine.routing.due import DueRetailer, due_retailers, due_with_carry_over, week_monday
from engine.routing.matrix import (
    TravelMatrix,
    load_road_graph,
    prepare_bike_graph,
    straight_line_matrix,
    street_network_matrix,
)
from engine.routing.neighbours import (
    away_all_week,
    away_for_hand_over,
    away_most_of_the_week,
    nearest_neighbour,
    neighbours,
    why_no_hand_over,
)
from engine.routing.visit_days import Unassigned, VisitDayPlan, in_routes, plan_visit_days
from engine.routing.visit_value import make_way, visit_values
from engine.routing.vrptw import stop_when_stalled
from engine.work_calendar import WorkCalendar

STRAIGHT_LINE = "straight_line"
DAY_ROUTE_STALL_ITERATIONS = 200
"""A day's route (one manager, a dozen or two stops, its visits already chosen) has settled
when this many solver iterations bring no improvement (measured in benchmarks/RESULTS.md)."""
POOL_PAYS_FROM_S = 6.0
"""A route budget from which managers are planned in a process pool: starting its
processes costs a second or two (each imports the solvers), which a smaller budget
would not win back."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class RouteStop(_Out):
    """A stop: a visit, or a fixed appointment (pos_project, promotion)."""

    retailer: str
    kind: str
    arrive: Clock
    start: Clock
    end: Clock
    origin: str = Field(alias="from", description='"office", the previous retailer, or "elsewhere"')
    ride_min: int
    ride_km: float
    name: str = ""
    lat: float | None = None
    lon: float | None = None


class OfficeLeg(_Out):
    """A ride back to the office (before an office block, or at the end of the day)."""

    origin: str = Field(alias="from")
    leave: Clock
    arrive: Clock
    ride_min: int
    ride_km: float


class DayRoutePlan(_Out):
    """One manager's field day."""

    manager: str
    date: dt.date
    depart: Clock
    return_: Clock | None = Field(
        alias="return", description="back at the office after the last stop; null when the day "
        "ends at a field block the timetable gives no place (maintenance, site study)"
    )
    distance_km: float
    travel_minutes: int
    stops: tuple[RouteStop, ...]
    visits: int
    visit_start: Clock
    visit_end: Clock = Field(description="the visit block; on a day without one (only fixed field "
                             "blocks) both are the start of its first field block: no visiting time")
    start_from: str = Field(description='"office" or the retailer of the appointment before')
    lunch_start: Clock | None = None
    lunch_end: Clock | None = None
    waiting_minutes: int = 0
    idle_minutes: int = Field(
        default=0, description="minutes in the field spent neither riding, serving nor at lunch "
        "(SPEC §6): waiting_minutes plus the wait on the road for the lunch window")
    office_returns: tuple[OfficeLeg, ...] = ()
    required_stops: int | None = None
    notes: tuple[str, ...] = Field(
        default=(), description="what the market manager should know: rules the timetable "
        "makes impossible, early starts, rides its buffers do not cover"
    )


PlanUnvisitedReason = UnvisitedReason | Literal["manager_absent", "called_by_phone"]
"""Why a due visit is in no route of the week's plan: a day's or the week's reason
(engine/routing/daily.py `UNVISITED_REASONS`), or `manager_absent`, its manager on leave
every working day of the week and no colleague taking it over (none within the hand-over
distance, or no hand-over: the detail says which; the re-plan's word for a visit of an
absent manager) — not `no_room_in_day`, no day of his being full —, or `called_by_phone`,
an applied capacity proposal calling the retailer in a phone slot this week instead
(`called_for_the_week`): still due, not routed (the proposal was proven without it)."""

PHONE_CALL_WEEK = "phone_call_week"
"""The column of an applied capacity proposal's retailers.csv naming the week (its Monday)
whose visit a phone call replaces (engine/capacity/proposal.py `folder_department`)."""
PHONE_CALLED_BY = "phone_called_by"
"""The column naming who makes that call: the retailer's manager or a colleague."""


class UnvisitedRetailer(_Out):
    """A due visit that is in no route."""

    retailer: str
    manager: str
    reason: PlanUnvisitedReason
    detail: str = ""
    date: dt.date | None = None


class Shortfall(_Out):
    """A day below the policy's minimum number of stops, and why."""

    manager: str
    date: dt.date
    area: Literal["town", "country"]
    required: int
    planned: int
    short: int
    message: str


class PlanScope(_Out):
    """What the plan covers: all managers and days when both lists are empty."""

    managers: tuple[str, ...] = ()
    dates: tuple[dt.date, ...] = ()


class RoutePlan(_Out):
    """The week's routes: the JSON contract of `fieldweek routes --json`."""

    week_start: dt.date
    department: str = ""
    policy: str = ""
    matrix_source: str = STRAIGHT_LINE
    scope: PlanScope = PlanScope()
    routes: tuple[DayRoutePlan, ...] = ()
    unvisited: tuple[UnvisitedRetailer, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    due_visits: int = 0
    """The week's due visits of the managers planned (also when one day is asked for)."""
    day_due_visits: int | None = None
    """With one day asked for (`day`), the visits the week's plan gave that day: its routes'
    visits and its own left-outs (unvisited dated that day) add up to it, as the week's
    visits and all its unvisited add up to `due_visits` (the day's view also lists the
    week's visits no day took, undated, which are not the day's). None for the whole week."""
    carried_over: dict[str, int] = {}
    """Visits missed in earlier weeks that this week's plan also owes, per retailer."""
    solve_seconds: float = 0.0

    def to_json_dict(self) -> dict:
        """The plan as JSON-ready data with the contract's key names."""
        return self.model_dump(mode="json", by_alias=True)


def plan_routes(
    department: Department,
    policy: Policy,
    timetable: Timetable,
    week_start: dt.date,
    day: dt.date | None = None,
    manager: str | None = None,
    time_limit_s: float = 30.0,
    matrix_source: str | Path = STRAIGHT_LINE,
    *,
    seed: int = 0,
    backend: str = "pyvrp",
    carried: Mapping[str, int] | None = None,
    previous: RoutePlan | None = None,
    processes: int = 0,
    day_stall_iterations: int | None = DAY_ROUTE_STALL_ITERATIONS,
) -> RoutePlan:
    """Plan the week's visit days and each day's route for every manager (or one).

    The week is always planned as a whole (which day a retailer goes on depends on
    the other days); `day` only narrows what is returned. `time_limit_s` is the
    solver budget for all chosen managers together. `matrix_source` is
    "straight_line" (haversine × detour at the policy's speeds) or the path of a
    road graph (GraphML / OSM extract) ridden at the policy's town speed.
    `carried` adds visits missed in earlier weeks to the week's due list
    (`engine.actuals.carried_into` reads them from the department's actuals).
    `previous` (e.g. last week's plan) starts each manager's visit-day solve from
    its routes: a retailer due again goes on the same weekday as before.
    `processes` plans that many managers at once, each in its own process (0: one per
    CPU core, 1: one after another here; a budget under `POOL_PAYS_FROM_S` is always
    planned here); every manager keeps the same share of
    `time_limit_s` however many run at once, so the plan is as good and the wall time
    shorter. `day_stall_iterations` ends a day's route solve once it has not improved for
    that many iterations (`vrptw.stop_when_stalled`; None: it keeps its budget); the
    week's visit-day solve always keeps its budget.
    Raises ValueError for an unknown manager or a day outside the week.
    """
    started = time.perf_counter()
    monday = week_monday(week_start)
    managers = _chosen_managers(department, monday, day, manager)
    road_graph = _road_graph(matrix_source, policy)
    request = _RouteRequest(
        department=department, policy=policy, timetable=timetable, monday=monday, day=day,
        retailers={r.id: r for r in department.retailers}, road_graph=road_graph,
        budget=RouteBudget(time_limit_s), managers=len(managers), seed=seed, backend=backend,
        carried=carried, previous=previous, day_stall_iterations=day_stall_iterations,
    )
    if manager is None:
        request = dataclasses.replace(request, whole_department=True,
                                      handed=_hand_over(department, policy, timetable, monday, carried))
    planned = _plan_part_week_first(request, managers, processes) if manager is None else _plan_managers(
        request, managers, processes)
    return RoutePlan(
        week_start=monday,
        department=department.name,
        policy=policy.name,
        matrix_source=STRAIGHT_LINE if road_graph is None else "street_network",
        scope=PlanScope(
            managers=() if manager is None else (manager,), dates=() if day is None else (day,)
        ),
        routes=tuple(route for week in planned for route in week.routes),
        unvisited=tuple(item for week in planned for item in week.unvisited),
        shortfalls=tuple(shortfall for week in planned for shortfall in week.shortfalls),
        due_visits=sum(week.due_visits for week in planned),
        day_due_visits=None if day is None else sum(
            sum(r.visits for r in week.routes) + sum(1 for u in week.unvisited if u.date == day)
            for week in planned),
        carried_over=dict(sorted((carried or {}).items())),
        solve_seconds=round(time.perf_counter() - started, 3),
    )


@dataclass(frozen=True)
class _RouteRequest:
    """What every chosen manager's week of one `plan_routes` call shares."""

    department: Department
    policy: Policy
    timetable: Timetable
    monday: dt.date
    day: dt.date | None
    retailers: dict[str, Retailer]
    road_graph: nx.MultiDiGraph | None
    budget: RouteBudget
    managers: int
    seed: int
    backend: str
    carried: Mapping[str, int] | None
    previous: RoutePlan | None
    day_stall_iterations: int | None = None
    whole_department: bool = False
    """Every manager is planned (no --manager): only then is an absent one's week handed over."""
    handed: Mapping[str, tuple[_Handed, ...]] = dataclasses.field(default_factory=dict)
    """Neighbour -> the due visits of a manager absent all week handed to him (`_hand_over`),
    key visits first; a manager whose visits are handed has an empty tuple under his id."""

    def wants(self, date: dt.date | None) -> bool:
        """Whether a day's result is returned (`day` narrows what is returned)."""
        return self.day is None or date == self.day


@dataclass(frozen=True)
class _Handed:
    """A due visit of a manager absent all week (or most of it: `_plan_part_week_first`),
    handed to a neighbour."""

    item: DueRetailer
    owner: str
    away: str = "is on leave every working day of the week"
    """Why the owner does not make it, in words."""
    by_proposal: bool = False
    """Handed by an applied capacity proposal (`handed_for_the_week`), which measured room
    for it in the neighbour's week: planned with his own visits (`_plan_manager`)."""


def _hand_over(department: Department, policy: Policy, timetable: Timetable, monday: dt.date,
               carried: Mapping[str, int] | None) -> dict[str, tuple[_Handed, ...]]:
    """The due visits of each manager on leave every working day of the week (no visit
    block) handed to his neighbours (routing/neighbours.py, the re-plan's rule, when the
    policy's `replan.handover` names "neighbour"), each to the neighbour whose territory
    centre lies nearest the retailer, most valuable first (class A first, SPEC §4). A
    neighbour fits them into his routed week, a key customer in place of his less valuable
    visits where no day has room (`_take_handed`), or else on to the next neighbour
    (`_key_visits_onward`)."""
    rules = policy.replan
    if rules is None or "neighbour" not in rules.handover:
        return {}
    working = dict(WorkCalendar(department, policy).working_days(monday))
    with_block = {b.manager for b in timetable.blocks if b.kind == "visit" and week_monday(b.date) == monday}
    absent = [m.id for m in department.managers
              if m.id not in with_block and _on_leave_every_day(department, m.id, working)]
    # Nor does a neighbour away most of the week take them (`away_for_hand_over`): his few
    # days hold his own visits, and what they leave out is handed on too (`_plan_part_week_first`).
    not_taking = set(absent) | set(away_for_hand_over(department, working, (policy.day.start, policy.day.end),
                                                      policy.pairs.exempt_below_presence))
    centres = department.territory_centres()
    values = visit_values({r.id: r for r in department.retailers}, policy, monday)
    handed: dict[str, list[_Handed]] = {}
    # An applied capacity proposal's hand-over of the week: the neighbour it names makes the visits.
    by_proposal = handed_for_the_week(department, monday)
    for owner in sorted({r.manager for r in department.retailers if r.id in by_proposal} - set(absent)):
        for item in _due(department, policy, monday, carried, owner):
            if item.retailer.id in by_proposal:
                handed.setdefault(by_proposal[item.retailer.id], []).append(_Handed(
                    item, owner, "hands it over this week (the capacity proposal applied to the folder)", True))
    for owner in absent:
        near = [m for m in neighbours(owner, centres, rules.neighbour_max_km) if m not in not_taking]
        due = _due(department, policy, monday, carried, owner)
        if not near or not due:
            continue
        handed.setdefault(owner, [])
        for item in sorted(due, key=lambda d: -values.get(d.retailer.id, 1)):
            r = item.retailer
            # A colleague an applied capacity proposal named (its room measured) before the nearest.
            named = by_proposal.get(r.id)
            by_it = named is not None and named not in absent
            to = named if named is not None and by_it else nearest_neighbour(r, near, centres)
            handed.setdefault(to, []).append(_Handed(item, owner, by_proposal=by_it))
    return {m: tuple(items) for m, items in handed.items()}


def _due(department: Department, policy: Policy, monday: dt.date, carried: Mapping[str, int] | None,
         manager: str) -> list[DueRetailer]:
    """The manager's due visits of the week, with the visits carried over when given; at
    most one a working day (`due_retailers` with the policy: a daily retailer owes a week
    with a holiday 4 visits, not 5 it has no day for)."""
    return (due_with_carry_over(department, monday, carried, manager, policy=policy) if carried
            else due_retailers(department, monday, manager, policy=policy))


def called_for_the_week(department: Department, monday: dt.date) -> dict[str, str]:
    """Retailer -> who calls it in his phone slot instead of visiting it in the week of
    `monday`, as an applied capacity proposal records it (`PHONE_CALL_WEEK`)."""
    return {r.id: r.extra.get(PHONE_CALLED_BY) or r.manager for r in department.retailers
            if r.extra.get(PHONE_CALL_WEEK) == monday.isoformat()}


def handed_for_the_week(department: Department, monday: dt.date) -> dict[str, str]:
    """Retailer -> the colleague who makes its visits in the week of `monday`, as an applied
    capacity proposal records it (retailers.csv's `handed_over_week` / `handed_over_to`)."""
    managers = {m.id for m in department.managers}
    return {r.id: to for r in department.retailers
            if r.extra.get(HANDED_OVER_WEEK) == monday.isoformat()
            and (to := r.extra.get(HANDED_OVER_TO, "")) in managers and to != r.manager}


def _take_handed(request: _RouteRequest, manager_id: str, day_routes: list[DayRoute], territory: Territory,
                 ) -> tuple[list[UnvisitedRetailer], list[Unassigned]]:
    """Fit the visits handed to this manager (`_hand_over`) into his routed days, in their
    order, each at the cheapest place of a day that keeps every rule (a visit due twice
    goes on two days); one no day has room for takes, like his own left-out visits, the
    place of his less valuable visits (visit_value.make_way: an absent colleague's key
    customer before his own least-class visits), and those say whose customer took it.
    `day_routes` is changed in place. Returns the handed visits left out and his own
    visits that made way."""
    policy, retailers = request.policy, request.retailers
    rules = policy.replan
    assert rules is not None
    handed = request.handed.get(manager_id, ())
    owners = {h.item.retailer.id: h.owner for h in handed}
    days = [route.day for route in day_routes]
    orders = [[stop.retailer for stop in route.timed.stops] for route in day_routes]
    before = [list(order) for order in orders]
    away = {h.owner: h.away for h in handed}
    words = {owner: f"{owner} {away[owner]}; handed to {manager_id}, a neighbour "
                    f"(territory centres within {rules.neighbour_max_km:g} km), whose visit blocks have no room "
                    "left for it" for owner in set(owners.values())}
    out: list[Unassigned] = []
    for item in handed:
        for _ in range(item.item.visits):
            placed = cheapest_day(item.item.retailer.id, days, orders, retailers, territory, policy)
            if placed is None:
                out.append(Unassigned(item.item.retailer.id, "no_room_in_day", words[item.owner]))
            else:
                orders[placed[0]] = placed[1]
    if out:
        out = make_way(out, days, orders, retailers, territory, policy,
                       visit_values(retailers, policy, request.monday), owners)
    for number, order in enumerate(orders):
        if order != before[number]:
            rerouted = route_day(days[number], order, retailers, territory, policy)
            day_routes[number] = rerouted
            out += [Unassigned(r, "no_room_in_day", words.get(owners.get(r, ""), "no room left in the day"),
                               days[number].date) for r in rerouted.dropped]
    left = [UnvisitedRetailer(
        retailer=u.retailer, manager=owners[u.retailer], reason=u.reason,
        detail=u.detail if words[owners[u.retailer]] in u.detail else f"{words[owners[u.retailer]]}; {u.detail}")
        for u in out if u.retailer in owners]
    return left, [u for u in out if u.retailer not in owners]


def _part_week_absentees(request: _RouteRequest, managers: Sequence[str]) -> list[str]:
    """The managers present this week, but for less of it than the policy pairs a manager
    (`pairs.exempt_below_presence`, the same share of the week's working days): under the
    policy's hand-over to a neighbour, what their own visit days cannot hold is handed on."""
    rules = request.policy.replan
    if rules is None or "neighbour" not in rules.handover:
        return []
    policy = request.policy
    working = dict(WorkCalendar(request.department, policy).working_days(request.monday))
    away = away_most_of_the_week(request.department, working, (policy.day.start, policy.day.end),
                                 policy.pairs.exempt_below_presence)
    # One away all week has his visits handed already (an empty tuple under his id); one
    # handed a colleague's visits (by a capacity proposal) is still away most of the week.
    return [m for m in managers if m in away and request.handed.get(m) != ()]


def _plan_part_week_first(request: _RouteRequest, managers: Sequence[str], processes: int) -> list[_ManagerRoutes]:
    """Every manager's week, those away most of it (`_part_week_absentees`) first: the due
    visits their own days leave out are handed to their neighbours as an absent manager's
    are (`_hand_over`, key customers first), and no longer listed as theirs; then the others,
    in the department's order; then the key visits a neighbour left out go on to the next
    (`_key_visits_onward`)."""
    part_week = _part_week_absentees(request, managers)
    if not part_week:
        return _key_visits_onward(request, managers, _plan_managers(request, managers, processes), part_week,
                                  processes)
    first = dict(zip(part_week, _plan_managers(request, part_week, processes), strict=True))
    rules = request.policy.replan
    assert rules is not None
    centres = request.department.territory_centres()
    values = visit_values(request.retailers, request.policy, request.monday)
    handed = {m: list(items) for m, items in request.handed.items()}
    for owner, week in first.items():
        # Neither another manager away most of the week nor one away all of it (his own
        # visits handed, an empty tuple under his id) takes them.
        near = [m for m in neighbours(owner, centres, rules.neighbour_max_km)
                if m not in part_week and m in managers and request.handed.get(m) != ()]
        left = Counter(u.retailer for u in week.unvisited)
        if not near or not left:
            continue
        away = f"is away most of the week ({_leave_words(request, owner)})"
        due = _due(request.department, request.policy, request.monday, request.carried, owner)
        given = [dataclasses.replace(item, visits=min(item.visits, left[item.retailer.id]))
                 for item in due if left[item.retailer.id]]
        for item in sorted(given, key=lambda d: -values.get(d.retailer.id, 1)):
            to = nearest_neighbour(item.retailer, near, centres)
            handed.setdefault(to, []).append(_Handed(item, owner, away))
        ids = {item.retailer.id for item in given}
        first[owner] = dataclasses.replace(week, unvisited=[u for u in week.unvisited if u.retailer not in ids])
    request = dataclasses.replace(request, handed={m: tuple(items) for m, items in handed.items()})
    others = [m for m in managers if m not in first]
    rest = dict(zip(others, _plan_managers(request, others, processes), strict=True))
    return _key_visits_onward(request, managers, [first[m] if m in first else rest[m] for m in managers],
                              part_week, processes)


def _key_visits_onward(request: _RouteRequest, managers: Sequence[str], planned: list[_ManagerRoutes],
                       part_week: Sequence[str], processes: int) -> list[_ManagerRoutes]:
    """The key-class visits of a manager away all week or most of it that the neighbour they
    were handed to left out go on to his next neighbour within the hand-over distance (the
    one whose territory centre lies nearest the retailer among those not yet tried), who is
    planned again with them: his `_take_handed` gives them the place of his least valuable
    visits, so no key customer stays out while a neighbour who could make it makes a
    least-class visit (the route checker's key_customer_dropped). Repeated until each is
    made or every neighbour has tried; a neighbour without a visit block this week, or away
    most of it himself, takes none. Each round costs one more solve of the neighbours it
    changes, in parallel."""
    rules, key = request.policy.replan, request.policy.visit_value
    if rules is None or key is None:
        return planned
    handed = {m: list(items) for m, items in request.handed.items()}
    away = [m for m, items in handed.items() if not items] + list(part_week)
    with_block = {b.manager for b in request.timetable.blocks
                  if b.kind == "visit" and week_monday(b.date) == request.monday}
    centres = request.department.territory_centres()
    takers = {owner: [m for m in neighbours(owner, centres, rules.neighbour_max_km)
                      if m in managers and m in with_block and m not in away] for owner in away}
    tried = {(h.owner, h.item.retailer.id): {m} for m, items in handed.items() for h in items}
    weeks = dict(zip(managers, planned, strict=True))
    values = visit_values(request.retailers, request.policy, request.monday)
    while True:
        onward: dict[str, list[_Handed]] = {}
        for giver, items in handed.items():
            for number, h in enumerate(items):
                rid = h.item.retailer.id
                out = sum(u.retailer == rid and u.manager == h.owner for u in weeks[giver].unvisited)
                near = [m for m in takers.get(h.owner, ()) if m not in tried[(h.owner, rid)]]
                if not out or not near or h.item.retailer.retailer_class != key.key_class:
                    continue
                to = nearest_neighbour(h.item.retailer, near, centres)
                tried[(h.owner, rid)].add(to)
                onward.setdefault(to, []).append(dataclasses.replace(
                    h, item=dataclasses.replace(h.item, visits=out)))
                items[number] = dataclasses.replace(h, item=dataclasses.replace(h.item, visits=h.item.visits - out))
                weeks[giver] = dataclasses.replace(weeks[giver], unvisited=[
                    u for u in weeks[giver].unvisited if not (u.retailer == rid and u.manager == h.owner)])
        if not onward:
            return [weeks[m] for m in managers]
        # An empty list under a manager's id says he is away all week: a giver left with none drops out.
        handed = {m: kept for m, items in handed.items() if (kept := [h for h in items if h.item.visits]) or not items}
        for to, items in onward.items():
            handed[to] = sorted([*handed.get(to, []), *items], key=lambda h: -values.get(h.item.retailer.id, 1))
        request = dataclasses.replace(request, handed={m: tuple(items) for m, items in handed.items()})
        again = list(onward)
        weeks.update(zip(again, _plan_managers(request, again, processes), strict=True))


def _leave_words(request: _RouteRequest, manager: str) -> str:
    """His leave of the week, day by day: "on leave Mon all day, Tue all day, Fri 10:30–17:30"."""
    days: list[str] = []
    for leave in sorted(request.department.leave, key=lambda leave: (leave.date, leave.start or 0)):
        if leave.manager != manager or week_monday(leave.date) != request.monday:
            continue
        when = "all day" if leave.start is None or leave.end is None else (
            f"{format_clock(leave.start)}–{format_clock(leave.end)}")
        days.append(f"{leave.date:%a} {when}")
    return "on leave " + ", ".join(days) if days else "on leave"


def _plan_managers(request: _RouteRequest, managers: Sequence[str], processes: int) -> list[_ManagerRoutes]:
    """Every chosen manager's week, in the given order: managers do not interact once
    the timetable is fixed, so several are planned at once in a process pool (PyVRP's
    search holds the GIL: threads would take turns)."""
    processes = max(1, min(processes or os.cpu_count() or 1, len(managers)))
    # A daemonic process (a Dask worker's) may not start processes: it plans here.
    if processes == 1 or request.budget.limit_s < POOL_PAYS_FROM_S or multiprocessing.current_process().daemon:
        return [_plan_manager(request, m) for m in managers]
    with ProcessPoolExecutor(processes, mp_context=pool_context()) as pool:
        futures = [pool.submit(_plan_manager, request, m) for m in managers]
        return [future.result() for future in futures]


@dataclass(frozen=True)
class _ManagerRoutes:
    """One manager's share of the week's plan."""

    routes: list[DayRoutePlan]
    unvisited: list[UnvisitedRetailer]
    shortfalls: list[Shortfall]
    due_visits: int


def _chosen_managers(department: Department, monday: dt.date, day: dt.date | None,
                     manager: str | None) -> list[str]:
    """The managers to plan: all, or the one asked for; a ValueError for an unknown
    manager or a day outside the week."""
    if day is not None and week_monday(day) != monday:
        raise ValueError(f"{day} is not in the week starting {monday}")
    managers = [m.id for m in department.managers]
    if manager is not None:
        if manager not in managers:
            raise ValueError(f"no manager {manager!r} in {department.name}; managers: {managers}")
        managers = [manager]
    return managers


def _plan_manager(request: _RouteRequest, manager_id: str) -> _ManagerRoutes:
    """One manager's week: the due visits (SPEC §4), their days, each day's route timed
    exactly, what could not be visited, and the days below their minimum stops (SPEC §3).
    His share of the route limit ends at one deadline: the searches for a better week stop
    there (`plan_visit_days`), and the days' solves get no more than it leaves."""
    deadline = time.monotonic() + request.budget.per_manager_s(request.managers)
    department, policy, monday = request.department, request.policy, request.monday
    due = _due(department, policy, monday, request.carried, manager_id)
    # Counted as his due, made by the colleague they are handed to (`_hand_over`).
    due_visits = sum(item.visits for item in due)
    if request.whole_department:
        away = handed_for_the_week(department, monday)
        due = [item for item in due if item.retailer.id not in away]
    # Due, but called in a phone slot instead of visited: listed, not routed (`called_for_the_week`).
    called = called_for_the_week(department, monday)
    phoned = [UnvisitedRetailer(retailer=item.retailer.id, manager=manager_id, reason="called_by_phone",
                                detail=f"called in {called[item.retailer.id]}'s phone slot this week instead of "
                                       f"visited (the capacity proposal applied: retailers.csv's {PHONE_CALL_WEEK})")
              for item in due if item.retailer.id in called for _ in range(item.visits)]
    due = [item for item in due if item.retailer.id not in called]
    rules_of = dict(WorkCalendar(department, policy).working_days(monday))
    approach = manager_approach(department, policy, monday, manager_id)
    leave = part_day_leave(department.leave, manager_id)
    days = [d for d in field_days(request.timetable, policy, manager_id, rules_of, approach, leave)
            if week_monday(d.date) == monday]
    # Days with fixed field blocks but no visit block still have rides to route and count.
    fixed_only = [d for d in appointment_days(request.timetable, policy, manager_id, leave)
                  if week_monday(d.date) == monday]
    handed = request.handed.get(manager_id)
    if handed == ():
        # On leave all week, his visits handed to his neighbours: they list what they cannot take.
        return _ManagerRoutes([], [], [], due_visits)
    extra = [h.item.retailer.id for h in handed or ()]
    territory = _territory(department, manager_id, [*days, *fixed_only], policy, request.road_graph, extra)
    # The visits an applied capacity proposal hands him go in with his own, as its proof planned
    # them (the retailer his for the week), not into what his routed days leave over.
    proposed = {h.item.retailer.id: h.owner for h in handed or () if h.by_proposal}
    if proposed:
        due = [*due, *(h.item for h in handed or () if h.by_proposal)]
        handed = tuple(h for h in handed or () if not h.by_proposal)
        request = dataclasses.replace(request, handed={**request.handed, manager_id: handed})
    values = visit_values(request.retailers, policy, monday)
    week = plan_visit_days(
        manager_id, due, days, request.retailers, territory, policy,
        time_limit_s=request.budget.visit_days_s(request.managers), seed=request.seed,
        backend=request.backend,
        previous=_weekday_orders(request.previous, manager_id) if request.previous is not None else None,
        values=values, deadline=deadline,
    )
    day_budget = request.budget.day_route_s(request.managers, len(days))
    day_routes: list[DayRoute] = []
    with stop_when_stalled(request.day_stall_iterations):
        for number, (field_day, order) in enumerate(zip(week.days, week.orders, strict=True)):
            # Each day its share, no more than the deadline leaves the days still to order.
            share = min(day_budget, max(deadline - time.monotonic(), 0.0) / (len(week.days) - number))
            day_routes.append(route_day(field_day, order, request.retailers, territory, policy,
                                        time_limit_s=share, seed=request.seed, backend=request.backend))
    # Each day re-ordered on its own often has more room than the week's order left it: the
    # visits out for want of room are placed again into the routes as delivered, and the
    # words of those still out measured on them (visit_days.in_routes).
    week = in_routes(week, [[stop.retailer for stop in route.timed.stops] for route in day_routes],
                     _dropped_again(week, day_routes), request.retailers, territory, policy, values)
    day_routes = [route_day(field_day, order, request.retailers, territory, policy)
                  for field_day, order in zip(week.days, week.orders, strict=True)]
    missing = (*week.unassigned, *_dropped_again(week, day_routes))
    absent: set[str] = set()  # left out because he is away all week, no colleague taking them
    if not rules_of:
        # A holiday week: no day is full, there is no day at all.
        missing = tuple(dataclasses.replace(item, reason="no_visit_days", detail=_holiday_week(department, monday))
                        for item in missing)
    elif not days and _on_leave_every_day(department, manager_id, rules_of):
        # No day of his is full: he is away all week and no colleague takes them.
        detail = _why_not_handed(request, manager_id, rules_of)
        missing = tuple(dataclasses.replace(item, detail=detail) for item in missing)
        absent = {item.retailer for item in missing}
    handed_left, made_way = _take_handed(request, manager_id, day_routes, territory) if handed else ([], [])
    missing = (*missing, *made_way)
    # With one day asked for: that day's drops and the week's visits no day took (no date),
    # so that the day's view still accounts for the week's `due_visits`.
    unvisited = [
        UnvisitedRetailer(retailer=item.retailer, manager=proposed.get(item.retailer, manager_id),
                          reason="manager_absent" if item.retailer in absent else item.reason,
                          detail=(f"handed to {manager_id} this week (the capacity proposal applied to the folder); "
                                  if item.retailer in proposed else "") + item.detail, date=item.date)
        for item in missing if item.date is None or request.wants(item.date)
    ] + handed_left + phoned
    routes: list[DayRoutePlan] = []
    shortfalls: list[Shortfall] = []
    for route in day_routes:
        if not request.wants(route.day.date):
            continue
        planned = _day_result(route, territory, policy, request.retailers, [d.retailer.id for d in due],
                              owned=len(department.territory(manager_id)))
        if not planned.visits and route.day.date in week.idle:
            planned = planned.model_copy(update={"notes": (*planned.notes, week.idle[route.day.date])})
        routes.append(planned)
        shortfall = _shortfall(planned, route, week, missing, request.retailers, territory, policy)
        if shortfall is not None:
            shortfalls.append(shortfall)
    for field_day in fixed_only:
        if request.wants(field_day.date):
            routes.append(_day_result(appointment_route(field_day), territory, policy, request.retailers,
                                      [d.retailer.id for d in due]))
    routes.sort(key=lambda r: r.date)
    return _ManagerRoutes(routes, unvisited, shortfalls, due_visits)


def _holiday_week(department: Department, monday: dt.date) -> str:
    """Why nothing is visited in a week without a working day, in words, naming its holidays."""
    days = [department.calendar_day(monday + dt.timedelta(days=offset)) for offset in range(7)]
    names = list(dict.fromkeys(d.name for d in days if d is not None and d.kind == "holiday" and d.name))
    named = f": {'; '.join(names)}" if names else ""
    return (f"a holiday week: the week of {monday} has no working day (every working day a holiday in the "
            f"department's calendar{named}), so no visit block to put it on")


def _why_not_handed(request: _RouteRequest, manager_id: str, working_days: Mapping[dt.date, object]) -> str:
    """The one reason the visits of a manager away all week were handed to no neighbour."""
    rules = request.policy.replan
    max_km = rules.neighbour_max_km if rules is not None and "neighbour" in rules.handover else None
    return why_no_hand_over(manager_id, request.department.territory_centres(),
                            away_all_week(request.department, working_days), max_km,
                            alone=not request.whole_department)


def _on_leave_every_day(department: Department, manager: str, working_days: Mapping[dt.date, object]) -> bool:
    """Whether the manager has whole-day leave on every working day of the week."""
    return manager in away_all_week(department, working_days)


def _day_result(route: DayRoute, territory: Territory, policy: Policy, retailers: dict[str, Retailer],
                due_ids: Sequence[str], owned: int = 0) -> DayRoutePlan:
    """A day's route as the contract writes it, with the notes for the market manager
    (`owned`: how many retailers the manager's territory has)."""
    itinerary = build_itinerary(route, territory, policy)
    planned = _day_plan(route, itinerary, retailers, policy, territory)
    notes = _day_notes(route, itinerary, territory, policy, due_ids, owned, retailers)
    return planned.model_copy(update={"notes": tuple(notes)})


def _weekday_orders(plan: RoutePlan, manager: str) -> dict[int, list[str]]:
    """A manager's visits of a plan per weekday, in visiting order."""
    return {route.date.weekday(): [s.retailer for s in route.stops if s.kind == "visit"]
            for route in plan.routes if route.manager == manager}


def _road_graph(matrix_source: str | Path, policy: Policy) -> nx.MultiDiGraph | None:
    if str(matrix_source) == STRAIGHT_LINE:
        return None
    graph = load_road_graph(matrix_source)
    return prepare_bike_graph(graph, policy.travel.town_speed_kmh)


def _territory(
    department: Department,
    manager_id: str,
    days: Sequence[FieldDay],
    policy: Policy,
    road_graph: nx.MultiDiGraph | None,
    extra: Sequence[str] = (),
) -> Territory:
    """Office plus the manager's retailers plus any appointment retailer of the week (and
    the `extra` retailers handed to him)."""
    wanted = {r.id for r in department.territory(manager_id)} | set(extra)
    wanted |= {a.retailer for d in days for a in d.appointments}
    places = [r for r in department.retailers if r.id in wanted]
    lats = [department.office.lat, *(r.lat for r in places)]
    lons = [department.office.lon, *(r.lon for r in places)]
    matrix: TravelMatrix
    if road_graph is None:
        matrix = straight_line_matrix(lats, lons, ["town", *(r.area for r in places)], policy.travel)
    else:
        matrix = street_network_matrix(road_graph, lats, lons, policy.travel.town_speed_kmh)
    return Territory((None, *(r.id for r in places)), matrix)


def _dropped_again(week: VisitDayPlan, day_routes: Sequence[DayRoute]) -> list[Unassigned]:
    """The week plan's orders are already feasible, so the daily step keeps them;
    should it drop anything all the same, it is reported, never lost."""
    return [
        Unassigned(
            retailer_id,
            "no_room_in_day",
            "it no longer fitted its day once the day was re-ordered and timed",
            route.day.date,
        )
        for route in day_routes
        for retailer_id in route.dropped
    ]


def _day_plan(
    route: DayRoute,
    itinerary: Itinerary,
    retailers: dict[str, Retailer],
    policy: Policy,
    territory: Territory,
) -> DayRoutePlan:
    day = route.day
    stops = []
    for stop in itinerary.stops:
        retailer = retailers.get(stop.retailer)
        stops.append(
            RouteStop(
                retailer=stop.retailer, kind=stop.kind, arrive=stop.arrive, start=stop.start,
                end=stop.end, origin=stop.origin, ride_min=stop.ride_minutes,
                ride_km=round(stop.ride_km, 3),
                name=retailer.name if retailer else "",
                lat=retailer.lat if retailer else None, lon=retailer.lon if retailer else None,
            )
        )
    visits = [s for s in itinerary.stops if s.kind == "visit"]
    lunch = itinerary.lunch
    return DayRoutePlan(
        manager=day.manager,
        date=day.date,
        depart=itinerary.depart,
        return_=itinerary.back_at_office,
        distance_km=round(itinerary.distance_km, 3),
        travel_minutes=itinerary.travel_minutes,
        stops=tuple(stops),
        visits=len(visits),
        visit_start=day.block_start,
        visit_end=day.block_end,
        start_from=day.start_place.retailer or "office",
        lunch_start=lunch[0] if lunch else None,
        lunch_end=lunch[1] if lunch else None,
        waiting_minutes=itinerary.waiting_minutes,
        idle_minutes=itinerary.idle_minutes,
        office_returns=tuple(
            OfficeLeg(origin=r.origin, leave=r.leave, arrive=r.arrive, ride_min=r.ride_minutes,
                      ride_km=round(r.ride_km, 3))
            for r in itinerary.office_returns
        ),
        # A day without a visit block owes no stops (SPEC §3 asks them of visit days).
        required_stops=(required_stops([s.retailer for s in visits], retailers, policy,
                                       _territory_ids(day.manager, retailers)) or None) if day.visit_block else None,
    )


def _territory_ids(manager: str, retailers: Mapping[str, Retailer]) -> list[str]:
    """The manager's own retailers: what an empty day's area is judged by (`day_area`)."""
    return [r.id for r in retailers.values() if r.manager == manager]


def _shortfall(
    planned: DayRoutePlan,
    route: DayRoute,
    week: VisitDayPlan,
    missing: Sequence[Unassigned],
    retailers: dict[str, Retailer],
    territory: Territory,
    policy: Policy,
) -> Shortfall | None:
    """Explain a day below its minimum stops (SPEC §3): supply, what could not be
    visited and why, and where the day's time went."""
    required = planned.required_stops or 0
    if planned.visits >= required:
        return None
    day, timed = route.day, route.timed
    area = day_area([s.retailer for s in timed.stops], retailers, _territory_ids(day.manager, retailers))
    short = required - planned.visits
    reasons: list[str] = []
    days = max(len(week.days), 1)
    if week.due_visits < required * days:
        reasons.append(
            f"only {week.due_visits} visits are due this week over {days} visit days "
            f"({week.due_visits / days:.1f} a day)"
        )
    reasons += _why_missing(missing, day, retailers, territory)
    reasons += _where_the_time_went(route, retailers)
    message = f"{required} stops required, {short} short: " + "; ".join(reasons or ["no reason found"])
    return Shortfall(
        manager=day.manager, date=day.date, area=area, required=required,
        planned=planned.visits, short=short, message=message,
    )


def _why_missing(missing: Sequence[Unassigned], day: FieldDay, retailers: dict[str, Retailer],
                 territory: Territory) -> list[str]:
    """The week's unvisited retailers in words, grouped by reason: closing and opening
    times, long rides, the route's time rules, days with no room."""
    by_closing: dict[int, list[str]] = {}
    by_opening: dict[int, list[str]] = {}
    far: list[str] = []
    tight: list[str] = []
    no_room = 0
    for item in missing:
        retailer = retailers[item.retailer]
        if item.reason == "opening_hours":
            if retailer.closes <= day.visiting_ends:
                by_closing.setdefault(retailer.closes, []).append(retailer.id)
            else:
                by_opening.setdefault(retailer.opens, []).append(retailer.id)
        elif item.reason == "too_far":
            ride = territory.minutes(day.start_place.key, retailer.id)
            far.append(f"{retailer.id} is a {ride}-min ride away")
        elif item.reason == "time_window":
            tight.append(retailer.id)
        else:
            no_room += 1
    reasons: list[str] = []
    for closes, ids in sorted(by_closing.items()):
        reasons.append(f"{_names(ids)} close{'s' if len(ids) == 1 else ''} at {format_clock(closes)}")
    for opens, ids in sorted(by_opening.items()):
        reasons.append(f"{_names(ids)} open{'s' if len(ids) == 1 else ''} at {format_clock(opens)}")
    reasons += far
    if tight:
        reasons.append(f"{_names(tight)} cannot meet the route's time rules on any visit day")
    if no_room:
        reasons.append(f"{no_room} more due visit{'s' if no_room > 1 else ''} found no room this week")
    return reasons


def _where_the_time_went(route: DayRoute, retailers: dict[str, Retailer]) -> list[str]:
    """The day's minutes of service and riding, its longest ride, and the time left after
    the last visit."""
    day, timed = route.day, route.timed
    if not timed.stops:
        return []
    longest = max(timed.stops, key=lambda s: s.ride_minutes)
    riding = sum(s.ride_minutes for s in timed.stops)
    service = sum(s.end - s.start for s in timed.stops)
    where = "the countryside" if retailers[longest.retailer].area == "country" else "town"
    reasons = [
        f"the visit block {format_clock(day.block_start)}–{format_clock(day.visiting_ends)} "
        f"holds {service} min of service and {riding} min of riding; the longest ride, "
        f"to {longest.retailer} in {where}, takes {longest.ride_minutes} min"
    ]
    # The last visit's end, not `leave_last`: a lunch taken after the last visit would
    # pass for visiting time.
    last_end = timed.stops[-1].end
    unused = day.visiting_ends - last_end
    if unused > 0:
        lunch = timed.lunch
        after = (f" (the {lunch[1] - lunch[0]}-min lunch {format_clock(lunch[0])}–{format_clock(lunch[1])} "
                 f"among them)" if lunch is not None and lunch[0] >= last_end else "")
        reasons.append(
            f"the last visit is over at {format_clock(last_end)}, {unused} min before "
            f"visiting must end{after}"
        )
    return reasons


def _names(ids: Sequence[str]) -> str:
    ids = sorted(set(ids))
    if len(ids) > 4:
        return f"{', '.join(ids[:3])} and {len(ids) - 3} more"
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def _day_notes(
    route: DayRoute,
    itinerary: Itinerary,
    territory: Territory,
    policy: Policy,
    due_ids: Sequence[str],
    owned: int = 0,
    retailers: Mapping[str, Retailer] | None = None,
) -> list[str]:
    """Plain words for what a route cannot fix: a visit block with no retailer due (the
    timetable holds it every working day, SPEC §2, whatever the territory), a first-stop
    rule the visit block makes impossible, a start before the working day, rides longer
    than the timetable's gap between two fixed places."""
    day, notes = route.day, []
    if not day.visit_block:
        notes.append("no visit block this day: the route rides to the timetable's field blocks and back")
    elif not due_ids:
        notes.append(
            f"the visit block {format_clock(day.block_start)}–{format_clock(day.block_end)} has nothing to "
            + ("visit: no retailer of his territory is due this week" if owned
               else "visit: his territory has no retailer (give him one, or let him ride with a colleague)"))
    else:
        nearest = min(due_ids, key=lambda r: territory.minutes(day.start_place.key, r))
        ride = territory.minutes(day.start_place.key, nearest)
        origin = day.start_place.retailer or "the office"
        if day.block_start + ride > day.first_stop_by:
            notes.append(
                f"the visit block starts at {format_clock(day.block_start)} and the first retailer "
                f"must be reached by {format_clock(day.first_stop_by)}, but the nearest due retailer, "
                f"{nearest}, is a {ride}-min ride from {origin}"
            )
        elif not route.timed.stops and retailers is not None and not any(
                time_visit_route(day, [r], retailers, territory, policy).feasible for r in due_ids if r in retailers):
            # A block a part-day leave shortened can hold no visit at all (tester's d6b: 80
            # min for a 37-min ride each way): said, not left an unexplained empty block.
            then = (f"at {day.end_place.retailer or 'the office'} by {format_clock(day.end_deadline)}"
                    if day.end_deadline is not None else f"done by {format_clock(day.visiting_ends)}")
            lunchless = dataclasses.replace(day, lunch_minutes=0)
            if day.lunch_minutes and any(time_visit_route(lunchless, [r], retailers, territory, policy).feasible
                                         for r in due_ids if r in retailers):
                # The rides fit; the lunch the block must hold (not before its window opens) does not.
                notes.append(
                    f"the visit block {format_clock(day.block_start)}–{format_clock(day.block_end)} holds no "
                    f"visit: a due retailer can be reached, visited and left in time to be {then}, but not with "
                    f"the {day.lunch_minutes}-min lunch on the road the block holds too, taken "
                    f"{format_clock(day.lunch_earliest)}–{format_clock(day.lunch_latest_end)} (the nearest, "
                    f"{nearest}, is a {ride}-min ride from {origin})")
            else:
                notes.append(
                    f"the visit block {format_clock(day.block_start)}–{format_clock(day.block_end)} holds no "
                    f"visit: the nearest due retailer, {nearest}, is a {ride}-min ride from {origin}, and no due "
                    f"retailer can be reached, visited and left in time to be {then}")
    if itinerary.depart < policy.day.start:
        first = itinerary.stops[0] if itinerary.stops else None
        target = f" to be at {first.retailer} ({first.kind}) by {format_clock(first.start)}" if first else ""
        notes.append(
            f"leaves the office at {format_clock(itinerary.depart)}, before the working day starts "
            f"at {format_clock(policy.day.start)},{target}"
        )
    for stop in itinerary.stops:
        if stop.kind != "visit" and stop.arrive > stop.start:
            notes.append(
                f"reaches {stop.retailer} ({stop.kind}) at {format_clock(stop.arrive)}, "
                f"{stop.arrive - stop.start} min after it starts: the {stop.ride_minutes}-min ride from "
                f"{stop.origin} is longer than the timetable's gap"
            )
    for leg in itinerary.office_returns:
        if leg.due_by is not None and leg.arrive > leg.due_by:
            notes.append(
                f"back at the office from {leg.origin} at {format_clock(leg.arrive)}, "
                f"{leg.arrive - leg.due_by} min after {format_clock(leg.due_by)}, when the office block or "
                f"leave starts (the timetable leaves less "
                f"than the {leg.ride_minutes}-min ride)"
            )
    return notes
