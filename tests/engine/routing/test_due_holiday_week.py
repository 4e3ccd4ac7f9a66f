"""A daily retailer in a week with a holiday (an outside tester's g496: R02001-R02003,
20 visits in 4 weeks, Wednesday a holiday): visited on all 4 working days, it was still
counted due 5 times and listed unvisited, "no_room_in_day … due 5 times … only 4 visit
days". A retailer owes a week at most one visit a working day (README, the due rule):
the route planner counts 4 and leaves nothing out."""

from __future__ import annotations

import datetime as dt

from engine.actuals import missed_in_week
from engine.actuals.records import Actuals, ActualVisit
from engine.check.routes import check_routes
from engine.domain import CalendarDay, Department, GeoPoint, Manager
from engine.routing.plan import plan_routes
from tests.engine.routing.line_territory import MONDAY, block, retailer, timetable

WEDNESDAY = MONDAY + dt.timedelta(days=2)


def _holiday_week(policy) -> Department:
    daily = retailer("daily").model_copy(update={"visits_per_4_weeks": 20, "lat": 30.01})
    return Department(
        name="line", office=GeoPoint(lat=30.0, lon=104.0), policy=policy.name, market_manager="boss",
        managers=(Manager(id="m1", name="m1", years=3),), retailers=(daily,),
        calendar_days=(CalendarDay(date=WEDNESDAY, kind="holiday", name="local"),))


def test_a_daily_retailer_visited_on_every_working_day_of_a_holiday_week_is_not_left_out(lunch_apart_policy):
    policy = lunch_apart_policy
    department = _holiday_week(policy)
    week = timetable([block("visit", "08:30", "11:30", day=day) for day in (0, 1, 3, 4)], policy)
    plan = plan_routes(department, policy, week, MONDAY, time_limit_s=1.0, processes=1)
    visited = [r.date for r in plan.routes for s in r.stops if s.kind == "visit" and s.retailer == "daily"]
    assert sorted(visited) == [MONDAY + dt.timedelta(days=d) for d in (0, 1, 3, 4)]
    assert plan.unvisited == ()
    assert plan.due_visits == 4
    assert not [v for v in check_routes(plan, department, policy, week).violations if v.rule == "due"]


def test_no_fifth_visit_of_a_holiday_week_rolls_into_the_next(lunch_apart_policy):
    """Done on all 4 working days, nothing is missed (the carry-over reads the same cap);
    one day missed is one visit carried, a carried visit still at most one a day."""
    department = _holiday_week(lunch_apart_policy)
    done = [ActualVisit(manager="m1", date=MONDAY + dt.timedelta(days=d), retailer="daily", status="done")
            for d in (0, 1, 3, 4)]
    assert missed_in_week(department, MONDAY, Actuals(visits=tuple(done)), {}, policy=lunch_apart_policy) == {}
    assert missed_in_week(department, MONDAY, Actuals(visits=tuple(done[:3])), {"daily": 1},
                          policy=lunch_apart_policy) == {"daily": 1}
    assert missed_in_week(department, MONDAY, Actuals(visits=tuple(done)), {}) == {"daily": 1}  # no calendar read
