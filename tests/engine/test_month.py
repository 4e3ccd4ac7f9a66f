"""The monthly visit plan (engine.month) against its independent checker (engine.check.month):
the calendar, visits per month, spacing, the focus window, routes inside the visit blocks,
and the shortfalls with their reasons."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.check.month import check_month
from engine.domain import Department, Leave, Timetable
from engine.errors import InputError
from engine.load import write_department
from engine.month import (
    MonthPlan,
    Unplanned,
    _AwayCover,
    _cover_away_weeks,
    _edge_visits,
    _handed_over,
    gap_bounds,
    month_due,
    plan_month,
    read_holidays,
    working_days,
)
from engine.policy import Policy
from engine.routing.daily import cheapest_feasible_insertion
from engine.timetable.solve import SolveParams, solve_timetable
from tests.engine.month_cases import CHRISTMAS, DECEMBER, FAST, MONDAYS, moved_weeks
from tests.strategies import WEEK, simple_department, territory


def flagged(department: Department) -> Department:
    """Every fifth retailer volatile, every seventh enterprise-level."""
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"volatile": i % 5 == 0, "enterprise": i % 7 == 3})
        for i, r in enumerate(department.retailers))})


@pytest.fixture(scope="module")
def department() -> Department:
    """Three managers, eight retailers each (weekly, fortnightly, monthly), some flagged."""
    return flagged(simple_department(3))


@pytest.fixture(scope="module")
def weeks(department: Department, policy_15_13_7: Policy) -> dict[dt.date, Timetable]:
    """One solved week, moved to every ISO week of December 2026 (the month's timetables)."""
    solved = solve_timetable(department, policy_15_13_7, WEEK, SolveParams(time_limit_s=3, workers=2)).timetable
    assert solved.blocks
    return moved_weeks(solved, MONDAYS)


@pytest.fixture(scope="module")
def december(department: Department, policy_15_13_7: Policy, weeks) -> MonthPlan:
    """December 2026 with Christmas as a holiday."""
    return plan_month(department, policy_15_13_7, *DECEMBER, {CHRISTMAS}, weeks, FAST)


def test_calendar_due_weeks_and_spacing_follow_the_policy(department: Department,
                                                           policy_15_13_7: Policy) -> None:
    """December 2026 has 23 weekdays, 22 without Christmas; its visits are the due visits
    of its five ISO weeks, a weekly retailer's 4 or 5 (the weeks of Nov 30 and Dec 28 are
    shared with November and January); weekly visits lie 4-6 working days apart, fortnightly 9-12."""
    assert len(working_days(policy_15_13_7, *DECEMBER, set())) == 23
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS})
    assert len(days) == 22 and CHRISTMAS not in days and all(d.weekday() < 5 for d in days)
    due = month_due(department, policy_15_13_7, days, {CHRISTMAS})
    assert {d.week_start for d in due} == set(MONDAYS)
    weekly = {r.id for r in department.retailers if r.visits_per_4_weeks == 4}
    per_retailer = {r: sum(d.visits for d in due if d.retailer == r) for r in weekly}
    assert weekly and set(per_retailer.values()) <= {4, 5}
    assert all(d.visits + d.other_month == 1 for d in due if d.retailer in weekly)
    assert all(d.other_month == 0 for d in due if d.week_start in MONDAYS[1:4])  # weeks inside December
    assert gap_bounds(4, policy_15_13_7) == (4, 6)
    assert gap_bounds(2, policy_15_13_7) == (9, 12)


def test_holidays_file_is_optional_and_checked(tmp_path: Path) -> None:
    """No holidays.csv means no holidays; a bad date is named by row and column."""
    assert read_holidays(tmp_path) == set()
    (tmp_path / "holidays.csv").write_text("date,name\n2026-12-25,圣诞\n2026-13-01,坏日子\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_holidays(tmp_path)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [("holidays.csv", 3, "date")]


def test_month_plan_passes_the_month_checker(december: MonthPlan, department: Department,
                                             policy_15_13_7: Policy, weeks) -> None:
    """The plan keeps every rule the independent checker knows, against the weeks' timetables."""
    assert december.routes
    assert check_month(december, department, policy_15_13_7, {CHRISTMAS}, weeks) == []


def test_focus_retailers_are_visited_on_days_6_to_10(december: MonthPlan, department: Department) -> None:
    """Every volatile or enterprise-level retailer due in a week of the 6th-10th has a
    visit on those days, or is listed; one not due in those weeks is not pulled into them."""
    window = set(december.focus_days)
    assert window and all(6 <= d.day <= 10 for d in window)
    window_weeks = {d - dt.timedelta(days=d.weekday()) for d in window}
    due_then = {d.retailer for d in december.due if d.week_start in window_weeks and d.visits}
    visited = {(s.retailer, r.date) for r in december.routes for s in r.stops}
    listed = {u.retailer for u in december.unplanned if u.reason == "focus_window"}
    flagged = [r.id for r in department.retailers if r.volatile or r.enterprise]
    assert set(flagged) & due_then and set(flagged) - due_then
    for retailer_id in flagged:
        in_window = any((retailer_id, d) in visited for d in window)
        if retailer_id in due_then:
            assert retailer_id in listed or in_window
        else:
            assert not in_window


def test_routes_stay_in_the_timetables_visit_blocks(december: MonthPlan, weeks) -> None:
    """Each day's stops lie inside that manager's visit block of the week's timetable."""
    for route in december.routes:
        monday = route.date - dt.timedelta(days=route.date.weekday())
        block = next(b for b in weeks[monday].blocks
                     if b.manager == route.manager and b.date == route.date and b.kind == "visit")
        assert block.start <= route.stops[0].start and route.stops[-1].end <= block.end


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frequencies=st.lists(st.sampled_from([1, 2, 4, 8]), min_size=24, max_size=24),
       holiday=st.sampled_from([None, dt.date(2026, 12, 8), dt.date(2026, 12, 31)]))
def test_any_frequencies_and_holiday_pass_the_checker(department: Department, policy_15_13_7: Policy, weeks,
                                                      frequencies: list[int], holiday: dt.date | None) -> None:
    """Whatever the retailers' frequencies and the holiday, the plan passes the checker:
    every visit planned or its shortfall listed with a reason, spaced, in the window."""
    changed = department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"visits_per_4_weeks": f}) for r, f in zip(department.retailers, frequencies,
                                                                       strict=True))})
    holidays = {holiday} if holiday else set()
    plan = plan_month(changed, policy_15_13_7, *DECEMBER, holidays, weeks, FAST)
    assert check_month(plan, changed, policy_15_13_7, holidays, weeks) == []


def test_a_crowded_month_still_passes_the_checker(department: Department, policy_15_13_7: Policy,
                                                   weeks) -> None:
    """m01 with 22 more weekly retailers all open only 09:00-10:00 cannot see them all: the
    routes drop visits, and what is kept is still evenly spaced, every shortfall listed."""
    crowded = [r.model_copy(update={"visits_per_4_weeks": 4, "opens": 9 * 60, "closes": 10 * 60,
                                    "service_min": 15}) if i >= 8 else r
               for i, r in enumerate(territory("m01", (30.66, 104.05), 30, 1))]
    busy = department.model_copy(update={"retailers": tuple(crowded) + tuple(
        r for r in department.retailers if r.manager != "m01")})
    plan = plan_month(busy, policy_15_13_7, *DECEMBER, {CHRISTMAS}, weeks, FAST)
    assert [u for u in plan.unplanned if u.manager == "m01" and u.reason == "no_room_in_day"]
    assert check_month(plan, busy, policy_15_13_7, {CHRISTMAS}, weeks) == []


def test_the_checker_catches_broken_plans(december: MonthPlan, department: Department,
                                          policy_15_13_7: Policy) -> None:
    """A stop reached too soon, a retailer's visits all removed without excuse, and a
    holiday route are flagged."""
    data = december.to_json_dict()
    route = data["routes"][0]
    route["stops"][0]["arrive"] = "06:00"
    holiday_route = {**data["routes"][1], "date": CHRISTMAS.isoformat()}
    untouched = {s["retailer"] for s in holiday_route["stops"]} | {route["stops"][0]["retailer"]}
    removed = next(s["retailer"] for r in data["routes"][2:] for s in r["stops"]
                   if s["retailer"] not in untouched)
    for r in data["routes"]:
        r["stops"] = [s for s in r["stops"] if s["retailer"] != removed]
    data["unplanned"] = [u for u in data["unplanned"] if u["retailer"] != removed]
    data["routes"].append(holiday_route)
    rules = {(v.rule, v.retailer) for v in check_month(data, department, policy_15_13_7, {CHRISTMAS})}
    assert ("route", route["stops"][0]["retailer"]) in rules
    assert ("count", removed) in rules
    assert any(rule == "working_days" for rule, _ in rules)


def test_the_checker_catches_a_key_customer_left_out_beside_class_c_visits(
        december: MonthPlan, department: Department, policy_15_13_7: Policy, weeks) -> None:
    """A class-A visit taken out of its day, listed as "the days it could go on are full",
    while its manager makes class-C visits that week: the day it was on could hold it and
    keeps its spacing, so the checker calls it (before it accepted the listed reason)."""
    data = december.to_json_dict()
    classes = {r.id: r.retailer_class for r in department.retailers}
    c_weeks = {(r["manager"], dt.date.fromisoformat(r["date"]) - dt.timedelta(days=dt.date.fromisoformat(
        r["date"]).weekday())) for r in data["routes"] for s in r["stops"] if classes[s["retailer"]] == "C"}
    route, stop = next((r, s) for r in data["routes"] for s in r["stops"] if classes[s["retailer"]] == "A" and (
        r["manager"], dt.date.fromisoformat(r["date"]) - dt.timedelta(days=dt.date.fromisoformat(r["date"]).weekday()))
        in c_weeks)
    key = stop["retailer"]
    wanted = sum(s["retailer"] == key for r in data["routes"] for s in r["stops"])
    route["stops"].remove(stop)
    data["unplanned"] = [*data["unplanned"], {
        "retailer": key, "manager": route["manager"], "wanted": wanted, "planned": wanted - 1,
        "reason": "no_room_in_day", "detail": "the days it could go on are full"}]
    for timetables in (None, weeks):
        found = [v for v in check_month(data, department, policy_15_13_7, {CHRISTMAS}, timetables)
                 if v.rule == "key_customer"]
        assert [(v.retailer, v.manager) for v in found] == [(key, route["manager"])]
        assert route["date"][5:] in found[0].message


def test_a_manager_on_leave_all_month_is_listed(department: Department, policy_15_13_7: Policy, weeks) -> None:
    """A manager without any visit block in the month gets every retailer listed as `no_visit_days`."""
    away = {monday: t.model_copy(update={"blocks": tuple(b for b in t.blocks if b.manager != "m02")})
            for monday, t in weeks.items()}
    plan = plan_month(department, policy_15_13_7, *DECEMBER, {CHRISTMAS}, away, FAST)
    theirs = [u for u in plan.unplanned if u.manager == "m02"]
    assert {u.retailer for u in theirs if u.reason == "no_visit_days"} == {
        r.id for r in department.territory("m02")}
    assert {u.reason for u in theirs} <= {"no_visit_days", "focus_window"}
    assert not [r for r in plan.routes if r.manager == "m02"]
    assert check_month(plan, department, policy_15_13_7, {CHRISTMAS}, away) == []


def test_a_manager_on_leave_all_month_has_his_visits_made_by_neighbours(department: Department,
                                                                          policy_15_13_7: Policy, weeks) -> None:
    """m02 is on leave every working day of December (the week's rule: the policy's
    `replan.handover` names "neighbour"): his due visits are made by m01 and m03, whose
    territories lie within the policy's neighbour distance, and the month checker accepts
    them — those of the week of 11-30 too, whose Monday (a November day) he works: this
    month's visits of that week are made on its December days, all of which he is away
    (before, they were listed "no visit block", an outside tester's find). The plan's due
    list still names him. Before that, all of them were listed unplanned ("no visit block
    this month") while the week's routes handed them over."""
    december = [dt.date(2026, 12, n) for n in range(1, 32) if dt.date(2026, 12, n).weekday() < 5]
    on_leave = department.model_copy(update={"leave": tuple(Leave(manager="m02", date=d) for d in december)})
    timetables = {monday: t.model_copy(update={"blocks": tuple(b for b in t.blocks if b.manager != "m02"
                                                              or b.date not in december)})
                  for monday, t in weeks.items()}
    plan = plan_month(on_leave, policy_15_13_7, *DECEMBER, {CHRISTMAS}, timetables, FAST)
    theirs = {r.id for r in department.territory("m02")}
    assert all(d.manager == "m02" for d in plan.due if d.retailer in theirs)
    made = {s.retailer: r.manager for r in plan.routes for s in r.stops if s.retailer in theirs}
    assert made and set(made.values()) <= {"m01", "m03"}
    first_week = {d.retailer for d in plan.due if d.retailer in theirs and d.week_start == MONDAYS[0] and d.visits}
    assert first_week and any(r.date < MONDAYS[1] for r in plan.routes if any(s.retailer in theirs for s in r.stops))
    assert not [u for u in plan.unplanned if u.retailer in first_week and u.reason == "no_visit_days"]
    assert check_month(plan, on_leave, policy_15_13_7, {CHRISTMAS}, timetables) == []



def test_a_manager_away_one_whole_week_has_that_weeks_visits_made_by_neighbours(
        department: Department, policy_15_13_7: Policy, weeks) -> None:
    """m02 is on leave the week of 12-07 only: his visits due that week are made by m01
    or m03 on days of that week, spaced with the visits he makes himself in the other
    weeks (one that no day keeps spaced stays listed, saying so), and the month checker
    accepts the plan. Before, all of them were listed unplanned ("no visit block") while
    the week's routes handed them over."""
    on_leave, timetables, away_week = _m02_away_the_second_week(department, weeks)
    plan = plan_month(on_leave, policy_15_13_7, *DECEMBER, {CHRISTMAS}, timetables, FAST)
    theirs = {r.id for r in department.territory("m02")}
    due_that_week = {d.retailer for d in plan.due if d.retailer in theirs and d.week_start == MONDAYS[1] and d.visits}
    made = {s.retailer: r.manager for r in plan.routes if r.date in away_week for s in r.stops
            if s.retailer in theirs}
    assert made and set(made) <= due_that_week
    assert set(made.values()) <= {"m01", "m03"}
    listed = {u.retailer: u.detail for u in plan.unplanned if u.retailer in due_that_week}
    assert set(listed) == due_that_week - set(made)
    assert all("keeps its spacing" in detail for detail in listed.values())
    assert any(r.manager == "m02" for r in plan.routes)
    assert check_month(plan, on_leave, policy_15_13_7, {CHRISTMAS}, timetables) == []


def _m02_away_the_second_week(department: Department, weeks: dict[dt.date, Timetable]
                              ) -> tuple[Department, dict[dt.date, Timetable], list[dt.date]]:
    """m02 on leave every day of the week of 12-07, and the weeks without his blocks then."""
    away_week = [MONDAYS[1] + dt.timedelta(days=n) for n in range(5)]
    on_leave = department.model_copy(update={"leave": tuple(Leave(manager="m02", date=d) for d in away_week)})
    timetables = {monday: t.model_copy(update={"blocks": tuple(b for b in t.blocks if b.manager != "m02"
                                                              or b.date not in away_week)})
                  for monday, t in weeks.items()}
    return on_leave, timetables, away_week



def test_an_away_managers_visit_without_a_neighbour_near_says_so(
        department: Department, policy_15_13_7: Policy, weeks) -> None:
    """With no territory centre within the policy's neighbour distance, nobody makes m02's
    visits of his away week, and each line says why instead of only "no visit block"."""
    on_leave, timetables, _ = _m02_away_the_second_week(department, weeks)
    assert policy_15_13_7.replan is not None
    alone = policy_15_13_7.model_copy(update={"replan": policy_15_13_7.replan.model_copy(
        update={"neighbour_max_km": 0.001})})
    days = working_days(alone, *DECEMBER, {CHRISTMAS}, on_leave)
    due = [d for d in month_due(on_leave, alone, days, {CHRISTMAS}) if d.manager == "m02" and d.visits]
    lines = [Unplanned(retailer=d.retailer, manager="m02", wanted=d.visits, planned=0, reason="no_visit_days",
                       detail="no visit block") for d in due if d.week_start == MONDAYS[1]]
    routes, unplanned = _cover_away_weeks(on_leave, alone, days, timetables, due, due, [], lines, set())
    assert routes == [] and lines and len(unplanned) == len(lines)
    assert all("no manager whose territory lies within 0.001 km of m02's is at work" in u.detail
               for u in unplanned)


def test_a_manager_on_leave_all_month_with_no_neighbour_near_says_so(department: Department,
                                                                      policy_15_13_7: Policy, weeks) -> None:
    """m02 on leave every working day of December, no territory within the neighbour
    distance: his visits stay unplanned, each line saying he is on leave all month and no
    neighbour is near (it said "no visit block this month (leave, or no timetable)")."""
    december = [dt.date(2026, 12, n) for n in range(1, 32) if dt.date(2026, 12, n).weekday() < 5]
    on_leave = department.model_copy(update={"leave": tuple(Leave(manager="m02", date=d) for d in december)})
    assert policy_15_13_7.replan is not None
    alone = policy_15_13_7.model_copy(update={"replan": policy_15_13_7.replan.model_copy(
        update={"neighbour_max_km": 0.001})})
    timetables = {monday: t.model_copy(update={"blocks": tuple(b for b in t.blocks if b.manager != "m02"
                                                              or b.date not in december)})
                  for monday, t in weeks.items()}
    plan = plan_month(on_leave, alone, *DECEMBER, {CHRISTMAS}, timetables, FAST)
    lines = [u for u in plan.unplanned if u.manager == "m02" and u.reason == "no_visit_days"]
    assert lines and all(u.detail.startswith("m02 is on leave every working day of the month, and no manager "
                                             "whose territory lies within 0.001 km") for u in lines)

def test_an_away_managers_key_customer_takes_the_place_of_a_neighbours_small_visits(
        department: Department, policy_15_13_7: Policy, weeks) -> None:
    """The neighbours' days of m02's away week are full of long class-C visits: m02's
    class-A retailer is not left out for them (the week's rule, `room_by_cheaper`); a C
    visit makes way and is counted again in the unplanned list."""
    on_leave, timetables, _ = _m02_away_the_second_week(department, weeks)
    key = "m02-r00"
    on_leave = on_leave.model_copy(update={"retailers": tuple(
        r.model_copy(update={"retailer_class": "A", "service_min": 60}) if r.id == key
        else r.model_copy(update={"retailer_class": "C", "service_min": 45}) if r.manager != "m02" else r
        for r in on_leave.retailers)})
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, on_leave)
    due = month_due(on_leave, policy_15_13_7, days, {CHRISTMAS})
    cover = _AwayCover(on_leave, policy_15_13_7, days, timetables, due, [], set(), [key])
    for manager in ("m01", "m03"):
        for date in cover._days_of(manager, MONDAYS[1]):
            order: list[str] = []
            for shop in on_leave.territory(manager):
                found = cheapest_feasible_insertion(cover.field[manager][date], order, shop.id, cover.retailers,
                                                    cover.territory[manager], policy_15_13_7)
                order = found[1] if found else order
            cover.orders[(manager, date)] = order
    retailer = cover.retailers[key]
    assert not cover.place(retailer, MONDAYS[1], ["m01", "m03"], make_way=False)

    before = dict(cover.orders)
    assert cover.place(retailer, MONDAYS[1], ["m01", "m03"], make_way=True)
    (day,) = [(m, d) for (m, d), order in cover.orders.items() if key in order]
    assert day[0] in {"m01", "m03"} and day[1] in cover._days_of(day[0], MONDAYS[1])
    out = set(before[day]) - set(cover.orders[day])
    assert out and {cover.retailers[r].retailer_class for r in out} == {"C"} and out <= cover.bumped
    for key_day, order in cover.orders.items():  # the C visits taken out are left short
        cover.orders[key_day] = [r for r in order if r not in out]
    lines = cover.recounted([], {})
    assert {u.retailer for u in lines} == out and {u.reason for u in lines} == {"no_room_in_day"}
    route = next(r for r in cover.routes() if (r.manager, r.date) == day)
    assert key in [s.retailer for s in route.stops]

def test_an_away_managers_visit_refused_says_whether_room_or_spacing_refused_it(
        department: Department, policy_15_13_7: Policy, weeks) -> None:
    """Step 7's refusal said "no day then with room that keeps its spacing" whichever
    refused (tester's d7e: m02's days that week ended by 09:13; the spacing refused). Now:
    the days that keep its spacing when the room refused, else the visits no day is spaced
    from: m02's weekly shop visited 12-04 and 12-14 leaves no day of 12-07..11 4 from both."""
    on_leave, timetables, _ = _m02_away_the_second_week(department, weeks)
    key = "m02-r00"
    on_leave = on_leave.model_copy(update={"retailers": tuple(
        r.model_copy(update={"visits_per_4_weeks": 4}) if r.id == key else r for r in on_leave.retailers)})
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, on_leave)
    due = month_due(on_leave, policy_15_13_7, days, {CHRISTMAS})
    cover = _AwayCover(on_leave, policy_15_13_7, days, timetables, due, [], set(), [key])
    retailer = cover.retailers[key]
    dates = cover._days_of("m01", MONDAYS[1])
    assert dates
    room = cover.why_refused(retailer, MONDAYS[1], ["m01"])
    assert room.startswith("m01, who makes its visits that week, has no room for it on ") and "12-07" in room
    cover.orders[("m02", dt.date(2026, 12, 4))] = [key]
    cover.orders[("m02", dt.date(2026, 12, 14))] = [key]
    assert cover.why_refused(retailer, MONDAYS[1], ["m01", "m03"]) == (
        "no day of m01, m03, who make its visits that week, keeps its spacing with the visits on 12-04, 12-14")


def test_a_policy_without_month_rules_is_refused(department: Department, policy_15_13_7: Policy) -> None:
    """Without a [month] table the plan says which table and keys are missing."""
    with pytest.raises(InputError, match=r"\[month\]"):
        plan_month(department, policy_15_13_7.model_copy(update={"month": None}), *DECEMBER)


def test_cli_month_writes_json_and_xlsx(tmp_path: Path, policy_15_13_7: Policy) -> None:
    """`fieldweek month` solves the weeks, plans the month, checks it and writes both files."""
    from api.cli import app

    small = simple_department(2, leave=(Leave(manager="m01", date=dt.date(2026, 12, 2)),))
    folder = tmp_path / "dept"
    write_department(small, folder)
    (folder / "holidays.csv").write_text("date,name\n2026-12-25,圣诞\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["month", str(folder), "--month", "2026-12", "--week-time-limit", "2",
                                      "--assign-time-limit", "1", "--route-time-limit", "0", "--workers", "2",
                                      "--json", str(out / "m.json"), "--xlsx", str(out / "m.xlsx")])
    assert result.exit_code == 0, result.output
    assert "month checker found no problem" in result.output
    data = json.loads((out / "m.json").read_text("utf-8"))
    assert data["month"] == "2026-12" and "2026-12-25" not in data["days"]
    assert not [r for r in data["routes"] if r["manager"] == "m01" and r["date"] == "2026-12-02"]
    assert (out / "m.xlsx").read_bytes()[:2] == b"PK"


def test_a_neighbour_covering_an_away_week_may_already_visit_a_third_managers_retailers(
        department: Department, policy_15_13_7: Policy, weeks) -> None:
    """m01's days of m02's away week already hold m03's retailer (as when m03 is away the
    whole month and m01 makes his visits, `_handed_over`): putting m02's visit beside it
    does not fail on a territory that lacks m03's retailer (was KeyError in insertion_km)."""
    on_leave, timetables, _ = _m02_away_the_second_week(department, weeks)
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, on_leave)
    due = month_due(on_leave, policy_15_13_7, days, {CHRISTMAS})
    handed, theirs = "m02-r00", "m03-r00"
    dates = _AwayCover(on_leave, policy_15_13_7, days, timetables, due, [], set(), [handed])._days_of(
        "m01", MONDAYS[1])
    assert dates
    cover = _AwayCover(on_leave, policy_15_13_7, days, timetables, due, [], set(), [handed])
    for date in dates:
        cover.orders[("m01", date)] = [theirs]
    assert cover.place(cover.retailers[handed], MONDAYS[1], ["m01"], make_way=False)
    assert any(handed in order and theirs in order for order in cover.orders.values())


def test_an_away_all_month_managers_retailer_has_one_maker_when_a_neighbour_is_at_work_every_week(
        department: Department, policy_15_13_7: Policy) -> None:
    """m02 is away all month and m01 the week of 12-07: each m02 retailer's visits go to one
    neighbour at work in all its weeks (a weekly one nearest m01 to m03), not to m01 in
    four weeks and m03 in the fifth: the two managers' months are planned apart and could not keep the spacing
    (was a weekly retailer visited Friday by one and Monday by the other)."""
    december = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, department)
    leave = [Leave(manager="m02", date=d) for d in december]
    leave += [Leave(manager="m01", date=MONDAYS[1] + dt.timedelta(days=n)) for n in range(5)]
    m01 = next(r for r in department.retailers if r.manager == "m01")
    weekly = "m02-r00"  # due every week, and next to m01's retailers: m01 is nearest it
    on_leave = department.model_copy(update={"leave": tuple(leave), "retailers": tuple(
        r.model_copy(update={"lat": m01.lat, "lon": m01.lon}) if r.id == weekly else r
        for r in department.retailers)})
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, on_leave)
    due = month_due(on_leave, policy_15_13_7, days, {CHRISTMAS})
    makers: dict[str, set[str]] = {}
    for item, by in zip(due, _handed_over(on_leave, policy_15_13_7, days, due), strict=True):
        if item.manager == "m02" and item.visits:
            makers.setdefault(item.retailer, set()).add(by.manager)
    assert makers[weekly] == {"m03"}
    assert all(len(ms) == 1 for ms in makers.values()), makers


def test_a_focus_line_goes_once_a_neighbour_visits_the_retailer_on_a_focus_day(
        department: Department, policy_15_13_7: Policy, weeks) -> None:
    """m02 is away the week of 12-07 and listed his enterprise retailer `focus_window`; m01
    visits it for him on 12-07, a focus day: the line goes (was kept: the plan listed a
    focus shortfall for a retailer visited in the window)."""
    on_leave, timetables, away_week = _m02_away_the_second_week(department, weeks)
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, on_leave)
    due = month_due(on_leave, policy_15_13_7, days, {CHRISTMAS})
    key, focus_day = "m02-r00", away_week[0]
    line = Unplanned(retailer=key, manager="m02", wanted=1, planned=0, reason="focus_window",
                     detail="no room for it on the focus days")
    cover = _AwayCover(on_leave, policy_15_13_7, days, timetables, due, [], {focus_day}, [key])
    assert cover.recounted([line], {}) == [line]
    cover.orders[("m01", focus_day)] = [key]
    cover.touched.add(key)
    assert [u.reason for u in cover.recounted([line], {})] == []


def test_a_daily_retailer_owes_a_holiday_week_one_visit_a_working_day(department: Department,
                                                                      policy_15_13_7: Policy) -> None:
    """A daily retailer (20 visits per 4 weeks) owes the week of Christmas 5 visits by its
    frequency, but the week has 4 working days and a retailer is visited once a day at
    most: it owes 4, and so says the month checker. It was counted 5, and every such month
    listed a visit short "the days it fits allow only 23" that no plan could make."""
    from engine.check.month import _owed_by_week

    daily = department.retailers[0].model_copy(update={"visits_per_4_weeks": 20})
    with_daily = department.model_copy(update={"retailers": (daily, *department.retailers[1:])})
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS})
    due = {d.week_start: d.visits + d.other_month for d in month_due(with_daily, policy_15_13_7, days, {CHRISTMAS})
           if d.retailer == daily.id}
    christmas_week = CHRISTMAS - dt.timedelta(days=CHRISTMAS.weekday())
    assert due[christmas_week] == 4 and due[MONDAYS[1]] == 5
    owed = _owed_by_week(daily.id, 20, days, with_daily, policy_15_13_7, {CHRISTMAS})
    assert owed[christmas_week] == 4 and owed[MONDAYS[1]] == 5


def test_a_focus_window_line_says_it_counts_no_missing_visit() -> None:
    """A retailer short of a visit and of its focus visit has two lines; a tool summing
    wanted - planned over every line counted the missing visit twice (tester: 125 for
    m11 against 122 in the console and routes). Each line says whether it counts visits."""
    short = Unplanned(retailer="r", manager="m", wanted=4, planned=3, reason="no_room_in_day")
    window = Unplanned(retailer="r", manager="m", wanted=1, planned=0, reason="focus_window")
    dumped = [line.model_dump(mode="json") for line in (short, window)]
    assert [d["counts_visits"] for d in dumped] == [True, False]
    assert sum(d["wanted"] - d["planned"] for d in dumped if d["counts_visits"]) == 1


def test_a_focus_window_without_a_working_day_is_said(policy_15_13_7: Policy) -> None:
    """February 2027: the Spring Festival holidays cover days 6-10, so the month has no
    focus day and no focus visit is asked; the plan said nothing of it (tester seed 433)."""
    from engine.month import _month_notes

    spring_festival = {dt.date(2027, 2, d) for d in range(5, 13)}
    days = working_days(policy_15_13_7, 2027, 2, spring_festival)
    assert days and not [d for d in days if 6 <= d.day <= 10]
    (note,) = _month_notes(policy_15_13_7, days, set())
    assert "days 6-10" in note and "no volatile/enterprise retailer is asked a visit" in note
    assert _month_notes(policy_15_13_7, days, {days[0]}) == ()


def test_an_away_managers_first_week_visit_is_freed_of_the_previous_months_visit_as_his_plan_is(
        department: Department, policy_15_13_7: Policy, weeks) -> None:
    """Step 7 spaced the visit a neighbour makes by the visit the month assumes on Mon 11-30
    though its own manager, away every day of its first week 12-07..11, was freed of it
    (`_edges_in_reach`), as the month checker is: tester's d519L, m02's weekly A R02007
    refused 12-09..12-11 (7-9 working days after 11-30) beside its visit on 12-16, listed
    "no day … keeps its spacing" while the checker found it fits. Now 12-10 keeps it."""
    on_leave, timetables, _ = _m02_away_the_second_week(department, weeks)
    weekly = on_leave.model_copy(update={"retailers": tuple(
        r.model_copy(update={"visits_per_4_weeks": 4}) if r.manager == "m02" else r for r in on_leave.retailers)})
    days = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, weekly)
    mine = [r for r in weekly.retailers if r.manager == "m02"]
    edges = _edge_visits(weekly, policy_15_13_7, days, mine)
    key = next(r.id for r in mine if edges[r.id][0] == -1)  # counted on Mon 11-30
    due = month_due(weekly, policy_15_13_7, days, {CHRISTMAS})
    cover = _AwayCover(weekly, policy_15_13_7, days, timetables, due, [], set(), [key])
    retailer = cover.retailers[key]
    cover.orders[("m02", dt.date(2026, 12, 16))] = [key]
    assert cover._spaced(retailer, dt.date(2026, 12, 10))  # 4 before 12-16; 8 after 11-30 (before: refused)
    assert not cover._spaced(retailer, dt.date(2026, 12, 7))  # 7 before 12-16
