"""One due rule for the month and the weeks (SPEC §3-4): the month plan's visits of each
ISO week are the weekly due list's (engine/routing/due.py), a week straddling two months
is shared between their plans, and the independent month checker judges the counts by
its own copy of the rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from benchmarks.departments import generate_department
from engine.check.month import check_month
from engine.domain import Department, Timetable
from engine.month import MonthPlan, plan_month
from engine.policy import Policy
from engine.routing.due import due_days, due_retailers, week_monday
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.month_cases import FAST, moved_weeks

SOLVED_WEEK = dt.date(2026, 11, 23)
MONDAYS = [dt.date(2026, 11, 2) + dt.timedelta(weeks=i) for i in range(9)]  # every ISO week of Nov-Dec 2026
SHARED_WEEK = dt.date(2026, 11, 30)
"""Monday 30 November is November's last working day, the rest of its week December's."""


@pytest.fixture(scope="module")
def department() -> Department:
    """Four generated managers (thirty retailers each), under the mainland calendar (1 January
    a holiday, so the week of 28 December lies wholly in December)."""
    return generate_department(4, seed=7).model_copy(update={"public_calendar": "CN"})


@pytest.fixture(scope="module")
def weeks(department: Department, policy_15_13_7: Policy) -> dict[dt.date, Timetable]:
    """One solved week moved to every ISO week of November and December 2026."""
    solved = solve_timetable(department, policy_15_13_7, SOLVED_WEEK,
                             SolveParams(time_limit_s=3, workers=2)).timetable
    assert solved.blocks
    return moved_weeks(solved, MONDAYS)


@pytest.fixture(scope="module")
def months(department: Department, policy_15_13_7: Policy, weeks) -> dict[int, MonthPlan]:
    """The plans of November and December 2026."""
    return {month: plan_month(department, policy_15_13_7, 2026, month, set(), weeks, FAST) for month in (11, 12)}


def _due_in(plan: MonthPlan) -> dict[dt.date, Counter[str]]:
    """Per ISO week, the visits the plan holds of each retailer's due list."""
    found: dict[dt.date, Counter[str]] = {}
    for item in plan.due:
        found.setdefault(item.week_start, Counter())[item.retailer] += item.visits
    return found


def _made_in(plan: MonthPlan) -> dict[dt.date, Counter[str]]:
    """Per ISO week, the visits the plan makes of each retailer."""
    found: dict[dt.date, Counter[str]] = {}
    for route in plan.routes:
        found.setdefault(week_monday(route.date), Counter()).update(s.retailer for s in route.stops)
    return found


def test_month_plans_hold_the_weekly_due_lists(months: dict[int, MonthPlan], department: Department) -> None:
    """A week inside a month: the month holds its due list exactly. The week shared by
    November and December: the two plans together hold it exactly, each its own part."""
    november, december = _due_in(months[11]), _due_in(months[12])
    assert SHARED_WEEK in november and SHARED_WEEK in december
    for monday in MONDAYS:
        weekly = Counter({d.retailer.id: d.visits for d in due_retailers(department, monday)})
        assert weekly
        together = november.get(monday, Counter()) + december.get(monday, Counter())
        assert together == weekly, monday
        if monday != SHARED_WEEK:
            assert (monday in november) != (monday in december)
    shared = [d for d in months[11].due if d.week_start == SHARED_WEEK]
    assert any(d.visits for d in shared) and any(d.other_month for d in shared)
    assert all(d.visits == 0 for d in months[12].due if d.week_start == SHARED_WEEK
               and d.retailer not in {e.retailer for e in shared if e.other_month})


def test_visits_are_made_in_their_own_weeks(months: dict[int, MonthPlan]) -> None:
    """No week of a month's plan visits a retailer more often than its due list gives the
    month, and most due visits are made (the shortfalls listed)."""
    for plan in months.values():
        due, made = _due_in(plan), _made_in(plan)
        for monday, visits in made.items():
            assert not visits - due[monday], monday
        assert plan.wanted == sum(d.visits for d in plan.due) and plan.visits >= 0.8 * plan.wanted
        short = sum(u.wanted - u.planned for u in plan.unplanned if u.reason != "focus_window")
        assert plan.visits + short == plan.wanted


def test_the_month_checker_accepts_both_months(months: dict[int, MonthPlan], department: Department,
                                               policy_15_13_7: Policy, weeks) -> None:
    """The independent checker, with its own copy of the due rule, finds nothing wrong."""
    for plan in months.values():
        assert check_month(plan, department, policy_15_13_7, set(), weeks) == []


def test_the_checker_catches_a_visit_in_a_week_not_due(months: dict[int, MonthPlan], department: Department,
                                                      policy_15_13_7: Policy) -> None:
    """A visit made in a week whose due list does not give the month that retailer is a
    `count` fault, even when the month's total is right."""
    plan = months[12]
    data = plan.to_json_dict()
    due = _due_in(plan)
    moved = None
    for route in data["routes"]:
        for stop in route["stops"]:
            retailer = stop["retailer"]
            other = next((r for r in data["routes"] if r["manager"] == route["manager"]
                          and due[week_monday(dt.date.fromisoformat(r["date"]))][retailer] == 0), None)
            if other is not None:
                route["stops"].remove(stop)
                other["stops"].append(stop)
                moved = retailer
                break
        if moved:
            break
    assert moved is not None
    faults = check_month(data, department, policy_15_13_7, set())
    assert any(v.rule == "count" and v.retailer == moved and "week of" in v.message for v in faults)


def test_a_weeks_visits_count_on_its_working_days() -> None:
    """`due_days` spreads a week's visits over its working days and gives none to a week
    without any; a twice-weekly retailer's two visits count on different days."""
    week = [dt.date(2026, 11, 30) + dt.timedelta(days=i) for i in range(5)]
    twice = next(f"R{i}" for i in range(100) if len(due_days(f"R{i}", 8, week)) == 2)
    first, second = due_days(twice, 8, week)
    assert first < second and {first, second} <= set(week)
    assert due_days(twice, 8, []) == []
    weekly = [due_days(f"R{i}", 4, week) for i in range(200)]
    assert all(len(d) == 1 for d in weekly)
    assert {d[0] for d in weekly} == set(week)
