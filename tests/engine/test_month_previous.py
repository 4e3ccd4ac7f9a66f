"""`fieldweek month --previous`: the month spaced from the previous month's actual visits.

Each month was planned and checked alone, its first visits spaced from where the calendar
assumes the previous month's fall (tester's d6_634, November then December: weekly class-A
shops visited Fri 11-27 and again Tue 12-01, two working days apart where the policy asks
4-6; a weekly A owed to November on Mon 11-30, left out there, and owed to nobody in
December). Given the previous month's plan, the planner spaces the first visits from its
actual last visits and owes the straddling week's visits it left out on this month's days
of that week; the month checker, given it too, flags a first visit too close (or too far).

December 2026, one manager, weekly class-A shops: X1 counts its visit of the week of 11-30
on 12-02 (December's), O4 on Mon 11-30 (November's). His only visit day of that week is
Tue 12-01."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.check.month import check_month
from engine.domain import Block, Department, GeoPoint, Manager, Retailer, Timetable
from engine.errors import InputError
from engine.month import (
    DueInWeek,
    MonthParams,
    MonthPlan,
    MonthRoute,
    MonthStop,
    Unplanned,
    plan_month,
    previous_month,
)
from engine.policy import Policy, parse_clock
from engine.routing.due import due_days

MONDAYS = [dt.date(2026, 11, 30) + dt.timedelta(weeks=w) for w in range(5)]
CLOSE, LEFT = "x1", "o4"
"""X1: visited Fri 11-27 by November; O4: owed to November on 11-30 and left out there."""
FAST = MonthParams(assign_time_limit_s=0.5, route_time_limit_s=0.05, rounds=1, workers=1, processes=1)


def _shop(rid: str, km_north: float) -> Retailer:
    return Retailer.model_validate({"id": rid, "name": rid, "lat": 30.66 + km_north / 111.2, "lon": 104.05,
                                    "manager": "m1", "class": "A", "visits_per_4_weeks": 4, "area": "town",
                                    "opens": 7 * 60, "closes": 22 * 60, "service_min": 15})


def _department() -> Department:
    return Department(name="d", office=GeoPoint(lat=30.66, lon=104.05), policy="15-13-7", market_manager="boss",
                      managers=(Manager(id="m1", name="M", years=5),),
                      retailers=(_shop(CLOSE, 2), _shop(LEFT, 3)))


def _weeks(policy: Policy) -> dict[dt.date, Timetable]:
    """A visit block 08:30-14:00 every weekday, but in the week of 11-30 only on Tue 12-01."""
    def days(monday: dt.date) -> list[dt.date]:
        return [dt.date(2026, 12, 1)] if monday == MONDAYS[0] else [monday + dt.timedelta(days=d) for d in range(5)]

    return {monday: Timetable(department="d", policy=policy.name, week_start=monday, status="feasible",
                              blocks=tuple(Block(manager="m1", date=d, kind="visit", start=parse_clock("08:30"),
                                                 end=parse_clock("14:00")) for d in days(monday)))
            for monday in MONDAYS}


def _november(policy: Policy) -> dict:
    """November's plan as `month --json` writes it: X1 last on Fri 11-27, O4 on Tue 11-24 and
    its visit owed on Mon 11-30 left out (time_window)."""
    first = dt.date(2026, 11, 1)
    days = tuple(d for d in (first + dt.timedelta(days=n) for n in range(30)) if d.weekday() < 5)
    visits = {CLOSE: [dt.date(2026, 11, 6), dt.date(2026, 11, 13), dt.date(2026, 11, 20), dt.date(2026, 11, 27)],
              LEFT: [dt.date(2026, 11, 3), dt.date(2026, 11, 10), dt.date(2026, 11, 17), dt.date(2026, 11, 24)]}
    routes = tuple(MonthRoute(manager="m1", date=d, visit_start=510, visit_end=840, start_from="office",
                              stops=(MonthStop(retailer=rid, arrive=540, start=540, end=555),))
                   for rid, dates in visits.items() for d in dates)
    return MonthPlan(department="d", policy=policy.name, month="2026-11", days=days, routes=routes,
                     unplanned=(Unplanned(retailer=LEFT, manager="m1", wanted=5, planned=4, reason="time_window"),),
                     due=(DueInWeek(week_start=MONDAYS[0], retailer=LEFT, manager="m1", visits=1),
                          DueInWeek(week_start=MONDAYS[0], retailer=CLOSE, manager="m1", visits=0, other_month=1)),
                     visits=8, wanted=9).to_json_dict()


def test_the_shops_count_their_week_of_11_30_as_the_cases_need() -> None:
    week = [MONDAYS[0] + dt.timedelta(days=d) for d in range(5)]
    assert due_days(CLOSE, 4, week) == [dt.date(2026, 12, 2)]
    assert due_days(LEFT, 4, week) == [MONDAYS[0]]


def _visits(plan: MonthPlan, rid: str) -> list[dt.date]:
    return sorted(r.date for r in plan.routes for s in r.stops if s.retailer == rid)


def test_the_previous_months_last_visit_spaces_the_first(policy_15_13_7: Policy) -> None:
    """Alone, December visits X1 on 12-01, 2 working days after November's 11-27 (the
    checker given November: `spacing`, too close) and leaves O4's week of 11-30 to November.
    With November's plan: X1's visit of that week is left out (its one day lies too close),
    O4's owed visit is made on 12-01, and the checker finds nothing."""
    policy, department, weeks = policy_15_13_7, _department(), _weeks(policy_15_13_7)
    november = _november(policy)
    alone = plan_month(department, policy, 2026, 12, set(), timetables=weeks, params=FAST)
    assert _visits(alone, CLOSE)[0] == dt.date(2026, 12, 1)
    assert dt.date(2026, 12, 1) not in _visits(alone, LEFT)
    found = check_month(alone, department, policy, set(), weeks, previous=november)
    assert any(v.rule == "spacing" and v.retailer == CLOSE and "too close" in v.message for v in found), found
    assert any(v.rule == "count" and v.retailer == LEFT for v in found), found
    assert not check_month(alone, department, policy, set(), weeks)  # alone, it passed

    after = plan_month(department, policy, 2026, 12, set(), timetables=weeks, params=FAST,
                       previous=previous_month(november, department, 2026, 12))
    assert _visits(after, CLOSE)[0] >= dt.date(2026, 12, 3)
    assert _visits(after, LEFT)[0] == dt.date(2026, 12, 1)
    assert [u.reason for u in after.unplanned if u.retailer == CLOSE] == ["spacing"]
    assert check_month(after, department, policy, set(), weeks, previous=november) == []


def test_the_checker_flags_a_first_visit_too_close_or_too_far_from_the_previous_months_last(
        policy_15_13_7: Policy) -> None:
    """X1's last November visit on `last`, its December visits weekly from `first` on (O4's
    on the Mondays and 12-01, as owed): 11-27 then 12-01 is 2 working days (too close, 4-6
    asked), 11-24 then 12-04 is 8 (too far), 11-25 then 12-01 is 4 (kept). Without November
    the checker knows none of it."""
    policy, department = policy_15_13_7, _department()
    days = [d for d in (dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(31)) if d.weekday() < 5]

    def december(first: dt.date) -> dict:
        visits = {CLOSE: [first + dt.timedelta(days=7 * w) for w in range(5) if first.day + 7 * w <= 31],
                  LEFT: [dt.date(2026, 12, 1), *MONDAYS[1:]]}
        on: dict[dt.date, list[str]] = {}
        for rid, dates in visits.items():
            for d in dates:
                on.setdefault(d, []).append(rid)
        routes = [{"manager": "m1", "date": d.isoformat(), "visit_start": "08:30", "visit_end": "14:00",
                   "stops": [{"retailer": rid, "arrive": f"{9 + n}:00", "start": f"{9 + n}:00", "end": f"{9 + n}:15"}
                             for n, rid in enumerate(stops)]} for d, stops in sorted(on.items())]
        return {"department": "d", "month": "2026-12", "days": [d.isoformat() for d in days], "routes": routes,
                "unplanned": []}

    def november(last: dt.date) -> dict:
        data = _november(policy)
        data["routes"] = [{**r, "date": last.isoformat()} if r["date"] == "2026-11-27" else r for r in data["routes"]]
        return data

    def spacing(first: dt.date, last: dt.date | None) -> list[str]:
        return [v.message for v in check_month(december(first), department, policy, set(),
                                               previous=november(last) if last else None)
                if v.rule == "spacing" and v.retailer == CLOSE]

    assert [m for m in spacing(dt.date(2026, 12, 1), dt.date(2026, 11, 27)) if "too close" in m]
    assert [m for m in spacing(dt.date(2026, 12, 4), dt.date(2026, 11, 24)) if "too far" in m and "11-24" in m]
    assert spacing(dt.date(2026, 12, 1), dt.date(2026, 11, 25)) == []
    assert spacing(dt.date(2026, 12, 1), None) == spacing(dt.date(2026, 12, 4), None) == []


def test_a_previous_plan_of_another_month_or_department_is_refused(policy_15_13_7: Policy) -> None:
    department, november = _department(), _november(policy_15_13_7)
    with pytest.raises(InputError, match="the month before 2027-01 is 2026-12"):
        previous_month(november, department, 2027, 1)
    with pytest.raises(InputError, match="department 'e'"):
        previous_month({**november, "department": "e"}, department, 2026, 12)
    with pytest.raises(InputError, match="not a month plan"):
        previous_month({"department": "d"}, department, 2026, 12)
    with pytest.raises(ValueError, match="2026-10"):
        check_month(november, department, policy_15_13_7, set(), previous=november)
