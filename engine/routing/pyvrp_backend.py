"""PyVRP backend: the only module that imports pyvrp (its API moves between
releases; this one targets 0.14).

PyVRP's hybrid iterated local search is single-threaded. Its objective here is
distance plus the prizes of optional clients left out, the same as the
problem's.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
import pyvrp

from engine.routing.vrptw import VrptwProblem, VrptwSolution, evaluate_routes, stall_iterations

SOLVER_NAME = "pyvrp"


def to_problem_data(problem: VrptwProblem) -> pyvrp.ProblemData:
    """The problem as PyVRP data: one location per depot and client, one
    matrix profile, capacity as a single load dimension."""
    # PyVRP only draws coordinates; the matrices carry all distances.
    locations = [pyvrp.Location(x=0, y=0) for _ in range(problem.num_locations)]
    depots = [
        pyvrp.Depot(location=index, name=depot.name) for index, depot in enumerate(problem.depots)
    ]
    clients = [
        pyvrp.Client(
            location=problem.client_location(index),
            delivery=[client.demand],
            service_duration=client.service,
            tw_early=client.tw_early,
            tw_late=client.tw_late,
            prize=client.prize,
            required=client.required,
            name=client.name,
        )
        for index, client in enumerate(problem.clients)
    ]
    vehicle_types = []
    for kind in problem.vehicle_types:
        limits: dict[str, Any] = {} if kind.max_duration is None else {"shift_duration": kind.max_duration}
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=kind.count,
                capacity=[kind.capacity],
                start_depot=kind.start_depot,
                end_depot=kind.end_depot,
                tw_early=kind.tw_early,
                tw_late=kind.tw_late,
                name=kind.name,
                **limits,
            )
        )
    # PyVRP's stubs want a 2-d int array type that numpy's asarray cannot express.
    distance: Any = np.asarray(problem.distance, dtype=np.int64)
    duration: Any = np.asarray(problem.duration, dtype=np.int64)
    return pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=[distance],
        duration_matrices=[duration],
    )


class _Deadline:
    """Stop once `seconds` of wall time have passed since `started`, or, with
    `stall`, once the best cost has not improved for that many iterations.

    PyVRP's MaxRuntime starts its clock at its first call, after PyVRP has
    built and improved its initial solution; a deadline fixed in advance keeps
    that construction inside the caller's budget too.
    """

    def __init__(self, started: float, seconds: float, stall: int | None = None):
        self._deadline = started + seconds
        self._stall = stall
        self._best = float("inf")
        self._since_best = 0

    def __call__(self, best_cost: float) -> bool:
        if best_cost < self._best:
            self._best, self._since_best = best_cost, 0
        else:
            self._since_best += 1
        if self._stall is not None and self._since_best >= self._stall:
            return True
        return time.perf_counter() >= self._deadline


def solve(
    problem: VrptwProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    initial: VrptwSolution | None = None,
) -> VrptwSolution:
    """Solve with PyVRP's default parameters until `time_limit_s` seconds of
    wall time have passed since the call (model building included), or sooner
    when the caller asked to stop on a stall (`vrptw.stop_when_stalled`)."""
    started = time.perf_counter()
    data = to_problem_data(problem)
    warm_start = None
    if initial is not None and initial.routes:
        warm_start = pyvrp.Solution(
            data,
            [
                pyvrp.Route(data, list(route.clients), route.vehicle_type)
                for route in initial.routes
            ],
        )
    # PyVRP warns (e.g. a penalty at its bound) instead of returning it;
    # solvers never print, so its warnings travel in the result instead.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = pyvrp.solve(
            data,
            stop=_Deadline(started, time_limit_s, stall_iterations()),
            seed=seed,
            collect_stats=False,
            display=False,
            initial_solution=warm_start,
        )
    routes = [
        (route.vehicle_type(), [stop.idx for stop in route.schedule() if stop.is_client()])
        for route in result.best.routes()
    ]
    return evaluate_routes(
        problem,
        routes,
        solver=SOLVER_NAME,
        runtime_s=time.perf_counter() - started,
        iterations=result.num_iterations,
        extra={
            "solver_says_feasible": result.best.is_feasible(),
            "warnings": sorted({" ".join(str(w.message).split()) for w in caught}),
        },
    )
