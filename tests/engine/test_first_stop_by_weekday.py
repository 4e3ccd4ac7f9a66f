"""A weekday's own first-stop time (SPEC §3: the Monday meeting opens the week, the ride
to the first retailer comes after it): the policy states `route.first_stop_by_on`, the
planners keep it and the independent judges read it on their own."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import pytest

from benchmarks.departments import generate_department
from engine.check.routes import check_routes
from engine.check.spec import first_stop_deadline
from engine.check.timetable import check_timetable
from engine.domain import CalendarDay, Department
from engine.errors import InputError
from engine.policy import Policy, format_clock, parse_clock, policy_from_mapping
from engine.routing.approach import approach_minutes
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable

MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)
FAR = "m04"
"""The countryside manager of the generated 4-manager department, seed 1: his nearest due
retailer is more than the 40-min Monday meeting short of 90 min from the office."""


def _policy_data() -> dict:
    return tomllib.loads((resources.files("fieldweek_policies") / "15-13-7.toml").read_text(encoding="utf-8"))


def _with_route(**route) -> dict:
    data = _policy_data()
    data["route"].update(route)
    return data


@pytest.mark.parametrize(("override", "words"), [
    ({"sun": "10:10"}, "route.first_stop_by_on.sun: 'sun' is not one of the working_days"),
    ({"mon": "15:30"}, "route.first_stop_by_on.mon (15:30) must be before route.visiting_ends_by (15:00)"),
    ({"mon": "07:30"}, "route.first_stop_by_on.mon (07:30) must be after day.start (08:00)"),
])
def test_a_weekday_first_stop_time_must_be_a_working_day_inside_the_day(override, words):
    with pytest.raises(InputError) as raised:
        policy_from_mapping(_with_route(first_stop_by_on=override), "bad.toml")
    assert words in str(raised.value)


def test_a_weekday_that_is_no_weekday_is_named():
    with pytest.raises(InputError) as raised:
        policy_from_mapping(_with_route(first_stop_by_on={"monday": "10:10"}), "bad.toml")
    problem = raised.value.problems[0]
    assert problem.file == "bad.toml" and "first_stop_by_on" in (problem.column or "")


def test_the_shipped_policy_opens_monday_with_the_meeting_and_gives_the_ride_after_it(policy_15_13_7):
    route, meeting = policy_15_13_7.route, policy_15_13_7.kinds["meeting"]
    monday_meeting = meeting.window("mon")
    assert monday_meeting[0] == policy_15_13_7.day.start
    # the Monday ride gets what the other days' start gives: first stop − meeting end = first stop − day start
    assert route.first_stop_on("mon") - monday_meeting[1] == route.first_stop_by - policy_15_13_7.day.start
    assert [route.first_stop_on(d) for d in ("tue", "wed", "thu", "fri")] == [route.first_stop_by] * 4


def test_a_make_up_day_takes_the_first_stop_time_of_the_weekday_it_follows(policy_15_13_7):
    saturday = MONDAY + dt.timedelta(days=5)
    department = generate_department(2, seed=0).model_copy(
        update={"calendar_days": (CalendarDay(date=saturday, kind="workday"),)})
    as_monday = policy_15_13_7.model_copy(update={"makeup_day_rules": "mon"})
    assert first_stop_deadline(as_monday, saturday, department) == parse_clock("10:10")
    assert first_stop_deadline(policy_15_13_7, saturday, department) == parse_clock("09:30")  # a Tuesday's


# -- the independent route judge ---------------------------------------------------------------


def _one_stop_route(department: Department, date: dt.date, arrive: str) -> dict:
    shop = department.territory("m01")[0]
    start = parse_clock(arrive)
    return {"manager": "m01", "date": date.isoformat(), "visit_start": "08:40", "visit_end": "11:40",
            "start_from": "office", "distance_km": 0.0, "travel_minutes": 0,
            "stops": [{"retailer": shop.id, "kind": "visit", "arrive": arrive, "start": arrive,
                       "end": format_clock(start + 15), "from": "elsewhere", "ride_min": 0, "ride_km": 0.0}]}


@pytest.mark.parametrize(("date", "arrive", "late_after"), [
    (MONDAY, "10:00", None),
    (MONDAY, "10:10", None),
    (MONDAY, "10:20", "10:10"),
    (TUESDAY, "09:30", None),
    (TUESDAY, "10:00", "09:30"),
])
def test_the_route_judge_holds_each_day_to_its_own_first_stop_time(policy_15_13_7, date, arrive, late_after):
    department = generate_department(2, seed=0)
    plan = {"week_start": MONDAY.isoformat(), "routes": [_one_stop_route(department, date, arrive)], "unvisited": []}
    late = [v for v in check_routes(plan, department, policy_15_13_7) if v.rule == "first_stop"]
    if late_after is None:
        assert late == []
    else:
        (violation,) = late
        assert violation.date == date and f"reached at {arrive}, after {late_after}" in violation.message


# -- a far countryside manager's week --------------------------------------------------------


@pytest.fixture(scope="module")
def far_week(policy_15_13_7: Policy):
    department = generate_department(4, seed=1, retailers_per_manager=18)
    result = solve_timetable(department, policy_15_13_7, MONDAY, SolveParams(time_limit_s=3.0, workers=2))
    return department, result.timetable


def test_the_far_manager_could_not_ride_out_after_the_meeting_by_the_ordinary_first_stop(policy_15_13_7):
    department = generate_department(4, seed=1, retailers_per_manager=18)
    ride = approach_minutes(department, policy_15_13_7, MONDAY)[FAR]
    meeting_ends = policy_15_13_7.kinds["meeting"].window("mon")[1]
    assert meeting_ends + ride > policy_15_13_7.route.first_stop_by  # 09:30 alone: no Monday for him
    assert meeting_ends + ride <= policy_15_13_7.route.first_stop_on("mon")


def test_a_far_countryside_manager_gets_a_week_that_the_monday_meeting_opens(policy_15_13_7, far_week):
    department, timetable = far_week
    assert timetable.status in ("optimal", "feasible"), timetable.conflicts
    assert check_timetable(department, policy_15_13_7, timetable) == []
    monday_meetings = [b for b in timetable.blocks if b.kind == "meeting" and b.date == MONDAY]
    assert monday_meetings and {b.start for b in monday_meetings} == {policy_15_13_7.day.start}
    far_visit = next(b for b in timetable.blocks if b.manager == FAR and b.kind == "visit" and b.date == MONDAY)
    assert far_visit.start >= max(b.end for b in monday_meetings)


def test_the_far_managers_monday_route_keeps_the_monday_first_stop_time(policy_15_13_7, far_week):
    department, timetable = far_week
    plan = plan_routes(department, policy_15_13_7, timetable, MONDAY, manager=FAR, time_limit_s=1.0)
    check = check_routes(plan, department, policy_15_13_7, timetable)
    assert not [v for v in check if v.rule == "first_stop"], check.messages()
    firsts = {r.date: visits[0].arrive for r in plan.routes if (visits := [s for s in r.stops if s.kind == "visit"])}
    assert MONDAY in firsts and policy_15_13_7.route.first_stop_by < firsts[MONDAY] \
        <= policy_15_13_7.route.first_stop_on("mon")
    assert all(arrive <= policy_15_13_7.route.first_stop_by for date, arrive in firsts.items() if date != MONDAY)
