"""The month's weeks (engine.month.month_timetables): a week with the same working days and
leave as one solved before starts from the best such week and gets a short limit; it is
solved from scratch only when that start leaves it shorter of hours, and the better of
the two is kept. The timetable solver is replaced by a recording stand-in: what is
tested here is which weeks are solved how, not the solver."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import engine.month as month_module
from benchmarks.departments import generate_department
from engine.check.timetable import TimetableVerdict, Violation
from engine.domain import Block, Conflict, Department, HoursShortfall, Timetable
from engine.month import MonthParams, month_timetables, working_days
from engine.policy import Policy
from engine.timetable.solve import SolveParams, TimetableResult
from tests.engine.month_cases import CHRISTMAS, DECEMBER, MONDAYS

PARAMS = MonthParams(timetable_time_limit_s=10, like_week_time_limit_s=2.5)


@dataclasses.dataclass
class Call:
    monday: dt.date
    limit_s: float
    started_from: dt.date | None
    """The week whose blocks the warm start carries (read from its visit block's date)."""


class StandInSolver:
    """Answers every solve with a one-block week; `short` says, per (Monday, cold?), how many
    minutes the answer lacks (default none)."""

    def __init__(self, short: dict[tuple[dt.date, bool], int] | None = None, unfit: set[dt.date] | None = None,
                 slow: set[dt.date] | None = None):
        self.short = short or {}
        self.unfit = unfit or set()
        """Mondays whose model cannot complete a warm start (answered `unknown`, no blocks)."""
        self.slow = slow or set()
        """Mondays whose solve from scratch finds no week within the month's timetable limit."""
        self.calls: list[Call] = []

    def __call__(self, department: Department, policy: Policy, monday: dt.date, params: SolveParams,
                 warm_start: Timetable | None = None, on_progress=None) -> TimetableResult:
        origin = None
        if warm_start is not None:
            assert warm_start.week_start == monday
            assert all(b.date - monday == dt.timedelta(days=0) for b in warm_start.blocks)
            origin = dt.date.fromisoformat(warm_start.blocks[0].retailer or "")
        self.calls.append(Call(monday, params.time_limit_s, origin))
        if warm_start is not None and monday in self.unfit:
            assert params.warm_start_or_nothing
            return TimetableResult(Timetable(department=department.name, policy=policy.name, week_start=monday,
                                             status="unknown"))
        if warm_start is None and monday in self.slow and params.time_limit_s <= PARAMS.timetable_time_limit_s:
            return TimetableResult(Timetable(department=department.name, policy=policy.name, week_start=monday,
                                             status="unknown"))
        minutes = self.short.get((monday, warm_start is None), 0)
        week = Timetable(
            department=department.name, policy=policy.name, week_start=monday, status="feasible",
            objective=1000 * minutes + 1,
            # The block's `retailer` carries the Monday of the solve that made it, so that a
            # warm start shows which week it came from.
            blocks=(Block(manager="m01", date=monday, kind="visit", start="09:00", end="10:00",
                          retailer=monday.isoformat()),),
            shortfalls=(HoursShortfall(manager="m01", kind="admin", minutes_short=minutes),) if minutes else ())
        return TimetableResult(week)


@pytest.fixture(scope="module")
def department() -> Department:
    return generate_department(3, seed=5).model_copy(update={"public_calendar": "CN"})


def _december(department: Department, policy: Policy, holidays: set[dt.date]) -> list[dt.date]:
    return working_days(policy, *DECEMBER, holidays, department)


def test_weeks_alike_start_from_the_first_and_a_holiday_week_is_solved_from_scratch(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    solver = StandInSolver()
    monkeypatch.setattr(month_module, "solve_timetable", solver)
    holidays = {CHRISTMAS}
    weeks = month_timetables(department, policy_15_13_7, _december(department, policy_15_13_7, holidays),
                             holidays, PARAMS)
    assert sorted(weeks) == MONDAYS
    christmas_week = MONDAYS[3]
    by_week = {c.monday: c for c in solver.calls}
    assert len(solver.calls) == len(MONDAYS)
    assert by_week[MONDAYS[0]] == Call(MONDAYS[0], 10, None)
    assert by_week[christmas_week] == Call(christmas_week, 10, None)
    for monday in (MONDAYS[1], MONDAYS[2]):
        assert by_week[monday] == Call(monday, 2.5, MONDAYS[0])
    # 28 December - 1 January: New Year's Day is off under the mainland calendar, another shape.
    assert by_week[MONDAYS[4]].started_from is None


def test_a_week_its_start_leaves_short_is_solved_from_scratch_and_the_better_kept(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    second, third = MONDAYS[1], MONDAYS[2]
    # The second week started from the first lacks 60 min; solved from scratch, nothing.
    solver = StandInSolver({(second, False): 60})
    monkeypatch.setattr(month_module, "solve_timetable", solver)
    weeks = month_timetables(department, policy_15_13_7, _december(department, policy_15_13_7, set()), set(), PARAMS)
    calls = [(c.monday, c.started_from) for c in solver.calls]
    assert calls[1:3] == [(second, MONDAYS[0]), (second, None)]
    assert not weeks[second].shortfalls
    # And when the cold solve is the worse one, the started week is kept.
    solver = StandInSolver({(third, False): 30, (third, True): 90})
    monkeypatch.setattr(month_module, "solve_timetable", solver)
    weeks = month_timetables(department, policy_15_13_7, _december(department, policy_15_13_7, set()), set(), PARAMS)
    assert sum(s.minutes_short for s in weeks[third].shortfalls) == 30


def test_a_better_week_becomes_the_start_of_the_weeks_after_it(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = MONDAYS[0], MONDAYS[1]
    # The first week lacks 110 min; the second, started from it, lacks none.
    solver = StandInSolver({(first, True): 110})
    monkeypatch.setattr(month_module, "solve_timetable", solver)
    month_timetables(department, policy_15_13_7, _december(department, policy_15_13_7, set()), set(), PARAMS)
    starts = {c.monday: c.started_from for c in solver.calls}
    assert starts[second] == first
    assert starts[MONDAYS[2]] == second
    assert len(solver.calls) == len(MONDAYS)


def test_without_a_like_week_limit_every_week_is_solved_from_scratch(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    solver = StandInSolver()
    monkeypatch.setattr(month_module, "solve_timetable", solver)
    params = dataclasses.replace(PARAMS, like_week_time_limit_s=None)
    month_timetables(department, policy_15_13_7, _december(department, policy_15_13_7, set()), set(), params)
    assert [(c.limit_s, c.started_from) for c in solver.calls] == [(10, None)] * len(MONDAYS)


def test_the_rounds_keep_the_routes_of_the_round_that_held_the_most_visits_then_the_fewest_km(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A later round of day assignment, solved within its short limit from budgets the
    routes moved, can hold fewer visits than the round before: the month keeps the round
    with the most visits, and of equals the one that rides the fewest km."""
    rounds = iter([["r1", "r2", "r3"], ["r1"], ["r3", "r2", "r1"], ["r2", "r1"]])
    km = {("r1", "r2", "r3"): 9.0, ("r1",): 1.0, ("r3", "r2", "r1"): 7.5, ("r2", "r1"): 2.0}

    def route(plan, assignment, orders, budget, params, *, again):
        orders.clear()
        orders[0] = next(rounds)
        return True  # every round moved a budget: the loop runs all its rounds

    monkeypatch.setattr(month_module, "_greedy_days", lambda plan, budget: {})
    monkeypatch.setattr(month_module, "_assign_days", lambda plan, budget, params, previous: {})
    monkeypatch.setattr(month_module, "_route_assigned", route)
    monkeypatch.setattr(month_module, "_ridden_km", lambda plan, orders: km[tuple(orders[0])])
    orders = month_module._plan_in_rounds(None, [], MonthParams(rounds=4))  # type: ignore[arg-type]
    assert orders == {0: ["r3", "r2", "r1"]}


@pytest.mark.parametrize("checker_accepts", [True, False])
def test_a_start_the_model_cannot_complete_is_taken_as_it_stands_only_when_the_checker_accepts_it(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch,
        checker_accepts: bool) -> None:
    """The model rounds rides up to its grid, so it may refuse a week alike that the
    independent checker accepts on the new dates: then that week is taken as it stands,
    unpriced and marked; when the checker refuses it too, the week is solved afresh."""
    second = MONDAYS[1]
    solver = StandInSolver(unfit={second})
    judged: list[dt.date] = []

    def judge(department, policy, timetable):
        judged.append(timetable.week_start)
        return TimetableVerdict([] if checker_accepts else [Violation("visit_daily", "m01", second, None, "x")], [])

    monkeypatch.setattr(month_module, "solve_timetable", solver)
    monkeypatch.setattr(month_module, "judge_timetable", judge)
    weeks, taken_from = month_module._month_weeks(
        department, policy_15_13_7, _december(department, policy_15_13_7, set()), set(), PARAMS)
    assert judged == [second]
    calls = [(c.monday, c.started_from) for c in solver.calls if c.monday == second]
    if checker_accepts:
        assert calls == [(second, MONDAYS[0])]
        assert taken_from == {second: MONDAYS[0]}
        assert weeks[second].objective is None and weeks[second].week_start == second
        assert weeks[second].blocks[0].date == second and weeks[second].blocks[0].retailer == MONDAYS[0].isoformat()
    else:
        assert calls == [(second, MONDAYS[0]), (second, None)]
        assert taken_from == {}
        assert weeks[second].blocks[0].retailer == second.isoformat()


def test_a_week_no_timetable_is_found_for_in_time_is_searched_again_longer(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loaded machine: the week of 12-07 finds no timetable within the month's 10 s. It
    is searched again with `timetable_retry_s` and gets its week (before, the month went
    on without it and its visits were all unplanned)."""
    second = MONDAYS[1]
    solver = StandInSolver(slow={second})
    monkeypatch.setattr(month_module, "solve_timetable", solver)
    params = dataclasses.replace(PARAMS, like_week_time_limit_s=None)
    weeks, _ = month_module._month_weeks(department, policy_15_13_7, _december(department, policy_15_13_7, set()),
                                         set(), params)
    assert [c.limit_s for c in solver.calls if c.monday == second] == [10, params.timetable_retry_s]
    assert weeks[second].blocks and weeks[second].status == "feasible"


def test_the_month_reports_each_week_and_each_manager_as_they_end(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12, item 6: a long month shows where it is — every week's timetable as it
    ends (how it came about), then every manager's month."""
    heard: list[month_module.MonthProgress] = []
    monkeypatch.setattr(month_module, "solve_timetable", StandInSolver({(MONDAYS[0], True): 40}))
    month_module._month_weeks(department, policy_15_13_7, _december(department, policy_15_13_7, set()), set(),
                              PARAMS, on_progress=heard.append)
    weeks = [p for p in heard if p.stage == "weeks"]
    assert [(p.done, p.total) for p in weeks] == [(i, len(MONDAYS)) for i in range(1, len(MONDAYS) + 1)]
    assert "40 min short" in weeks[0].text and "feasible" in weeks[1].text

    heard.clear()
    monkeypatch.setattr(month_module, "_plan_manager", lambda department, policy, manager, *rest:
                        month_module._ManagerMonth([], []))
    months = month_module._plan_managers(department, policy_15_13_7, [], {}, set(), PARAMS, [], None,
                                         on_progress=heard.append)
    assert len(months) == len(department.managers)
    assert [(p.stage, p.done, p.total) for p in heard] == [
        ("managers", i, len(department.managers)) for i in range(1, len(department.managers) + 1)]
    assert heard[0].text.startswith(department.managers[0].id)


def test_a_month_whose_weeks_have_no_timetable_says_why_per_week(
        department: Department, policy_15_13_7: Policy, monkeypatch: pytest.MonkeyPatch) -> None:
    """No week, no visits: the month lists every visit as unplanned and carries each
    week's conflicts, in words, for the command to show."""
    why = Conflict(rules=("visit_daily",), message="m01's nearest retailer is a 64-min ride")

    def infeasible(department, policy, monday, params, warm_start=None, on_progress=None):
        return TimetableResult(Timetable(department=department.name, policy=policy.name, week_start=monday,
                                         status="infeasible", conflicts=(why,)))

    monkeypatch.setattr(month_module, "solve_timetable", infeasible)
    plan = month_module.plan_month(department, policy_15_13_7, *DECEMBER, params=MonthParams(processes=1))
    assert plan.visits == 0 and plan.wanted > 0
    assert [w.conflicts for w in plan.weeks] == [(why,)] * len(MONDAYS)
    assert all(u.reason in ("no_visit_days", "focus_window") for u in plan.unplanned)


def test_a_daily_block_the_leave_leaves_no_room_for_is_not_hours_the_week_lacks() -> None:
    """The month chose between weeks, and reported each week's minutes short, counting it."""
    monday = dt.date(2026, 11, 30)
    week = Timetable(department="d", policy="15-13-7", week_start=monday, status="feasible",
                     blocks=(Block(manager="m01", date=monday, kind="visit", start="09:00", end="10:00"),),
                     shortfalls=(HoursShortfall(manager="m01", kind="admin", minutes_short=30),
                                 HoursShortfall(manager="m02", kind="visit", minutes_short=180, not_owed=True)))
    assert month_module._hours_short(week) == 30
