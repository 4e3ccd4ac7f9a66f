"""A week's notes (a far manager's later first stop, a make-up working day) reach the
month that plans in it: `fieldweek month` solved the weeks and said nothing of them. Weeks
are given by hand, so nothing but one small manager's routes is solved."""

from __future__ import annotations

import datetime as dt

from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.month import MonthParams, plan_month
from engine.policy import Policy

MONDAYS = [dt.date(2026, 11, 30) + dt.timedelta(weeks=n) for n in range(5)]
NOTE = "m1's nearest retailer due this week is a 80-min ride from the office: he reaches his first retailer by 09:50"


def test_the_notes_of_each_week_solved_are_the_months(policy_15_13_7: Policy) -> None:
    shop = Retailer.model_validate({"id": "r1", "name": "r1", "lat": 30.67, "lon": 104.06, "manager": "m1",
                                    "class": "C", "visits_per_4_weeks": 1, "area": "town", "opens": 7 * 60,
                                    "closes": 22 * 60, "service_min": 10})
    department = Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7",
                            market_manager="boss", managers=(Manager(id="m1", name="M", years=5),),
                            retailers=(shop,))
    weeks = {monday: Timetable(department="d", policy=policy_15_13_7.name, week_start=monday, status="feasible",
                               week_notes=(NOTE,) if monday == MONDAYS[1] else (),
                               blocks=tuple(Block(manager="m1", date=monday + dt.timedelta(days=n), kind="visit",
                                                  start=540, end=720) for n in range(5)))
             for monday in MONDAYS}
    plan = plan_month(department, policy_15_13_7, 2026, 12, timetables=weeks,
                      params=MonthParams(processes=1, workers=1, route_time_limit_s=0.1, rounds=1))
    notes = {week.week_start: week.week_notes for week in plan.weeks}
    assert notes[MONDAYS[1]] == (NOTE,)
    assert all(notes[m] == () for m in MONDAYS if m != MONDAYS[1])
    assert plan.to_json_dict()["weeks"][1]["week_notes"] == [NOTE]
