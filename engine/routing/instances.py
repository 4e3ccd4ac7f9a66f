"""Public VRPTW benchmark instances (Solomon, Gehring–Homberger) in VRPLIB
format, read into `VrptwProblem` under the DIMACS 2021 convention:

- each Euclidean arc length d becomes floor(10·d) (units of 0.1), and travel
  time equals that truncated distance;
- ready times, due times and service times are multiplied by 10;
- the depot's window is the vehicles' shift (back at the depot by its due time);
- the fleet is at most the VEHICLES field; the objective is distance only;
- a distance is reported as integer_total / 10, comparable with `bks.csv`.

Customer numbers follow the `.sol` files: 1..N, the depot being 0 (VRPLIB node
k + 1 is customer k).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from engine.routing.vrptw import (
    Client,
    Depot,
    VehicleType,
    VrptwProblem,
    VrptwSolution,
    evaluate_routes,
)

# DIMACS convention: one decimal of every distance and time is kept.
DIMACS_SCALE = 10


@dataclass(frozen=True)
class BestKnown:
    """A best-known solution's fleet size and distance (as in bks.csv)."""

    vehicles: int
    distance: float


def read_instance(path: str | Path) -> VrptwProblem:
    """Read a single-depot VRPLIB (C)VRPTW instance under the DIMACS convention."""
    raw = vrplib.read_instance(str(path))
    depots = np.atleast_1d(raw.get("depot", [0]))
    if len(depots) != 1 or int(depots[0]) != 0:
        raise ValueError(f"{path}: only single-depot instances with the depot first are supported")
    size = int(raw["dimension"])
    matrix = np.floor(DIMACS_SCALE * np.asarray(raw["edge_weight"], dtype=float)).astype(np.int64)
    windows = np.asarray(raw["time_window"], dtype=np.int64) * DIMACS_SCALE
    service = np.broadcast_to(np.asarray(raw.get("service_time", 0)), (size,)) * DIMACS_SCALE
    demand = np.asarray(raw.get("demand", np.zeros(size)), dtype=np.int64)
    clients = tuple(
        Client(
            tw_early=int(windows[node, 0]),
            tw_late=int(windows[node, 1]),
            service=int(service[node]),
            demand=int(demand[node]),
            name=str(node),
        )
        for node in range(1, size)
    )
    vehicles = VehicleType(
        count=int(raw.get("vehicles", size - 1)),
        capacity=int(raw["capacity"]),
        tw_early=int(windows[0, 0]),
        tw_late=int(windows[0, 1]),
        name="vehicle",
    )
    return VrptwProblem(
        depots=(Depot(name="depot"),),
        clients=clients,
        vehicle_types=(vehicles,),
        distance=matrix,
        duration=matrix,
        name=str(raw.get("name", Path(path).stem)),
    )


def read_solution_routes(path: str | Path) -> list[list[int]]:
    """Routes of a VRPLIB `.sol` file as customer numbers (1..N)."""
    return [list(map(int, route)) for route in vrplib.read_solution(str(path))["routes"]]


def read_bks(path: str | Path) -> dict[str, BestKnown]:
    """`bks.csv` (instance, vehicles, distance) as instance name -> BestKnown."""
    with open(path, newline="") as handle:
        return {
            row["instance"]: BestKnown(int(row["vehicles"]), float(row["distance"]))
            for row in csv.DictReader(handle)
        }


def customer_routes(solution: VrptwSolution) -> list[list[int]]:
    """A solution's routes as customer numbers (1..N), as in the `.sol` files."""
    return [[client + 1 for client in route.clients] for route in solution.routes]


def solution_from_customer_routes(
    problem: VrptwProblem, routes: list[list[int]], *, solver: str = "given"
) -> VrptwSolution:
    """Evaluate routes given as customer numbers (e.g. a `.sol` file) on `problem`;
    useful as a warm start or to check a best-known solution."""
    return evaluate_routes(
        problem,
        [(0, [number - 1 for number in route]) for route in routes],
        solver=solver,
        runtime_s=0.0,
    )
