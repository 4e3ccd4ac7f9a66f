"""OR-Tools routing backend: the only module that imports OR-Tools routing
(pywrapcp and its enums; the Python API has moved between releases).

Model: one routing vehicle per unit of each vehicle type; arc cost = distance;
a time dimension whose transit is service at the origin plus travel, with slack
for waiting, so that a node's cumul is the START of its service; a capacity
dimension; every client in a disjunction. Optional clients cost their prize
when dropped; required clients cost more than any set of routes could, so the
search always returns an assignment and a required client it could not place
shows up as unassigned (hence infeasible) instead of "no solution".
"""

from __future__ import annotations

import time

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from engine.routing.vrptw import VrptwProblem, VrptwSolution, evaluate_routes

SOLVER_NAME = "ortools"
DEFAULT_FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"
DEFAULT_METAHEURISTIC = "GUIDED_LOCAL_SEARCH"


def solve(
    problem: VrptwProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    initial: VrptwSolution | None = None,
    first_solution_strategy: str = DEFAULT_FIRST_SOLUTION,
    metaheuristic: str = DEFAULT_METAHEURISTIC,
) -> VrptwSolution:
    """Solve with OR-Tools routing (one thread) until `time_limit_s` seconds of
    wall time have passed since the call.

    `first_solution_strategy` and `metaheuristic` name members of OR-Tools'
    FirstSolutionStrategy and LocalSearchMetaheuristic enums. The routing
    search is deterministic, so `seed` has no effect.
    """
    started = time.perf_counter()
    vehicle_kinds = [
        index for index, kind in enumerate(problem.vehicle_types) for _ in range(kind.count)
    ]
    starts = [problem.vehicle_types[k].start_depot for k in vehicle_kinds]
    ends = [problem.vehicle_types[k].end_depot for k in vehicle_kinds]
    manager = pywrapcp.RoutingIndexManager(problem.num_locations, len(vehicle_kinds), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    distance = routing.RegisterTransitMatrix(problem.distance.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(distance)
    _add_time_dimension(problem, manager, routing, vehicle_kinds)
    _add_capacity_dimension(problem, routing, vehicle_kinds)
    _add_disjunctions(problem, manager, routing)
    _forbid_idle_depots(problem, manager, routing, starts + ends)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = _enum_value(
        routing_enums_pb2.FirstSolutionStrategy, first_solution_strategy
    )
    params.local_search_metaheuristic = _enum_value(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
    )
    remaining = max(time_limit_s - (time.perf_counter() - started), 0.001)
    params.time_limit.FromMilliseconds(max(int(remaining * 1000), 1))

    assignment = None
    if initial is not None and initial.routes:
        routing.CloseModelWithParameters(params)
        warm = routing.ReadAssignmentFromRoutes(
            _initial_vehicle_routes(problem, manager, initial, vehicle_kinds), True
        )
        if warm is not None:
            assignment = routing.SolveFromAssignmentWithParameters(warm, params)
    if assignment is None:
        assignment = routing.SolveWithParameters(params)

    routes: list[tuple[int, list[int]]] = []
    if assignment is not None:
        for vehicle, kind in enumerate(vehicle_kinds):
            index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
            clients = []
            while not routing.IsEnd(index):
                clients.append(manager.IndexToNode(index) - len(problem.depots))
                index = assignment.Value(routing.NextVar(index))
            routes.append((kind, clients))
    return evaluate_routes(
        problem,
        routes,
        solver=SOLVER_NAME,
        runtime_s=time.perf_counter() - started,
        extra={
            "first_solution_strategy": first_solution_strategy,
            "metaheuristic": metaheuristic,
            "status": routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status()),
            "found_solution": assignment is not None,
        },
    )


def first_solution_strategies() -> list[str]:
    """The names `first_solution_strategy` takes, as this OR-Tools release spells its
    FirstSolutionStrategy members: the command line checks a name against them before it
    reads the instance."""
    return list(routing_enums_pb2.FirstSolutionStrategy.Value.keys())


def _enum_value(enum: object, name: str) -> int:
    names = enum.Value.keys()  # type: ignore[attr-defined]
    if name not in names:
        raise ValueError(f"unknown OR-Tools option {name!r}; choose one of {', '.join(names)}")
    return enum.Value.Value(name)  # type: ignore[attr-defined]


def _add_time_dimension(
    problem: VrptwProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    vehicle_kinds: list[int],
) -> None:
    depots = len(problem.depots)
    service = [0] * depots + [client.service for client in problem.clients]
    travel = problem.duration.tolist()
    transit = [[service[i] + travel[i][j] for j in range(len(travel))] for i in range(len(travel))]
    horizon = max(
        [kind.tw_late for kind in problem.vehicle_types]
        + [client.tw_late for client in problem.clients]
    )
    callback = routing.RegisterTransitMatrix(transit)
    # Slack up to the horizon: a vehicle may wait any time for a window to open.
    routing.AddDimension(callback, horizon, horizon, False, "time")
    dimension = routing.GetDimensionOrDie("time")
    for index, client in enumerate(problem.clients):
        node = manager.NodeToIndex(problem.client_location(index))
        dimension.CumulVar(node).SetRange(client.tw_early, client.tw_late)
    for vehicle, kind_index in enumerate(vehicle_kinds):
        kind = problem.vehicle_types[kind_index]
        dimension.CumulVar(routing.Start(vehicle)).SetRange(kind.tw_early, kind.tw_late)
        dimension.CumulVar(routing.End(vehicle)).SetRange(kind.tw_early, kind.tw_late)
        if kind.max_duration is not None:
            dimension.SetSpanUpperBoundForVehicle(kind.max_duration, vehicle)


def _add_capacity_dimension(
    problem: VrptwProblem, routing: pywrapcp.RoutingModel, vehicle_kinds: list[int]
) -> None:
    demand = [0] * len(problem.depots) + [client.demand for client in problem.clients]
    callback = routing.RegisterUnaryTransitVector(demand)
    capacities = [problem.vehicle_types[kind].capacity for kind in vehicle_kinds]
    routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, "load")


def _add_disjunctions(
    problem: VrptwProblem, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    # Dropping a required client must cost more than the longest set of routes
    # could save: every arc is at most the longest arc, and there are at most
    # (clients + one back-to-depot arc per vehicle) arcs.
    longest_arc = int(problem.distance.max(initial=0))
    arcs = len(problem.clients) + 2 * problem.num_vehicles
    must_serve = longest_arc * arcs + sum(client.prize for client in problem.clients) + 1
    for index, client in enumerate(problem.clients):
        node = manager.NodeToIndex(problem.client_location(index))
        routing.AddDisjunction([node], must_serve if client.required else client.prize)


def _forbid_idle_depots(
    problem: VrptwProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    used_depots: list[int],
) -> None:
    # A depot no vehicle starts or ends at would otherwise be a node to visit.
    for depot in range(len(problem.depots)):
        if depot not in used_depots:
            routing.solver().Add(routing.ActiveVar(manager.NodeToIndex(depot)) == 0)


def _initial_vehicle_routes(
    problem: VrptwProblem,
    manager: pywrapcp.RoutingIndexManager,
    initial: VrptwSolution,
    vehicle_kinds: list[int],
) -> list[list[int]]:
    # Give each initial route to a free routing vehicle of its type.
    free = list(enumerate(vehicle_kinds))
    routes: list[list[int]] = [[] for _ in vehicle_kinds]
    for route in initial.routes:
        slot = next((i for i, (_, kind) in enumerate(free) if kind == route.vehicle_type), None)
        if slot is None:
            continue
        vehicle, _ = free.pop(slot)
        routes[vehicle] = [
            manager.NodeToIndex(problem.client_location(client)) for client in route.clients
        ]
    return routes
