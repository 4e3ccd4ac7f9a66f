"""VRPTW layer: problem model, schedule, both backends on tiny instances whose
optimum is enumerated here by brute force, VRPLIB reading, and the independent
checker."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from engine.check.vrptw import check_vrptw
from engine.errors import InputError
from engine.routing.instances import (
    customer_routes,
    read_instance,
    read_solution_routes,
    solution_from_customer_routes,
)
from engine.routing.vrptw import (
    Client,
    Depot,
    VehicleType,
    VrptwProblem,
    evaluate_routes,
    schedule_route,
    solve,
)
from tests.locations import SHARED

BACKENDS = ["pyvrp", "ortools"]
SOLOMON = SHARED / "benchmarks" / "solomon"

# A depot and five customers; times and distances already in tenths (DIMACS).
TINY_POINTS = [(0, 0), (10, 0), (10, 10), (0, 10), (-10, 5), (5, -8)]
TINY_DEMAND = [0, 4, 3, 5, 2, 4]
TINY_WINDOWS = [(0, 2000), (300, 600), (0, 400), (150, 450), (700, 1000), (0, 250)]
TINY_SERVICE = 50
TINY_CAPACITY = 10
TINY_VEHICLES = 2

TINY_VRPLIB = """NAME : TINY
TYPE : CVRPTW
DIMENSION : 6
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 10 10
4 0 10
5 -10 5
6 5 -8
DEMAND_SECTION
1 0
2 4
3 3
4 5
5 2
6 4
TIME_WINDOW_SECTION
1 0 200
2 30 60
3 0 40
4 15 45
5 70 100
6 0 25
DEPOT_SECTION
1
-1
EOF
"""


def _tiny_matrix() -> np.ndarray:
    return np.array([[math.floor(10 * math.dist(p, q)) for q in TINY_POINTS] for p in TINY_POINTS])


def _replay(matrix: np.ndarray, route: tuple[int, ...]) -> int | None:
    """Distance of a route of locations, or None when it breaks a rule (test's own replay)."""
    if sum(TINY_DEMAND[c] for c in route) > TINY_CAPACITY:
        return None
    time, here, distance = TINY_WINDOWS[0][0], 0, 0
    for location in route:
        time += matrix[here, location]
        distance += matrix[here, location]
        time = max(time, TINY_WINDOWS[location][0])
        if time > TINY_WINDOWS[location][1]:
            return None
        time += TINY_SERVICE
        here = location
    time += matrix[here, 0]
    distance += matrix[here, 0]
    return None if time > TINY_WINDOWS[0][1] else int(distance)


def _brute_force_optimum(matrix: np.ndarray) -> int:
    """Best total distance over every order of the customers split into two routes."""
    best = None
    customers = range(1, len(TINY_POINTS))
    for order in itertools.permutations(customers):
        for cut in range(len(order) + 1):
            parts = [_replay(matrix, part) if part else 0 for part in (order[:cut], order[cut:])]
            if None not in parts and (best is None or sum(parts) < best):
                best = sum(parts)
    assert best is not None
    return best


@pytest.fixture
def tiny_problem() -> VrptwProblem:
    """The five-customer instance as a hand-built VrptwProblem."""
    matrix = _tiny_matrix()
    clients = [
        Client(tw_early=early, tw_late=late, service=TINY_SERVICE, demand=demand, name=str(node))
        for node, ((early, late), demand) in enumerate(
            zip(TINY_WINDOWS[1:], TINY_DEMAND[1:], strict=True), start=1
        )
    ]
    vehicles = VehicleType(
        count=TINY_VEHICLES,
        capacity=TINY_CAPACITY,
        tw_early=TINY_WINDOWS[0][0],
        tw_late=TINY_WINDOWS[0][1],
    )
    return VrptwProblem(
        depots=(Depot(name="depot"),),
        clients=tuple(clients),
        vehicle_types=(vehicles,),
        distance=matrix,
        duration=matrix,
        name="tiny",
    )


@pytest.fixture
def tiny_vrplib(tmp_path: Path) -> Path:
    """The same five-customer instance as a VRPLIB file (times in file units)."""
    path = tmp_path / "TINY.vrp"
    path.write_text(TINY_VRPLIB)
    return path


def test_time_windows_bind_in_the_tiny_instance() -> None:
    """The brute-force optimum is longer than the shortest single tour ignoring
    windows and capacity, so the tiny instance really tests those rules."""
    matrix = _tiny_matrix()
    free_tour = min(
        sum(matrix[a, b] for a, b in itertools.pairwise((0, *order, 0)))
        for order in itertools.permutations(range(1, 6))
    )
    assert _brute_force_optimum(matrix) > free_tour


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_finds_the_brute_force_optimum(tiny_problem: VrptwProblem, backend: str) -> None:
    """Each backend returns a feasible solution whose distance equals the
    enumerated optimum, and whose clock times obey the windows with waiting."""
    solution = solve(tiny_problem, time_limit_s=1.0, backend=backend)
    assert solution.feasible, solution.violations
    assert solution.distance == _brute_force_optimum(_tiny_matrix())
    assert sorted(c for route in solution.routes for c in route.clients) == list(range(5))
    for route in solution.routes:
        here, clock = 0, route.start_time
        for visit in route.visits:
            location = visit.client + 1
            assert visit.arrival == clock + tiny_problem.duration[here, location]
            assert visit.service_start == visit.arrival + visit.wait
            early, late = TINY_WINDOWS[location]
            assert early <= visit.service_start <= late
            clock, here = visit.departure, location
        assert route.end_time == clock + tiny_problem.duration[here, 0] <= TINY_WINDOWS[0][1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_warm_start_is_accepted(tiny_problem: VrptwProblem, backend: str) -> None:
    """A backend given a feasible initial solution returns one at least as good."""
    initial = evaluate_routes(
        tiny_problem, [(0, [1, 2, 3]), (0, [4, 0])], solver="hand", runtime_s=0
    )
    assert initial.feasible, initial.violations
    solution = solve(tiny_problem, time_limit_s=0.5, backend=backend, initial=initial)
    assert solution.feasible
    assert solution.distance <= initial.distance


def _line_problem(clients: list[Client], shift_end: int) -> VrptwProblem:
    """Depot at 0 and clients on a line at 10, 20, ... (distance = duration)."""
    positions = [0] + [10 * (i + 1) for i in range(len(clients))]
    matrix = np.abs(np.subtract.outer(positions, positions))
    vehicle = VehicleType(count=1, capacity=100, tw_early=0, tw_late=shift_end)
    return VrptwProblem(
        depots=(Depot(),),
        clients=tuple(clients),
        vehicle_types=(vehicle,),
        distance=matrix,
        duration=matrix,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_optional_clients_that_cannot_fit_come_back_unassigned(backend: str) -> None:
    """An optional client whose window closes before it can be reached, and one
    whose prize is below its detour, are left unassigned; an optional client
    worth its detour is served; the solution stays feasible."""
    clients = [
        Client(tw_early=0, tw_late=100, required=True, name="near"),
        Client(tw_early=0, tw_late=5, required=False, prize=1000, name="too late"),
        Client(tw_early=0, tw_late=100, required=False, prize=1000, name="worth it"),
        Client(tw_early=0, tw_late=1000, required=False, prize=5, name="not worth it"),
    ]
    solution = solve(_line_problem(clients, shift_end=200), time_limit_s=0.5, backend=backend)
    assert solution.feasible, solution.violations
    assert set(solution.unassigned) == {1, 3}
    assert solution.uncollected_prize == 1000 + 5


@pytest.mark.parametrize("backend", BACKENDS)
def test_required_client_that_cannot_fit_makes_the_solution_infeasible(backend: str) -> None:
    """A required client nobody can reach in time is reported in words (left
    out, or served after its window) and the solution is marked infeasible
    rather than silently short."""
    clients = [
        Client(tw_early=0, tw_late=100, name="near"),
        Client(tw_early=0, tw_late=5, name="unreachable"),
    ]
    solution = solve(_line_problem(clients, shift_end=200), time_limit_s=0.5, backend=backend)
    assert not solution.feasible
    assert any(
        "unreachable is required but not visited" in v
        or "serving unreachable at 20, after its window closes at 5" in v
        for v in solution.violations
    ), solution.violations


@pytest.mark.parametrize("backend", BACKENDS)
def test_vehicle_types_keep_their_own_depot_and_shift(backend: str) -> None:
    """With a morning type at depot A and an afternoon type at depot B, the
    afternoon clients beside B are served by the afternoon type, inside its shift."""
    # Locations: depot A at 0, depot B at 1000, morning clients near A, afternoon ones near B.
    positions = [0, 1000, 10, 20, 990, 980]
    matrix = np.abs(np.subtract.outer(positions, positions))
    morning = VehicleType(
        count=1, capacity=10, tw_early=0, tw_late=500, start_depot=0, end_depot=0, name="morning"
    )
    afternoon = VehicleType(
        count=1,
        capacity=10,
        tw_early=2000,
        tw_late=2500,
        start_depot=1,
        end_depot=1,
        name="afternoon",
    )
    clients = [
        Client(tw_early=0, tw_late=400, demand=1, name="a1"),
        Client(tw_early=0, tw_late=400, demand=1, name="a2"),
        Client(tw_early=2000, tw_late=2400, demand=1, name="b1"),
        Client(tw_early=2000, tw_late=2400, demand=1, name="b2"),
    ]
    problem = VrptwProblem(
        depots=(Depot(name="A"), Depot(name="B")),
        clients=tuple(clients),
        vehicle_types=(morning, afternoon),
        distance=matrix,
        duration=matrix,
    )
    solution = solve(problem, time_limit_s=0.5, backend=backend)
    assert solution.feasible, solution.violations
    served_by = {c: route.vehicle_type for route in solution.routes for c in route.clients}
    assert served_by == {0: 0, 1: 0, 2: 1, 3: 1}
    afternoon_route = next(r for r in solution.routes if r.vehicle_type == 1)
    assert afternoon_route.start_time >= 2000 and afternoon_route.end_time <= 2500
    assert solution.distance == 2 * 20 + 2 * 20


def test_schedule_leaves_the_depot_late_enough_to_avoid_waiting() -> None:
    """A vehicle whose only client opens at 100, 10 away, leaves at 90: arrives
    at 100, waits 0, and the route lasts 30 (10 there, 10 service, 10 back)."""
    problem = _line_problem([Client(tw_early=100, tw_late=120, service=10)], shift_end=500)
    route = schedule_route(problem, 0, [0])
    assert route.start_time == 90
    assert (route.visits[0].arrival, route.visits[0].wait) == (100, 0)
    assert route.duration == 30


def test_schedule_keeps_waiting_that_a_later_window_forces() -> None:
    """Leaving later may not push an earlier stop past its window: with a first
    client closing at 15 and a second opening at 100, the vehicle leaves at 5
    (so the first service starts at 15) and waits at the second client."""
    clients = [Client(tw_early=0, tw_late=15), Client(tw_early=100, tw_late=200)]
    route = schedule_route(_line_problem(clients, shift_end=500), 0, [0, 1])
    assert route.start_time == 5
    assert route.visits[0].service_start == 15
    assert route.visits[1].wait == 100 - 25


def test_evaluation_names_every_broken_rule(tiny_problem: VrptwProblem) -> None:
    """evaluate_routes reports capacity, a late service, a duplicate and a
    missing required client in words, and marks the solution infeasible."""
    solution = evaluate_routes(
        tiny_problem, [(0, [3, 2, 1, 0]), (0, [0])], solver="hand", runtime_s=0
    )
    text = "\n".join(solution.violations)
    assert not solution.feasible
    assert "over its capacity" in text
    assert "after its window closes" in text
    assert "1 is visited 2 times" in text
    assert "5 is required but not visited" in text


def test_problem_validation_lists_every_problem() -> None:
    """A wrong-sized matrix and a window that closes before it opens are both
    reported in one InputError."""
    with pytest.raises(InputError) as caught:
        VrptwProblem(
            depots=(Depot(),),
            clients=(Client(tw_early=50, tw_late=10, name="shop 7"),),
            vehicle_types=(VehicleType(count=1, capacity=1, tw_early=0, tw_late=100),),
            distance=np.zeros((3, 3), dtype=int),
            duration=np.zeros((2, 2), dtype=int),
        )
    messages = [p.message for p in caught.value.problems]
    assert any("distance matrix is (3, 3), must be 2×2" in m for m in messages)
    assert any("shop 7: window closes (10) before it opens (50)" in m for m in messages)


def test_unknown_backend_is_refused(tiny_problem: VrptwProblem) -> None:
    """solve() names the available backends when given an unknown one."""
    with pytest.raises(ValueError, match="choose one of"):
        solve(tiny_problem, time_limit_s=1, backend="gurobi")


def test_vrplib_reader_applies_the_dimacs_convention(
    tiny_vrplib: Path, tiny_problem: VrptwProblem
) -> None:
    """Reading the tiny VRPLIB file gives floor(10·d) distances, times ×10 and
    the depot window as the shift: the same problem as the hand-built one."""
    problem = read_instance(tiny_vrplib)
    assert np.array_equal(problem.distance, tiny_problem.distance)
    assert np.array_equal(problem.duration, problem.distance)
    assert problem.clients == tiny_problem.clients
    (vehicles,) = problem.vehicle_types
    assert (vehicles.count, vehicles.capacity, vehicles.tw_late) == (2, 10, 2000)
    assert problem.distance[0, 2] == 141  # floor(10·√200) = floor(141.42)


def test_checker_accepts_the_optimum_with_its_distance(tiny_vrplib: Path) -> None:
    """The brute-force optimum, as customer numbers, passes the checker with the
    enumerated distance reported in one decimal."""
    check = check_vrptw(tiny_vrplib, [[2, 3, 4], [5, 1]])
    assert check.feasible, check.violations
    assert check.distance == _brute_force_optimum(_tiny_matrix()) / 10
    assert check.vehicles == 2


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ([[4, 3, 2], [5, 1]], "after its due time"),
        ([[2, 3, 4, 5, 1]], "over the capacity of 10"),
        ([[2, 3, 4, 1], [5, 1]], "customer 1 is visited 2 times"),
        ([[2, 3, 4], [5]], "1 customers are not visited: [1]"),
        ([[2], [3], [4], [5, 1]], "4 routes, but the fleet has only 2 vehicles"),
        ([[2, 3, 4], [5, 1, 9]], "do not exist: [9]"),
    ],
    ids=["time-window", "capacity", "duplicate", "missing", "fleet", "unknown"],
)
def test_checker_catches_a_seeded_violation(
    tiny_vrplib: Path, routes: list[list[int]], expected: str
) -> None:
    """Each seeded defect is reported in words and makes the check fail."""
    check = check_vrptw(tiny_vrplib, routes)
    assert not check.feasible
    assert any(expected in violation for violation in check.violations), check.violations


def test_checker_catches_a_late_return_to_the_depot(tmp_path: Path) -> None:
    """With the depot closing at 80 instead of 200, the optimum's first route
    (back at 86.1) breaks the depot's due time and nothing else."""
    path = tmp_path / "TINY_EARLY_DEPOT.vrp"
    path.write_text(TINY_VRPLIB.replace("1 0 200", "1 0 80"))
    check = check_vrptw(path, [[2, 3, 4], [5, 1]])
    assert check.violations == (
        "route 1 is back at the depot at 86.1, after the depot's due time 80",
    )


@pytest.mark.skipif(not SOLOMON.is_dir(), reason=f"benchmark instances not found at {SOLOMON}")
def test_checker_and_engine_agree_with_the_best_known_c101() -> None:
    """C101's best-known routes pass the checker at 827.3 with 10 vehicles, and
    the engine's own evaluation gives the same distance and finds no violation."""
    routes = read_solution_routes(SOLOMON / "C101.sol")
    check = check_vrptw(SOLOMON / "C101.vrp", routes)
    assert check.feasible, check.violations
    assert (check.distance, check.vehicles) == (827.3, 10)
    engine_view = solution_from_customer_routes(read_instance(SOLOMON / "C101.vrp"), routes)
    assert engine_view.feasible and engine_view.distance == check.distance_tenths
    assert customer_routes(engine_view) == routes


def test_ortools_first_solution_strategy_is_configurable(tiny_problem: VrptwProblem) -> None:
    """OR-Tools runs with another named first-solution strategy, records it, and
    refuses a name its enum does not know."""
    solution = solve(
        tiny_problem,
        time_limit_s=0.5,
        backend="ortools",
        options={"first_solution_strategy": "PATH_CHEAPEST_ARC"},
    )
    assert solution.feasible
    assert solution.extra["first_solution_strategy"] == "PATH_CHEAPEST_ARC"
    with pytest.raises(ValueError, match="unknown OR-Tools option 'CHEAPEST_GUESS'"):
        solve(
            tiny_problem,
            time_limit_s=0.5,
            backend="ortools",
            options={"first_solution_strategy": "CHEAPEST_GUESS"},
        )
