"""Independent check of a periodic VRP solution on a Cordeau PVRP instance.

Shares no code with engine.routing on purpose: it reads the instance file
itself and replays every route. Rules: each customer is visited on exactly the
days of one of its allowed patterns (code = decimal value of a t-bit string,
day 1 the most significant bit; a customer with f = 0 but patterns is visited
on the days of one pattern too), never twice on a day; at most m routes a day;
each route's load at most its day's Q; each route's duration (travel + service)
at most its day's D when that D > 0 (every day has its own `D Q` line). The distance is recomputed: Euclidean, double precision, no
rounding. Routes are customer numbers 1..n, depot left out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError, Problem

DURATION_TOLERANCE = 1e-6
"""A route may exceed D by this much (float noise), no more."""


@dataclass(frozen=True)
class _Instance:
    vehicles: int
    days: int
    duration: list[float]
    capacity: list[float]
    points: list[tuple[float, float]]
    service: list[float]
    demand: list[float]
    patterns: list[set[frozenset[int]]]


@dataclass(frozen=True)
class PvrpCheck:
    """Rules broken (in words) and the recomputed distance."""

    instance: str
    violations: tuple[str, ...]
    distance: float
    routes: int

    @property
    def feasible(self) -> bool:
        """True when no rule is broken."""
        return not self.violations


def _parse(path: Path) -> _Instance:
    where = str(path)
    try:
        rows = [(n, line.split()) for n, line in enumerate(path.read_text().splitlines(), 1)]
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem(f"cannot read: {error}", file=where)]) from error
    rows = [(n, fields) for n, fields in rows if fields]

    def values(i: int, least: int) -> list[float]:
        if i >= len(rows):
            raise InputError([Problem("the file ends too early", file=where)])
        n, fields = rows[i]
        try:
            out = [float(f) for f in fields]
        except ValueError as error:
            raise InputError([Problem(f"not a number: {error}", file=where, row=n)]) from error
        if len(out) < least:
            raise InputError([Problem(f"expected at least {least} fields", file=where, row=n)])
        return out

    _, m, n, t = (int(v) for v in values(0, 4)[:4])
    limits = [values(1 + d, 2)[:2] for d in range(t)]  # each day's own D Q line
    duration, capacity = [limit[0] for limit in limits], [limit[1] for limit in limits]
    depot = values(1 + t, 3)
    points, service, demand = [(depot[1], depot[2])], [0.0], [0.0]
    patterns: list[set[frozenset[int]]] = [set()]
    for i in range(1, n + 1):
        fields = values(1 + t + i, 7)
        count = int(fields[6])
        if len(fields) != 7 + count:
            raise InputError([Problem("pattern count does not match its codes", file=where,
                                      row=rows[1 + t + i][0])])
        points.append((fields[1], fields[2]))
        service.append(fields[3])
        demand.append(fields[4])
        patterns.append({frozenset(d for d in range(t) if int(code) >> (t - 1 - d) & 1)
                         for code in fields[7:]})
    return _Instance(m, t, duration, capacity, points, service, demand, patterns)


def check_pvrp(instance_path: str | Path,
               days: Sequence[Sequence[Sequence[int]]]) -> PvrpCheck:
    """Check `days[d]` = the routes of day d + 1 (customer numbers) on the instance."""
    path = Path(instance_path)
    inst = _parse(path)
    violations: list[str] = []
    if len(days) != inst.days:
        violations.append(f"{len(days)} days of routes, the instance has {inst.days}")
    visited: dict[int, set[int]] = {}
    total, count = 0.0, 0
    n = len(inst.points) - 1
    for d, routes in enumerate(days):
        used = [list(r) for r in routes if len(r) > 0]
        count += len(used)
        if len(used) > inst.vehicles:
            violations.append(f"day {d + 1} has {len(used)} routes, over m = {inst.vehicles}")
        seen = Counter(c for r in used for c in r)
        for customer, times in sorted(seen.items()):
            if times > 1:
                violations.append(f"day {d + 1} visits customer {customer} {times} times")
        for number, route in enumerate(used, start=1):
            label = f"day {d + 1} route {number}"
            bad = [c for c in route if not (isinstance(c, int) and 1 <= c <= n)]
            if bad:
                violations.append(f"{label} names customers that do not exist: {bad}")
                continue
            stops = [0, *route, 0]
            travel = sum(math.dist(inst.points[a], inst.points[b])
                         for a, b in itertools.pairwise(stops))
            total += travel
            load = sum(inst.demand[c] for c in route)
            capacity = inst.capacity[d] if d < inst.days else inst.capacity[-1]
            duration = inst.duration[d] if d < inst.days else inst.duration[-1]
            if load > capacity:
                violations.append(f"{label} carries {load:g}, over Q = {capacity:g}")
            length = travel + sum(inst.service[c] for c in route)
            if duration > 0 and length > duration + DURATION_TOLERANCE:
                violations.append(f"{label} lasts {length:.2f}, over D = {duration:g}")
            for c in route:
                visited.setdefault(c, set()).add(d)
    for customer in range(1, n + 1):
        on = frozenset(visited.get(customer, set()))
        if on not in inst.patterns[customer]:
            if on:
                violations.append(f"customer {customer} is visited on days {sorted(d + 1 for d in on)}, "
                                  f"not on the days of one of its patterns")
            else:
                violations.append(f"customer {customer} is on no day")
    return PvrpCheck(instance=path.name, violations=tuple(violations), distance=total,
                     routes=count)


def read_res(path: str | Path, days: int) -> tuple[float, list[list[list[int]]]]:
    """A `.res` solution file of Cordeau et al.: its first-line cost and its routes
    per day (lines `day vehicle duration load 0 c1 ... ck 0`)."""
    lines = Path(path).read_text().splitlines()
    cost = float(lines[0])
    routes: list[list[list[int]]] = [[] for _ in range(days)]
    for line in lines[1:]:
        fields = re.split(r"\s+", line.strip())
        if len(fields) < 5:
            continue
        day = int(fields[0])
        routes[day - 1].append([int(c) for c in fields[4:] if int(c) != 0])
    return cost, routes
