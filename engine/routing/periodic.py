"""The periodic VRP (Cordeau, Gendreau & Laporte 1997) solved with the product's
own layers: a visit-day assignment in CP-SAT, routes by `vrptw.solve`.

This is the benchmark of fieldweek's visit-day planner, so it reuses what the
product does for a manager's month and week instead of being a separate solver:

1. Patterns (which days each customer is visited): a greedy start, then CP-SAT,
   in the spirit of the month's day assignment (`engine.month._assign_days`):
   one allowed pattern per customer, each day's demand (and service time, when
   routes have a duration limit) within a budget near the mean day's, and
   compact days: neighbours on the same day, in place of the month's zones.
2. Routes: every day is a `VrptwProblem` (m vehicles of capacity Q, the route
   duration D as the vehicles' shift, travel time = distance) solved by
   `vrptw.solve`, the PyVRP backend behind every route in the product. Reals
   are scaled to integers (travel time rounded up, so a route within the
   shift in integers keeps D exactly); the distance reported is the exact
   Euclidean one, recomputed from the route orders. A day whose routes break a
   rule gives up customers to other allowed patterns (cheapest insertion).
3. The week as one VRPTW, as the weekly planner states it (`visit_days`): a
   vehicle type per day on one time line, each visit a client whose window is
   its day, or the span of days when the customer is visited once and may take
   any of them. The router then chooses those customers' days itself.
4. Patterns chosen by the router: the week as one VRPTW once more, now with
   the i-th visit of a group of neighbouring customers free to take any day
   their patterns give an i-th visit; each takes the pattern holding most of
   the days the router chose, and the week is solved again with those
   patterns (kept when shorter; repeated while it keeps helping).
5. Improvement until the time is up: pattern moves and ruin-and-recreate of
   patterns (take a group of neighbours off their days, put each back on the
   pattern whose cheapest insertions add least; accept when shorter, or a
   little longer early on), the changed days routed again from their current
   routes, the week as one VRPTW again; the best week found is returned.

`solve_plain` is the benchmark's baseline: every customer on its first allowed
pattern, each day routed by the same code, the time shared in proportion to
the day's customers. Solvers never print; the command renders.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from engine.routing.cordeau import PvrpCustomer, PvrpInstance
from engine.routing.vrptw import (
    Client,
    Depot,
    VehicleType,
    VrptwProblem,
    evaluate_routes,
    solve,
)

LONGEST_SCALED_ARC = 10_000
"""Reals (distances, service, D) are scaled by the power of ten that makes the
longest arc at most this many units: enough precision for the router, and
distances in the range PyVRP's penalties are made for (with arcs of 10^5 and
more, its capacity penalty reaches its ceiling and it returns overloaded routes)."""

_EPS = 1e-7


@dataclass(frozen=True)
class PvrpParams:
    """How the time limit is shared and how the day assignment looks at neighbours.

    Fractions of the time limit: `assign_share` for CP-SAT, `route_share` for the
    first routing of all days, `joint_share` for the week solved as one VRPTW;
    the rest goes to the improvement rounds.
    `balance_slack`: how far above the mean day a day's demand (and service)
    may go in CP-SAT, tried in turn before m·Q alone. `neighbours`: how many
    nearest customers count as neighbours in CP-SAT's
    compactness objective; `ruin_neighbours`: among how many nearest ones a
    ruin-and-recreate step takes its group; `temperature`: the worsening it
    accepts, as a share of the mean distance per visit, cooling to 0 by the end. Each improvement round spends
    `ruin_share` of the limit on ruin-and-recreate and `reroute_share` of what is
    left on routing the changed days, as much again on the week as one VRPTW.
    Before those rounds, and for as long as it shortens the week (until it has
    failed `relax_tries` times in a row), a round lets the router choose the
    patterns of `relax_size` neighbouring customers: `relax_share` of the limit
    for the week with their visits free, `fix_share` for the week with the
    patterns it implies."""

    assign_share: float = 0.1
    route_share: float = 0.15
    joint_share: float = 0.2
    neighbours: int = 5
    ruin_neighbours: int = 20
    balance_slack: tuple[float, ...] = (0.05, 0.15)
    temperature: float = 0.1
    ruin_share: float = 0.1
    reroute_share: float = 0.25
    relax_share: float = 0.12
    fix_share: float = 0.1
    relax_tries: int = 2
    relax_size: int = 20
    workers: int = 1


@dataclass(frozen=True)
class PvrpSolution:
    """Routes per day as customer numbers (1..n, depot left out), the days the
    routes visit each customer (0-based; its chosen pattern's when every
    customer is placed), the exact Euclidean distance and whether every
    customer is placed and every day's routes kept the router's rules."""

    name: str
    days: tuple[tuple[tuple[int, ...], ...], ...]
    patterns: tuple[tuple[int, ...], ...]
    distance: float
    feasible: bool
    seconds: float
    stats: dict[str, object] = field(default_factory=dict)


Routes = list[list[int]]
"""One day's routes as 0-based customer indices (customer number - 1)."""


class _Geometry:
    """Exact and scaled matrices over depot (0) and customers (1..n)."""

    def __init__(self, instance: PvrpInstance):
        points = np.array([instance.depot, *((c.x, c.y) for c in instance.customers)], dtype=float)
        delta = points[:, None, :] - points[None, :, :]
        self.exact = np.sqrt((delta**2).sum(axis=2))
        longest = max(float(self.exact.max()), 1e-9)
        self.scale = float(10 ** min(3, max(0, math.floor(math.log10(LONGEST_SCALED_ARC / longest)))))
        self.distance = np.rint(self.exact * self.scale).astype(np.int64)
        # Rounded up: a route that ends within D in integers ends within D exactly.
        self.travel = np.ceil(self.exact * self.scale - 1e-6).astype(np.int64)
        self.time = self.travel / self.scale  # travel time as the router sees it, ≥ exact
        self.demand = np.array([c.demand for c in instance.customers], dtype=np.int64)
        self.service = np.array([c.service for c in instance.customers], dtype=float)


def route_length(geometry: _Geometry, route: Sequence[int]) -> float:
    """Exact length of depot → customers (0-based) → depot."""
    stops = [0, *(c + 1 for c in route), 0]
    return float(sum(geometry.exact[a, b] for a, b in itertools.pairwise(stops)))


def _route_duration(geometry: _Geometry, route: Sequence[int]) -> float:
    """Travel (as the router sees it, never shorter than exact) plus service."""
    stops = [0, *(c + 1 for c in route), 0]
    travel = sum(geometry.time[a, b] for a, b in itertools.pairwise(stops))
    return float(travel + sum(geometry.service[c] for c in route))


def _shift(instance: PvrpInstance, geometry: _Geometry) -> int:
    """A day's length in scaled units: D, or a bound no route can reach."""
    if instance.max_duration is not None:
        return math.floor(instance.max_duration * geometry.scale + 1e-6)
    return int(geometry.travel.max()) * (len(geometry.demand) + 2) + int(
        geometry.scale * (geometry.service.sum() + 1))


def _day_problem(instance: PvrpInstance, geometry: _Geometry, customers: Sequence[int],
                 name: str) -> VrptwProblem:
    """One day as the product's VRPTW: m vehicles, capacity Q, shift = D."""
    locations = [0, *(c + 1 for c in customers)]
    horizon = _shift(instance, geometry)
    clients = tuple(
        Client(tw_early=0, tw_late=horizon, service=math.ceil(geometry.service[c] * geometry.scale - 1e-6),
               demand=int(geometry.demand[c]), name=str(c + 1))
        for c in customers
    )
    vehicles = VehicleType(count=instance.vehicles, capacity=instance.capacity, tw_early=0,
                           tw_late=horizon, name="vehicle")
    index = np.ix_(locations, locations)
    return VrptwProblem(depots=(Depot(name="depot"),), clients=clients, vehicle_types=(vehicles,),
                        distance=geometry.distance[index], duration=geometry.travel[index], name=name)


def _route_day(instance: PvrpInstance, geometry: _Geometry, customers: Sequence[int],
               time_limit_s: float, seed: int, start: Routes | None = None) -> tuple[Routes, bool]:
    """Route one day's customers with `vrptw.solve`; returns the routes (0-based
    customers) and whether they keep every rule (all served, capacity, D, fleet)."""
    if not customers:
        return [], True
    problem = _day_problem(instance, geometry, customers, instance.name)
    initial = None
    if start:
        position = {c: k for k, c in enumerate(customers)}
        initial = evaluate_routes(problem, [(0, [position[c] for c in r]) for r in start if r],
                                  solver="warm start", runtime_s=0.0)
    solution = solve(problem, time_limit_s=max(time_limit_s, 0.05), seed=seed, initial=initial)
    routes = [[customers[k] for k in route.clients] for route in solution.routes]
    return routes, solution.feasible


def _free_days(instance: PvrpInstance) -> list[tuple[int, int] | None]:
    """Per customer, the days (first, last) it may take when it is visited once
    and every day from first to last is one of its patterns; None otherwise
    (its days are fixed in the week-as-one-VRPTW)."""
    free: list[tuple[int, int] | None] = []
    for customer in instance.customers:
        days = sorted(p[0] for p in customer.patterns if len(p) == 1)
        whole = len(days) == len(customer.patterns) > 1 and days == list(range(days[0], days[-1] + 1))
        free.append((days[0], days[-1]) if whole else None)
    return free


def _week_solve(instance: PvrpInstance, geometry: _Geometry, state: _State,
                windows: Sequence[Sequence[tuple[int, int, int]]], time_limit_s: float,
                seed: int) -> list[Routes] | None:
    """The week as one VRPTW: a vehicle type per day whose shift is that day on
    one time line, every visit a client whose window is the span of days
    `windows[k]` gives it, as (first day, last day, current day). Warm-started
    from the current routes; the routes per day, or None when they break a rule."""
    shift = _shift(instance, geometry)
    stride = shift + 1
    visits: list[int] = []
    index: dict[tuple[int, int], int] = {}
    clients = []
    for k, spans in enumerate(windows):
        for first, last, now in spans:
            for d in range(first, last + 1) if len(spans) == 1 else (now,):
                index[(k, d)] = len(visits)
            visits.append(k)
            clients.append(Client(tw_early=first * stride, tw_late=last * stride + shift,
                                  service=math.ceil(geometry.service[k] * geometry.scale - 1e-6),
                                  demand=int(geometry.demand[k]), name=str(k + 1)))
    vehicles = tuple(
        VehicleType(count=instance.vehicles, capacity=instance.capacity, tw_early=d * stride,
                    tw_late=d * stride + shift, max_duration=shift, name=f"day {d + 1}")
        for d in range(instance.days))
    locations = [0, *(k + 1 for k in visits)]
    ix = np.ix_(locations, locations)
    problem = VrptwProblem(depots=(Depot(name="depot"),), clients=tuple(clients),
                           vehicle_types=vehicles, distance=geometry.distance[ix],
                           duration=geometry.travel[ix], name=instance.name)
    initial = evaluate_routes(
        problem, [(d, [index[(k, d)] for k in route]) for d in range(instance.days)
                  for route in state.routes[d] if route],
        solver="warm start", runtime_s=0.0)
    solution = solve(problem, time_limit_s=max(time_limit_s, 0.1), seed=seed, initial=initial)
    if not solution.feasible:
        return None
    routes: list[Routes] = [[] for _ in range(instance.days)]
    for route in solution.routes:
        routes[route.vehicle_type].append([visits[c] for c in route.clients])
    return routes


def _windows(instance: PvrpInstance, state: _State, free: Sequence[tuple[int, int] | None],
             relax: set[int] | frozenset[int] = frozenset()) -> list[list[tuple[int, int, int]]]:
    """Each customer's visits as (first day, last day, current day): its day when
    fixed, the span of days when it is visited once and may take any of them,
    and, for the customers in `relax` (several patterns, all of as many days), the
    span its i-th visit takes over all its patterns."""
    windows: list[list[tuple[int, int, int]]] = []
    for k, customer in enumerate(instance.customers):
        days = customer.patterns[state.choice[k]]
        span = free[k]
        if span is not None:
            windows.append([(span[0], span[1], days[0])])
        elif k in relax:
            windows.append([(min(p[i] for p in customer.patterns), max(p[i] for p in customer.patterns),
                             d) for i, d in enumerate(days)])
        else:
            windows.append([(d, d, d) for d in days])
    return windows


def _joint_solve(instance: PvrpInstance, geometry: _Geometry, state: _State,
                 free: Sequence[tuple[int, int] | None], time_limit_s: float, seed: int) -> bool:
    """The week as one VRPTW, as the weekly planner states it (`visit_days`): a
    vehicle type per day whose shift is that day on one time line, every visit a
    client whose window is its day, or the span of days it may take when it is
    visited once. Warm-started from the current routes; the state takes the
    answer when it keeps every rule and is shorter. Returns whether it did."""
    routes = _week_solve(instance, geometry, state, _windows(instance, state, free), time_limit_s, seed)
    if routes is None or not _shorter(geometry, state, routes):
        return False
    _take_days(instance, state, routes, free)
    return True


def _shorter(geometry: _Geometry, state: _State, routes: list[Routes]) -> bool:
    """Whether a week's routes are shorter than the state's."""
    return sum(route_length(geometry, r) for day in routes for r in day) < _total(geometry, state) - _EPS


def _take_days(instance: PvrpInstance, state: _State, routes: list[Routes],
               free: Sequence[tuple[int, int] | None]) -> None:
    for d, orders in enumerate(routes):
        for order in orders:
            for k in order:
                if free[k] is not None:
                    state.choice[k] = instance.customers[k].patterns.index((d,))
    state.routes = routes


def _relaxable(customer: PvrpCustomer) -> bool:
    """Whether a customer's patterns may be chosen by the router (`_relaxed_solve`):
    several patterns, all of as many visits (more than one), and at least one in
    three of the day choices that its i-th-visit spans allow is one of them."""
    patterns = customer.patterns
    visits = len(patterns[0])
    if len(patterns) < 2 or visits < 2 or any(len(p) != visits for p in patterns):
        return False
    choices = math.prod(max(p[i] for p in patterns) - min(p[i] for p in patterns) + 1
                        for i in range(visits))
    return 3 * len(patterns) >= choices


def _relaxed_solve(instance: PvrpInstance, geometry: _Geometry, state: _State,
                   free: Sequence[tuple[int, int] | None], group: set[int], relax_s: float,
                   fix_s: float, seed: int) -> bool:
    """Patterns chosen by the router: the week as one VRPTW in which the i-th
    visit of each customer of `group` may take any day its patterns give an
    i-th visit; each of them then takes the pattern holding most of the days
    the router chose (among those, the one whose cheapest insertions of the
    missing visits less the removals of the extra ones add least), and the week
    is solved again with those patterns. The state takes the answer when it
    keeps every rule and is shorter. Returns whether it did."""
    windows = _windows(instance, state, free, relax=group)
    routes = _week_solve(instance, geometry, state, windows, relax_s, seed)
    if routes is None:
        return False
    seen: list[list[int]] = [[] for _ in instance.customers]
    for d, orders in enumerate(routes):
        for order in orders:
            for k in order:
                seen[k].append(d)
    trial = _State(choice=list(state.choice), routes=routes)
    for k, customer in enumerate(instance.customers):
        if free[k] is not None:
            trial.choice[k] = customer.patterns.index((seen[k][0],))
            continue
        if k not in group:
            continue
        if tuple(seen[k]) in customer.patterns:
            trial.choice[k] = customer.patterns.index(tuple(seen[k]))
            continue
        most = max(len(set(p) & set(seen[k])) for p in customer.patterns)
        best: tuple[float, int] | None = None
        for p, days in enumerate(customer.patterns):
            if len(set(days) & set(seen[k])) < most:
                continue
            cost = sum(_cheapest(instance, geometry, routes[d], k)[0] for d in days if d not in seen[k])
            extra = list(seen[k])
            for d in days:
                if d in extra:
                    extra.remove(d)
            cost -= sum(_take_out(geometry, [list(r) for r in routes[d]], k) for d in extra)
            if best is None or cost < best[0]:
                best = (cost, p)
        assert best is not None
        trial.choice[k] = best[1]
        days = customer.patterns[best[1]]
        extra = list(seen[k])
        for d in days:
            if d in extra:
                extra.remove(d)
        for d in extra:
            _take_out(geometry, trial.routes[d], k)
        for d in days:
            if d not in seen[k]:
                _put_back(instance, geometry, trial.routes[d], k)
    fixed = _week_solve(instance, geometry, trial, _windows(instance, trial, free), fix_s, seed)
    if fixed is None or not _shorter(geometry, state, fixed):
        return False
    state.choice = trial.choice
    _take_days(instance, state, fixed, free)
    return True


@dataclass
class _State:
    """The current solution: each customer's pattern (index into its patterns)
    and each day's routes."""

    choice: list[int]
    routes: list[Routes]

    def on_day(self, instance: PvrpInstance, day: int) -> list[int]:
        """0-based customers whose chosen pattern includes `day`."""
        return [k for k, c in enumerate(instance.customers) if day in c.patterns[self.choice[k]]]


def _day_budgets(instance: PvrpInstance, slack: float | None) -> tuple[list[int], float | None]:
    """Each day's demand budget (m·Q, and at most the mean day's demand plus
    `slack` of it) and service budget (the mean day's service plus `slack`, when
    routes have a duration limit); `slack` None: m·Q alone."""
    whole = instance.vehicles * instance.capacity
    if slack is None:
        return [whole] * instance.days, None
    visits = [min(len(p) for p in c.patterns) for c in instance.customers]
    load = sum(c.demand * f for c, f in zip(instance.customers, visits, strict=True)) / instance.days
    service = sum(c.service * f for c, f in zip(instance.customers, visits, strict=True)) / instance.days
    cap = min(whole, math.ceil(load * (1 + slack)))
    limited = instance.max_duration is not None and service > 0
    return [cap] * instance.days, service * (1 + slack) if limited else None


def _greedy_patterns(instance: PvrpInstance, neighbours: list[list[int]],
                     budget: Sequence[int]) -> list[int]:
    """A first pattern per customer for CP-SAT to start from: customers with the
    fewest patterns and the largest demand first, each on the pattern whose days
    keep its demand within budget and hold the most of its neighbours, then the
    one that leaves the most room."""
    left = list(budget)
    where: dict[int, set[int]] = {}
    choice = [0] * len(instance.customers)
    order = sorted(range(len(instance.customers)),
                   key=lambda k: (len(instance.customers[k].patterns), -instance.customers[k].demand))
    for k in order:
        customer = instance.customers[k]

        def score(p: int, customer: PvrpCustomer = customer, k: int = k) -> tuple[bool, int, int]:
            days = customer.patterns[p]
            fits = all(left[d] >= customer.demand for d in days)
            near = sum(1 for j in neighbours[k] for d in days if d in where.get(j, ()))
            return fits, near, min(left[d] for d in days)

        best = max(range(len(customer.patterns)), key=score)
        choice[k] = best
        where[k] = set(customer.patterns[best])
        for d in customer.patterns[best]:
            left[d] -= customer.demand
    return choice


def _assign_patterns(instance: PvrpInstance, neighbours: list[list[int]], budget: Sequence[int],
                     hint: Sequence[int], time_limit_s: float, seed: int,
                     workers: int, service_budget: float | None = None) -> list[int] | None:
    """CP-SAT: one allowed pattern per customer, each day's demand within its
    budget (and its service time within `service_budget`, when given); maximise
    the neighbour pairs visited on the same day. None when no
    assignment keeps the budgets (or none was found in time)."""
    cp = cp_model.CpModel()
    pick = [[cp.new_bool_var(f"x[{k},{p}]") for p in range(len(c.patterns))]
            for k, c in enumerate(instance.customers)]
    for k, variables in enumerate(pick):
        cp.add_exactly_one(variables)
        for p, var in enumerate(variables):
            cp.add_hint(var, int(p == hint[k]))
    on: list[list[cp_model.LinearExprT]] = []
    for k, c in enumerate(instance.customers):
        on.append([sum(pick[k][p] for p, days in enumerate(c.patterns) if d in days)
                   for d in range(instance.days)])
    for d in range(instance.days):
        cp.add(sum(int(c.demand) * on[k][d] for k, c in enumerate(instance.customers)) <= budget[d])
        if service_budget is not None:
            cp.add(sum(round(c.service * 1000) * on[k][d] for k, c in enumerate(instance.customers))
                   <= round(service_budget * 1000))
    together = []
    pairs = {(min(a, b), max(a, b)) for a, near in enumerate(neighbours) for b in near}
    for a, b in sorted(pairs):
        for d in range(instance.days):
            if isinstance(on[a][d], int) or isinstance(on[b][d], int):
                continue  # one of them can never be on this day
            both = cp.new_bool_var("")
            cp.add(both <= on[a][d])
            cp.add(both <= on[b][d])
            together.append(both)
    cp.maximize(sum(together))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.1)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(cp)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [next(p for p, var in enumerate(variables) if solver.boolean_value(var))
            for variables in pick]


def _nearest(geometry: _Geometry, count: int) -> list[list[int]]:
    """Per customer, its `count` nearest other customers (0-based)."""
    between = geometry.exact[1:, 1:].copy()
    np.fill_diagonal(between, np.inf)
    count = min(count, max(len(between) - 1, 0))
    return [list(map(int, np.argsort(row)[:count])) for row in between]


def _time_shares(instance: PvrpInstance, state: _State, total_s: float) -> list[float]:
    """Routing seconds per day, in proportion to its customers."""
    sizes = [len(state.on_day(instance, d)) for d in range(instance.days)]
    whole = max(sum(sizes), 1)
    return [total_s * s / whole for s in sizes]


class _Clock:
    def __init__(self, limit_s: float):
        self.started = time.perf_counter()
        self.limit_s = limit_s

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def left(self) -> float:
        return self.limit_s - self.elapsed()


def solve_pvrp(instance: PvrpInstance, *, time_limit_s: float = 30.0, seed: int = 0,
               params: PvrpParams | None = None) -> PvrpSolution:
    """The product approach: CP-SAT patterns, routed days, the week as one VRPTW,
    pattern moves and ruin-and-recreate; the best week found in `time_limit_s`."""
    params = params or PvrpParams()
    clock = _Clock(time_limit_s)
    geometry = _Geometry(instance)
    neighbours = _nearest(geometry, params.neighbours)
    greedy: list[int] = []
    assigned = None
    for slack in (*params.balance_slack, None):
        budget, service = _day_budgets(instance, slack)
        greedy = _greedy_patterns(instance, neighbours, budget)
        assigned = _assign_patterns(instance, neighbours, budget, greedy,
                                    params.assign_share * time_limit_s / (1 + len(params.balance_slack)),
                                    seed, params.workers, service)
        if assigned is not None:
            break
    state = _State(choice=assigned or greedy, routes=[[] for _ in range(instance.days)])
    fits = [False] * instance.days
    shares = _time_shares(instance, state, params.route_share * time_limit_s)
    for d in range(instance.days):
        state.routes[d], fits[d] = _route_day(instance, geometry, state.on_day(instance, d),
                                              shares[d], seed)
    if not all(fits):
        _make_fit(instance, geometry, state, fits)
    repairs = 0
    rng = random.Random(seed)
    while _unplaced(instance, state) and clock.left() > _LAST_REPAIR_S:
        # A customer the repair could not place must not end the run early:
        # put it back anyway, route the days again (longer each time) and repair.
        repairs += 1
        _repair(instance, geometry, state, rng, clock, params.route_share * time_limit_s * repairs,
                seed + repairs)
    feasible = not _unplaced(instance, state)
    free = _free_days(instance)
    joint = 0
    if feasible and any(f is not None for f in free):
        joint += _joint_solve(instance, geometry, state, free,
                              min(params.joint_share * time_limit_s, clock.left()), seed)
    rounds = _improve(instance, geometry, state, free, clock, seed, params) if feasible else (0, 0, 0)
    return _solution(instance, geometry, state, feasible, clock.elapsed(),
                     {"improvement_rounds": rounds[0], "joint_improved": joint + rounds[1],
                      "relaxed_improved": rounds[2], "repairs": repairs,
                      "assigned_by": "cp-sat" if assigned else "greedy"})


_LAST_REPAIR_S = 0.1
"""Seconds left below which no further repair round starts (a day's routing
takes at least 0.05 s)."""


def _unplaced(instance: PvrpInstance, state: _State) -> list[int]:
    """Customers missing from a day of their chosen pattern (the repair found
    them no place)."""
    on: list[set[int]] = [set() for _ in instance.customers]
    for d, routes in enumerate(state.routes):
        for route in routes:
            for k in route:
                on[k].add(d)
    return [k for k, c in enumerate(instance.customers) if not set(c.patterns[state.choice[k]]) <= on[k]]


def _repair(instance: PvrpInstance, geometry: _Geometry, state: _State, rng: random.Random,
            clock: _Clock, route_s: float, seed: int) -> None:
    """One round for the customers left unplaced: each takes the pattern whose
    days have the most room (or, one time in two, one at random, so that rounds
    differ), goes on those days even where it breaks a rule, the days that then
    break one are routed again from their routes in `route_s` seconds in all,
    and `_make_fit` repairs what the router could not."""
    room = instance.vehicles * instance.capacity
    load = [sum(int(geometry.demand[k]) for r in routes for k in r) for routes in state.routes]
    for k in _unplaced(instance, state):
        for d in range(instance.days):
            _take_out(geometry, state.routes[d], k)
        patterns = instance.customers[k].patterns
        if rng.random() < 0.5:
            p = rng.randrange(len(patterns))
        else:
            fullest = [max(load[d] for d in days) / room + rng.random() * _EPS for days in patterns]
            p = fullest.index(min(fullest))
        state.choice[k] = p
        for d in patterns[p]:
            _put_back(instance, geometry, state.routes[d], k)
            load[d] += int(geometry.demand[k])
    fits = [len(routes) <= instance.vehicles
            and not any(_breaks_rules(instance, geometry, r) for r in routes) for routes in state.routes]
    broken = [d for d in range(instance.days) if not fits[d]]
    for d in broken:
        share = min(route_s / len(broken), clock.left())
        state.routes[d], fits[d] = _route_day(instance, geometry, state.on_day(instance, d), share,
                                              seed, start=state.routes[d])
    if not all(fits):
        _make_fit(instance, geometry, state, fits)


def _breaks_rules(instance: PvrpInstance, geometry: _Geometry, route: Sequence[int]) -> bool:
    limit = instance.max_duration if instance.max_duration is not None else math.inf
    return (int(geometry.demand[list(route)].sum()) > instance.capacity
            or _route_duration(geometry, route) > limit + _EPS)


def _make_fit(instance: PvrpInstance, geometry: _Geometry, state: _State, fits: list[bool]) -> bool:
    """Repair the days whose routes did not fit: take customers off each route
    that breaks capacity or duration (the one whose removal saves most first)
    until it keeps them, then put every customer taken off back on the allowed
    pattern whose cheapest feasible insertions add least (off all its old days
    first). Returns whether every customer found a place."""
    evicted: list[int] = []
    for d in (d for d in range(instance.days) if not fits[d]):
        routes = [list(r) for r in state.routes[d]]
        for route in routes:
            while route and _breaks_rules(instance, geometry, route):
                stops = [0, *(c + 1 for c in route), 0]
                saving = [geometry.exact[stops[i], stops[i + 1]] + geometry.exact[stops[i + 1], stops[i + 2]]
                          - geometry.exact[stops[i], stops[i + 2]] + geometry.service[route[i]]
                          for i in range(len(route))]
                movable = [len(instance.customers[c].patterns) > 1 for c in route]
                if any(movable):
                    saving = [v if m else -math.inf for v, m in zip(saving, movable, strict=True)]
                evicted.append(route.pop(int(np.argmax(saving))))
        # Routes beyond the fleet give their customers up too (the fullest routes stay).
        kept = sorted((r for r in routes if r), key=lambda r: -int(geometry.demand[r].sum()))
        evicted += [c for r in kept[instance.vehicles:] for c in r]
        state.routes[d] = kept[: instance.vehicles]
    placed = True
    for k in dict.fromkeys(evicted):
        for d in instance.customers[k].patterns[state.choice[k]]:
            _take_out(geometry, state.routes[d], k)
        best: tuple[float, int, list[tuple[int, int, int]]] | None = None
        for p, days in enumerate(instance.customers[k].patterns):
            spots = [(d, *_cheapest(instance, geometry, state.routes[d], k)) for d in days]
            cost = sum(spot[1] for spot in spots)
            if cost < math.inf and (best is None or cost < best[0]):
                best = (cost, p, [(d, r, i) for d, _, r, i in spots])
        if best is None:
            placed = False
            continue
        for d, r, i in best[2]:
            if r < 0:
                state.routes[d].append([k])
            else:
                state.routes[d][r].insert(i, k)
        state.choice[k] = best[1]
    return placed


def solve_plain(instance: PvrpInstance, *, time_limit_s: float = 30.0,
                seed: int = 0) -> PvrpSolution:
    """The baseline: the first allowed pattern of every customer, each day routed
    by the same code, the time shared in proportion to the day's customers."""
    clock = _Clock(time_limit_s)
    geometry = _Geometry(instance)
    state = _State(choice=[0] * len(instance.customers), routes=[[] for _ in range(instance.days)])
    shares = _time_shares(instance, state, time_limit_s)
    fits = []
    for d in range(instance.days):
        state.routes[d], ok = _route_day(instance, geometry, state.on_day(instance, d), shares[d], seed)
        fits.append(ok)
    return _solution(instance, geometry, state, all(fits), clock.elapsed(), {})


def _solution(instance: PvrpInstance, geometry: _Geometry, state: _State, feasible: bool,
              seconds: float, stats: dict[str, object]) -> PvrpSolution:
    days = tuple(tuple(tuple(c + 1 for c in r) for r in routes if r) for routes in state.routes)
    # The days the routes visit, not the chosen pattern's: they differ for a
    # customer the repair left unplaced, and a report must not claim its days.
    on: list[list[int]] = [[] for _ in instance.customers]
    for d, routes in enumerate(state.routes):
        for k in sorted({k for r in routes for k in r}):
            on[k].append(d)
    return PvrpSolution(
        name=instance.name,
        days=days,
        patterns=tuple(tuple(visited) for visited in on),
        distance=sum(route_length(geometry, r) for routes in state.routes for r in routes),
        feasible=feasible,
        seconds=seconds,
        stats=stats,
    )


class _Insertion:
    """For one day: per customer, the cheapest feasible insertion into the day's
    routes (or a new route while the fleet has one left) and, for the customers
    on the day, what taking them off saves."""

    def __init__(self, instance: PvrpInstance, geometry: _Geometry, routes: Routes):
        self.routes = routes
        heads, tails, owner, room_load, room_time = [], [], [], [], []
        limit = instance.max_duration if instance.max_duration is not None else math.inf
        self.saving: dict[int, float] = {}
        self.where: dict[int, tuple[int, int]] = {}
        for r, route in enumerate(routes):
            stops = [0, *(c + 1 for c in route), 0]
            load = int(sum(geometry.demand[c] for c in route))
            slack = limit - _route_duration(geometry, route)
            for i in range(len(stops) - 1):
                heads.append(stops[i])
                tails.append(stops[i + 1])
                owner.append((r, i))
                room_load.append(instance.capacity - load)
                room_time.append(slack)
            for i, c in enumerate(route):
                a, b = stops[i], stops[i + 2]
                self.saving[c] = float(geometry.exact[a, c + 1] + geometry.exact[c + 1, b]
                                       - geometry.exact[a, b])
                self.where[c] = (r, i)
        if len([r for r in routes if r]) < instance.vehicles:
            heads.append(0)
            tails.append(0)
            owner.append((-1, 0))
            room_load.append(instance.capacity)
            room_time.append(limit)
        self.owner = owner
        h, t = np.array(heads, dtype=int), np.array(tails, dtype=int)
        cost = geometry.exact[1:, h] + geometry.exact[1:, t] - geometry.exact[h, t][None, :]
        extra = geometry.time[1:, h] + geometry.time[1:, t] - geometry.time[h, t][None, :]
        ok = (geometry.demand[:, None] <= np.array(room_load)[None, :]) & (
            extra + geometry.service[:, None] <= np.array(room_time)[None, :] + _EPS)
        cost = np.where(ok, cost, np.inf)
        self.best_edge = np.argmin(cost, axis=1) if len(heads) else np.zeros(len(geometry.demand), int)
        self.cost = cost[np.arange(len(cost)), self.best_edge] if len(heads) else np.full(
            len(geometry.demand), np.inf)

    def remove(self, customer: int) -> None:
        r, i = self.where[customer]
        del self.routes[r][i]
        if not self.routes[r]:
            del self.routes[r]

    def insert(self, customer: int) -> None:
        r, i = self.owner[int(self.best_edge[customer])]
        if r < 0:
            self.routes.append([customer])
        else:
            self.routes[r].insert(i, customer)


def _pattern_moves(instance: PvrpInstance, geometry: _Geometry, state: _State, rng: random.Random,
                   clock: _Clock) -> set[int]:
    """First-improvement sweeps over customers: move one to the allowed pattern
    whose removal + cheapest insertions lower the total most. Returns the days
    whose routes changed."""
    tables = [_Insertion(instance, geometry, state.routes[d]) for d in range(instance.days)]
    changed: set[int] = set()
    order = list(range(len(instance.customers)))
    improved = True
    while improved and clock.left() > 0:
        improved = False
        rng.shuffle(order)
        for k in order:
            customer = instance.customers[k]
            if len(customer.patterns) < 2:
                continue
            now = set(customer.patterns[state.choice[k]])
            best, best_delta = state.choice[k], -1e-6
            for p, days in enumerate(customer.patterns):
                if p == state.choice[k]:
                    continue
                delta = sum(float(tables[d].cost[k]) for d in days if d not in now) - sum(
                    tables[d].saving[k] for d in now if d not in days)
                if delta < best_delta:
                    best, best_delta = p, delta
            if best == state.choice[k]:
                continue
            new = set(customer.patterns[best])
            for d in now - new:
                tables[d].remove(k)
            for d in new - now:
                tables[d].insert(k)
            state.choice[k] = best
            for d in now ^ new:
                tables[d] = _Insertion(instance, geometry, state.routes[d])
                changed.add(d)
            improved = True
    return changed


def _cheapest(instance: PvrpInstance, geometry: _Geometry, routes: Routes,
              k: int) -> tuple[float, int, int]:
    """The cheapest place for customer `k` in a day's routes that keeps capacity
    and duration: (added distance, route or -1 for a new route, position)."""
    best = (math.inf, -1, 0)
    demand, service, exact = int(geometry.demand[k]), float(geometry.service[k]), geometry.exact
    limit = instance.max_duration if instance.max_duration is not None else math.inf
    for r, route in enumerate(routes):
        if int(geometry.demand[route].sum()) + demand > instance.capacity:
            continue
        stops = np.array([0, *(c + 1 for c in route), 0])
        a, b = stops[:-1], stops[1:]
        cost = exact[k + 1, a] + exact[k + 1, b] - exact[a, b]
        if limit < math.inf:
            tt = geometry.time
            spent = float(tt[a, b].sum() + geometry.service[route].sum())
            extra = tt[k + 1, a] + tt[k + 1, b] - tt[a, b]
            cost = np.where(spent + extra + service <= limit + _EPS, cost, np.inf)
        i = int(np.argmin(cost))
        if cost[i] < best[0]:
            best = (float(cost[i]), r, i)
    alone = 2 * float(exact[0, k + 1])
    if (len(routes) < instance.vehicles and demand <= instance.capacity
            and 2 * float(geometry.time[0, k + 1]) + service <= limit + _EPS and alone < best[0]):
        best = (alone, -1, 0)
    return best


def _put_back(instance: PvrpInstance, geometry: _Geometry, routes: Routes, k: int) -> None:
    """Insert customer `k` where it adds least while keeping the rules, else (the
    router repairs it) where it adds least distance, on a new route while the
    fleet has one."""
    added, r, i = _cheapest(instance, geometry, routes, k)
    if added < math.inf:
        if r < 0:
            routes.append([k])
        else:
            routes[r].insert(i, k)
        return
    if len(routes) < instance.vehicles or not routes:
        routes.append([k])
        return
    exact, best = geometry.exact, (math.inf, 0, 0)
    for r, route in enumerate(routes):
        stops = [0, *(c + 1 for c in route), 0]
        for i in range(len(stops) - 1):
            cost = exact[stops[i], k + 1] + exact[k + 1, stops[i + 1]] - exact[stops[i], stops[i + 1]]
            if cost < best[0]:
                best = (cost, r, i)
    routes[best[1]].insert(best[2], k)


def _take_out(geometry: _Geometry, routes: Routes, k: int) -> float:
    """Remove customer `k` from a day's routes; returns the distance saved."""
    for r, route in enumerate(routes):
        if k in route:
            i = route.index(k)
            a = route[i - 1] + 1 if i > 0 else 0
            b = route[i + 1] + 1 if i + 1 < len(route) else 0
            del route[i]
            if not route:
                del routes[r]
            return float(geometry.exact[a, k + 1] + geometry.exact[k + 1, b] - geometry.exact[a, b])
    return 0.0


def _ruin_recreate(instance: PvrpInstance, geometry: _Geometry, state: _State,
                   near: list[list[int]], rng: random.Random, seconds: float,
                   clock: _Clock, temperature: float) -> set[int]:
    """Take a customer and some of its nearest neighbours (those with a choice
    of patterns) off all their days, put each back on the allowed pattern whose
    cheapest insertions add least, keep the result when the total is shorter,
    or longer by less than a random share of `temperature` (to leave a local
    optimum). Repeated for `seconds`. Returns the days whose routes changed."""
    movable = [k for k, c in enumerate(instance.customers) if len(c.patterns) > 1]
    changed: set[int] = set()
    if not movable:
        return changed
    ends = time.perf_counter() + seconds
    while time.perf_counter() < ends and clock.left() > 0.2:
        first = rng.choice(movable)
        size = rng.randint(2, min(12, len(movable)))
        group = [first, *[j for j in near[first] if len(instance.customers[j].patterns) > 1]][:size]
        routes = [[list(r) for r in day] for day in state.routes]
        choice = list(state.choice)
        delta, touched = 0.0, set()
        for k in group:
            for d in instance.customers[k].patterns[choice[k]]:
                delta -= _take_out(geometry, routes[d], k)
                touched.add(d)
        rng.shuffle(group)
        for k in group:
            best: tuple[float, int, list[tuple[int, int, int]]] | None = None
            for p, days in enumerate(instance.customers[k].patterns):
                cost, spots = 0.0, []
                for d in days:
                    added, r, i = _cheapest(instance, geometry, routes[d], k)
                    cost += added
                    spots.append((d, r, i))
                if cost < math.inf and (best is None or cost < best[0]):
                    best = (cost, p, spots)
            if best is None:
                break
            for d, r, i in best[2]:
                if r < 0:
                    routes[d].append([k])
                else:
                    routes[d][r].insert(i, k)
                touched.add(d)
            choice[k] = best[1]
            delta += best[0]
        else:
            if delta < -1e-6 or (temperature > 0 and delta < -temperature * math.log(rng.random()
                                                                                      or 1e-12)):
                state.routes, state.choice = routes, choice
                changed |= touched
    return changed


def _improve(instance: PvrpInstance, geometry: _Geometry, state: _State,
             free: Sequence[tuple[int, int] | None], clock: _Clock, seed: int,
             params: PvrpParams) -> tuple[int, int, int]:
    """Rounds of: patterns chosen by the router for a group of neighbours
    (`_relaxed_solve`, while it shortens the week), else pattern moves and
    ruin-and-recreate of patterns (cheap, on the
    current routes), the changed days routed again from their current routes by
    `vrptw.solve`, and the week solved again as one VRPTW when some customers
    may take any of several days. Until the time is up. Returns the rounds, how
    often the week-as-one-VRPTW improved and how often the router's patterns did."""
    rng = random.Random(seed)
    near = _nearest(geometry, params.ruin_neighbours)
    rounds = joint = relaxed = 0
    best = (_total(geometry, state), list(state.choice), [[list(r) for r in day] for day in state.routes])
    visits = max(sum(len(r) for day in state.routes for r in day), 1)
    relaxable = [k for k, c in enumerate(instance.customers) if _relaxable(c)]
    near_relaxable = _nearest(geometry, len(instance.customers))
    misses = 0
    while clock.left() > 0.2:
        rounds += 1
        if relaxable and misses < params.relax_tries and clock.left() > (
                params.relax_share + params.fix_share) * clock.limit_s:
            first = rng.choice(relaxable)
            group = {first, *[j for j in near_relaxable[first] if j in relaxable][:params.relax_size - 1]}
            if _relaxed_solve(instance, geometry, state, free, group, params.relax_share * clock.limit_s,
                              params.fix_share * clock.limit_s, seed + rounds):
                misses, relaxed = 0, relaxed + 1
                if _total(geometry, state) < best[0] - _EPS:
                    best = (_total(geometry, state), list(state.choice),
                            [[list(r) for r in day] for day in state.routes])
                continue
            misses += 1
        cooling = max(clock.left() / clock.limit_s, 0.0)
        changed = _pattern_moves(instance, geometry, state, rng, clock)
        changed |= _ruin_recreate(instance, geometry, state, near, rng,
                                  min(params.ruin_share * clock.limit_s, clock.left()), clock,
                                  params.temperature * cooling * best[0] / visits)
        days = sorted(changed) if changed else list(range(instance.days))
        sizes = {d: max(len(state.on_day(instance, d)), 1) for d in days}
        budget = clock.left() * params.reroute_share
        for d in days:
            share = min(budget * sizes[d] / sum(sizes.values()), clock.left())
            if share < 0.05:
                break
            current = state.routes[d]
            routes, ok = _route_day(instance, geometry, state.on_day(instance, d), share,
                                    seed + rounds, start=current)
            if ok and sum(route_length(geometry, r) for r in routes) < sum(
                    route_length(geometry, r) for r in current) - _EPS:
                state.routes[d] = routes
        if any(f is not None for f in free) and clock.left() > 0.3:
            joint += _joint_solve(instance, geometry, state, free,
                                  clock.left() * params.reroute_share, seed + rounds)
        if _total(geometry, state) < best[0] - _EPS:
            best = (_total(geometry, state), list(state.choice),
                    [[list(r) for r in day] for day in state.routes])
    state.choice, state.routes = best[1], best[2]
    return rounds, joint, relaxed


def _total(geometry: _Geometry, state: _State) -> float:
    return sum(route_length(geometry, r) for day in state.routes for r in day)
