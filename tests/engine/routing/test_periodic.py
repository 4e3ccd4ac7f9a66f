"""The PVRP solver built on the product's layers (CP-SAT visit days, `vrptw.solve`
day routes): its answers pass the independent checker and beat the plain
first-pattern approach; the reader names the line of a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.check.pvrp import check_pvrp
from engine.errors import InputError
from engine.routing.cordeau import decode_pattern, read_pvrp
from engine.routing.periodic import solve_plain, solve_pvrp
from tests.engine.routing.pvrp_cases import write_two_clusters, write_two_clusters_twice
from tests.locations import SHARED

PVRP = SHARED / "benchmarks" / "pvrp"


def test_pattern_codes_read_day_one_as_the_leftmost_bit() -> None:
    assert decode_pattern(10, 5) == (1, 3)  # 01010: days 2 and 4
    assert decode_pattern(31, 5) == (0, 1, 2, 3, 4)
    assert decode_pattern(2, 2) == (0,)


def test_groups_each_cluster_on_one_day_where_plain_does_not(tmp_path: Path) -> None:
    path = write_two_clusters(tmp_path / "two")
    instance = read_pvrp(path)
    product = solve_pvrp(instance, time_limit_s=2.0)
    plain = solve_plain(instance, time_limit_s=1.0)
    product_check, plain_check = check_pvrp(path, product.days), check_pvrp(path, plain.days)
    assert product_check.violations == () and plain_check.violations == ()
    assert product_check.distance == pytest.approx(product.distance)
    # plain: both clusters on both days, four trips of 80+; product: two
    assert plain_check.distance > 300
    assert product_check.distance < 0.6 * plain_check.distance
    assert sum(len(routes) for routes in product.days) <= 2


@pytest.mark.skipif(not PVRP.is_dir(), reason=f"instances not found at {PVRP}")
def test_p14_passes_the_checker_and_is_not_worse_than_plain() -> None:
    instance = read_pvrp(PVRP / "p14")
    product = solve_pvrp(instance, time_limit_s=3.0)
    plain = solve_plain(instance, time_limit_s=1.0)
    checked = check_pvrp(PVRP / "p14", product.days)
    assert checked.violations == ()
    assert checked.distance == pytest.approx(product.distance)
    plain_checked = check_pvrp(PVRP / "p14", plain.days)
    assert plain_checked.violations or checked.distance <= plain_checked.distance + 1e-6
    assert checked.distance < 954.81 * 1.03  # within 3 % of the best known


@pytest.mark.skipif(not PVRP.is_dir(), reason=f"instances not found at {PVRP}")
def test_pr01_keeps_the_route_duration_limit() -> None:
    instance = read_pvrp(PVRP / "pr01")
    product = solve_pvrp(instance, time_limit_s=3.0)
    assert check_pvrp(PVRP / "pr01", product.days).violations == ()


@pytest.mark.parametrize(("text", "line", "says"), [
    ("1 2 8 2\n0 100\n0 100\n0 0 0 0 0 0 0\n1 3 x 0 10 1 2 2 1\n", 5, "'x' is not a number"),
    ("1 2 1 2\n0 100\n0 100\n0 0 0 0 0 0 0\n1 3 4 0 10 1 2 2\n", 5, "pattern codes"),
    ("1 2 1 2\n0 100\n0 100\n0 0 0 0 0 0 0\n1 3 4 0 10 1 1 7\n", 5, "must lie in 1..3"),
    ("1 2 x 2\n", 1, "'x' is not a number"),
])
def test_a_bad_file_names_its_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = tmp_path / "bad"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        read_pvrp(path)
    problem = raised.value.problems[0]
    assert problem.row == line and problem.file == str(path) and says in problem.message


def test_a_day_with_more_routes_than_vehicles_loses_no_customer_in_its_repair(tmp_path: Path) -> None:
    """Day 1 routed as four single-customer routes with m = 2: the repair hands the
    customers of the routes beyond the fleet to other patterns instead of dropping them."""
    from engine.routing.periodic import _Geometry, _make_fit, _solution, _State

    path = write_two_clusters(tmp_path / "two")
    instance = read_pvrp(path)
    geometry = _Geometry(instance)
    day_one = instance.customers[0].patterns.index((0,))
    choice = [c.patterns.index((0,)) if k < 4 else c.patterns.index((1,)) for k, c in enumerate(instance.customers)]
    assert choice[0] == day_one
    state = _State(choice=choice, routes=[[[0], [1], [2], [3]], [[4, 5, 6, 7]]])
    assert _make_fit(instance, geometry, state, [False, True])
    assert all(len(routes) <= instance.vehicles for routes in state.routes)
    solution = _solution(instance, geometry, state, True, 0.0, {})
    assert check_pvrp(path, solution.days).violations == ()


def test_the_router_chooses_the_patterns_of_customers_visited_twice(tmp_path: Path) -> None:
    """Each cluster split over days 1+3 and 2+4 (eight trips): the week with the
    visits free to take either day of their pattern's i-th visit, then fixed on
    the pattern the router chose, puts each cluster on one pattern (four trips)."""
    from engine.routing.periodic import (
        _free_days,
        _Geometry,
        _relaxable,
        _relaxed_solve,
        _route_day,
        _solution,
        _State,
    )

    path = write_two_clusters_twice(tmp_path / "twice")
    instance = read_pvrp(path)
    assert all(_relaxable(c) for c in instance.customers)
    geometry = _Geometry(instance)
    state = _State(choice=[k % 2 for k in range(8)], routes=[[] for _ in range(4)])
    for d in range(4):
        state.routes[d], ok = _route_day(instance, geometry, state.on_day(instance, d), 0.1, 0)
        assert ok
    before = _solution(instance, geometry, state, True, 0.0, {}).distance
    assert _relaxed_solve(instance, geometry, state, _free_days(instance), set(range(8)), 0.3, 0.3, 0)
    assert len(set(state.choice[:4])) == 1 and len(set(state.choice[4:])) == 1
    solution = _solution(instance, geometry, state, True, 0.0, {})
    assert solution.distance < 0.6 * before
    checked = check_pvrp(path, solution.days)
    assert checked.violations == () and checked.distance == pytest.approx(solution.distance)
