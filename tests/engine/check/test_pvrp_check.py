"""The independent PVRP checker against the 1997 solutions of Cordeau, Gendreau &
Laporte: it recomputes their printed cost, accepts them, and rejects each kind of
broken rule (skipped when ../shared/benchmarks/pvrp is absent)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine.check.pvrp import check_pvrp, read_res
from tests.locations import SHARED

PVRP = SHARED / "benchmarks" / "pvrp"
SOLUTIONS = PVRP / "solutions_cgl1997"

pytestmark = pytest.mark.skipif(not PVRP.is_dir(), reason=f"instances not found at {PVRP}")


def _res(name: str) -> tuple[float, list[list[list[int]]]]:
    days = int((PVRP / name).read_text().split()[3])
    return read_res(SOLUTIONS / f"{name}.res", days)


@pytest.mark.parametrize("name", ["p02", "p11", "p14", "pr01", "pr07"])
def test_accepts_the_1997_solutions_at_their_printed_cost(name: str) -> None:
    cost, days = _res(name)
    checked = check_pvrp(PVRP / name, days)
    assert checked.violations == ()
    assert abs(checked.distance - cost) < 0.005


def test_p01_1997_solution_leaves_out_customer_51() -> None:
    """The README's quirk: customer 51 (on the depot, demand Q, day 1) is missing."""
    cost, days = _res("p01")
    checked = check_pvrp(PVRP / "p01", days)
    assert abs(checked.distance - cost) < 0.005
    assert len(checked.violations) == 1 and "customer 51 " in checked.violations[0]


def test_rejects_a_wrong_pattern() -> None:
    """pr01 customer 14 may go on days 2+4 (code 5) or 1+3 (code 10); 1997: days 1 and 3."""
    _, days = _res("pr01")
    broken = copy.deepcopy(days)
    route = next(r for r in broken[2] if 14 in r)
    route.remove(14)
    broken[1][0].append(14)  # days 1 and 2: two visits, but no allowed pattern
    checked = check_pvrp(PVRP / "pr01", broken)
    assert any(v.startswith("customer 14 is visited on days [1, 2], not on the days of one")
               for v in checked.violations)


def test_rejects_a_daily_customer_left_out_on_one_day() -> None:
    _, days = _res("p02")  # customer 2 is visited every day (code 31)
    broken = copy.deepcopy(days)
    next(r for r in broken[0] if 2 in r).remove(2)
    checked = check_pvrp(PVRP / "p02", broken)
    assert checked.violations == (
        "customer 2 is visited on days [2, 3, 4, 5], not on the days of one of its patterns",)


def test_rejects_an_over_capacity_route() -> None:
    _, days = _res("p02")
    broken = copy.deepcopy(days)
    broken[0][0] += broken[0].pop(1)
    checked = check_pvrp(PVRP / "p02", broken)
    assert any("over Q = 160" in v for v in checked.violations)


def test_rejects_an_over_duration_route() -> None:
    _, days = _res("pr01")
    broken = copy.deepcopy(days)
    first = broken[1].pop(0)
    broken[1][0] += first  # day 2: 368 + 454 > D = 500
    checked = check_pvrp(PVRP / "pr01", broken)
    assert any("over D = 500" in v for v in checked.violations)


def test_rejects_a_customer_visited_twice_on_one_day() -> None:
    _, days = _res("pr01")
    broken = copy.deepcopy(days)
    twice = broken[0][0][0]
    broken[0][1].append(twice)
    checked = check_pvrp(PVRP / "pr01", broken)
    assert any(f"visits customer {twice} 2 times" in v for v in checked.violations)


def test_rejects_more_routes_than_vehicles() -> None:
    _, days = _res("pr01")  # m = 2
    broken = copy.deepcopy(days)
    broken[0].append([broken[0][0].pop()])
    checked = check_pvrp(PVRP / "pr01", broken)
    assert any("3 routes, over m = 2" in v for v in checked.violations)


def test_checks_each_day_against_its_own_d_q_line(tmp_path: Path) -> None:
    """Day 2's line says Q = 10 (day 1's 20): a load of 14 passes on day 1 and
    breaks day 2; D = 5 on day 2 only is checked on day 2 only."""
    path = tmp_path / "per_day"
    path.write_text("1 1 2 2\n0 20\n5 10\n0 0 0 0 0 0 0\n"
                    "1 3 0 0 7 1 1 3\n2 0 3 0 7 1 1 3\n")
    assert check_pvrp(path, [[[1, 2]], [[1, 2]]]).violations == (
        "day 2 route 1 carries 14, over Q = 10",
        "day 2 route 1 lasts 10.24, over D = 5")


def test_a_customer_on_no_day_is_said_plainly() -> None:
    _, days = _res("pr01")
    broken = [[[c for c in route if c != 14] for route in routes] for routes in days]
    checked = check_pvrp(PVRP / "pr01", broken)
    assert "customer 14 is on no day" in checked.violations
