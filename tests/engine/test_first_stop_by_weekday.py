"""A weekday's own first-stop time (SPEC §3: the Monday meeting opens the week, the ride
to the first retailer comes after it): the policy states `route.first_stop_by_on` as a cap,
each manager gets only as much of it as his ride from the office after the meeting needs
(`first_stop_by` when it suffices), the planners keep it and the independent judges work it
out on their own."""

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
from engine.routing.approach import approach_minutes, first_stop_time
from engine.routing.plan import plan_routes
from engine.timetable.solve import SolveParams, solve_timetable

MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)
FAR = "m04"
"""The countryside manager of the generated 4-manager department, seed 1: his nearest due
retailer is more than the 40-min Monday meeting short of 90 min from the office."""
NEAR = "m01"
"""A town manager of the same department, minutes from the office."""


@pytest.fixture(scope="module")
def far_department() -> Department:
    return generate_department(4, seed=1, retailers_per_manager=18)


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


@pytest.mark.parametrize(("weekday", "approach", "by"), [
    ("mon", 0, "09:30"),    # no ride at all
    ("mon", 30, "09:30"),   # a near manager: 08:40 + 30 min is before 09:30
    ("mon", 50, "09:30"),   # 08:40 + 50 min is 09:30 exactly
    ("mon", 51, "09:40"),   # one minute more: the next grid step
    ("mon", 60, "09:40"),   # 08:40 + 60 min
    ("mon", 90, "10:10"),   # 08:40 + 90 min is the cap
    ("mon", 120, "10:10"),  # farther still: capped
    ("tue", 120, "09:30"),  # a day without a later time: first_stop_by whatever the ride
])
def test_the_later_monday_first_stop_is_a_cap_used_as_far_as_the_ride_needs(policy_15_13_7, weekday, approach, by):
    kept = policy_15_13_7.model_copy(update={"route": policy_15_13_7.route.model_copy(
        update={"late_first_stop_when_far": False})})
    assert first_stop_time(kept, weekday, approach) == parse_clock(by)
    if approach <= 90:  # reachable by then: the far-manager rule moves nothing
        assert first_stop_time(policy_15_13_7, weekday, approach) == parse_clock(by)


@pytest.mark.parametrize(("weekday", "approach", "by"), [
    ("mon", 120, "10:40"),  # past the cap: 08:40 + 120 min, as soon as he can be there
    ("tue", 120, "10:00"),  # 08:00 + 120 min
    ("tue", 95, "09:40"),   # 08:00 + 95 min, on the grid
])
def test_under_the_far_manager_rule_a_first_stop_out_of_reach_comes_as_soon_as_the_ride_allows(
        policy_15_13_7, weekday, approach, by):
    assert policy_15_13_7.route.late_first_stop_when_far
    assert first_stop_time(policy_15_13_7, weekday, approach) == parse_clock(by)


def test_a_weekday_without_a_morning_meeting_window_gets_the_cap_alone():
    data = _policy_data()
    del data["kinds"]["meeting"]["windows"]["mon"]
    policy = policy_from_mapping(data, "no-monday-window.toml")
    assert first_stop_time(policy, "mon", 10) == parse_clock("10:10")
    data["kinds"]["meeting"]["windows"]["mon"] = ["15:00", "16:00"]  # an afternoon meeting makes no room
    assert first_stop_time(policy_from_mapping(data, "afternoon.toml"), "mon", 10) == parse_clock("10:10")


def test_the_judges_work_out_each_managers_first_stop_time_as_the_planners_do(policy_15_13_7, far_department):
    department = far_department
    rides = approach_minutes(department, policy_15_13_7, MONDAY)
    planned = {m: first_stop_time(policy_15_13_7, "mon", ride) for m, ride in rides.items()}
    judged = {m.id: first_stop_deadline(policy_15_13_7, MONDAY, department, m.id) for m in department.managers}
    assert judged == planned
    assert judged[NEAR] == policy_15_13_7.route.first_stop_by
    assert policy_15_13_7.route.first_stop_by < judged[FAR] < policy_15_13_7.route.first_stop_on("mon")
    assert all(first_stop_deadline(policy_15_13_7, TUESDAY, department, m) == policy_15_13_7.route.first_stop_by
               for m in judged)


def test_a_make_up_day_takes_the_first_stop_time_of_the_weekday_it_follows(policy_15_13_7):
    saturday = MONDAY + dt.timedelta(days=5)
    department = generate_department(2, seed=0).model_copy(
        update={"calendar_days": (CalendarDay(date=saturday, kind="workday"),)})
    as_monday = policy_15_13_7.model_copy(update={"makeup_day_rules": "mon"})
    assert first_stop_deadline(as_monday, saturday, department) == parse_clock("10:10")
    assert first_stop_deadline(policy_15_13_7, saturday, department) == parse_clock("09:30")  # a Tuesday's


# -- the independent route judge ---------------------------------------------------------------


def _one_stop_route(department: Department, manager: str, date: dt.date, arrive: str) -> dict:
    shop = department.territory(manager)[0]
    start = parse_clock(arrive)
    return {"manager": manager, "date": date.isoformat(), "visit_start": "08:40", "visit_end": "11:40",
            "start_from": "office", "distance_km": 0.0, "travel_minutes": 0,
            "stops": [{"retailer": shop.id, "kind": "visit", "arrive": arrive, "start": arrive,
                       "end": format_clock(start + 15), "from": "elsewhere", "ride_min": 0, "ride_km": 0.0}]}


@pytest.mark.parametrize(("manager", "date", "arrive", "late_after"), [
    (NEAR, MONDAY, "09:30", None),
    (NEAR, MONDAY, "10:00", "09:30"),  # nothing stops him being there by 09:30
    (FAR, MONDAY, "09:40", None),
    (FAR, MONDAY, "09:50", None),      # 08:40 + his 66-min ride, on the grid
    (FAR, MONDAY, "10:00", "09:50"),   # the 10:10 cap is more than his ride needs
    (NEAR, TUESDAY, "09:30", None),
    (FAR, TUESDAY, "09:40", "09:30"),
])
def test_the_route_judge_holds_each_manager_to_his_own_first_stop_time(policy_15_13_7, far_department, manager,
                                                                      date, arrive, late_after):
    department = far_department
    plan = {"week_start": MONDAY.isoformat(), "routes": [_one_stop_route(department, manager, date, arrive)],
            "unvisited": []}
    late = [v for v in check_routes(plan, department, policy_15_13_7) if v.rule == "first_stop"]
    if late_after is None:
        assert late == []
    else:
        (violation,) = late
        assert violation.manager == manager and violation.date == date
        assert f"reached at {arrive}, after {late_after}" in violation.message


# -- a far countryside manager's week --------------------------------------------------------


@pytest.fixture(scope="module")
def far_week(policy_15_13_7: Policy, far_department: Department):
    department = far_department
    result = solve_timetable(department, policy_15_13_7, MONDAY, SolveParams(time_limit_s=3.0, workers=2))
    return department, result.timetable


def test_the_far_manager_could_not_ride_out_after_the_meeting_by_the_ordinary_first_stop(policy_15_13_7,
                                                                                           far_department):
    department = far_department
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
    # ... and rides out right after it: his first stop is due by the meeting's end + his ride, on the grid
    ride = approach_minutes(department, policy_15_13_7, MONDAY)[FAR]
    assert far_visit.start + ride <= first_stop_deadline(policy_15_13_7, MONDAY, department, FAR)


def test_each_managers_monday_route_takes_only_the_later_time_his_ride_needs(policy_15_13_7, far_week):
    department, timetable = far_week
    plan = plan_routes(department, policy_15_13_7, timetable, MONDAY, time_limit_s=1.0)
    check = check_routes(plan, department, policy_15_13_7, timetable)
    assert not [v for v in check if v.rule == "first_stop"], check.messages()
    firsts = {(r.manager, r.date): visits[0].arrive for r in plan.routes
              if (visits := [s for s in r.stops if s.kind == "visit"])}
    first_stop_by = policy_15_13_7.route.first_stop_by
    far_by = first_stop_deadline(policy_15_13_7, MONDAY, department, FAR)
    # his Monday may as well go to other days (8 due visits for 5 days), but never past his own time
    assert firsts.get((FAR, MONDAY), far_by) <= far_by
    near_mondays = [arrive for (manager, date), arrive in firsts.items() if date == MONDAY and manager != FAR]
    assert near_mondays and all(arrive <= first_stop_by for arrive in near_mondays)
    assert all(arrive <= first_stop_by for (_, date), arrive in firsts.items() if date != MONDAY)
