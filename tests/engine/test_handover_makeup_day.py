"""A manager at work only on a make-up working day (away all the week's ordinary days) in the
hand-over of absent managers' visits (engine/routing/neighbours.py `away_for_hand_over`,
routing/plan.py `_hand_over`, `_plan_part_week_first`). Tester's d8: a Saturday make-up day
in the week of 12-14, m02 on leave Mon–Fri, m03 all month: m03's visits were handed to m02,
whose one day could not hold them and his own, and what m02 left out went to no neighbour
(10 unvisited while neighbours had room)."""

from __future__ import annotations

import datetime as dt

from engine.check.routes import check_routes
from engine.domain import CalendarDay, Leave
from engine.routing.neighbours import away_for_hand_over
from engine.routing.plan import plan_routes
from tests.engine.routing.test_plan import MONDAY, _block, _department, _retailer, _timetable

SATURDAY = MONDAY + dt.timedelta(days=5)
DAY = (8 * 60, 17 * 60 + 30)


def _d8_like(policy):
    """m1 at work all week; m2 on leave Mon–Fri, at work on the make-up Saturday; m3 on
    leave every working day. m3's class-A A3 lies nearest m2's territory centre."""
    retailers = [_retailer("R1", 1),
                 _retailer("C2", 2.5, manager="m2").model_copy(update={"retailer_class": "C"}),
                 _retailer("A3", 3.0, manager="m3").model_copy(update={"retailer_class": "A"})]
    leave = tuple(Leave(manager="m2", date=MONDAY + dt.timedelta(days=k)) for k in range(5)) + tuple(
        Leave(manager="m3", date=MONDAY + dt.timedelta(days=k)) for k in range(6))
    return _department(retailers, policy, managers=("m1", "m2", "m3")).model_copy(update={
        "leave": leave, "calendar_days": (CalendarDay(date=SATURDAY, kind="workday", name="调休"),)})


def test_a_manager_at_work_only_on_a_make_up_day_takes_no_absent_colleagues_visits(policy_15_13_7):
    """m2's Saturday block holds one visit, his own C2; m3's A3 goes to m1, who has room,
    not to m2 (was: A3 handed to m2 took C2's place, and C2, left out by m2, went to no
    neighbour: "m2 ... no room left"). Nothing is left out, and the route checker agrees."""
    department = _d8_like(policy_15_13_7)
    timetable = _timetable([_block("visit", 1, "09:00", "10:30"), _block("visit", 5, "09:00", "09:30", "m2")],
                           policy_15_13_7)
    plan = plan_routes(department, policy_15_13_7, timetable, MONDAY, time_limit_s=0.3)
    made = {(r.manager, stop.retailer) for r in plan.routes for stop in r.stops if stop.kind == "visit"}
    assert ("m1", "A3") in made and ("m2", "A3") not in made, made
    assert ("m2", "C2") in made, made
    assert plan.unvisited == (), plan.unvisited
    assert plan.due_visits == 3
    check = check_routes(plan, department, policy_15_13_7, timetable)
    assert check.feasible, check.messages()


def test_the_make_up_day_counts_among_the_working_days_yet_leaves_him_away_for_the_hand_over(policy_15_13_7):
    """On the make-up week m2 is not away all week (he works Saturday), but away most of it:
    one of six working days, below `pairs.exempt_below_presence`; m1 is neither."""
    department = _d8_like(policy_15_13_7)
    working = [MONDAY + dt.timedelta(days=k) for k in range(6)]
    away = away_for_hand_over(department, working, DAY, policy_15_13_7.pairs.exempt_below_presence)
    assert sorted(away) == ["m2", "m3"]


def test_in_the_month_a_neighbour_at_work_only_on_a_make_up_day_makes_no_away_managers_visits(policy_15_13_7):
    """m02 away all December; m03, nearest m02's weekly retailer, on leave Mon–Fri of the week of
    12-14 and at work on its make-up Saturday 12-19: the weekly retailer's visits go, all month,
    to m01, at work every week (`_handed_over` with `away_for_hand_over`), not to m03 (was: m03
    for the month, and the week of 12-14's class-A visits of the tester's d8 left unmade)."""
    from engine.month import _handed_over, month_due, working_days
    from tests.engine.month_cases import CHRISTMAS, DECEMBER
    from tests.strategies import simple_department

    department = simple_department(3)
    saturday = dt.date(2026, 12, 19)
    with_make_up = department.model_copy(update={"calendar_days": (CalendarDay(date=saturday, kind="workday"),)})
    december = working_days(policy_15_13_7, *DECEMBER, {CHRISTMAS}, with_make_up)
    assert saturday in december
    leave = [Leave(manager="m02", date=d) for d in december]
    leave += [Leave(manager="m03", date=dt.date(2026, 12, 14) + dt.timedelta(days=n)) for n in range(5)]
    m03 = next(r for r in department.retailers if r.manager == "m03")
    weekly = "m02-r00"  # due every week; put beside m03's retailers, so m03 is nearest it
    on_leave = with_make_up.model_copy(update={"leave": tuple(leave), "retailers": tuple(
        r.model_copy(update={"lat": m03.lat, "lon": m03.lon}) if r.id == weekly else r
        for r in department.retailers)})
    due = month_due(on_leave, policy_15_13_7, december, {CHRISTMAS})
    makers = {by.manager for item, by in zip(due, _handed_over(on_leave, policy_15_13_7, december, due), strict=True)
              if item.retailer == weekly and item.visits}
    assert makers == {"m01"}, makers
