"""A week short of hours no proof forces, or no week found at all, is searched again when the caller named no limit
(SolveParams.extend_to_s; the commands' default, tests/api/commands/test_timetable_summary.py):
the better week is kept, and the first week's time is the first search's."""

from __future__ import annotations

import datetime as dt

import pytest

import engine.timetable.solve as solve
from engine.domain import HoursShortfall, Timetable
from engine.timetable.group_floors import WeekFloor
from engine.timetable.shortfalls import NOT_PROVEN

MONDAY = dt.date(2026, 11, 23)


def _week(objective: float, reason: str | None, first_s: float = 1.0) -> solve.TimetableResult:
    shortfalls = () if reason is None else (HoursShortfall(manager="m1", kind="admin", minutes_short=30,
                                                           reason=reason),)
    return solve.TimetableResult(Timetable(
        department="d", policy="p", week_start=MONDAY, status="feasible", objective=objective, best_bound=0.0,
        solve_seconds=first_s, first_feasible_seconds=first_s, shortfalls=shortfalls))


@pytest.fixture
def stated(monkeypatch):
    """`_solve_week` replaced by stated results, one per call, recording each call's params
    and the floors it was given."""
    calls: list[solve.SolveParams] = []
    results: list[solve.TimetableResult] = []

    def fake(department, policy, week_start, params, on_progress, warm_start, known_floor=None):
        calls.append(params)
        floors_given.append(known_floor)
        return results.pop(0)

    floors_given: list[WeekFloor | None] = []

    monkeypatch.setattr(solve, "_solve_week", fake)
    return calls, results, floors_given


def test_a_week_short_for_want_of_time_is_searched_again_and_the_better_kept(stated) -> None:
    calls, results, _ = stated
    results += [_week(30_500.0, NOT_PROVEN, first_s=4.0), _week(10_400.0, "the rides leave no room")]
    kept = solve.solve_timetable(None, None, MONDAY, solve.SolveParams(time_limit_s=10, extend_to_s=60))  # type: ignore[arg-type]
    assert len(calls) == 2
    assert calls[1].extend_to_s is None and 50 < calls[1].time_limit_s <= 60
    assert kept.timetable.objective == 10_400.0
    assert kept.timetable.first_feasible_seconds == 4.0  # the first search's: a week was known then


def test_the_second_search_starts_from_the_first_ones_floors_and_ends_when_it_settles(stated) -> None:
    """The second search is for the hours: it ends `EXTENSION_STALL_S` after its last better
    week (it used to keep all 50 s, 84 s for `plan` on a slower machine) and does not prove
    again the floors the first search proved."""
    calls, results, floors_given = stated
    first = _week(30_500.0, NOT_PROVEN)
    first.week_floor = WeekFloor(slots=0, exact=True)
    results += [first, _week(10_400.0, None)]
    solve.solve_timetable(None, None, MONDAY, solve.SolveParams(time_limit_s=10, extend_to_s=60))  # type: ignore[arg-type]
    assert calls[0].stall_s is None and calls[1].stall_s == solve.EXTENSION_STALL_S
    assert floors_given == [None, first.week_floor]


def test_a_second_search_that_finds_no_better_week_keeps_the_first(stated) -> None:
    calls, results, _ = stated
    results += [_week(30_500.0, NOT_PROVEN), _week(40_500.0, NOT_PROVEN)]
    kept = solve.solve_timetable(None, None, MONDAY, solve.SolveParams(time_limit_s=10, extend_to_s=60))  # type: ignore[arg-type]
    assert len(calls) == 2 and kept.timetable.objective == 30_500.0


@pytest.mark.parametrize("params", [solve.SolveParams(time_limit_s=10, extend_to_s=60),
                                    solve.SolveParams(time_limit_s=10)])
def test_no_second_search_for_a_proven_week_or_without_extension(stated, params) -> None:
    calls, results, _ = stated
    results += [_week(10_500.0, "the rides leave no room") if params.extend_to_s else _week(30_500.0, NOT_PROVEN)]
    solve.solve_timetable(None, None, MONDAY, params)  # type: ignore[arg-type]
    assert len(calls) == 1



def test_no_week_found_in_the_time_is_searched_again(stated) -> None:
    """A loaded machine: the first 10 s find no week at all (status unknown, no blocks);
    the second search's week is kept (before, nothing was searched again)."""
    calls, results, _ = stated
    nothing = solve.TimetableResult(Timetable(department="d", policy="p", week_start=MONDAY, status="unknown"))
    results += [nothing, _week(10_400.0, None, first_s=2.5)]
    kept = solve.solve_timetable(None, None, MONDAY, solve.SolveParams(time_limit_s=10, extend_to_s=60))  # type: ignore[arg-type]
    assert len(calls) == 2 and kept.timetable.objective == 10_400.0
    # The week was first known in the second search: its time counts (it was null).
    assert kept.timetable.first_feasible_seconds is not None and kept.timetable.first_feasible_seconds >= 2.5
