"""Independent feasibility check of a VRPTW solution on a VRPLIB instance.

Shares no code with engine.routing on purpose: it reads the instance file
again, recomputes every distance from the coordinates and replays each route
under the DIMACS 2021 convention (floor(10·d) distances equal to travel times,
times ×10, service must start inside [ready, due] with waiting allowed, back at
the depot by the depot's due time, at most VEHICLES routes, capacity as in the
file). Routes are customer numbers 1..N as in the `.sol` files, depot excluded.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import vrplib

SCALE = 10  # DIMACS keeps one decimal of every distance and time


@dataclass(frozen=True)
class VrptwCheck:
    """Outcome of a check: rules broken in words, and the recomputed distance
    both as the DIMACS integer (tenths) and as reported (one decimal)."""

    instance: str
    violations: tuple[str, ...]
    distance_tenths: int
    vehicles: int

    @property
    def feasible(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    @property
    def distance(self) -> float:
        """Distance as reported in the literature (C101 = 827.3)."""
        return self.distance_tenths / SCALE


def check_vrptw(instance_path: str | Path, routes: Sequence[Sequence[int]]) -> VrptwCheck:
    """Check `routes` (customer numbers 1..N, depot excluded) on the VRPLIB
    instance at `instance_path`; empty routes are ignored."""
    raw = vrplib.read_instance(str(instance_path), compute_edge_weights=False)
    size = int(raw["dimension"])
    depot_nodes = [int(node) for node in _flat(raw.get("depot", [0]))]
    if depot_nodes != [0]:
        raise ValueError(f"{instance_path}: the checker handles one depot, listed first")
    coords = [(float(x), float(y)) for x, y in raw["node_coord"]]
    ready = [int(window[0]) * SCALE for window in raw["time_window"]]
    due = [int(window[1]) * SCALE for window in raw["time_window"]]
    service_raw = raw.get("service_time", 0)
    service = (
        [int(s) * SCALE for s in _flat(service_raw)]
        if _is_list(service_raw)
        else ([0] + [int(service_raw) * SCALE] * (size - 1))
    )
    service[0] = 0  # a scalar SERVICE_TIME applies to customers, not the depot
    demand = [int(d) for d in _flat(raw["demand"])]
    capacity = int(raw["capacity"])
    fleet = int(raw.get("vehicles", size - 1))

    def arc(a: int, b: int) -> int:
        dx = coords[a][0] - coords[b][0]
        dy = coords[a][1] - coords[b][1]
        return math.floor(SCALE * math.sqrt(dx * dx + dy * dy))

    violations: list[str] = []
    used = [list(route) for route in routes if len(route) > 0]
    if len(used) > fleet:
        violations.append(f"{len(used)} routes, but the fleet has only {fleet} vehicles")

    total = 0
    for number, route in enumerate(used, start=1):
        bad = [c for c in route if not 1 <= int(c) <= size - 1]
        if bad:
            violations.append(f"route {number} names customers that do not exist: {bad}")
            continue
        load = sum(demand[c] for c in route)
        if load > capacity:
            violations.append(f"route {number} carries {load}, over the capacity of {capacity}")
        time, here = ready[0], 0
        for customer in route:
            time += arc(here, customer)
            total += arc(here, customer)
            time = max(time, ready[customer])  # wait for the window to open
            if time > due[customer]:
                violations.append(
                    f"route {number} starts customer {customer} at {time / SCALE:g}, "
                    f"after its due time {due[customer] / SCALE:g}"
                )
            time += service[customer]
            here = customer
        time += arc(here, 0)
        total += arc(here, 0)
        if time > due[0]:
            violations.append(
                f"route {number} is back at the depot at {time / SCALE:g}, "
                f"after the depot's due time {due[0] / SCALE:g}"
            )

    seen = Counter(int(c) for route in used for c in route)
    for customer, times in sorted(seen.items()):
        if times > 1:
            violations.append(f"customer {customer} is visited {times} times")
    missing = [c for c in range(1, size) if c not in seen]
    if missing:
        violations.append(f"{len(missing)} customers are not visited: {missing}")

    return VrptwCheck(
        instance=str(raw.get("name", Path(instance_path).stem)),
        violations=tuple(violations),
        distance_tenths=total,
        vehicles=len(used),
    )


def _is_list(value: object) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str)


def _flat(value: object) -> list:
    if not isinstance(value, Iterable) or not _is_list(value):
        return [value]
    out: list = []
    for item in value:
        out.extend(_flat(item))
    return out
