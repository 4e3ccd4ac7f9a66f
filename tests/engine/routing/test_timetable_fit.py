"""A timetable planned before holidays.csv or leave.csv changed is stale: `fieldweek
routes --timetable` routed visits onto the new holiday and the leave days, and the route
checker trusted the timetable. Now the timetable is refused naming the blocks, and the
checker reads holidays and leave from the department itself."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.routes import check_routes
from engine.domain import Block, CalendarDay, Department, HoursShortfall, Leave, Timetable
from engine.policy import Policy, parse_clock
from engine.routing.timetable_fit import timetable_misfits

WEEK = dt.date(2026, 11, 23)
WEDNESDAY = dt.date(2026, 11, 25)
THURSDAY = dt.date(2026, 11, 26)
SATURDAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def sample(sample_department: tuple[Department, Policy]) -> tuple[Department, Policy]:
    return sample_department


def visit(manager: str, date: dt.date) -> Block:
    return Block(manager=manager, date=date, kind="visit", start=parse_clock("09:00"), end=parse_clock("11:00"))


def timetable(department: Department, blocks: list[Block]) -> Timetable:
    """The blocks, beside m02's visits every weekday (a timetable covers every working day)."""
    weekdays = [visit("m02", WEEK + dt.timedelta(days=i)) for i in range(5)]
    return Timetable(department=department.name, policy="15-13-7", week_start=WEEK, status="feasible",
                     blocks=(*blocks, *weekdays))


def edited(department: Department) -> Department:
    """The department after the edits: Wednesday a holiday, m01 away Thursday."""
    return department.model_copy(update={
        "calendar_days": (CalendarDay(date=WEDNESDAY, kind="holiday", name="local"),),
        "leave": (Leave(manager="m01", date=THURSDAY),),
    })


def test_a_timetable_planned_before_the_edits_is_refused_naming_its_blocks(sample) -> None:
    department, policy = sample
    stale = timetable(department, [visit("m01", WEDNESDAY), visit("m01", THURSDAY)])
    assert timetable_misfits(stale, department, policy) == []
    messages = [p.message for p in timetable_misfits(stale, edited(department), policy)]
    assert len(messages) == 3
    assert "m01 Wed 2026-11-25" in messages[0] and "holiday (local)" in messages[0]
    assert "m02 Wed 2026-11-25" in messages[1] and "holiday (local)" in messages[1]
    assert "m01 Thu 2026-11-26" in messages[2] and "on leave all day" in messages[2]
    assert all("plan it again" in m for m in messages)


def test_a_make_up_working_day_the_timetable_lacks_is_named(sample) -> None:
    department, policy = sample
    makeup = department.model_copy(update={"calendar_days": (CalendarDay(date=SATURDAY, kind="workday"),)})
    problems = timetable_misfits(timetable(department, []), makeup, policy)
    assert len(problems) == 1 and "no block on Sat 2026-11-28" in problems[0].message


def test_blocks_excused_for_a_leave_taken_back_are_named(sample) -> None:
    """A leave taken back since (an outside tester's find): the timetable still excuses
    m01's Thursday visit for it, and was routed as if he were away that morning."""
    department, policy = sample
    excused = HoursShortfall(manager="m01", kind="visit", minutes_short=180, not_owed=True, date=THURSDAY)
    planned = timetable(department, []).model_copy(update={"shortfalls": (excused,)})
    with_leave = department.model_copy(update={"leave": (Leave(manager="m01", date=THURSDAY, start=480, end=600),)})
    assert timetable_misfits(planned, with_leave, policy) == []
    without = department.model_copy(update={"leave": ()})
    [problem] = timetable_misfits(planned, without, policy)
    assert "m01 Thu 2026-11-26" in problem.message and "no longer has" in problem.message


def test_a_site_study_excused_for_a_whole_day_leave_still_had_fits(sample) -> None:
    """The week's site study held on a day of a whole-day leave is not owed (he works
    other days): `routes --timetable` refused the timetable `plan` had just written for
    the unchanged folder (an outside tester's find), reading only part-day leave as an
    excuse. Taken back, the leave still makes it stale."""
    department, policy = sample
    excused = HoursShortfall(manager="m01", kind="site_study", minutes_short=60, sessions_short=1,
                             not_owed=True, date=WEDNESDAY)
    planned = timetable(department, []).model_copy(update={"shortfalls": (excused,)})
    whole_day = department.model_copy(update={"leave": (Leave(manager="m01", date=WEDNESDAY),)})
    assert timetable_misfits(planned, whole_day, policy) == []
    [problem] = timetable_misfits(planned, department.model_copy(update={"leave": ()}), policy)
    assert "m01 Wed 2026-11-25" in problem.message and "no longer has" in problem.message


def route_plan(department: Department, manager: str, date: dt.date) -> dict:
    """One day's route with one visit, as `fieldweek routes --json` writes it (one day's scope)."""
    shop = next(r for r in department.retailers if r.manager == manager)
    stop = {"retailer": shop.id, "kind": "visit", "from": "elsewhere", "ride_min": 0, "ride_km": 0,
            "arrive": "09:30", "start": "09:30", "end": "09:50"}
    return {"department": department.name, "week_start": str(WEEK), "scope": {"dates": [str(date)]},
            "routes": [{"manager": manager, "date": str(date), "stops": [stop], "distance_km": 0,
                        "travel_minutes": 0}], "unvisited": []}


@pytest.mark.parametrize(("date", "rule"), [(WEDNESDAY, "working_day"), (THURSDAY, "leave")])
def test_the_route_checker_flags_stops_on_holidays_and_leave_whatever_the_timetable(sample, date, rule) -> None:
    department, policy = sample
    stale = timetable(department, [visit("m01", date)])
    plan = route_plan(department, "m01", date)
    assert rule not in {v.rule for v in check_routes(plan, department, policy, stale)}
    assert rule in {v.rule for v in check_routes(plan, edited(department), policy, stale)}
