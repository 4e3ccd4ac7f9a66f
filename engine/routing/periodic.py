"""The periodic VRP (Cordeau, Gendreau & Laporte 1997) solved with the product's
own layers: a visit-day assignment in CP-SAT, the day routes of `vrptw.solve`.

This is the benchmark of fieldweek's visit-day planner, so it reuses what the
product does for a manager's month and week instead of being a separate solver:

1. Patterns (which days each customer is visited): a greedy start, then CP-SAT,
   in the spirit of the month's day assignment (`engine.month._assign_days`):
   one allowed pattern per customer, each day's demand within the day's budget
   (m·Q, lowered for a day whose routes did not fit), and compact days, here
   neighbours on the same day in place of the month's zones.
2. Routes: every day is a `VrptwProblem` (m vehicles of capacity Q, the route
   duration D as the vehicles' shift, travel time = distance) solved by
   `vrptw.solve`, the PyVRP backend behind every route in the product. Reals
   are scaled to integers (×`SCALE`, travel time rounded up so that a route
   within the shift in integers keeps D exactly); the distance reported is the
   exact Euclidean one, recomputed from the route orders.
3. Improvement: a customer moves to another allowed pattern when taking it off
   its days' routes and inserting it where it is cheapest on the new pattern's
   days (capacity and duration kept) lowers the total; the changed days are
   routed again, warm-started from their current routes. Repeated while time
   is left and something still improves.

`solve_plain` is the benchmark's baseline: every customer on its first allowed
pattern, each day routed by the same code with the same share of time.
Solvers never print; the command renders.
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

from engine.routing.cordeau import PvrpInstance
from engine.routing.vrptw import (
    Client,
    Depot,
    VehicleType,
    VrptwProblem,
    evaluate_routes,
    solve,
)

SCALE = 1000
"""Reals (coordinates' distances, service, D) are kept to three decimals for the router."""

_EPS = 1e-7


@dataclass(frozen=True)
class PvrpParams:
    """How the time limit is shared and how the day assignment looks at neighbours.

    Fractions of the time limit: `assign_share` for CP-SAT, `route_share` for the
    first routing of all days; the rest goes to the improvement rounds.
    `neighbours`: how many nearest customers count as neighbours in CP-SAT's
    compactness objective. `repair_rounds`: how often a day whose routes did not
    fit gets a lower budget and the assignment is solved again."""

    assign_share: float = 0.1
    route_share: float = 0.35
    neighbours: int = 5
    repair_rounds: int = 4
    workers: int = 1


@dataclass(frozen=True)
class PvrpSolution:
    """Routes per day as customer numbers (1..n, depot left out), the chosen
    pattern's days per customer (0-based), the exact Euclidean distance and
    whether every day's routes kept the router's rules."""

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
        self.distance = np.rint(self.exact * SCALE).astype(np.int64)
        # Rounded up: a route that ends within D in integers ends within D exactly.
        self.travel = np.ceil(self.exact * SCALE - 1e-6).astype(np.int64)
        self.demand = np.array([c.demand for c in instance.customers], dtype=np.int64)
        self.service = np.array([c.service for c in instance.customers], dtype=float)


def route_length(geometry: _Geometry, route: Sequence[int]) -> float:
    """Exact length of depot → customers (0-based) → depot."""
    stops = [0, *(c + 1 for c in route), 0]
    return float(sum(geometry.exact[a, b] for a, b in itertools.pairwise(stops)))


def _route_duration(geometry: _Geometry, route: Sequence[int]) -> float:
    return route_length(geometry, route) + float(sum(geometry.service[c] for c in route))


def _day_problem(instance: PvrpInstance, geometry: _Geometry, customers: Sequence[int],
                 name: str) -> VrptwProblem:
    """One day as the product's VRPTW: m vehicles, capacity Q, shift = D."""
    locations = [0, *(c + 1 for c in customers)]
    if instance.max_duration is not None:
        horizon = math.floor(instance.max_duration * SCALE + 1e-6)
    else:
        horizon = int(geometry.travel.max()) * (len(customers) + 2) + int(
            SCALE * (geometry.service.sum() + 1))
    clients = tuple(
        Client(tw_early=0, tw_late=horizon, service=math.ceil(geometry.service[c] * SCALE - 1e-6),
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


@dataclass
class _State:
    """The current solution: each customer's pattern (index into its patterns)
    and each day's routes."""

    choice: list[int]
    routes: list[Routes]

    def on_day(self, instance: PvrpInstance, day: int) -> list[int]:
        """0-based customers whose chosen pattern includes `day`."""
        return [k for k, c in enumerate(instance.customers) if day in c.patterns[self.choice[k]]]


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

        def score(p: int, customer: object = customer, k: int = k) -> tuple[bool, int, int]:
            days = instance.customers[k].patterns[p]
            fits = all(left[d] >= instance.customers[k].demand for d in days)
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
                     workers: int) -> list[int] | None:
    """CP-SAT: one allowed pattern per customer, each day's demand within its
    budget; maximise the neighbour pairs visited on the same day. None when no
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
    """The product approach: CP-SAT patterns, routed days, pattern moves."""
    params = params or PvrpParams()
    clock = _Clock(time_limit_s)
    geometry = _Geometry(instance)
    neighbours = _nearest(geometry, params.neighbours)
    budget = [instance.vehicles * instance.capacity] * instance.days
    greedy = _greedy_patterns(instance, neighbours, budget)
    assigned = _assign_patterns(instance, neighbours, budget, greedy,
                                params.assign_share * time_limit_s, seed, params.workers)
    state = _State(choice=assigned or greedy, routes=[[] for _ in range(instance.days)])
    fits = [False] * instance.days
    routing_s = params.route_share * time_limit_s
    for repair in range(params.repair_rounds + 1):
        shares = _time_shares(instance, state, routing_s / (1 + repair))
        for d in range(instance.days):
            if not fits[d]:
                state.routes[d], fits[d] = _route_day(instance, geometry, state.on_day(instance, d),
                                                      shares[d], seed)
        if all(fits) or repair == params.repair_rounds:
            break
        before = list(state.choice)
        for d in range(instance.days):
            if not fits[d]:
                load = sum(int(geometry.demand[k]) for k in state.on_day(instance, d))
                budget[d] = min(budget[d], load - max(1, instance.capacity // 20))
        again = _assign_patterns(instance, neighbours, budget, state.choice,
                                 max(0.1, min(params.assign_share * time_limit_s, clock.left() / 4)),
                                 seed + repair + 1, params.workers)
        if again is None:
            break
        state.choice = again
        for d in range(instance.days):
            if set(_days_of(instance, before, d)) != set(state.on_day(instance, d)):
                fits[d] = False
    rounds = _improve(instance, geometry, state, fits, clock, seed) if all(fits) else 0
    return _solution(instance, geometry, state, all(fits), clock.elapsed(),
                     {"improvement_rounds": rounds, "assigned_by": "cp-sat" if assigned else "greedy"})


def _days_of(instance: PvrpInstance, choice: Sequence[int], day: int) -> list[int]:
    return [k for k, c in enumerate(instance.customers) if day in c.patterns[choice[k]]]


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
    return PvrpSolution(
        name=instance.name,
        days=days,
        patterns=tuple(c.patterns[state.choice[k]] for k, c in enumerate(instance.customers)),
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
        ok = (geometry.demand[:, None] <= np.array(room_load)[None, :]) & (
            cost + geometry.service[:, None] <= np.array(room_time)[None, :] - _EPS)
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


def _improve(instance: PvrpInstance, geometry: _Geometry, state: _State, fits: list[bool],
             clock: _Clock, seed: int) -> int:
    """Pattern moves, then the changed days routed again from their current
    routes; when no move helps, every day is routed again with a new seed. Stops
    when the time is up or a whole round improves nothing."""
    rng = random.Random(seed)
    rounds = 0
    while clock.left() > 0.2:
        rounds += 1
        before = sum(route_length(geometry, r) for routes in state.routes for r in routes)
        changed = _pattern_moves(instance, geometry, state, rng, clock)
        days = sorted(changed) if changed else list(range(instance.days))
        sizes = {d: max(len(state.on_day(instance, d)), 1) for d in days}
        budget = clock.left() * (0.25 if changed else 0.5)
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
        after = sum(route_length(geometry, r) for routes in state.routes for r in routes)
        if not changed and after >= before - _EPS:
            break
    return rounds
