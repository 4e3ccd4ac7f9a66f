"""The vehicle routing problem with time windows, independent of any solver.

Every routing question in fieldweek (a manager's visit route of the day, the
public VRPTW benchmark) is stated as a `VrptwProblem` and answered as a
`VrptwSolution`. Backends (`pyvrp_backend`, `ortools_backend`) translate to and
from their solver; `solve` picks one by name.

Conventions, stated once:
- all numbers are integers in the caller's units (e.g. minutes or seconds for
  times, metres for distances); the problem never rescales them;
- locations are indexed depots first, then clients, in both matrices;
- a client's window constrains the START of its service; waiting before the
  window opens is allowed;
- a vehicle type's window is its shift: it leaves its start depot no earlier
  than `tw_early` and is back at its end depot no later than `tw_late`;
- the objective is total distance plus the prizes of optional clients left out.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.errors import InputError, Problem


@dataclass(frozen=True, kw_only=True)
class Depot:
    """A place where vehicles start or end their shift."""

    name: str = ""


@dataclass(frozen=True, kw_only=True)
class Client:
    """A place to visit once.

    `service` is how long the visit takes; `demand` uses the vehicle capacity's
    unit. An optional client (`required=False`) is served only when that is
    worth its `prize` in distance.
    """

    tw_early: int
    tw_late: int
    service: int = 0
    demand: int = 0
    required: bool = True
    prize: int = 0
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class VehicleType:
    """`count` identical vehicles with their capacity, depots and shift window."""

    count: int
    capacity: int
    tw_early: int
    tw_late: int
    start_depot: int = 0
    end_depot: int = 0
    max_duration: int | None = None
    name: str = ""


@dataclass(frozen=True, kw_only=True, eq=False)
class VrptwProblem:
    """A validated, immutable VRPTW instance.

    `distance[i][j]` and `duration[i][j]` are integer matrices over all
    locations, depots first then clients. Raises `InputError` naming every rule
    the input breaks.
    """

    depots: tuple[Depot, ...]
    clients: tuple[Client, ...]
    vehicle_types: tuple[VehicleType, ...]
    distance: np.ndarray
    duration: np.ndarray
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "depots", tuple(self.depots))
        object.__setattr__(self, "clients", tuple(self.clients))
        object.__setattr__(self, "vehicle_types", tuple(self.vehicle_types))
        problems: list[Problem] = []
        for label in ("distance", "duration"):
            matrix = _as_int_matrix(getattr(self, label), self.num_locations, label, problems)
            object.__setattr__(self, label, matrix)
        problems += _window_problems(self)
        if problems:
            raise InputError(problems)

    @property
    def num_locations(self) -> int:
        """Depots plus clients: the size of both matrices."""
        return len(self.depots) + len(self.clients)

    @property
    def num_vehicles(self) -> int:
        """Vehicles over all types."""
        return sum(vehicle_type.count for vehicle_type in self.vehicle_types)

    def client_location(self, client: int) -> int:
        """Matrix index of the client with index `client`."""
        return len(self.depots) + client

    def client_label(self, client: int) -> str:
        """The client's name, or its index when it has none."""
        return self.clients[client].name or f"client {client}"


@dataclass(frozen=True, kw_only=True)
class Visit:
    """One stop of a route, with its clock times.

    `wait` is the time between arrival and the start of service (the window
    was not open yet); `departure` is when service ends.
    """

    client: int
    arrival: int
    wait: int
    service_start: int
    departure: int


@dataclass(frozen=True, kw_only=True)
class Route:
    """The route of one vehicle: leaves its depot at `start_time`, visits the
    clients in order and is back at `end_time`."""

    vehicle_type: int
    visits: tuple[Visit, ...]
    start_time: int
    end_time: int
    distance: int
    load: int

    @property
    def clients(self) -> tuple[int, ...]:
        """Client indices in visiting order."""
        return tuple(visit.client for visit in self.visits)

    @property
    def duration(self) -> int:
        """Time from leaving the start depot to arriving at the end depot."""
        return self.end_time - self.start_time


@dataclass(frozen=True, kw_only=True)
class VrptwSolution:
    """What a backend found, as data.

    `feasible` and `violations` come from `evaluate_routes`, the same rules for
    every backend, not from the solver's own claim. `unassigned` lists the
    clients served by no route (optional ones left out on purpose, or required
    ones the solver could not place, which makes the solution infeasible).
    """

    routes: tuple[Route, ...]
    distance: int
    duration: int
    uncollected_prize: int
    feasible: bool
    violations: tuple[str, ...]
    unassigned: tuple[int, ...]
    solver: str
    runtime_s: float
    iterations: int | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def objective(self) -> int:
        """Total distance plus the prizes of the optional clients left out."""
        return self.distance + self.uncollected_prize


# Backend name -> module holding its `solve`. Imported lazily so that the engine
# loads without the solvers one does not use.
BACKENDS: dict[str, str] = {
    "pyvrp": "engine.routing.pyvrp_backend",
    "ortools": "engine.routing.ortools_backend",
}


_STALL_ITERATIONS: contextvars.ContextVar[int | None] = contextvars.ContextVar("stall_iterations",
                                                                             default=None)


@contextlib.contextmanager
def stop_when_stalled(iterations: int | None) -> Iterator[None]:
    """Within this block a backend that counts iterations (PyVRP) stops as soon as its
    best solution has not improved for `iterations` iterations, before its time limit;
    None keeps the whole limit. A caller that solves many small problems (a manager's
    month of day routes) sets it once instead of threading it through every call."""
    token = _STALL_ITERATIONS.set(iterations)
    try:
        yield
    finally:
        _STALL_ITERATIONS.reset(token)


def stall_iterations() -> int | None:
    """The iterations without improvement after which a backend stops (`stop_when_stalled`)."""
    return _STALL_ITERATIONS.get()


def solve(
    problem: VrptwProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    backend: str = "pyvrp",
    initial: VrptwSolution | None = None,
    options: Mapping[str, object] | None = None,
) -> VrptwSolution:
    """Solve `problem` with the named backend within `time_limit_s` seconds of
    wall time (model building included), on one thread.

    `initial` is a warm start (its routes are handed to the solver); `options`
    are backend-specific keyword arguments (e.g. `first_solution_strategy` for
    OR-Tools). Never prints; raises `ValueError` for an unknown backend.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown VRPTW backend {backend!r}; choose one of {sorted(BACKENDS)}")
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be positive, got {time_limit_s}")
    module = importlib.import_module(BACKENDS[backend])
    return module.solve(
        problem, time_limit_s=time_limit_s, seed=seed, initial=initial, **dict(options or {})
    )


def schedule_route(problem: VrptwProblem, vehicle_type: int, clients: Sequence[int]) -> Route:
    """Clock times of a route: service starts as early as its window allows,
    and the vehicle leaves its depot as late as possible without delaying any
    service, so that the route's duration holds no avoidable waiting.

    Times are computed even when the route breaks a window; `route_violations`
    says which.
    """
    kind = problem.vehicle_types[vehicle_type]
    earliest = _forward_pass(problem, kind, clients, kind.tw_early)
    # Leaving later first eats the waiting at each stop; it may not push any
    # service past its window and is useless beyond the total waiting.
    waited = 0
    later_by = sum(visit.wait for visit in earliest)
    for visit in earliest:
        waited += visit.wait
        room = problem.clients[visit.client].tw_late - visit.service_start
        later_by = min(later_by, waited + room)
    visits = _forward_pass(problem, kind, clients, kind.tw_early + max(later_by, 0))
    start = kind.tw_early + max(later_by, 0)
    last = problem.client_location(visits[-1].client) if visits else kind.start_depot
    end = (visits[-1].departure if visits else start) + int(problem.duration[last, kind.end_depot])
    stops = [kind.start_depot, *(problem.client_location(c) for c in clients), kind.end_depot]
    distance = sum(int(problem.distance[a, b]) for a, b in itertools.pairwise(stops))
    load = sum(problem.clients[c].demand for c in clients)
    return Route(
        vehicle_type=vehicle_type,
        visits=tuple(visits),
        start_time=start,
        end_time=end,
        distance=distance,
        load=load,
    )


def route_violations(problem: VrptwProblem, route: Route, label: str) -> list[str]:
    """Rules one scheduled route breaks, in words (empty when it keeps them all)."""
    kind = problem.vehicle_types[route.vehicle_type]
    found = []
    if route.load > kind.capacity:
        found.append(f"{label} carries {route.load}, over its capacity of {kind.capacity}")
    for visit in route.visits:
        client = problem.clients[visit.client]
        if visit.service_start > client.tw_late:
            found.append(
                f"{label} starts serving {problem.client_label(visit.client)} at "
                f"{visit.service_start}, after its window closes at {client.tw_late}"
            )
    if route.end_time > kind.tw_late:
        found.append(f"{label} is back at {route.end_time}, after its shift ends at {kind.tw_late}")
    if kind.max_duration is not None and route.duration > kind.max_duration:
        found.append(
            f"{label} lasts {route.duration}, over its maximum duration of {kind.max_duration}"
        )
    return found


def evaluate_routes(
    problem: VrptwProblem,
    routes: Sequence[tuple[int, Sequence[int]]],
    *,
    solver: str,
    runtime_s: float,
    iterations: int | None = None,
    extra: Mapping[str, object] | None = None,
) -> VrptwSolution:
    """Turn `(vehicle_type, client indices)` pairs into a `VrptwSolution`:
    schedule every non-empty route and check every rule of the problem
    (capacity, windows, shift end, maximum duration, fleet size per type, each
    client at most once, every required client served)."""
    scheduled = [schedule_route(problem, kind, clients) for kind, clients in routes if clients]
    violations: list[str] = []
    for number, route in enumerate(scheduled, start=1):
        kind = problem.vehicle_types[route.vehicle_type]
        violations += route_violations(problem, route, f"route {number} ({kind.name or 'vehicle'})")

    used = Counter(route.vehicle_type for route in scheduled)
    for index, count in sorted(used.items()):
        kind = problem.vehicle_types[index]
        if count > kind.count:
            violations.append(
                f"{count} routes use vehicle type {kind.name or index}, which has only {kind.count}"
            )

    visits = Counter(client for route in scheduled for client in route.clients)
    for client, times in sorted(visits.items()):
        if times > 1:
            violations.append(f"{problem.client_label(client)} is visited {times} times")
    unassigned = tuple(c for c in range(len(problem.clients)) if c not in visits)
    for client in unassigned:
        if problem.clients[client].required:
            violations.append(f"{problem.client_label(client)} is required but not visited")

    return VrptwSolution(
        routes=tuple(scheduled),
        distance=sum(route.distance for route in scheduled),
        duration=sum(route.duration for route in scheduled),
        uncollected_prize=sum(problem.clients[c].prize for c in unassigned),
        feasible=not violations,
        violations=tuple(violations),
        unassigned=unassigned,
        solver=solver,
        runtime_s=runtime_s,
        iterations=iterations,
        extra=dict(extra or {}),
    )


def _forward_pass(
    problem: VrptwProblem, kind: VehicleType, clients: Sequence[int], departure: int
) -> list[Visit]:
    visits = []
    time, here = departure, kind.start_depot
    for client_index in clients:
        client = problem.clients[client_index]
        there = problem.client_location(client_index)
        arrival = time + int(problem.duration[here, there])
        service_start = max(arrival, client.tw_early)
        time = service_start + client.service
        visits.append(
            Visit(
                client=client_index,
                arrival=arrival,
                wait=service_start - arrival,
                service_start=service_start,
                departure=time,
            )
        )
        here = there
    return visits


def _as_int_matrix(values: object, size: int, label: str, problems: list[Problem]) -> np.ndarray:
    matrix = np.asarray(values)
    if matrix.shape != (size, size):
        problems.append(
            Problem(f"{label} matrix is {matrix.shape}, must be {size}×{size} (depots + clients)")
        )
        return matrix
    whole = np.issubdtype(matrix.dtype, np.integer) or np.all(np.equal(np.mod(matrix, 1), 0))
    if not whole:
        problems.append(Problem(f"{label} matrix must hold integers (scale it first)"))
        return matrix
    matrix = matrix.astype(np.int64)
    if (matrix < 0).any():
        problems.append(Problem(f"{label} matrix holds negative values"))
    matrix.setflags(write=False)
    return matrix


def _window_problems(problem: VrptwProblem) -> list[Problem]:
    found = []
    if not problem.depots:
        found.append(Problem("a VRPTW problem needs at least one depot"))
    if not problem.vehicle_types:
        found.append(Problem("a VRPTW problem needs at least one vehicle type"))
    for index, client in enumerate(problem.clients):
        where = problem.client_label(index)
        if client.tw_late < client.tw_early:
            found.append(
                Problem(
                    f"{where}: window closes ({client.tw_late}) before it opens ({client.tw_early})"
                )
            )
        if client.service < 0 or client.demand < 0 or client.prize < 0:
            found.append(Problem(f"{where}: service, demand and prize must not be negative"))
    for index, kind in enumerate(problem.vehicle_types):
        where = f"vehicle type {kind.name or index}"
        if kind.count < 1:
            found.append(Problem(f"{where}: count must be at least 1, got {kind.count}"))
        if kind.capacity < 0:
            found.append(Problem(f"{where}: capacity must not be negative"))
        if kind.tw_late < kind.tw_early:
            found.append(
                Problem(f"{where}: shift ends ({kind.tw_late}) before it starts ({kind.tw_early})")
            )
        for role, depot in (("start", kind.start_depot), ("end", kind.end_depot)):
            if not 0 <= depot < len(problem.depots):
                found.append(Problem(f"{where}: {role} depot {depot} does not exist"))
        if kind.max_duration is not None and kind.max_duration < 0:
            found.append(Problem(f"{where}: max_duration must not be negative"))
    return found
