"""A named limit that finds no week at all searches on for its first one (tester's d16a:
`--time-limit 20` ended with no timetable where the default, extended, found one), and a
search that finds none even so says how long it looked (it said the first limit's 10 s
after 60 s). The first search is made to find nothing by a stand-in."""

from __future__ import annotations

import engine.timetable.solve as solve
from api.commands.timetable import first_week_by
from engine.budget import EXTENDED_TIMETABLE_S
from engine.domain import Timetable
from engine.timetable.solve import SolveParams, TimetableResult, solve_timetable
from tests.strategies import WEEK, simple_department


def _first_finds_nothing(monkeypatch, every: bool = False) -> list[float]:
    real, limits = solve._solve_week, []

    def stand_in(department, policy, week_start, params, *rest, **named):
        limits.append(params.time_limit_s)
        if len(limits) == 1 or every:
            return TimetableResult(Timetable(department=department.name, policy=policy.name, week_start=week_start,
                                             status="unknown"))
        return real(department, policy, week_start, params, *rest, **named)

    monkeypatch.setattr(solve, "_solve_week", stand_in)
    return limits


def test_a_named_limit_searches_on_for_a_first_week(policy_15_13_7, monkeypatch):
    limits = _first_finds_nothing(monkeypatch)
    result = solve_timetable(simple_department(2), policy_15_13_7, WEEK,
                             SolveParams(time_limit_s=2, workers=2, first_week_by_s=8, stall_s=0.5))
    assert result.status in ("optimal", "feasible") and len(limits) == 2 and 5 < limits[1] <= 8


def test_without_it_the_limit_is_kept(policy_15_13_7, monkeypatch):
    limits = _first_finds_nothing(monkeypatch)
    result = solve_timetable(simple_department(2), policy_15_13_7, WEEK, SolveParams(time_limit_s=2, workers=2))
    assert result.status == "unknown" and len(limits) == 1


def test_no_week_even_so_says_how_long_it_looked(policy_15_13_7, monkeypatch):
    _first_finds_nothing(monkeypatch, every=True)
    result = solve_timetable(simple_department(2), policy_15_13_7, WEEK,
                             SolveParams(time_limit_s=2, workers=2, first_week_by_s=8))
    [conflict] = result.timetable.conflicts
    assert "searched on from 2 s" in conflict.message


def test_only_a_limit_below_the_extension_searches_on():
    assert first_week_by(20) == EXTENDED_TIMETABLE_S
    assert first_week_by(None) is None and first_week_by(EXTENDED_TIMETABLE_S + 30) is None
